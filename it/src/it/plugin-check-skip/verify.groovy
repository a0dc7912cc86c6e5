def log = new File(basedir, 'build.log').text
// build.log holds all three invocations, one per skip property, in order
['nonativeleak.skip', 'skipTests', 'maven.test.skip'].each {
    assert log.contains("Skipping NoNativeLeak: ${it} is set")
}
assert log.count('BUILD SUCCESS') == 3
assert !log.contains('Running fixture')
assert !new File(basedir, 'target/nonativeleak').exists()
return true
