def log = new File(basedir, 'build.log').text
assert log =~ /Fixture hang: TIMED_OUT in [5-9]\.\d\d s/
assert log.contains('the run exceeded its timeout of 5 s; the whole process tree was killed')
assert log.contains('1 of 1 fixtures not CLEAN: hang (TIMED_OUT)')
def marker = new File(basedir, 'target/hang-marker.txt').text.trim()
assert new File(basedir, 'target/nonativeleak/hang.stdout.log').text.contains('hanging with ' + marker)  // the children did start
def left = new File('/proc').listFiles().findAll { it.name ==~ /\d+/ }.findAll { p ->
    try { new String(new File(p, 'cmdline').bytes, 'UTF-8').contains(marker) } catch (IOException e) { false }
}
assert left.isEmpty() : "processes left running: " + left*.name
return true
