assert !new File(basedir, 'pom.xml').exists()
def report = new groovy.json.JsonSlurper().parse(new File(basedir, 'target/nonativeleak/discover-buggy.json'))
assert report.patterns == []                                  // every allocation tracked
def site = report.sites.find { it.cStack && it.cStack[0].symbol == 'leak_block' }
assert site.count == 6 && site.bytes == 6000
assert site.suggestedPattern == 'leak_block'
assert report.sites.every { !it.cStack || it.suggestedPattern }
assert site.pythonStack.any { it.source == 'pointer = leaky.block(1000)  # LEAK-LINE' }
// build.log holds both invocations: discover printed the site with both stacks and its suggestion
def log = new File(basedir, 'build.log').text
assert log.contains('pointer = leaky.block(1000)  # LEAK-LINE')
assert log.contains('suggested pattern: leak_block')
assert log.count('BUILD SUCCESS') == 2
def html = new File(basedir, 'target/nonativeleak/index.html').text
assert html.contains('discover-buggy') && html.contains('suggested pattern: <code class="suggested">leak_block</code>')
return true
