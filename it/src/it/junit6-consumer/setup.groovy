// Builds the project's native library (a stand-in for numpy: blocks allocated by leak_block) before Maven runs.
def out = new File(basedir, 'target/native')
out.mkdirs()
def gcc = ['gcc', '-O0', '-g', '-fno-omit-frame-pointer', '-shared', '-fPIC', '-pthread',
           '-o', new File(out, 'libleaky.so').path, new File(basedir, 'src/test/c/leaky.c').path].execute()
gcc.waitForProcessOutput(System.out, System.err)
assert gcc.exitValue() == 0 : 'gcc failed'
return true
