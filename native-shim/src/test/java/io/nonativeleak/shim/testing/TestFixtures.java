package io.nonativeleak.shim.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Python fixtures over a small native library with known allocation stacks (frame 0 of each block is
 * {@code leak_block}): deterministic stand-ins for numpy in the tests of every module. Shipped in the
 * nonativeleak-shim test-jar.
 */
public final class TestFixtures {
    /** The pattern that matches the library's blocks. */
    public static final String PATTERN = "leak_block";
    /** System property naming the interpreter the tests use (default python3 on PATH). */
    public static final String PYTHON_PROPERTY = "nonativeleak.test.python";
    private static final List<String> FILES = List.of("leaky.py", "leak.py", "clean.py", "nothing.py", "raises.py",
            "exit_code.py", "crash.py", "hang.py", "warm_cache.py", "threads.py", "forks.py", "callables.py", "reload.py", "exec_child.py", "subprocess_child.py",
            "mp_children.py", "exits_at_import.py",
            "small_arrays.py", "small_arrays_leak.py");
    /** System property naming an interpreter with numpy 2.4 (and numba): the numpy fixtures' tests skip without it. */
    public static final String NUMPY_PYTHON_PROPERTY = "nonativeleak.test.numbaPython";
    /** The case study's pattern, anchored at numpy's data allocator. */
    public static final String NUMPY_PATTERN = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript";
    /** The same with numpy's malloc caller for buffers under 1024 bytes (default_malloc tail-calls malloc for them). */
    public static final String NUMPY_SMALL_ARRAY_PATTERN = "PyDataMem_UserNEW|" + NUMPY_PATTERN;
    private static Path directory;

    private TestFixtures() {}

    /** A directory holding libleaky.so and the fixture scripts, built once per JVM. */
    public static synchronized Path directory() {
        if (directory != null) return directory;
        try {
            Path dir = Files.createTempDirectory("nonativeleak-fixtures-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
            for (String name : FILES) copyResource(name, dir.resolve(name));
            compile(dir, "leaky");
            compile(dir, "other");
            directory = dir;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void compile(Path dir, String name) throws IOException, InterruptedException {
        copyResource(name + ".c", dir.resolve(name + ".c"));
        Process gcc = new ProcessBuilder("gcc", "-O0", "-g", "-fno-omit-frame-pointer", "-shared", "-fPIC", "-pthread",
                "-o", dir.resolve("lib" + name + ".so").toString(), dir.resolve(name + ".c").toString()).inheritIO().start();
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) throw new IllegalStateException("gcc failed to build lib" + name + ".so");
    }

    /** The path of a fixture script, e.g. {@code script("leak.py")}. */
    public static Path script(String name) {
        return directory().resolve(name);
    }

    /** The line of a fixture marked with a comment such as {@code # LEAK-LINE}. */
    public static int lineOf(String script, String marker) {
        try {
            List<String> lines = Files.readAllLines(script(script));
            for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("# " + marker)) return i + 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException(marker + " not in " + script);
    }

    /** The interpreter with numpy ({@link #NUMPY_PYTHON_PROPERTY}), or "" when none was given. */
    public static String numpyPython() {
        return System.getProperty(NUMPY_PYTHON_PROPERTY, "");
    }

    public static String python() {
        return System.getProperty(PYTHON_PROPERTY, "python3");
    }

    private static void deleteRecursively(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = TestFixtures.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
