package io.nonativeleak.junit;

import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.report.RunCounts;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code runs} through the JUnit engine: the attribute, the configuration parameter, withRuns, and the failure message. */
class RunsTest {
    /** An interpreter with numpy and numba for the case study; its test is skipped without one. */
    static final String NUMBA_PYTHON = "nonativeleak.test.numbaPython";
    static final String CASE_STUDY_PATTERN = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript";
    static final Path BACKTESTS = Path.of("../examples/numba-case-study/src/test/python").toAbsolutePath().normalize();

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class OneTimeCacheTestCases {
        @Test
        void oneRun(PythonFixture python) {
            python.run(fixture("warm_cache.py"));
        }

        @Test
        @NoNativeLeak(patterns = TestFixtures.PATTERN, runs = 3)
        void threeRuns(PythonFixture python) {
            FixtureRun run = python.run(fixture("warm_cache.py"));
            assertThat(run.report().runs()).extracting(r -> r.leaked().count()).containsExactly(1L, 0L, 0L);
        }

        @Test
        void threeRunsByWithRuns(PythonFixture python) {
            python.withRuns(3).run(fixture("warm_cache.py"));
        }

        @Test
        void repeatedLeak(PythonFixture python) {
            python.withRuns(3).run(fixture("leak.py"), "3", "1000");
        }

        @Test
        void noRuns(PythonFixture python) {
            python.withRuns(0).run(fixture("leak.py"));
        }
    }

    private static TestKit.Results results;

    @BeforeAll
    static void runTheTestCases() {
        results = TestKit.execute(OneTimeCacheTestCases.class);
    }

    @Test
    void aCacheFilledOnceFailsOneRunAndPassesThree() {
        assertThat(results.failure("oneRun").getMessage()).contains("LEAKED").doesNotContain("leaked per run");
        results.succeeded("threeRuns");
        results.succeeded("threeRunsByWithRuns");
    }

    @Test
    void aRepeatedLeakFailsWithItsLeaksPerRun() {
        String message = results.failure("repeatedLeak").getMessage();
        assertThat(message)
                .contains("is LEAKED, not CLEAN")
                .contains("every one of the 3 measured runs leaked more than allowed")
                .contains("leaked per run: [3, 3, 3] allocations ([3000, 3000, 3000] bytes)")
                .contains("runs 3");
    }

    @Test
    void runsBelowOneIsAClearError() {
        assertThat(results.failure("noRuns").getMessage())
                .contains("runs must be from 1 to 100, not 0");
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class ConfiguredRunsTestCases {
        @Test
        void configuredRuns(PythonFixture python) {
            python.run(fixture("warm_cache.py"));
        }
    }

    @Test
    void theConfigurationParameterSetsRuns() {
        TestKit.execute(ConfiguredRunsTestCases.class, "nonativeleak.runs", "3").succeeded("configuredRuns");
    }

    @NoNativeLeak(patterns = CASE_STUDY_PATTERN, warmup = 1, runs = 3)
    static class CaseStudyTestCases {
        @Test
        void buggyBacktest(PythonFixture python) {
            FixtureRun run = python.run(BACKTESTS.resolve("backtest_buggy.py").toString(), "5");
            assertThat(run.report().runs()).extracting(RunCounts::leaked).hasSize(3);
        }
    }

    @Test
    void theCaseStudysLeakRepeatsInEachOfThreeRuns() throws Exception {
        String python = System.getProperty(NUMBA_PYTHON, "");
        assumeTrue(!python.isBlank(), "no interpreter with numpy and numba: set -D" + NUMBA_PYTHON);
        Process probe = new ProcessBuilder(python, "-c", "import numba, numpy").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(120, TimeUnit.SECONDS) && probe.exitValue() == 0, python + " cannot import numba and numpy");

        TestKit.Results results = TestKit.execute(CaseStudyTestCases.class, "nonativeleak.python", python);
        String message = results.failure("buggyBacktest").getMessage();
        // 5 days x 200 ticks: one subscript buffer per tick, in every run
        assertThat(message)
                .contains("leaked per run: [1000, 1000, 1000] allocations")
                .contains("sub = chunk[to_keep]")
                .contains("array_boolean_subscript");
    }
}
