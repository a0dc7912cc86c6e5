def log = new File(basedir, 'build.log').text
assert log.contains("NoNativeLeak configuration is invalid; no fixture was run")
assert log.contains("fixtures[2] (buggy).patterns: invalid stack pattern 'leak_block ... a||b' at position 18: empty alternative")
assert !log.contains('Running fixture')          // not even the valid first fixture
assert log.contains('BUILD FAILURE')
assert !new File(basedir, 'target/nonativeleak/fixed.json').exists()
return true
