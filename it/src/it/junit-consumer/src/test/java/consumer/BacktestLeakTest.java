package consumer;

import static io.nonativeleak.junit.NativeLeakAssertions.assertThat;

import io.nonativeleak.junit.FixtureRun;
import io.nonativeleak.junit.NoNativeLeak;
import io.nonativeleak.junit.PythonFixture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Patterns come from junit-platform.properties. */
@NoNativeLeak
class BacktestLeakTest {

    @Test
    void runsOnTheProjectsJUnit() {
        assertThat(Test.class.getPackage().getImplementationVersion()).isEqualTo(System.getProperty("expectedJUnit"));
    }

    @Test
    void fixedBacktestPasses(PythonFixture python) {
        python.run("src/test/python/backtest.py", "5");
    }

    @Test
    void probeSeesTheKnownBug(PythonFixture python) {
        FixtureRun run = python.probe("src/test/python/backtest.py", "4", "--buggy");
        assertThat(run).isLeaked()
                .hasLeakCountAtMost(4)
                .hasSiteAtPythonLine("backtest.py", 7)
                .hasSiteWithCFrame("leak_block");
    }

    @Test
    void buggyBacktestFailsTheBuild(PythonFixture python) {
        python.run("src/test/python/backtest.py", "2", "--buggy");
    }

    @Nested
    class Nightly {
        @Test
        void inheritsTheGate(PythonFixture python) {
            python.withWarmup(1).run("src/test/python/backtest.py", "3");
        }
    }
}
