package io.nonativeleak.junit;

import io.nonativeleak.shim.Shim;
import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.ReportText;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on a {@link FixtureRun}; get one with {@link NativeLeakAssertions#assertThat(FixtureRun)}.
 * Every failure message names the run and shows the part of its report that matters (the verdict, the counts,
 * the sites' Python or C stacks) and the path of the full JSON report.
 *
 * <pre>{@code
 * FixtureRun buggy = python.probe("src/test/python/backtest_buggy.py");
 * assertThat(buggy)
 *         .isLeaked()
 *         .hasSiteAtPythonLine("backtest_buggy.py", 14)
 *         .hasSiteWithCFrame("array_boolean_subscript");
 *
 * FixtureRun fixed = python.probe("src/test/python/backtest_fixed.py");
 * assertThat(fixed).isClean().hasLeakCountAtMost(0);
 * }</pre>
 */
public class FixtureRunAssert extends AbstractAssert<FixtureRunAssert, FixtureRun> {
    /** Sites listed in a failure message about stacks. */
    static final int SITES_SHOWN = 10;

    /**
     * Prefer {@link NativeLeakAssertions#assertThat(FixtureRun)}.
     *
     * @param actual the run to check
     */
    public FixtureRunAssert(FixtureRun actual) {
        super(actual, FixtureRunAssert.class);
    }

    /**
     * Verifies that the run is {@link Outcome#CLEAN}: it would pass a gate.
     *
     * <pre>{@code assertThat(python.probe("src/test/python/backtest_fixed.py")).isClean();}</pre>
     *
     * @return this assertion object
     */
    public FixtureRunAssert isClean() {
        return hasOutcome(Outcome.CLEAN);
    }

    /**
     * Verifies that the run is {@link Outcome#LEAKED}: more tracked allocations were live at the checkpoint than
     * allowed.
     *
     * <pre>{@code assertThat(python.probe("src/test/python/backtest_buggy.py")).isLeaked();}</pre>
     *
     * @return this assertion object
     */
    public FixtureRunAssert isLeaked() {
        return hasOutcome(Outcome.LEAKED);
    }

    /**
     * Verifies the run's verdict.
     *
     * <pre>{@code assertThat(python.probe("src/test/python/broken.py")).hasOutcome(Outcome.FIXTURE_FAILED);}</pre>
     *
     * @param expected the outcome the run should have
     * @return this assertion object
     */
    public FixtureRunAssert hasOutcome(Outcome expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected");
        if (actual.outcome() != expected) {
            fail("Expecting run " + actual.name() + " to be " + expected + " but it was " + actual.outcome() + ":\n"
                    + GateFailure.describe(actual).lines().skip(1).reduce((a, b) -> a + "\n" + b).orElse(""));
        }
        return this;
    }

    /**
     * Verifies that at most {@code max} tracked allocations were live at the checkpoint.
     *
     * <pre>{@code assertThat(run).hasLeakCountAtMost(2);}</pre>
     *
     * @param max the largest acceptable number of leaks
     * @return this assertion object
     */
    public FixtureRunAssert hasLeakCountAtMost(long max) {
        isNotNull();
        if (actual.leakCount() > max) {
            fail("Expecting run " + actual.name() + " to leak at most " + max + (max == 1 ? " allocation" : " allocations")
                    + " but it leaked " + ReportText.counts(actual.leaked()) + ":\n" + sitesWithBothStacks());
        }
        return this;
    }

    /**
     * Verifies that tracked allocations live at the checkpoint hold at most {@code max} bytes.
     *
     * <pre>{@code assertThat(run).hasLeakedBytesAtMost(64 * 1024);}</pre>
     *
     * @param max the largest acceptable number of leaked bytes
     * @return this assertion object
     */
    public FixtureRunAssert hasLeakedBytesAtMost(long max) {
        isNotNull();
        if (actual.leakedBytes() > max) {
            fail("Expecting run " + actual.name() + " to leak at most " + max + " bytes but it leaked "
                    + ReportText.counts(actual.leaked()) + ":\n" + sitesWithBothStacks());
        }
        return this;
    }

    /**
     * Verifies that some leak site's Python stack passes through {@code file} at {@code line}: the innermost
     * frame (the line that allocated) or any caller. {@code file} matches a frame's file when it is that path,
     * or a trailing part of it ({@code "backtest_buggy.py"} and {@code "python/backtest_buggy.py"} both match
     * {@code src/test/python/backtest_buggy.py}).
     *
     * <pre>{@code assertThat(run).hasSiteAtPythonLine("backtest_buggy.py", 14);}</pre>
     *
     * @param file the file name or a trailing part of its path
     * @param line the 1-based line number
     * @return this assertion object
     */
    public FixtureRunAssert hasSiteAtPythonLine(String file, int line) {
        isNotNull();
        Objects.requireNonNull(file, "file");
        for (LeakSite site : actual.sites()) {
            for (PyFrame frame : site.pythonStack()) {
                if (frame.line() == line && sameFile(frame.file(), file)) return this;
            }
        }
        StringBuilder text = new StringBuilder("Expecting run " + actual.name() + " to have a leak site with a Python frame at "
                + file + ":" + line + " but ");
        if (actual.sites().isEmpty()) {
            text.append("it has no leak site (").append(actual.outcome()).append(": ").append(actual.reason()).append(")\n");
        } else {
            text.append("none has. The sites' Python stacks (innermost last):\n");
            List<LeakSite> sites = actual.sites();
            for (int i = 0; i < Math.min(SITES_SHOWN, sites.size()); i++) text.append(pythonStack(sites.get(i), i + 1));
            if (sites.size() > SITES_SHOWN) text.append("  ... ").append(sites.size() - SITES_SHOWN).append(" more sites\n");
        }
        fail(text.append("  report: ").append(actual.reportFile()).toString());
        return this;
    }

    /**
     * Verifies that some leak site's C stack has a frame whose symbol matches {@code glob} ({@code *} any run of
     * characters, {@code ?} one character, {@code \} makes the next one literal: the glob of stack patterns), or,
     * written {@code obj:glob}, a frame in a module whose file name matches. A frame without a symbol is matched
     * as {@code module+0xOFFSET}.
     *
     * <pre>{@code
     * assertThat(run).hasSiteWithCFrame("array_boolean_subscript");
     * assertThat(run).hasSiteWithCFrame("*npy_alloc_cache*");
     * assertThat(run).hasSiteWithCFrame("obj:_multiarray_umath*");
     * }</pre>
     *
     * @param glob a symbol glob, or {@code obj:} and a module glob
     * @return this assertion object
     */
    public FixtureRunAssert hasSiteWithCFrame(String glob) {
        isNotNull();
        Objects.requireNonNull(glob, "glob");
        boolean module = glob.startsWith("obj:");
        String nameGlob = module ? glob.substring(4) : glob;
        Shim shim = Shim.load();
        for (LeakSite site : actual.sites()) {
            for (CFrame frame : site.cStack()) {
                String subject = module ? frame.module() : frame.describe();
                if (subject != null && shim.globMatches(nameGlob, subject)) return this;
            }
        }
        StringBuilder text = new StringBuilder("Expecting run " + actual.name() + " to have a leak site with a C frame matching "
                + glob + " but ");
        if (actual.sites().isEmpty()) {
            text.append("it has no leak site (").append(actual.outcome()).append(": ").append(actual.reason()).append(")\n");
        } else {
            text.append("none has. The sites' C stacks (frame 0 first):\n");
            List<LeakSite> sites = actual.sites();
            for (int i = 0; i < Math.min(SITES_SHOWN, sites.size()); i++) text.append(cStack(sites.get(i), i + 1));
            if (sites.size() > SITES_SHOWN) text.append("  ... ").append(sites.size() - SITES_SHOWN).append(" more sites\n");
        }
        fail(text.append("  report: ").append(actual.reportFile()).toString());
        return this;
    }

    private void fail(String message) {
        failWithMessage("%s", message);
    }

    private String sitesWithBothStacks() {
        StringBuilder text = new StringBuilder();
        List<LeakSite> sites = actual.sites();
        for (int i = 0; i < Math.min(FixtureRun.TOP_SITES, sites.size()); i++) text.append(ReportText.site(sites.get(i), i + 1));
        if (sites.size() > FixtureRun.TOP_SITES) text.append("  ... ").append(sites.size() - FixtureRun.TOP_SITES).append(" more sites\n");
        return text.append("  report: ").append(actual.reportFile()).toString();
    }

    private static String header(LeakSite site, int index) {
        return "  CallStack[" + index + "]: may-leak=" + site.count() + " (" + site.bytes() + " bytes)  pid " + site.pid()
                + ", thread " + site.thread() + "\n";
    }

    private static String pythonStack(LeakSite site, int index) {
        StringBuilder text = new StringBuilder(header(site, index));
        if (!"CAPTURED".equals(site.pythonStackStatus())) {
            text.append("      (").append("THREAD_RUNS_NO_PYTHON".equals(site.pythonStackStatus())
                    ? "none: the allocating thread runs no Python" : "Python stack unavailable").append(")\n");
        } else if (site.pythonStack().isEmpty()) {
            text.append("      (no Python frame was executing)\n");
        }
        for (PyFrame p : site.pythonStack()) {
            text.append("      ").append(p.location()).append('\n');
            if (p.source() != null) text.append("          ").append(p.source()).append('\n');
        }
        return text.toString();
    }

    private static String cStack(LeakSite site, int index) {
        StringBuilder text = new StringBuilder(header(site, index));
        List<CFrame> frames = site.cStack();
        for (int i = 0; i < Math.min(ReportText.C_FRAMES_SHOWN, frames.size()); i++) {
            CFrame c = frames.get(i);
            text.append("      ").append(c.describe());
            if (c.symbol() != null) text.append("  (").append(c.module()).append(')');
            text.append('\n');
        }
        if (frames.size() > ReportText.C_FRAMES_SHOWN) text.append("      ... ").append(frames.size() - ReportText.C_FRAMES_SHOWN).append(" more frames\n");
        return text.toString();
    }

    static boolean sameFile(String frameFile, String wanted) {
        if (frameFile == null) return false;
        String f = frameFile.replace('\\', '/');
        String w = wanted.replace('\\', '/');
        return f.equals(w) || f.endsWith("/" + w) || w.endsWith("/" + f);
    }
}
