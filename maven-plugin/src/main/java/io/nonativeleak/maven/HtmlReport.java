package io.nonativeleak.maven;

import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.IncompleteProcess;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Phase;
import io.nonativeleak.shim.report.ProcessSummary;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.report.TimelinePoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report page: a summary table of every run, then per run its verdict, an SVG chart of live matched
 * bytes over the measured run, and its leak sites with both stacks. One self-contained file: inline CSS and
 * SVG, no script, nothing fetched.
 */
final class HtmlReport {
    /** One report file and what it holds. */
    record Entry(Path file, RunReport report) {}

    /** Sites shown per run; the JSON report has them all. */
    static final int SITES_SHOWN = 25;
    static final int CHART_WIDTH = 720;
    static final int CHART_HEIGHT = 220;
    /** The chart's line colour for runs that fail a gate, and for those that pass. */
    static final String FAILING_COLOUR = "#d81b60";
    static final String PASSING_COLOUR = "#1e88e5";
    /** The chart's line of resident memory (RSS). */
    static final String RSS_COLOUR = "#546e7a";

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1c1c1c}
            h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:0 0 6px}h3{font-size:14px;margin:14px 0 6px;font-family:ui-monospace,monospace}
            table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d6d6d6;padding:3px 8px;text-align:left;vertical-align:top}
            th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
            .outcome{font-weight:600;padding:1px 6px;border-radius:3px;color:#fff}.pass{background:#2e7d32}.fail{background:#c62828}
            section.run{border-top:2px solid #ddd;margin-top:28px;padding-top:14px}
            .meta td:first-child{color:#555;white-space:nowrap}code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
            .stacks{display:flex;gap:16px;flex-wrap:wrap}.stacks>div{flex:1 1 420px;min-width:0}
            .wrapper{color:#888}.src{color:#444;white-space:pre-wrap}.muted{color:#666}
            svg.timeline{background:#fafafa;border:1px solid #ddd}svg text{font:11px system-ui,sans-serif;fill:#555}
            .suggested{background:#fff8e1;padding:2px 6px}
            svg.flame{border:1px solid #ddd;background:#fff}svg.flame text{font:11px ui-monospace,monospace;fill:#1c1c1c;pointer-events:none}
            svg.flame g.flame-frame:hover rect{stroke:#000;stroke-width:1}
            """;

    private HtmlReport() {}

    static String render(List<Entry> entries, Path directory) {
        StringBuilder h = new StringBuilder(64 * 1024);
        long failing = entries.stream().filter(e -> e.report().outcome().failsGate()).count();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>NoNativeLeak report</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>NoNativeLeak report</h1>\n<p class=\"muted\">")
                .append(entries.size()).append(entries.size() == 1 ? " run" : " runs").append(", ").append(failing)
                .append(" not CLEAN; reports in <code>").append(esc(directory.toAbsolutePath().toString())).append("</code></p>\n");
        summary(h, entries);
        for (int i = 0; i < entries.size(); i++) run(h, entries.get(i), i + 1);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void summary(StringBuilder h, List<Entry> entries) {
        h.append("<table id=\"summary\">\n<thead><tr><th>run</th><th>fixture</th><th>outcome</th><th>leaked</th>")
                .append("<th>leaked bytes</th><th>matched</th><th>duration</th><th>report</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < entries.size(); i++) {
            RunReport r = entries.get(i).report();
            h.append("<tr><td><a href=\"#run-").append(i + 1).append("\">").append(esc(name(entries.get(i)))).append("</a></td>")
                    .append("<td class=\"mono\">").append(esc(target(r))).append("</td>")
                    .append("<td>").append(outcome(r)).append("</td>")
                    .append("<td class=\"num\">").append(r.leaked().count()).append("</td>")
                    .append("<td class=\"num\">").append(bytes(r.leaked().bytes())).append("</td>")
                    .append("<td class=\"num\">").append(r.matched().count()).append("</td>")
                    .append("<td class=\"num\">").append(ReportText.seconds(r.durationMillis())).append("</td>")
                    .append("<td><a href=\"").append(esc(entries.get(i).file().getFileName().toString())).append("\">json</a></td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
    }

    private static void run(StringBuilder h, Entry entry, int index) {
        RunReport r = entry.report();
        h.append("<section class=\"run\" id=\"run-").append(index).append("\">\n<h2>").append(esc(name(entry))).append(' ')
                .append(outcome(r)).append("</h2>\n<p>").append(esc(r.reason())).append("</p>\n<table class=\"meta\">\n");
        meta(h, "fixture", "<code>" + esc(target(r)) + "</code>");
        meta(h, "python", esc(r.fixture().python() + " (" + r.fixture().pythonVersion() + "), warmup " + r.fixture().warmup()
                + (r.fixture().runs() > 1 ? ", runs " + r.fixture().runs() : "")));
        meta(h, "patterns", r.patterns().isEmpty() ? "<span class=\"muted\">none: every allocation</span>" : codes(r.patterns()));
        if (!r.ignore().isEmpty()) meta(h, "ignore", codes(r.ignore()));
        if (r.allowance() != null) {
            meta(h, "allowance", esc("maxLeaks " + r.allowance().maxLeaks() + ", maxLeakedBytes " + r.allowance().maxLeakedBytes()
                    + ", requireMatch " + r.allowance().requireMatch()));
        }
        meta(h, "matched", esc(r.matched().count() + " allocations, " + bytes(r.matched().bytes())));
        meta(h, "leaked", esc(r.leaked().count() + " allocations, " + bytes(r.leaked().bytes()) + " live at the checkpoint"));
        if (r.runs() != null) meta(h, "leaked per run", "<span class=\"leaked-per-run\">" + esc(ReportText.leakedPerRun(r.runs())) + "</span>");
        if (r.noMatch() != null) meta(h, "nothing matched", "<code>" + esc(r.noMatch().kind().name()) + "</code> " + esc(r.noMatch().reason()));
        meta(h, "exit", esc(r.signal() != null ? "signal " + r.signal() : "code " + r.exitCode()) + ", " + esc(ReportText.seconds(r.durationMillis())));
        if (r.incomplete() != null)
            for (IncompleteProcess p : r.incomplete())
                meta(h, "incomplete", esc("pid " + p.pid() + " from " + p.sinceMillis() + " ms: " + p.reason()));
        if (r.pythonStacks() != null && !r.pythonStacks().enabled()) meta(h, "python stacks", esc("unavailable: " + r.pythonStacks().reason()));
        meta(h, "report", "<a href=\"" + esc(entry.file().getFileName().toString()) + "\">" + esc(entry.file().getFileName().toString()) + "</a>"
                + output(" stdout", r.stdout(), entry.file()) + output(" stderr", r.stderr(), entry.file()));
        h.append("</table>\n");
        if (r.error() != null) h.append("<h3>fixture error</h3>\n<pre class=\"mono\">").append(esc(r.error().strip())).append("</pre>\n");
        chart(h, r);
        FlameGraph.render(h, r);
        processes(h, r);
        sites(h, r);
        h.append("</section>\n");
    }

    private static void meta(StringBuilder h, String key, String html) {
        h.append("<tr><td>").append(key).append("</td><td>").append(html).append("</td></tr>\n");
    }

    private static String output(String label, String file, Path report) {
        if (file == null) return "";
        Path path = Path.of(file);
        String href = path.getParent() != null && path.getParent().equals(report.toAbsolutePath().getParent())
                ? path.getFileName().toString() : path.toUri().toString();
        return ", <a href=\"" + esc(href) + "\">" + esc(label.strip()) + "</a>";
    }

    /**
     * The runner's whole life, phase by phase (import, each warm-up, each measured run, each checkpoint): live matched
     * bytes (left axis) beside the process's resident bytes (right axis). A leak climbs on both; fragmentation or a
     * cache climbs on RSS only. Each phase gets half its width by time and half in equal shares, so that short
     * measured runs after a long import stay readable.
     */
    static void chart(StringBuilder h, RunReport r) {
        List<TimelinePoint> points = r.timeline() == null ? List.of() : r.timeline();
        h.append("<h3 title=\"Both climbing: a leak. RSS climbing alone: fragmentation, a cache, or memory the patterns do not watch.\">")
                .append("live matched bytes (solid, left axis) and resident memory (dashed, right axis), by phase</h3>\n");
        if (points.isEmpty()) {
            h.append("<p class=\"muted no-timeline\">No timeline was recorded for this run.</p>\n");
            return;
        }
        int left = 70, right = 70, top = 30, bottom = 30;
        int w = CHART_WIDTH - left - right, hgt = CHART_HEIGHT - top - bottom;
        long lastT = points.stream().mapToLong(TimelinePoint::tMillis).max().orElse(0);
        List<Phase> phases = chartPhases(r.phases(), lastT);
        double[] x0 = phaseOffsets(phases, left, w);
        // floors keep the axes readable when a run is short or nothing stayed live
        long maxB = Math.max(1024, points.stream().mapToLong(TimelinePoint::liveBytes).max().orElse(0));
        long maxRss = points.stream().mapToLong(TimelinePoint::rssBytes).max().orElse(0);
        String colour = r.outcome().failsGate() ? FAILING_COLOUR : PASSING_COLOUR;
        h.append("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(CHART_WIDTH).append("\" height=\"")
                .append(CHART_HEIGHT).append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(CHART_HEIGHT)
                .append("\" role=\"img\" aria-label=\"live matched bytes from 0 to ").append(bytes(points.get(points.size() - 1).liveBytes()))
                .append(" over ").append(ReportText.seconds(lastT)).append(maxRss > 0 ? ", resident memory up to " + bytes(maxRss) : "")
                .append("\">\n");
        for (int i = 0; i < phases.size(); i++) {
            Phase p = phases.get(i);
            double width = x0[i + 1] - x0[i];
            h.append(String.format(Locale.ROOT, "<g class=\"phase\" data-name=\"%s\"><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                    esc(p.name()), x0[i], top, width, hgt, phaseFill(p.name())))
                    .append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#bbb\"/>", x0[i], top - 14, x0[i], top + hgt))
                    .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x0[i] + width / 2, top - 4,
                            esc(width >= 7 * p.name().length() ? p.name() : shortName(p.name()))))
                    .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text><title>%s</title></g>\n",
                            x0[i] + width / 2, top + hgt + 18, width >= 40 ? esc(duration(p.endMillis() - p.startMillis())) : "",
                            esc(p.name() + ": " + p.startMillis() + "-" + p.endMillis() + " ms")));
        }
        for (int i = 0; i <= 4; i++) {
            double y = top + hgt - hgt * i / 4.0;
            h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>", left, y, left + w, y))
                    .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">%s</text>", left - 6, y + 4, colour, esc(bytes(maxB * i / 4))));
            if (maxRss > 0) h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"start\">%s</text>", left + w + 6, y + 4, esc(bytes(maxRss * i / 4))));
            h.append('\n');
        }
        h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", left, top + hgt, left + w, top + hgt))
                .append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", left, top, left, top + hgt));
        if (maxRss > 0) {
            StringBuilder rss = new StringBuilder();
            for (TimelinePoint p : points) {
                if (p.rssBytes() > 0) rss.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf(p.tMillis(), phases, x0), top + hgt - hgt * (double) p.rssBytes() / maxRss));
            }
            h.append("<polyline class=\"rss-bytes\" points=\"").append(rss.toString().strip()).append("\" fill=\"none\" stroke=\"").append(RSS_COLOUR)
                    .append("\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n");
        }
        StringBuilder coords = new StringBuilder();
        for (TimelinePoint p : points) {
            coords.append(String.format(Locale.ROOT, "%.1f,%.1f ", xOf(p.tMillis(), phases, x0), top + hgt - hgt * (double) p.liveBytes() / maxB));
        }
        String pts = coords.toString().strip();
        if (points.size() == 1) {
            String[] xy = pts.split(",");
            h.append("<circle class=\"live-bytes\" cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"4\" fill=\"").append(colour).append("\"/>\n");
        } else {
            h.append("<polygon points=\"").append(pts.substring(0, pts.indexOf(',') + 1)).append(top + hgt).append(' ').append(pts).append(' ')
                    .append(String.format(Locale.ROOT, "%.1f", xOf(points.get(points.size() - 1).tMillis(), phases, x0))).append(',').append(top + hgt)
                    .append("\" fill=\"").append(colour).append("\" fill-opacity=\"0.12\" stroke=\"none\"/>\n");
            h.append("<polyline class=\"live-bytes\" points=\"").append(pts).append("\" fill=\"none\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>\n");
        }
        h.append("</svg>\n");
    }

    /** The report's phases, or one phase over the whole timeline for reports that have none. */
    private static List<Phase> chartPhases(List<Phase> phases, long lastT) {
        if (phases == null || phases.isEmpty()) return List.of(new Phase("process", 0, Math.max(1, lastT)));
        List<Phase> out = new ArrayList<>(phases);
        Phase last = out.get(out.size() - 1);
        if (lastT > last.endMillis()) out.set(out.size() - 1, new Phase(last.name(), last.startMillis(), lastT));
        return out;
    }

    /** Where each phase begins on the x axis (and, last, where the final one ends). */
    private static double[] phaseOffsets(List<Phase> phases, int left, int w) {
        long total = Math.max(1, phases.stream().mapToLong(p -> Math.max(0, p.endMillis() - p.startMillis())).sum());
        double[] x = new double[phases.size() + 1];
        x[0] = left;
        for (int i = 0; i < phases.size(); i++) {
            long d = Math.max(0, phases.get(i).endMillis() - phases.get(i).startMillis());
            x[i + 1] = x[i] + w * (0.5 / phases.size() + 0.5 * d / total);
        }
        return x;
    }

    /** A time's x: linear within the phase it falls in. */
    private static double xOf(long t, List<Phase> phases, double[] x0) {
        for (int i = 0; i < phases.size(); i++) {
            Phase p = phases.get(i);
            if (t < p.endMillis() || i == phases.size() - 1) {
                long d = Math.max(1, p.endMillis() - p.startMillis());
                double within = Math.max(0, Math.min(1, (double) (t - p.startMillis()) / d));
                return x0[i] + (x0[i + 1] - x0[i]) * within;
            }
        }
        return x0[0];
    }

    private static String phaseFill(String name) {
        if (name.startsWith("run")) return "#e3f2fd";
        if (name.startsWith("checkpoint")) return "#cfd8dc";
        if (name.startsWith("warmup")) return "#fff8e1";
        return "#f5f5f5";
    }

    /** "run 3" -> "r3", "checkpoint 3" -> "c3", "import" -> "i": labels of narrow phases. */
    private static String shortName(String name) {
        String[] parts = name.split(" ");
        return parts[0].charAt(0) + (parts.length > 1 ? parts[1] : "");
    }

    private static String duration(long millis) {
        return millis < 2000 ? millis + " ms" : ReportText.seconds(millis);
    }

    private static void processes(StringBuilder h, RunReport r) {
        if (r.processes() == null || r.processes().size() < 2) return;
        h.append("<h3>processes</h3>\n<table class=\"processes\"><thead><tr><th>pid</th><th>parent</th><th>program</th><th>ended</th>")
                .append("<th>exit</th><th>judged</th><th>leaked</th><th>leaked bytes</th></tr></thead><tbody>\n");
        for (ProcessSummary p : r.processes()) {
            h.append("<tr><td class=\"num\">").append(p.pid()).append("</td><td class=\"num\">").append(p.parentPid() == null ? "" : p.parentPid())
                    .append("</td><td class=\"mono\">").append(esc(String.valueOf(p.executable()))).append("</td><td>").append(esc(String.valueOf(p.ended())))
                    .append("</td><td class=\"num\">").append(p.exitCode() == null ? (p.signal() == null ? "" : "signal " + p.signal()) : p.exitCode())
                    .append("</td><td>").append(p.judged() ? "yes" : "no").append("</td><td class=\"num\">")
                    .append(p.leaked() == null ? 0 : p.leaked().count()).append("</td><td class=\"num\">")
                    .append(bytes(p.leaked() == null ? 0 : p.leaked().bytes())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void sites(StringBuilder h, RunReport r) {
        List<LeakSite> sites = r.sites() == null ? List.of() : r.sites();
        if (sites.isEmpty()) {
            h.append("<p class=\"muted\">No leak site: nothing matched was live at the checkpoint.</p>\n");
            return;
        }
        h.append("<h3>leak sites (").append(sites.size()).append(")</h3>\n");
        for (int i = 0; i < Math.min(SITES_SHOWN, sites.size()); i++) {
            LeakSite s = sites.get(i);
            h.append("<div class=\"site\">\n<h3>CallStack[").append(i + 1).append("]: may-leak=").append(s.count()).append(" (")
                    .append(s.bytes()).append(" bytes) <span class=\"muted\">pid ").append(s.pid()).append(", thread ")
                    .append(esc(String.valueOf(s.thread())))
                    .append(s.runs() != null ? ", per run: " + s.runs().stream().map(c -> Long.toString(c.count())).toList() : "")
                    .append("</span></h3>\n");
            if (s.suggestedPattern() != null) h.append("<p>suggested pattern: <code class=\"suggested\">").append(esc(s.suggestedPattern())).append("</code></p>\n");
            if (s.pattern() != null) h.append("<p class=\"muted\">matched pattern: <code>").append(esc(s.pattern())).append("</code></p>\n");
            h.append("<div class=\"stacks\">\n<div><table class=\"cstack\"><thead><tr><th>#</th><th>C frame (frame 0 first)</th><th>module+offset</th></tr></thead><tbody>\n");
            List<CFrame> frames = s.cStack() == null ? List.of() : s.cStack();
            int number = 0;
            for (CFrame f : frames) {
                h.append("<tr").append(f.wrapper() ? " class=\"wrapper\"" : "").append("><td class=\"num\">").append(f.wrapper() ? "" : Integer.toString(number++))
                        .append("</td><td class=\"mono\">").append(esc(f.describe())).append(f.wrapper() ? " <em>(allocator wrapper)</em>" : "")
                        .append("</td><td class=\"mono\">").append(esc((f.module() == null ? "?" : f.module()) + "+" + f.offset())).append("</td></tr>\n");
            }
            if (frames.isEmpty()) h.append("<tr><td></td><td class=\"muted\">no C stack was recorded</td><td></td></tr>\n");
            h.append("</tbody></table></div>\n<div><table class=\"pystack\"><thead><tr><th>Python frame (innermost last)</th><th>source</th></tr></thead><tbody>\n");
            String status = s.pythonStackStatus() == null ? "CAPTURED" : s.pythonStackStatus();
            switch (status) {
                case "THREAD_RUNS_NO_PYTHON" -> h.append("<tr><td colspan=\"2\" class=\"muted\">none: the allocating thread runs no Python</td></tr>\n");
                case "UNAVAILABLE" -> h.append("<tr><td colspan=\"2\" class=\"muted\">unavailable in this process</td></tr>\n");
                default -> {
                    List<PyFrame> py = s.pythonStack() == null ? List.of() : s.pythonStack();
                    if (py.isEmpty()) h.append("<tr><td colspan=\"2\" class=\"muted\">no Python frame was executing</td></tr>\n");
                    for (PyFrame p : py) {
                        h.append("<tr><td class=\"mono\">").append(esc(p.location())).append("</td><td class=\"mono src\">")
                                .append(esc(p.source() == null ? "" : p.source())).append("</td></tr>\n");
                    }
                }
            }
            h.append("</tbody></table></div>\n</div>\n</div>\n");
        }
        if (sites.size() > SITES_SHOWN) h.append("<p class=\"muted\">").append(sites.size() - SITES_SHOWN).append(" more sites in the JSON report.</p>\n");
    }

    private static String name(Entry e) {
        String n = e.report().name();
        if (n != null && !n.isBlank()) return n;
        String file = e.file().getFileName().toString();
        return file.endsWith(".json") ? file.substring(0, file.length() - 5) : file;
    }

    private static String target(RunReport r) {
        StringBuilder out = new StringBuilder(r.fixture().target());
        if (r.fixture().args() != null) for (String a : r.fixture().args()) out.append(' ').append(a);
        return out.toString();
    }

    private static String outcome(RunReport r) {
        return "<span class=\"outcome " + (r.outcome().failsGate() ? "fail" : "pass") + "\">" + r.outcome() + "</span>";
    }

    private static String codes(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (String v : values) out.append(out.length() > 0 ? "<br>" : "").append("<code>").append(esc(v)).append("</code>");
        return out.toString();
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        if (n < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    static String esc(String text) {
        if (text == null) return "";
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
