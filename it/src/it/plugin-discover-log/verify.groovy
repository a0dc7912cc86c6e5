def log = new File(basedir, 'build.log').text
assert log.contains("Running fixture discover-buggy: ${fixtures}/buggy.py 6 ignored-extra")
assert log =~ /Live allocation sites after the fixture finished, by bytes: 2 of \d+ sites/
assert log.contains('CallStack[1]: may-leak=')
assert log.contains('CallStack[2]: may-leak=')
assert !log.contains('CallStack[3]')
assert log.contains('suggested pattern: ')
assert log.contains('Report (every site with its suggested pattern): ' + new File(basedir, 'target/nonativeleak/discover-buggy.json').canonicalPath)
assert log.contains('BUILD SUCCESS')                          // discover never fails the build because of leaks
return true
