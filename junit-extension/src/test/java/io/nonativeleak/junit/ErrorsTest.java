package io.nonativeleak.junit;

import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.InvalidPatternException;
import io.nonativeleak.shim.NoNativeLeakException;
import io.nonativeleak.shim.testing.BadInterpreters;
import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every error a user can make, or meet, reported before any fixture process starts, with the reason. */
class ErrorsTest {
    static final String PYTHON_38 = "/root/.pyenv/versions/3.8.18/bin/python3.8";
    static final String PYTHON_27 = "/root/.pyenv/versions/2.7.18/bin/python2.7";
    /** Where the test cases' fixture would leave its mark, had it run. */
    static Path marker;

    @NoNativeLeak(patterns = "leak_block *|")
    static class BadPatternTestCases {
        @Test
        void badPattern(PythonFixture python) {
            python.run("src/test/python/touch.py", marker.toString());
        }

        @Test
        @NoNativeLeak(patterns = TestFixtures.PATTERN, ignore = "obj:")
        void badIgnorePattern(PythonFixture python) {
            python.probe("src/test/python/touch.py", marker.toString());
        }

        @Test
        void badPerRunPattern(PythonFixture python) {
            python.withPatterns("leak_block .... x").run("src/test/python/touch.py", marker.toString());
        }
    }

