package io.nonativeleak.maven;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code check} concludes about one fixture: its run, and with a baseline which of its leak sites the
 * baseline tolerates and which are new or grew beyond it. The console, the summary table, the test report and
 * the CI annotations all take the verdict from here.
 *
 * @param run       the run, or why there was none
 * @param baselined whether a baseline was given
 * @param tolerated the sites the baseline knows, at or below their known count and bytes
 * @param beyond    the sites not in the baseline or grown beyond it
 */
record Verdict(RunAttempt run, boolean baselined, List<Baseline.Entry> tolerated, List<Beyond> beyond) {
    /** A site the baseline does not cover: new ({@code known} null) or grown beyond {@code known}. */
    record Beyond(Baseline.Entry site, Baseline.Entry known) {
        String describe() {
            return (known == null ? "new: " : "grown: ") + site.describe()
                    + (known == null ? "" : ", baseline " + known.count() + " (" + known.bytes() + " bytes)");
        }
    }

    static Verdict of(RunAttempt run, Baseline baseline) {
        List<Baseline.Entry> tolerated = new ArrayList<>();
        List<Beyond> beyond = new ArrayList<>();
        if (baseline != null && run.report() != null) {
            for (Baseline.Entry site : Baseline.entries(run.report(), run.label())) {
                Baseline.Entry known = baseline.find(site.key());
                if (known != null && site.count() <= known.count() && site.bytes() <= known.bytes()) tolerated.add(site);
                else beyond.add(new Beyond(site, known));
            }
        }
        return new Verdict(run, baseline != null, tolerated, beyond);
    }

    RunReport report() {
        return run.report() == null ? null : run.report();
    }

    /** CLEAN, or LEAKED only at sites the baseline tolerates. */
    boolean passes() {
        if (run.report() == null) return false;
        Outcome outcome = report().outcome();
        return outcome == Outcome.CLEAN || (outcome == Outcome.LEAKED && baselined && beyond.isEmpty());
    }

    /** The outcome as the summary table shows it. */
    String outcomeText() {
        if (run.report() == null) return "ERROR";
        return report().outcome() == Outcome.LEAKED && passes() ? "LEAKED (baselined)" : report().outcome().name();
    }

    /** One line: the outcome and why. */
    String message() {
        if (run.report() == null) return "could not run: " + run.error();
        String line = report().outcome() + ": " + report().reason();
        return beyond.isEmpty() ? line : line + " (" + beyond.size() + (beyond.size() == 1 ? " site" : " sites") + " not in the baseline or grown beyond it)";
    }

    /** What the console prints for a fixture that does not pass: the outcome, the sites with both stacks, the report. */
    String consoleText(int top) {
        if (run.report() == null) return message();
        StringBuilder out = new StringBuilder(ReportText.summary(report(), top, run.reportFile()));
        if (!beyond.isEmpty()) {
            out.append("\n  not in the baseline or grown beyond it:\n");
            for (Beyond b : beyond) out.append("    ").append(b.describe()).append('\n');
        }
        return out.toString();
    }

    /** The sites the baseline tolerated, one line each. */
    List<String> notes() {
        List<String> out = new ArrayList<>();
        for (Baseline.Entry e : tolerated) out.add("tolerated by the baseline: " + e.describe());
        return out;
    }
}
