package io.nonativeleak.junit;

import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.GateSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs Python fixtures under the NoNativeLeak shim, each in a fresh Python process. Declare it as a parameter of
 * a test method, a {@code @BeforeEach}/{@code @AfterEach} method or a {@code @BeforeAll}/{@code @AfterAll}
 * method of a class (or method) annotated with {@link NoNativeLeak}.
 *
 * <pre>{@code
 * @NoNativeLeak(patterns = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript", warmup = 1)
 * class BacktestLeakIT {
 *
 *     @Test
 *     void backtestLeavesNoArrayBehind(PythonFixture python) {
 *         python.run("src/test/python/backtest.py", "--days", "5");        // gated
 *         python.call("backtest.engine:run_one_day", "2024-01-02");         // gated, a callable
 *     }
 *
 *     @Test
 *     void smallCachesAreTolerated(PythonFixture python) {
 *         python.withMaxLeaks(10)                                            // this run only
 *               .withEnvironment("OMP_NUM_THREADS", "1")
 *               .withWorkingDirectory(Path.of("src/test/python"))
 *               .run("src/test/python/warm_cache.py");
 *     }
 *
 *     @Test
 *     void gateCatchesTheKnownBug(PythonFixture python) {
 *         FixtureRun run = python.probe("src/test/python/backtest_buggy.py"); // not gated
 *         NativeLeakAssertions.assertThat(run).isLeaked().hasSiteAtPythonLine("backtest_buggy.py", 14);
 *     }
 * }
 * }</pre>
 *
 * <h2>Gated and not gated</h2>
 * {@link #run} and {@link #call} are gated: when such a run is not {@code CLEAN} (LEAKED, NO_MATCH, INCOMPLETE,
 * FIXTURE_FAILED, CRASHED or TIMED_OUT), the test fails once the method that made the run has returned (for
 * {@code @BeforeAll}/{@code @AfterAll}: the class fails), with the outcome, the reason, the patterns, the counts,
 * the top three leak sites with their C and Python stacks, and the path of the JSON report. All not-clean runs
 * of a test are reported together. {@link #probe} and {@link #probeCall} run the same way and write the same
 * report but never fail anything: assert on the returned {@link FixtureRun} yourself.
 *
 * <h2>Per-run settings</h2>
 * A {@code PythonFixture} is immutable. The {@code with...} methods return a copy that differs in one setting
 * and leave the original alone, so a setting made for one run never leaks into the next:
 * {@code python.withWarmup(2).withPatterns("leak_block").run("leak.py")}. Unset settings come from the nearest
 * {@link NoNativeLeak} and the {@code nonativeleak.*} configuration parameters.
 *
 * <h2>Processes, paths and output</h2>
 * Relative paths (scripts, working directory, standard-input files) resolve against the Maven module's base
 * directory, which is also the default working directory. A callable {@code package.module:function} is imported
 * with the working directory first on {@code sys.path} (set {@code PYTHONPATH} with
 * {@link #withEnvironment(String, String)} for other places). The fixture's standard output and error go to files
 * beside the report (so no amount of output can block it) and are on {@link FixtureRun#stdout()} and
 * {@link FixtureRun#stderr()}; standard input is empty unless set. Every process a run starts is ended when it
 * finishes or times out.
 *
 * <h2>Errors</h2>
 * Checked before any process starts, each thrown from the method that would start the run with a clear
 * message: a malformed pattern ({@code InvalidPatternException}, with its position and reason), an interpreter
 * that cannot be found or is not CPython 3.9+, a script or callable that does not exist, a report directory
 * that cannot be written, and a shim that cannot load on Linux x86-64 (for example a missing
 * {@code libunwind.so.8}). On a platform the shim does not support, the test is aborted (skipped) with the
 * reason. Instances are safe to use from several threads, and tests that run in parallel share nothing.
 */
public final class PythonFixture {
    private final FixtureSession session;
    /** The per-run settings, over the annotation's and the configuration's. */
    private final GateSettings overrides;
    private final String stdinText;
    private final Path stdinFile;
    private final String name;

    PythonFixture(FixtureSession session) {
        this(session, GateSettings.defaults(), null, null, null);
    }

    private PythonFixture(FixtureSession session, GateSettings overrides, String stdinText, Path stdinFile, String name) {
        this.session = session;
        this.overrides = overrides;
        this.stdinText = stdinText;
        this.stdinFile = stdinFile;
        this.name = name;
    }

    private PythonFixture with(GateSettings changed) {
        return new PythonFixture(session, changed, stdinText, stdinFile, name);
    }

    /**
     * Runs a script as {@code __main__}, gated: the test fails after it returns when this run is not CLEAN.
     *
     * @param script the script, relative to the module's base directory or absolute
     * @param args   its command-line arguments ({@code sys.argv[1:]})
     * @return the finished run
     */
    public FixtureRun run(String script, String... args) {
        return execute(FixtureSpec.script(Objects.requireNonNull(script, "script")), args, true);
    }

    /**
     * Calls a function, gated: the test fails after it returns when this run is not CLEAN.
     *
     * @param callable {@code package.module:function}
     * @param args     passed to the function as positional string arguments
     * @return the finished run
     */
    public FixtureRun call(String callable, String... args) {
        return execute(FixtureSpec.callable(Objects.requireNonNull(callable, "callable")), args, true);
    }

    /**
     * Runs a script as {@code run} does, but never fails the test: inspect the returned run yourself.
     *
     * @param script the script, relative to the module's base directory or absolute
     * @param args   its command-line arguments
     * @return the finished run
     */
    public FixtureRun probe(String script, String... args) {
        return execute(FixtureSpec.script(Objects.requireNonNull(script, "script")), args, false);
    }

    /**
     * Calls a function as {@code call} does, but never fails the test: inspect the returned run yourself.
     *
     * @param callable {@code package.module:function}
     * @param args     passed to the function as positional string arguments
     * @return the finished run
     */
    public FixtureRun probeCall(String callable, String... args) {
        return execute(FixtureSpec.callable(Objects.requireNonNull(callable, "callable")), args, false);
    }

    /**
     * @param patterns the stack patterns for runs of the returned fixture (none: every allocation is tracked)
     * @return a copy with these patterns instead of the annotation's
     */
    public PythonFixture withPatterns(String... patterns) {
        return with(overrides.withPatterns(List.of(patterns)));
    }

    /**
     * @param ignore patterns of allocations never tracked
     * @return a copy with these ignore patterns instead of the annotation's
     */
    public PythonFixture withIgnore(String... ignore) {
        return with(overrides.withIgnore(List.of(ignore)));
    }

    /**
     * @param python a path to the interpreter (relative ones against the module's base directory) or a name on
     *               {@code PATH}
     * @return a copy that runs fixtures with this interpreter
     */
    public PythonFixture withPython(String python) {
        return with(overrides.withPython(Objects.requireNonNull(python, "python")));
    }

    /**
     * @param warmup how many runs precede the measured one
     * @return a copy with this warm-up
     */
    public PythonFixture withWarmup(int warmup) {
        return with(overrides.withWarmup(warmup));
    }

    /**
     * @param runs how many measured runs follow the warm-ups; the run is {@code LEAKED} only when every one leaks
     * @return a copy with this number of measured runs
     */
    public PythonFixture withRuns(int runs) {
        return with(overrides.withRuns(runs));
    }

    /**
     * @param maxLeaks how many tracked allocations may be live at the checkpoint
     * @return a copy with this allowance
     */
    public PythonFixture withMaxLeaks(long maxLeaks) {
        return with(overrides.withMaxLeaks(maxLeaks));
    }

    /**
     * @param maxLeakedBytes how many bytes tracked allocations may hold at the checkpoint
     * @return a copy with this allowance
     */
    public PythonFixture withMaxLeakedBytes(long maxLeakedBytes) {
        return with(overrides.withMaxLeakedBytes(maxLeakedBytes));
    }

    /**
     * @param requireMatch whether a run in which nothing matched fails as {@code NO_MATCH}
     * @return a copy with this setting
     */
    public PythonFixture withRequireMatch(boolean requireMatch) {
        return with(overrides.withRequireMatch(requireMatch));
    }

    /**
     * @param timeoutSeconds how long one run may take before its process tree is killed ({@code TIMED_OUT})
     * @return a copy with this timeout
     */
    public PythonFixture withTimeoutSeconds(long timeoutSeconds) {
        return with(overrides.withTimeoutSeconds(timeoutSeconds));
    }

    /**
     * @param name  an environment variable of the fixture process
     * @param value its value, or {@code null} to remove an inherited variable
     * @return a copy that also sets (or removes) this variable; the rest of the JVM's environment is inherited
     */
    public PythonFixture withEnvironment(String name, String value) {
        return with(overrides.withEnvironment(Objects.requireNonNull(name, "name"), value));
    }

    /**
     * @param variables environment variables of the fixture process (a {@code null} value removes one)
     * @return a copy that also sets these variables
     */
    public PythonFixture withEnvironment(Map<String, String> variables) {
        return with(overrides.withEnvironment(variables));
    }

    /**
     * @param directory the fixture's working directory, relative to the module's base directory or absolute
     * @return a copy that runs fixtures there (default: the module's base directory)
     */
    public PythonFixture withWorkingDirectory(Path directory) {
        return with(overrides.withWorkingDirectory(Objects.requireNonNull(directory, "directory")));
    }

    /**
     * @param text what the fixture reads from standard input (UTF-8)
     * @return a copy that feeds this text to the fixture
     */
    public PythonFixture withStdin(String text) {
        return new PythonFixture(session, overrides, Objects.requireNonNull(text, "text"), null, name);
    }

    /**
     * @param file a file the fixture reads as standard input, relative to the module's base directory or absolute
     * @return a copy that feeds this file to the fixture
     */
    public PythonFixture withStdin(Path file) {
        return new PythonFixture(session, overrides, null, Objects.requireNonNull(file, "file"), name);
    }

    /**
     * @param name the run's name: the report is {@code NAME.json} in the report directory (default: test class,
     *             test method and fixture, such as {@code BacktestLeakIT.fullBacktest.backtest}); a name taken
     *             earlier in this JVM gets a number appended
     * @return a copy whose runs are named so
     */
    public PythonFixture withName(String name) {
        return new PythonFixture(session, overrides, stdinText, stdinFile, Objects.requireNonNull(name, "name"));
    }

    /** @return the settings this fixture's runs would use, for diagnostics */
    @Override
    public String toString() {
        GateSettings s = session.settings().gate().overriddenBy(overrides);
        return "PythonFixture[patterns=" + s.patterns() + ", warmup=" + s.warmup() + "]";
    }

    private FixtureRun execute(FixtureSpec.Builder builder, String[] args, boolean gated) {
        Settings s = session.settings();
        Path base = s.baseDirectory();
        builder.args(Arrays.asList(args)).settings(s.gate().overriddenBy(overrides)).baseDirectory(base);
        if (stdinText != null) builder.stdin(stdinText);
        if (stdinFile != null) builder.stdin(base.resolve(stdinFile).normalize());
        return session.execute(builder, name, gated);
    }
}
