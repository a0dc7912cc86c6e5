// The build failed because of exactly one test, the buggy backtest, with both stacks and the report in the message.
def xml = new groovy.xml.XmlSlurper().parse(new File(basedir, 'target/surefire-reports/TEST-consumer.BacktestLeakTest.xml'))
// Counted from the test cases: Surefire's suite totals are off when @Nested classes take part.
assert xml.testcase.size() == 5 : "test cases: ${xml.testcase*.@name}"
assert xml.testcase.findAll { it.failure.size() > 0 }.size() == 1
assert xml.testcase.findAll { it.error.size() > 0 || it.skipped.size() > 0 }.isEmpty()
assert xml.testcase.find { it.@name.text().startsWith('inheritsTheGate') }.@classname == 'consumer.BacktestLeakTest$Nightly'

// On the JUnit line of this invoker execution (junitVersion, it/pom.xml): Surefire ran the tests on that JUnit, and
// runsOnTheProjectsJUnit, which compares the running JUnit with expectedJUnit, passed (the only failure is below).
assert junitVersion ==~ /\d+\.\d+\.\d+/
def property = { name -> xml.properties.property.find { it.@name == name }.@value.text() }
assert property('expectedJUnit') == junitVersion
def jupiter = property('surefire.test.class.path').split(':').findAll { it.contains('junit-jupiter-api') }*.replaceAll('.*/', '')
assert jupiter == ["junit-jupiter-api-${junitVersion}.jar".toString()]
assert xml.testcase.find { it.@name.text().startsWith('runsOnTheProjectsJUnit') }.failure.size() == 0

def failed = xml.testcase.find { it.failure.size() > 0 }
assert failed.@name.text().startsWith('buggyBacktestFailsTheBuild')
def message = failed.failure.text()
assert message.contains('NoNativeLeak gate: src/test/python/backtest.py 2 --buggy is LEAKED, not CLEAN')
assert message.contains('patterns: leak_block')
assert message.contains('2 matching allocations (2000 bytes)')
assert message.contains('leak_block  (libleaky.so+')
assert message.contains('src/test/python/backtest.py:7 in <module>')
assert message.contains('leaky.leak(days)  # LEAK-LINE')

def report = new File(basedir, 'target/nonativeleak/BacktestLeakTest.buggyBacktestFailsTheBuild.backtest.json')
assert message.contains('report: ' + report.canonicalPath)
def json = new groovy.json.JsonSlurper().parse(report)
assert json.outcome == 'LEAKED' && json.leaked.count == 2 && json.patterns == ['leak_block']
assert new File(basedir, 'target/nonativeleak/BacktestLeakTest.Nightly.inheritsTheGate.backtest.json').isFile()

// Attached to the test result with publishFile, in JUnit's output directory.
def published = []
new File(basedir, 'target/junit-jupiter').eachFileRecurse { if (it.name == report.name) published << it }
assert published.size() == 1 : "published copies of ${report.name}: ${published}"
return true
