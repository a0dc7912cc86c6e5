def log = new File(basedir, 'build.log').text
assert new File(basedir, 'nonativeleak-baseline.json').isFile()
// build 2: grown from 3 to 5 blocks
assert log.contains('grown: backtest: src/test/python/backtest.py:9 in <module> (leaky.block(1000)  # KNOWN-LEAK), C leak_block: 5 allocations (5000 bytes), baseline 3 (3000 bytes)')
// build 3: a new site fails, the known one is still tolerated
assert log.contains('new: backtest: src/test/python/backtest.py:11 in <module> (leaky.block(500)  # NEW-LEAK), C leak_block: 1 allocation (500 bytes)')
assert log.contains('tolerated: backtest: src/test/python/backtest.py:9 in <module>')
assert log.contains('1 of 1 fixtures not CLEAN: backtest (LEAKED)')
assert log.contains('BUILD FAILURE')
return true
