def log = new File(basedir, 'build.log').text
assert log =~ /generator_chunks +CLEAN +0 +0 +/
assert log.contains('All 1 fixtures CLEAN')
def report = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/nonativeleak/generator_chunks.json'))
assert report.matched.count >= 300                                         // watched, not NO_MATCH
return true
