package io.nonativeleak.junit;

import org.assertj.core.api.Assertions;

/**
 * Entry point of the AssertJ assertions on {@link FixtureRun}. It extends AssertJ's {@link Assertions}, so one
 * static import gives both these and every standard assertion:
 *
 * <pre>{@code
 * import static io.nonativeleak.junit.NativeLeakAssertions.assertThat;
 *
 * @NoNativeLeak(patterns = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript")
 * class BacktestLeakIT {
 *     @Test
 *     void gateCatchesTheKnownBug(PythonFixture python) {
 *         FixtureRun run = python.probe("src/test/python/backtest_buggy.py");
 *         assertThat(run).isLeaked()
 *                 .hasSiteAtPythonLine("backtest_buggy.py", 14)
 *                 .hasSiteWithCFrame("array_boolean_subscript");
 *         assertThat(run.stdout()).contains("day 5");   // AssertJ's own, through the same import
 *     }
 * }
 * }</pre>
 *
 * @see FixtureRunAssert
 */
public class NativeLeakAssertions extends Assertions {
    /** Only static methods; subclass it to add your own next to these. */
    protected NativeLeakAssertions() {}

    /**
     * Starts assertions on a fixture run.
     *
     * @param actual the run returned by {@link PythonFixture}
     * @return assertions on it
     */
    public static FixtureRunAssert assertThat(FixtureRun actual) {
        return new FixtureRunAssert(actual);
    }
}
