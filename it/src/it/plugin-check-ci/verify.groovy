def log = new File(basedir, 'build.log').text
def project = basedir.parentFile.name + '/plugin-check-ci'   // this clone, relative to GITHUB_WORKSPACE (target/)
// a workflow command at the start of a line, at the leaking line, path relative to the workspace
def error = log.readLines().find { it.startsWith('::error ') }
assert error != null
assert error.startsWith("::error file=${project}/src/test/python/backtest.py,line=8," + 'title=NoNativeLeak%3A backtest LEAKED::'
        + '4 allocations (4000 bytes) still live at the checkpoint, allocated at src/test/python/backtest.py:8 in process: '
        + 'pointer = leaky.block(1000)  # LEAK-LINE%0AC frames: leak_block%0APattern: leak_block%0AReport: ' + project + '/target/nonativeleak/backtest.json')
assert log.readLines().count { it.startsWith('::error ') } == 1
def summary = new File(basedir.parentFile.parentFile, 'ci-step-summary.md').text
assert summary.contains('### NoNativeLeak: 1 of 2 fixtures not CLEAN')
assert summary =~ /\| backtest \| \S+ LEAKED \| 4 \| 4000 \| \d+\.\d\d s \| `${project}\/src\/test\/python\/backtest.py:8` `pointer = leaky.block\(1000\)  # LEAK-LINE` \|/
assert summary =~ /\| fixed \| \S+ CLEAN \| 0 \| 0 \|/
def issues = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/nonativeleak/gl-code-quality-report.json'))
assert issues.size() == 1
assert issues[0].location.path == 'src/test/python/backtest.py'   // no CI_PROJECT_DIR: relative to the project
assert issues[0].location.lines.begin == 8
// the test report, named by the execution, in both directories
def xml = new File(basedir, 'target/surefire-reports/TEST-nonativeleak.leak-gate.xml')
assert xml.isFile()
assert new File(basedir, 'target/nonativeleak/TEST-nonativeleak.leak-gate.xml').text == xml.text
def suite = new groovy.xml.XmlSlurper().parse(xml)
assert suite.@tests == '2' && suite.@failures == '1' && suite.@errors == '0'
assert suite.testcase.find { it.@name == 'backtest' }.failure.@type == 'LEAKED'
return true
