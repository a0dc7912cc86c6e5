def log = new File(basedir, 'build.log').text
assert log =~ /backtest +CLEAN +0 +0 +/
assert log.contains('All 1 fixtures CLEAN')
def report = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/nonativeleak/backtest.json'))
assert report.matched.count >= 1000                                        // watched, not NO_MATCH: 5 days x 200 ticks
return true
