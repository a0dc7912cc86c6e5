def log = new File(basedir, 'build.log').text
assert log =~ /generator_chunks +LEAKED +300 +/
assert log.contains('array_boolean_subscript')                            // the C stack
assert log.contains('gen = values(chunk[to_keep])  # SUBSCRIPT-LINE')     // the Python line
assert log.contains('1 of 1 fixtures not CLEAN: generator_chunks (LEAKED)')
assert log.contains('BUILD FAILURE')
return true
