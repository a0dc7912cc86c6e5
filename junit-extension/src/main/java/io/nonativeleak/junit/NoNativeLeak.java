package io.nonativeleak.junit;

import io.nonativeleak.shim.GateSettings;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gates the Python fixtures a test runs on native memory leaks: every
 * {@link PythonFixture#run(String, String...) run} or {@link PythonFixture#call(String, String...) call}
 * made through the injected {@link PythonFixture} runs in a fresh Python process under the NoNativeLeak shim, and
 * the test fails after it returns when any such run is not {@code CLEAN}.
 *
 * <pre>{@code
 * @NoNativeLeak(patterns = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript")
 * class BacktestLeakIT {
 *
 *     @Test
 *     void fullBacktestLeavesNoArrayBehind(PythonFixture python) {
 *         python.run("src/test/python/backtest.py", "--days", "5");   // the test fails on a leak
 *     }
 *
 *     @Test
 *     void gateCatchesTheKnownBug(PythonFixture python) {
 *         FixtureRun run = python.probe("src/test/python/backtest_buggy.py");  // no gate
 *         NativeLeakAssertions.assertThat(run).isLeaked().hasSiteAtPythonLine("backtest_buggy.py", 14);
 *     }
 * }
 * }</pre>
 *
 * <h2>Where it goes, and which one counts</h2>
 * On a test class, a test method, or an annotation of your own (a composed annotation such as
 * {@code @BacktestLeakGate} that carries {@code @NoNativeLeak(patterns = ...)}). It registers its extension
 * itself: no {@code @ExtendWith} needed. The <em>nearest</em> annotation wins as a whole: the method's, else
 * its class's, else (for {@code @Nested} classes) the enclosing class's, and so on outwards. Attributes are not
 * merged between levels; a method that needs one different setting either repeats the others or uses the
 * per-run overrides of {@link PythonFixture} ({@code python.withWarmup(2).run(...)}).
 *
 * <h2>Defaults from the configuration</h2>
 * An attribute left at its default value takes the JUnit configuration parameter of the same name when one is
 * set ({@code junit-platform.properties}, {@code -D} system properties, or the build tool's
 * {@code configurationParameters}):
 * <table>
 * <caption>configuration parameters</caption>
 * <tr><th>key</th><th>meaning</th></tr>
 * <tr><td>{@code nonativeleak.patterns}</td><td>stack patterns, several separated by {@code ;}</td></tr>
 * <tr><td>{@code nonativeleak.ignore}</td><td>ignore patterns, several separated by {@code ;}</td></tr>
 * <tr><td>{@code nonativeleak.python}</td><td>the interpreter</td></tr>
 * <tr><td>{@code nonativeleak.warmup}</td><td>warm-up runs</td></tr>
 * <tr><td>{@code nonativeleak.runs}</td><td>measured runs</td></tr>
 * <tr><td>{@code nonativeleak.maxLeaks}</td><td>leaks allowed</td></tr>
 * <tr><td>{@code nonativeleak.maxLeakedBytes}</td><td>leaked bytes allowed</td></tr>
 * <tr><td>{@code nonativeleak.requireMatch}</td><td>{@code true} or {@code false}</td></tr>
 * <tr><td>{@code nonativeleak.timeoutSeconds}</td><td>per-run timeout</td></tr>
 * <tr><td>{@code nonativeleak.reportDirectory}</td><td>where the JSON reports go (default
 *     {@code target/nonativeleak} under the module's base directory, beside the Maven plugin's)</td></tr>
 * </table>
 * Because Java cannot tell an attribute written with its default value from one left out, an explicit
 * {@code warmup = 0} also yields to {@code nonativeleak.warmup} (and {@code runs = 1} to {@code nonativeleak.runs}).
 *
 * <h2>Paths, interpreter, platform</h2>
 * Relative script paths (and a relative {@code python}) resolve against the Maven module's base directory (the
 * {@code basedir} system property that Surefire and Failsafe set, else the working directory). The interpreter
 * is, in order: the {@link #python()} attribute, {@code -Dnonativeleak.python}, {@code nonativeleak.python} in
 * {@code junit-platform.properties}, the environment variable {@code NONATIVELEAK_PYTHON}, {@code python3} on
 * {@code PATH}; it must be CPython 3.9 or newer. On a platform the shim does not support (anything but Linux
 * x86-64 with glibc) a test that runs a fixture is aborted (reported as skipped) with the reason.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@ExtendWith(NoNativeLeakExtension.class)
public @interface NoNativeLeak {

    /**
     * Stack patterns (see the pattern reference): an allocation is tracked when its C stack matches any of them
     * and no {@link #ignore()} pattern. None: every allocation is tracked, which suits a discovery run better
     * than a gate.
     *
     * @return the patterns, e.g. {@code "*npy_alloc_cache*|default_malloc ... array_boolean_subscript"}
     */
    String[] patterns() default {};

    /**
     * Patterns of allocations never tracked, even when they match {@link #patterns()}.
     *
     * @return the ignore patterns
     */
    String[] ignore() default {};

    /**
     * The Python interpreter: a path (relative ones against the module's base directory) or a name looked up on
     * {@code PATH}. Empty: {@code -Dnonativeleak.python}, then {@code NONATIVELEAK_PYTHON}, then
     * {@code python3}.
     *
     * @return the interpreter, e.g. {@code ".venv/bin/python"}
     */
    String python() default "";

    /**
     * How many times the fixture runs before the measured run; what those runs allocate is never judged
     * (caches, JIT-compiled code, lazy initialisation).
     *
     * @return the number of warm-up runs
     */
    int warmup() default GateSettings.DEFAULT_WARMUP;

    /**
     * How many measured runs follow the warm-ups. After each one the runner collects garbage and takes that run's
     * checkpoint; an allocation of run k still live at checkpoint k leaked in run k. With more than one, the fixture
     * is {@code LEAKED} only when <em>every</em> run leaked more than {@link #maxLeaks()} / {@link #maxLeakedBytes()}
     * (the allowances apply per run), as CPython's leak hunter ({@code -R}) judges: a cache filled once is not a
     * leak, a leak that repeats is. A script is executed again as {@code __main__} in the same process for each run.
     *
     * @return the number of measured runs, 1 to 100
     */
    int runs() default GateSettings.DEFAULT_RUNS;

    /**
     * How many tracked allocations may still be live at the checkpoint before the run counts as {@code LEAKED}
     * (with {@link #runs()} &gt; 1: per measured run).
     * A run is {@code CLEAN} only when it is within both limits, so tolerating a few small leaks means raising
     * this and {@link #maxLeakedBytes()} together.
     *
     * @return the allowed number of leaks
     */
    long maxLeaks() default GateSettings.DEFAULT_MAX_LEAKS;

    /**
     * How many bytes tracked allocations may still hold at the checkpoint before the run counts as
     * {@code LEAKED}. Applies together with {@link #maxLeaks()}.
     *
     * @return the allowed number of leaked bytes
     */
    long maxLeakedBytes() default GateSettings.DEFAULT_MAX_LEAKED_BYTES;

    /**
     * Whether a measured run in which no allocation matched any pattern fails as {@code NO_MATCH}: the gate was
     * watching nothing (a misspelt function, a stripped library, an inlined function).
     *
     * @return {@code true} to fail such runs
     */
    boolean requireMatch() default GateSettings.DEFAULT_REQUIRE_MATCH;

    /**
     * How long one fixture run may take before its whole process tree is killed and it counts as
     * {@code TIMED_OUT}.
     *
     * @return the timeout in seconds
     */
    long timeoutSeconds() default GateSettings.DEFAULT_TIMEOUT_SECONDS;
}
