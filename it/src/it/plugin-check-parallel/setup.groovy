// Builds each module's native library before Maven runs.
['first', 'second'].each { module ->
    def out = new File(basedir, module + '/target/native')
    out.mkdirs()
    def gcc = ['gcc', '-O0', '-g', '-fno-omit-frame-pointer', '-shared', '-fPIC',
               '-o', new File(out, 'libleaky.so').path, new File(basedir, module + '/src/test/c/leaky.c').path].execute()
    gcc.waitForProcessOutput(System.out, System.err)
    assert gcc.exitValue() == 0 : 'gcc failed'
}
return true
