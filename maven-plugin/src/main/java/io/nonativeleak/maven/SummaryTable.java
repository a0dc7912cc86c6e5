package io.nonativeleak.maven;

import io.nonativeleak.shim.report.ReportText;
import java.util.ArrayList;
import java.util.List;

/** The summary of a check in the build log: one row per fixture, columns aligned. */
final class SummaryTable {
    private static final String[] HEADER = {"fixture", "outcome", "leaked", "bytes", "duration"};

    private SummaryTable() {}

    static List<String> render(List<Verdict> verdicts) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Verdict verdict : verdicts) {
            RunAttempt run = verdict.run();
            boolean reported = run.report() != null;
            rows.add(new String[] {
                run.label(),
                verdict.outcomeText(),
                reported ? Long.toString(run.report().leaked().count()) : "-",
                reported ? Long.toString(run.report().leaked().bytes()) : "-",
                ReportText.seconds(reported ? run.report().durationMillis() : run.millis())});
        }
        int[] width = new int[HEADER.length];
        for (String[] row : rows) for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < HEADER.length; i++) {
                String cell = rows.get(r)[i];
                boolean numeric = i >= 2;
                if (i > 0) line.append("  ");
                if (numeric) line.append(" ".repeat(width[i] - cell.length())).append(cell);
                else line.append(cell).append(" ".repeat(width[i] - cell.length()));
            }
            lines.add(line.toString().stripTrailing());
            if (r == 0) {
                StringBuilder rule = new StringBuilder();
                for (int i = 0; i < HEADER.length; i++) rule.append(i > 0 ? "  " : "").append("-".repeat(width[i]));
                lines.add(rule.toString());
            }
        }
        return lines;
    }
}
