def log = new File(basedir, 'build.log').text
assert log =~ /backtest_buggy +LEAKED +1000 +/                            // 5 days x 200 ticks: one buffer per tick
assert log.contains('array_boolean_subscript')                            // the C stack
def script = new File(caseStudy, 'backtest_buggy.py')
def line = script.readLines()*.strip().indexOf('sub = chunk[to_keep]') + 1
assert line > 0
assert log =~ /${java.util.regex.Pattern.quote(script.path)}:${line} in run_day\n.*sub = chunk\[to_keep\]/     // the Python line
assert log.contains('1 of 1 fixtures not CLEAN: backtest_buggy (LEAKED)')
assert log.contains('BUILD FAILURE')
return true