    @Test
    void malformedPatternIsRejectedWithPositionAndReasonBeforeAnyProcessStarts() throws IOException {
        marker = Files.createTempDirectory("nonativeleak-marker-").resolve("ran");
        Path reports = Files.createTempDirectory("nonativeleak-reports-").resolve("none");
        TestKit.Results results = TestKit.execute(BadPatternTestCases.class, "nonativeleak.reportDirectory", reports.toString());

        assertThat(results.failure("badPattern")).isInstanceOfSatisfying(InvalidPatternException.class, e -> {
            assertThat(e.pattern()).isEqualTo("leak_block *|");
            assertThat(e.position()).isEqualTo(14);
            assertThat(e.reason()).contains("empty alternative");
            assertThat(e.getMessage()).contains("at position 14").contains("\n    leak_block *|\n                 ^");
        });
        assertThat(results.failure("badIgnorePattern")).isInstanceOf(InvalidPatternException.class)
                .hasMessageContaining("'obj:' needs a module file name glob");
        assertThat(results.failure("badPerRunPattern")).isInstanceOf(InvalidPatternException.class)
                .hasMessageContaining("a run of dots must be exactly '...'");
        assertThat(marker).doesNotExist();
        assertThat(reports).doesNotExist();
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class BadInterpreterTestCases {
        static String python;

        @Test
        void badInterpreter(PythonFixture fixture) {
            fixture.withPython(python).run("src/test/python/touch.py", marker.toString());
        }
    }

    /** Issue 12 item 5: each bad interpreter is one line naming it, what it is, and what is needed, before any fixture runs. */
    @Test
    void everyBadInterpreterIsOneClearLineBeforeAnyFixtureRuns() throws IOException {
        marker = Files.createTempDirectory("nonativeleak-marker-").resolve("ran");
        for (BadInterpreters.Case bad : BadInterpreters.make().values()) {
            BadInterpreterTestCases.python = bad.python().toString();
            Throwable failure = TestKit.execute(BadInterpreterTestCases.class).failure("badInterpreter");
            assertThat(failure).as(bad.name()).isInstanceOf(NoNativeLeakException.class)
                    .hasMessageStartingWith("Python interpreter " + bad.python() + " ")
                    .hasMessageContaining(bad.says()).hasMessageEndingWith(BadInterpreters.NEEDS);
            assertThat(failure.getMessage()).as(bad.name()).doesNotContain("\n");
            assertThat(marker).as(bad.name()).doesNotExist();
        }
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class InterpreterTestCases {
        @Test
        @NoNativeLeak(patterns = TestFixtures.PATTERN, python = "/nonexistent/bin/python3")
        void missingPath(PythonFixture python) {
            python.run(fixture("leak.py"));
        }

        @Test
        void missingName(PythonFixture python) {
            python.withPython("python3.99-nowhere").run(fixture("leak.py"));
        }

        @Test
        void python38(PythonFixture python) {
            python.withPython(PYTHON_38).run(fixture("leak.py"));
        }

        @Test
        void python27(PythonFixture python) {
            python.withPython(PYTHON_27).probe(fixture("leak.py"));
        }
    }

    @Test
    void missingInterpreterIsNamed() {
        TestKit.Results results = TestKit.execute(InterpreterTestCases.class);
        assertThat(results.failure("missingPath")).isInstanceOf(NoNativeLeakException.class)
                .hasMessage("Python interpreter not found: /nonexistent/bin/python3");
        assertThat(results.failure("missingName")).isInstanceOf(NoNativeLeakException.class)
                .hasMessageStartingWith("Python interpreter 'python3.99-nowhere' not found on PATH")
                .hasMessageContaining("-Dnonativeleak.python").hasMessageContaining("NONATIVELEAK_PYTHON");
    }

    @Test
    void python38IsRefused() {
        assumeTrue(Files.isExecutable(Path.of(PYTHON_38)), PYTHON_38 + " is not installed");
        assertThat(TestKit.execute(InterpreterTestCases.class).failure("python38")).isInstanceOf(NoNativeLeakException.class)
                .hasMessageContaining("is CPython 3.8.18; NoNativeLeak needs CPython 3.9 or newer");
    }

    @Test
    void python27IsRefused() {
        assumeTrue(Files.isExecutable(Path.of(PYTHON_27)), PYTHON_27 + " is not installed");
        assertThat(TestKit.execute(InterpreterTestCases.class).failure("python27")).isInstanceOf(NoNativeLeakException.class)
                .hasMessageContaining(PYTHON_27);
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class MissingFixtureTestCases {
        @Test
        void missingScript(PythonFixture python) {
            python.run("src/test/python/does_not_exist.py");
        }

        @Test
        void missingModule(PythonFixture python) {
            python.call("no_such_module.inner:function");
        }

        @Test
        void missingFunction(PythonFixture python) {
            python.withWorkingDirectory(TestFixtures.directory()).probeCall("callables:no_such_function");
        }

        @Test
        void notACallable(PythonFixture python) {
            python.call("callables.leak");
        }

        @Test
        void unwritableReportDirectory(PythonFixture python) {
            python.withName("unwritable").run(fixture("clean.py"));
        }
    }

    @Test
    void missingScriptOrCallableIsNamed() {
        TestKit.Results results = TestKit.execute(MissingFixtureTestCases.class);
        assertThat(results.failure("missingScript")).isInstanceOf(NoNativeLeakException.class)
                .hasMessage("fixture script not found: " + Settings.moduleDirectory().resolve("src/test/python/does_not_exist.py"));
        assertThat(results.failure("missingModule")).isInstanceOf(NoNativeLeakException.class)
                .hasMessageStartingWith("fixture callable not found: no module named 'no_such_module'");
        assertThat(results.failure("missingFunction")).isInstanceOf(NoNativeLeakException.class)
                .hasMessage("fixture callable not found: module 'callables' has no 'no_such_function'");
        assertThat(results.failure("notACallable")).isInstanceOf(NoNativeLeakException.class)
                .hasMessageContaining("'callables.leak' is not of the form package.module:function");
    }

    @Test
    void unwritableReportDirectoryIsNamed() {
        TestKit.Results results = TestKit.execute(MissingFixtureTestCases.class, "nonativeleak.reportDirectory", "/proc/nonativeleak");
        assertThat(results.failure("unwritableReportDirectory")).isInstanceOf(NoNativeLeakException.class)
                .hasMessageStartingWith("report directory /proc/nonativeleak cannot be written");
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class PlatformTestCases {
        @Test
        void runsAFixture(PythonFixture python) {
            python.run(fixture("leak.py"));
        }

        @Test
        void probesAFixture(PythonFixture python) {
            python.probe(fixture("clean.py"));
        }

        @Test
        void runsNoFixture() {
        }
    }

    @Test
    void unsupportedOperatingSystemAbortsWithTheReason() {
        TestKit.Results results = withSystemProperty("os.name", "Mac OS X", () -> TestKit.execute(PlatformTestCases.class));
        assertThat(results.aborted("runsAFixture")).hasMessage("NoNativeLeak needs Linux x86-64 with glibc; this is Mac OS X");
        assertThat(results.aborted("probesAFixture")).hasMessage("NoNativeLeak needs Linux x86-64 with glibc; this is Mac OS X");
        results.succeeded("runsNoFixture");
    }

    @Test
    void unsupportedArchitectureAbortsWithTheReason() {
        TestKit.Results results = withSystemProperty("os.arch", "aarch64", () -> TestKit.execute(PlatformTestCases.class));
        assertThat(results.aborted("runsAFixture")).hasMessage("NoNativeLeak needs Linux x86-64; this machine is aarch64");
    }

    @Test
    void shimThatIsNoLibraryFailsWithTheReason() throws IOException {
        Path notALibrary = Files.writeString(Files.createTempDirectory("nonativeleak-broken-").resolve("libnotelf.so"), "not a library, only text long enough to hold an ELF header\n".repeat(4));
        TestKit.Results results = withSystemProperty("nonativeleak.shim", notALibrary.toString(), () -> TestKit.execute(PlatformTestCases.class));
        assertThat(results.failure("runsAFixture")).isInstanceOf(NoNativeLeakException.class)
                .hasMessageStartingWith("the NoNativeLeak shim does not load")
                .hasMessageContaining("invalid ELF header");
    }

    @Test
    void shimWithAMissingDependencyFailsWithTheReason() throws Exception {
        Path dir = Files.createTempDirectory("nonativeleak-broken-");
        Files.writeString(dir.resolve("gone.c"), "int nnl_gone(void) { return 1; }\n");
        Files.writeString(dir.resolve("broken.c"), "int nnl_gone(void);\nconst char *nnl_version(void) { return nnl_gone() ? \"1\" : \"0\"; }\n");
        gcc(dir, "-shared", "-fPIC", "-o", "libnnlgone.so", "gone.c");
        gcc(dir, "-shared", "-fPIC", "-o", "libbroken.so", "broken.c", "-L.", "-lnnlgone");
        Files.delete(dir.resolve("libnnlgone.so"));
        TestKit.Results results = withSystemProperty("nonativeleak.shim", dir.resolve("libbroken.so").toString(),
                () -> TestKit.execute(PlatformTestCases.class));
        assertThat(results.failure("runsAFixture")).isInstanceOf(NoNativeLeakException.class)
                .hasMessageStartingWith("the NoNativeLeak shim does not load")
                .hasMessageContaining("libnnlgone.so: cannot open shared object file");
    }

    private static void gcc(Path dir, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "gcc";
        System.arraycopy(args, 0, command, 1, args.length);
        Process gcc = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0).as("gcc %s", String.join(" ", args)).isTrue();
    }

    /** Runs the action with a system property set, as the shim and the platform check read them, then restores it. */
    static <T> T withSystemProperty(String key, String value, Supplier<T> action) {
        String previous = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return action.get();
        } finally {
            if (previous == null) System.clearProperty(key);
            else System.setProperty(key, previous);
        }
    }

    @BeforeAll
    static void fixturesBuilt() {
        TestFixtures.directory();
    }
}
