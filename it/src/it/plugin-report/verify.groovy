def log = new File(basedir, 'build.log').text
assert log.contains('1 of 2 fixtures not CLEAN: buggy (LEAKED)')
assert log.contains('NoNativeLeak report of 2 runs: ')
assert log.contains('BUILD SUCCESS')
def html = new File(basedir, 'target/nonativeleak/index.html').text
assert html.contains('<table id="summary">')
assert html =~ /<polyline class="live-bytes" points="[0-9., ]+"|<circle class="live-bytes"/
assert html.contains('CallStack[1]: may-leak=40 (40000 bytes)')
assert html.contains('pointer = leaky.block(1000)  # LEAK-LINE')
assert !(html =~ /(src|href)="(https?:)?\/\//)          // self-contained: nothing fetched
assert !html.contains('<script') && !html.contains('<link')
return true
