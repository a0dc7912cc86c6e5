def log = new File(basedir, 'build.log').text
assert !log.contains('not marked as @threadSafe')
assert !log.contains('not thread-safe')
assert log =~ /fixed +CLEAN +0 +0/
assert log =~ /buggy +LEAKED +5 +5000/
assert log.contains('pointer = leaky.block(1000)  # LEAK-LINE')
assert new File(basedir, 'first/target/nonativeleak/fixed.json').isFile()
assert new File(basedir, 'second/target/nonativeleak/buggy.json').isFile()
assert log.contains('BUILD FAILURE')
return true
