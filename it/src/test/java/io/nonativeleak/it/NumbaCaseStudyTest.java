package io.nonativeleak.it;

import static io.nonativeleak.junit.NativeLeakAssertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.nonativeleak.junit.FixtureRun;
import io.nonativeleak.junit.NoNativeLeak;
import io.nonativeleak.junit.PythonFixture;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.PyFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The case study end to end through {@code @NoNativeLeak}, on the stack it happened on (numpy 2.4.6,
 * numba 0.68.0): a boolean-mask subscript fed to a nopython generator that is advanced once leaks the
 * subscript's buffer; iterated to completion, nothing leaks. The fixtures are the example project's.
 */
@NoNativeLeak(patterns = NumbaCaseStudyTest.PATTERN, warmup = 1)
class NumbaCaseStudyTest {
    static final String PATTERN = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript";
    /** The seed's literal recipe: npy_alloc_cache is inlined into default_malloc in numpy 2.x. */
    static final String SEED_PATTERN = "npy_alloc_cache * * array_boolean_subscript";
    static final Path FIXTURES = Path.of("../examples/numba-case-study/src/test/python");
    static String numbaPython;

    @BeforeAll
    static void interpreterWithNumba() {
        numbaPython = System.getProperty("nonativeleak.it.numbaPython", "");
        assumeTrue(!numbaPython.isBlank(), "set -Dnonativeleak.it.numbaPython to a Python with numpy 2.4.6 and numba 0.68.0 (scripts/test.sh does)");
    }

    /**
     * The case study on every interpreter given: the .venv's (3.11, numpy 2.4.6, numba 0.68.0) and, from
     * -Dnonativeleak.it.numbaPython3.14 and 3.15, Debian sid's with numpy 2.5.5 and numba 0.68.1 (scripts/test.sh
     * passes scripts/sid-python3.14 and sid-python3.15, wrappers that exec the interpreter inside a chroot).
     */
    static Stream<String> interpreters() {
        return Stream.of("nonativeleak.it.numbaPython", "nonativeleak.it.numbaPython3.14", "nonativeleak.it.numbaPython3.15")
                .map(p -> System.getProperty(p, "")).filter(p -> !p.isBlank());
    }

    static String fixture(String name) {
        return FIXTURES.resolve(name).toString();
    }

    static int lineOf(String script, String text) throws IOException {
        List<String> lines = Files.readAllLines(FIXTURES.resolve(script));
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).strip().equals(text)) return i + 1;
        throw new IllegalArgumentException(text + " not in " + script);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interpreters")
    void theBuggyBacktestLeaksTheSubscriptsBufferAtItsPythonLine(String interpreter, PythonFixture python) throws IOException {
        FixtureRun run = python.withPython(interpreter).probe(fixture("backtest_buggy.py"), "5");

        int subscriptLine = lineOf("backtest_buggy.py", "sub = chunk[to_keep]");
        assertThat(run).isLeaked()
                .hasSiteAtPythonLine("backtest_buggy.py", subscriptLine)
                .hasSiteWithCFrame("array_boolean_subscript")
                .hasSiteWithCFrame("default_malloc");
        LeakSite top = run.sites().get(0);
        PyFrame innermost = top.innermostPythonFrame();
        assertThat(innermost.file()).endsWith("backtest_buggy.py");
        assertThat(innermost.line()).isEqualTo(subscriptLine);
        assertThat(innermost.source()).isEqualTo("sub = chunk[to_keep]");
        assertThat(top.cStack().get(0).module()).startsWith("_multiarray_umath");
        assertThat(run.leakCount()).isEqualTo(1000); // 5 days x 200 ticks: one buffer per tick
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interpreters")
    void theFixedBacktestPassesTheGate(String interpreter, PythonFixture python) {
        FixtureRun run = python.withPython(interpreter).run(fixture("backtest.py"), "5");

        assertThat(run).isClean();
        assertThat(run.matched().count()).isEqualTo(1000); // the gate was watching: every tick matched
    }

    @Test
    void theSeedsLiteralPatternWatchesNothingOnNumpy2(PythonFixture python) {
        FixtureRun run = python.withPython(numbaPython).withPatterns(SEED_PATTERN).probe(fixture("backtest_buggy.py"), "2");

        assertThat(run).hasOutcome(Outcome.NO_MATCH); // never CLEAN: the gate says it saw nothing
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interpreters")
    void theGateFailsTheBuggyBacktestWithBothStacksInTheMessage(String interpreter) {
        List<Event> failures = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(GatedBuggyBacktest.class, "backtest", PythonFixture.class.getName()))
                .configurationParameters(Map.of("nonativeleak.python", interpreter))
                .execute().testEvents().failed().list();

        assertThat(failures).hasSize(1);
        Throwable failure = failures.get(0).getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure.getMessage())
                .contains("LEAKED")
                .contains(PATTERN)
                .contains("array_boolean_subscript")
                .contains("sub = chunk[to_keep]")
                .contains("backtest_buggy.py:");
    }

    /** A user's gated test of the buggy backtest, run through the JUnit engine by the test above. */
    @NoNativeLeak(patterns = PATTERN, warmup = 1)
    static class GatedBuggyBacktest {
        @Test
        void backtest(PythonFixture python) {
            python.run(fixture("backtest_buggy.py"), "2");
        }
    }
}
