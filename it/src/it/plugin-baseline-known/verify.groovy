def log = new File(basedir, 'build.log').text
def baseline = new groovy.json.JsonSlurper().parse(new File(basedir, 'nonativeleak-baseline.json'))
assert baseline.schemaVersion == 1
assert baseline.sites.size() == 1
def site = baseline.sites[0]
assert site.fixture == 'backtest'
assert site.python.file == 'src/test/python/backtest.py'
assert site.python.source == 'leaky.block(1000)  # KNOWN-LEAK'
assert site.cFrames == ['leak_block']
assert site.count == 3 && site.bytes == 3000
assert log.contains('Baseline of 1 known leak site from 1 report: ' + new File(basedir, 'nonativeleak-baseline.json'))
// build 2: the known leak is tolerated
assert log =~ /backtest +LEAKED \(baselined\) +3 +3000/
assert log.contains('1 known leak site tolerated, 0 stale entries')
assert log.contains('tolerated: backtest: src/test/python/backtest.py:9 in <module> (leaky.block(1000)  # KNOWN-LEAK), C leak_block: 3 allocations (3000 bytes)')
// build 3: fixed; the entry is stale
assert log =~ /backtest +CLEAN +0 +0/
assert log.contains('0 known leak sites tolerated, 1 stale entry')
assert log.contains('stale baseline entry (no longer occurs; mvn nonativeleak:baseline rewrites the file): backtest: src/test/python/backtest.py:9')
assert !log.contains('BUILD FAILURE')
return true
