package io.nonativeleak.shim.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders reports for people: test failure messages, build logs, discover output. */
public final class ReportText {
    /** C frames shown per site; the JSON report has them all. */
    public static final int C_FRAMES_SHOWN = 12;

    private ReportText() {}

    /** The outcome, why, what ran, the counts, the top sites with both stacks, and where the report is. */
    public static String summary(RunReport report, int topSites, Path reportFile) {
        StringBuilder out = new StringBuilder();
        NoMatch noMatch = report.noMatch();
        out.append(report.outcome());
        if (noMatch != null && report.outcome() == Outcome.NO_MATCH) out.append(" (").append(noMatch.kind()).append(')');
        out.append(": ").append(report.reason()).append('\n');
        FixtureDescription f = report.fixture();
        out.append("  fixture:  ").append(f.target());
        f.args().forEach(a -> out.append(' ').append(a));
        out.append("  (python ").append(f.pythonVersion()).append(", warmup ").append(f.warmup())
                .append(f.runs() > 1 ? ", runs " + f.runs() : "").append(")\n");
        out.append("  patterns: ").append(report.patterns().isEmpty() ? "(none: every allocation)" : String.join("  ;  ", report.patterns())).append('\n');
        if (!report.ignore().isEmpty()) out.append("  ignore:   ").append(String.join("  ;  ", report.ignore())).append('\n');
        out.append("  matched:  ").append(counts(report.matched())).append("; still live at the checkpoint: ")
                .append(counts(report.leaked())).append('\n');
        if (report.runs() != null) out.append("  leaked per run: ").append(leakedPerRun(report.runs())).append('\n');
        if (report.sampling() != null) out.append("  ").append(sampled(report.sampling())).append('\n');
        if (noMatch != null && report.outcome() != Outcome.NO_MATCH)
            out.append("  nothing matched (").append(noMatch.kind()).append("): ").append(noMatch.reason()).append('\n');
        if (report.incomplete() != null)
            for (IncompleteProcess p : report.incomplete())
                out.append("  incomplete: pid ").append(p.pid()).append(" from ").append(p.sinceMillis()).append(" ms: ")
                        .append(p.reason()).append('\n');
        if (!report.pythonStacks().enabled()) out.append("  python stacks unavailable: ").append(report.pythonStacks().reason()).append('\n');
        if (report.error() != null) out.append("  fixture error:\n").append(indent(report.error().strip(), "    ")).append('\n');
        List<LeakSite> sites = report.sites();
        for (int i = 0; i < Math.min(topSites, sites.size()); i++) out.append('\n').append(site(sites.get(i), i + 1));
        if (sites.size() > topSites) out.append("\n  ... ").append(sites.size() - topSites).append(" more sites in the report\n");
        if (reportFile != null) out.append("\n  report: ").append(reportFile.toAbsolutePath()).append('\n');
        return out.toString();
    }

    /** One site, memleax style: {@code CallStack[n]: may-leak=COUNT (BYTES bytes)} and both stacks. */
    public static String site(LeakSite site, int index) {
        StringBuilder out = new StringBuilder();
        out.append("  CallStack[").append(index).append("]: may-leak=").append(site.count()).append(" (")
                .append(site.bytes()).append(" bytes)  pid ").append(site.pid()).append(", thread ").append(site.thread()).append('\n');
        out.append("    C stack (frame 0 first):\n");
        List<CFrame> frames = site.cStack();
        for (int i = 0; i < Math.min(C_FRAMES_SHOWN, frames.size()); i++) {
            CFrame c = frames.get(i);
            out.append("      ").append(c.describe());
            if (c.symbol() != null) out.append("  (").append(c.module()).append('+').append(c.offset()).append(')');
            if (c.wrapper()) out.append("  [allocator wrapper, skipped by patterns]");
            out.append('\n');
        }
        if (frames.size() > C_FRAMES_SHOWN) out.append("      ... ").append(frames.size() - C_FRAMES_SHOWN).append(" more frames\n");
        switch (site.pythonStackStatus()) {
            case "THREAD_RUNS_NO_PYTHON" -> out.append("    Python stack: none, the allocating thread runs no Python\n");
            case "UNAVAILABLE" -> out.append("    Python stack: unavailable in this process\n");
            default -> {
                out.append("    Python stack (innermost last):\n");
                if (site.pythonStack().isEmpty()) out.append("      (no Python frame was executing)\n");
                for (PyFrame p : site.pythonStack()) {
                    out.append("      ").append(p.location()).append('\n');
                    if (p.source() != null) out.append("          ").append(p.source()).append('\n');
                }
            }
        }
        if (site.suggestedPattern() != null) out.append("    suggested pattern: ").append(site.suggestedPattern()).append('\n');
        return out.toString();
    }

    /** Each measured run's leaks, as CPython's leak hunter ({@code -R}) shows them: {@code [1000, 1000, 1000] allocations ([...] bytes)}. */
    public static String leakedPerRun(List<RunCounts> runs) {
        return runs.stream().map(r -> Long.toString(r.leaked().count())).collect(Collectors.joining(", ", "[", "] allocations ("))
                + runs.stream().map(r -> Long.toString(r.leaked().bytes())).collect(Collectors.joining(", ", "[", "] bytes)"));
    }

    /** What a sampled run's numbers are: estimates from one tracked allocation per N bytes. */
    public static String sampled(Sampling s) {
        return "sampled:  one allocation per " + s.sampleBytes() + " bytes allocated on average (" + counts(s.tracked())
                + " tracked); counts and bytes are estimates scaled back up";
    }

    public static String counts(Counts c) {
        return c.count() + (c.count() == 1 ? " allocation (" : " allocations (") + c.bytes() + " bytes)";
    }

    /** A duration as the build log and the HTML page show it: {@code 1.23 s}. */
    public static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    private static String indent(String text, String prefix) {
        return prefix + text.replace("\n", "\n" + prefix);
    }
}
