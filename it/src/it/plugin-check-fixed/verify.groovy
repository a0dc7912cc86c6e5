def log = new File(basedir, 'build.log').text
assert log.contains("Running fixture fixed: ${fixtures}/fixed.py 7")
assert log =~ /fixed +CLEAN +0 +0 +\d+\.\d\d s/
assert log.contains('All 1 fixtures CLEAN')
assert log.contains('BUILD SUCCESS')
def report = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/nonativeleak/fixed.json'))
assert report.outcome == 'CLEAN'
assert report.matched.count == 7        // the gate watched the allocations: CLEAN, not NO_MATCH
return true
