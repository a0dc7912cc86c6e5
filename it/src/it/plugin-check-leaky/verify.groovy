def log = new File(basedir, 'build.log').text
assert log.contains("Running fixture buggy: ${fixtures}/buggy.py 7")
assert log =~ /Fixture buggy: LEAKED in \d+\.\d\d s/
assert log =~ /fixture +outcome +leaked +bytes +duration/
assert log =~ /buggy +LEAKED +7 +7000 +\d+\.\d\d s/
assert log.contains('CallStack[1]: may-leak=7 (7000 bytes)')
assert log.contains('leak_block')                                   // the C stack
assert log =~ /buggy\.py:10 in process/                               // the Python stack ...
assert log.contains('pointer = leaky.block(1000)  # LEAK-LINE')     // ... and the line that leaks
assert log.contains('1 of 1 fixtures not CLEAN: buggy (LEAKED)')
assert log.contains('BUILD FAILURE')
assert new File(basedir, 'target/nonativeleak/buggy.json').isFile()
return true
