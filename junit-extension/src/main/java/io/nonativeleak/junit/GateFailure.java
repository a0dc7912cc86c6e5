package io.nonativeleak.junit;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.RunReport;
import java.util.List;
import org.opentest4j.AssertionFailedError;

/** The message a developer reads first in CI when gated runs were not CLEAN. */
final class GateFailure {
    /** Lines of standard error shown for runs that failed without a traceback (an exit code, a crash, a timeout). */
    static final int STDERR_LINES = 20;

    private GateFailure() {}

    static AssertionFailedError of(List<FixtureRun> runs) {
        StringBuilder message = new StringBuilder();
        if (runs.size() == 1) {
            message.append(describe(runs.get(0)));
        } else {
            message.append(runs.size()).append(" gated fixture runs were not CLEAN\n");
            for (int i = 0; i < runs.size(); i++) message.append("\n[").append(i + 1).append("] ").append(describe(runs.get(i)));
        }
        return new AssertionFailedError(message.toString().stripTrailing());
    }

    static String describe(FixtureRun run) {
        RunReport report = run.report();
        StringBuilder out = new StringBuilder();
        out.append("NoNativeLeak gate: ").append(report.fixture().target());
        report.fixture().args().forEach(a -> out.append(' ').append(a));
        out.append(" is ").append(report.outcome()).append(", not CLEAN\n");
        out.append(run.summary());
        if (report.error() == null && report.outcome() != Outcome.LEAKED && report.outcome() != Outcome.NO_MATCH) {
            List<String> lines = run.stderr().lines().toList();
            if (!lines.isEmpty()) {
                out.append("  standard error").append(lines.size() > STDERR_LINES ? " (last " + STDERR_LINES + " lines)" : "").append(":\n");
                lines.subList(Math.max(0, lines.size() - STDERR_LINES), lines.size()).forEach(l -> out.append("    ").append(l).append('\n'));
            }
        }
        return out.toString();
    }
}
