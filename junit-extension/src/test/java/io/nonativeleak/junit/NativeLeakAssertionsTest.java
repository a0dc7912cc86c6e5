package io.nonativeleak.junit;

import static io.nonativeleak.junit.NativeLeakAssertions.assertThat;
import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nonativeleak.shim.Shim;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.testing.TestFixtures;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The AssertJ assertions on real runs, and what their failures show. */
@NoNativeLeak(patterns = TestFixtures.PATTERN)
class NativeLeakAssertionsTest {
    static FixtureRun leaky;
    static FixtureRun clean;
    static FixtureRun nothing;
    static FixtureRun threads;
    static final int LEAK_LINE = TestFixtures.lineOf("leak.py", "LEAK-LINE");

    @BeforeAll
    static void runFixtures(PythonFixture python) {
        leaky = python.probe(fixture("leak.py"), "3", "1000");
        clean = python.probe(fixture("clean.py"));
        nothing = python.probe(fixture("nothing.py"));
        threads = python.probe(fixture("threads.py"));
    }

    @Test
    void passingAssertionsChain() {
        assertThat(leaky).isLeaked()
                .hasOutcome(Outcome.LEAKED)
                .hasSiteAtPythonLine("leak.py", LEAK_LINE)
                .hasSiteAtPythonLine(fixture("leak.py"), LEAK_LINE)
                .hasSiteWithCFrame("leak_block")
                .hasSiteWithCFrame("leak_bl?ck")
                .hasSiteWithCFrame("*_block")
                .hasSiteWithCFrame("obj:libleaky*")
                .hasLeakCountAtMost(3)
                .hasLeakedBytesAtMost(3000);
        assertThat(clean).isClean().hasLeakCountAtMost(0).hasLeakedBytesAtMost(0);
        assertThat(nothing).hasOutcome(Outcome.NO_MATCH);
        assertThat(threads).isLeaked().hasSiteAtPythonLine("threads.py", TestFixtures.lineOf("threads.py", "WORKER-LINE"));
        assertThat(leaky.stdout()).isEmpty();   // AssertJ's own assertions through the same entry point
    }

    @Test
    void isCleanShowsTheVerdictTheStacksAndTheReport() {
        assertThatThrownBy(() -> assertThat(leaky).isClean())
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("Expecting run " + leaky.name() + " to be CLEAN but it was LEAKED:\n"
                        + "LEAKED: 3 matching allocations (3000 bytes) still live at the checkpoint")
                .hasMessageContaining("patterns: leak_block")
                .hasMessageContaining("leak_block  (libleaky.so+")
                .hasMessageContaining("leak.py:" + LEAK_LINE + " in <module>\n          leaky.leak(count, size)  # LEAK-LINE")
                .hasMessageContaining("report: " + leaky.reportFile());
    }

    @Test
    void isLeakedOnACleanRunSaysWhyItIsClean() {
        assertThatThrownBy(() -> assertThat(clean).isLeaked())
                .hasMessageStartingWith("Expecting run " + clean.name() + " to be LEAKED but it was CLEAN:\n"
                        + "CLEAN: 0 matching allocations (0 bytes) live at the checkpoint, within the allowance");
        assertThatThrownBy(() -> assertThat(nothing).isClean())
                .hasMessageContaining("to be CLEAN but it was NO_MATCH")
                .hasMessageContaining("the gate was watching nothing");
    }

    @Test
    void countsAndBytesFailuresShowTheSites() {
        assertThatThrownBy(() -> assertThat(leaky).hasLeakCountAtMost(2))
                .hasMessageStartingWith("Expecting run " + leaky.name() + " to leak at most 2 allocations but it leaked 3 allocations (3000 bytes):\n"
                        + "  CallStack[1]: may-leak=3 (3000 bytes)")
                .hasMessageContaining("leaky.leak(count, size)  # LEAK-LINE");
        assertThatThrownBy(() -> assertThat(leaky).hasLeakedBytesAtMost(2999))
                .hasMessageStartingWith("Expecting run " + leaky.name() + " to leak at most 2999 bytes but it leaked 3 allocations (3000 bytes):");
    }

    @Test
    void pythonLineFailureListsThePythonStacks() {
        assertThatThrownBy(() -> assertThat(leaky).hasSiteAtPythonLine("leak.py", LEAK_LINE + 1))
                .hasMessageStartingWith("Expecting run " + leaky.name() + " to have a leak site with a Python frame at leak.py:"
                        + (LEAK_LINE + 1) + " but none has. The sites' Python stacks (innermost last):\n"
                        + "  CallStack[1]: may-leak=3 (3000 bytes)")
                .hasMessageContaining("leak.py:" + LEAK_LINE + " in <module>")
                .hasMessageNotContaining("C stack");
        assertThatThrownBy(() -> assertThat(leaky).hasSiteAtPythonLine("eak.py", LEAK_LINE))
                .as("a file matches by whole path segments only").hasMessageContaining("but none has");
        assertThatThrownBy(() -> assertThat(clean).hasSiteAtPythonLine("clean.py", 5))
                .hasMessageContaining("but it has no leak site (CLEAN: ");
    }

    @Test
    void pythonLineFailureSaysWhenAThreadRanNoPython() {
        assertThatThrownBy(() -> assertThat(threads).hasSiteAtPythonLine("threads.py", 1))
                .hasMessageContaining("thread leaky-worker")
                .hasMessageContaining("(none: the allocating thread runs no Python)");
    }

    @Test
    void cFrameFailureListsTheCStacks() {
        assertThatThrownBy(() -> assertThat(leaky).hasSiteWithCFrame("array_boolean_subscript"))
                .hasMessageStartingWith("Expecting run " + leaky.name() + " to have a leak site with a C frame matching "
                        + "array_boolean_subscript but none has. The sites' C stacks (frame 0 first):\n"
                        + "  CallStack[1]: may-leak=3 (3000 bytes)")
                .hasMessageContaining("      leak_block  (libleaky.so)")
                .hasMessageNotContaining("Python stack");
        assertThatThrownBy(() -> assertThat(leaky).hasSiteWithCFrame("leak"))
                .as("a glob matches the whole symbol").hasMessageContaining("but none has");
    }

    /** The glob is the one of stack patterns: a backslash makes the next character literal, as for the shim. */
    @Test
    void cFrameGlobsEscapeAsPatternsDo() {
        assertThat(leaky).hasSiteWithCFrame("leak\\_bl\\ock").hasSiteWithCFrame("obj:libleaky\\.so");
        assertThat(Shim.load().stacks(List.of(leaky.sites().get(0).cStack())).matchedBy("leak\\_bl\\ock")).containsExactly(true);
    }

    @Test
    void descriptionsAndNullBehaveAsInAssertJ() {
        assertThatThrownBy(() -> assertThat(leaky).as("nightly backtest").isClean()).hasMessageStartingWith("[nightly backtest] ");
        assertThatThrownBy(() -> assertThat((FixtureRun) null).isClean()).hasMessageContaining("Expecting actual not to be null");
    }
}
