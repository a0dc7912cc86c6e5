package io.nonativeleak.maven;

import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The leak-site view people know from memray and heaptrack: an icicle of the bytes still live at the checkpoint,
 * the whole run at the top, then the Python frames from the outermost in, then the C frames down to the one that
 * called the allocator; each box as wide as the bytes leaked beneath it. Plain SVG: the hover text (SVG
 * {@code <title>}) names the frame, its file and line, the source line and the bytes; no script.
 */
final class FlameGraph {
    static final int WIDTH = 1100;
    static final int ROW = 18;
    /** Deeper frames are cut off (the JSON report has the whole stacks). */
    static final int MAX_DEPTH = 48;
    static final String PYTHON_COLOUR = "#64b5f6";
    static final String C_COLOUR = "#ffb74d";
    static final String ROOT_COLOUR = "#bdbdbd";
    /** Modules of the interpreter itself (libpython3.11.so.1.0, python3.13, ...). */
    private static final Pattern INTERPRETER_MODULE = Pattern.compile("(lib)?python\\d.*");

    private FlameGraph() {}

    /** One box: a frame reached along one path, with the bytes leaked at or below it. */
    private static final class Node {
        final String label;
        final String detail;
        final boolean python;
        long bytes;
        long count;
        final Map<String, Node> children = new LinkedHashMap<>();

        Node(String label, String detail, boolean python) {
            this.label = label;
            this.detail = detail;
            this.python = python;
        }

        Node child(String label, String detail, boolean python) {
            return children.computeIfAbsent((python ? "py:" : "c:") + label + "\u0000" + detail, k -> new Node(label, detail, python));
        }
    }

    static void render(StringBuilder h, RunReport r) {
        List<LeakSite> sites = r.sites() == null ? List.of() : r.sites();
        long total = sites.stream().mapToLong(LeakSite::bytes).sum();
        if (total <= 0) return;
        Node root = new Node("all leaked bytes", "", false);
        int depth = 1;
        for (LeakSite site : sites) {
            Node node = root;
            root.bytes += site.bytes();
            root.count += site.count();
            List<Node> path = new ArrayList<>();
            for (PyFrame p : site.pythonStack() == null ? List.<PyFrame>of() : site.pythonStack()) {
                path.add(node = node.child(p.function(), p.file() + ":" + p.line() + (p.source() == null ? "" : "\n" + p.source()), true));
            }
            for (CFrame f : nativeFrames(site)) path.add(node = node.child(f.describe(), (f.module() == null ? "?" : f.module()) + "+" + f.offset(), false));
            for (Node n : path) {
                n.bytes += site.bytes();
                n.count += site.count();
            }
            depth = Math.max(depth, Math.min(MAX_DEPTH, path.size() + 1));
        }
        int height = depth * ROW + 2;
        h.append("<h3>leaked bytes by stack (icicle: callers above, the allocating frame at the bottom; hover a box for its line)</h3>\n")
                .append("<svg class=\"flame\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\" role=\"img\" aria-label=\"")
                .append(HtmlReport.esc("flame graph of " + HtmlReport.bytes(total) + " leaked")).append("\">\n");
        box(h, root, 0, 0, WIDTH, total);
        h.append("</svg>\n");
    }

    /**
     * The C frames below the Python ones, outermost first: from the last interpreter frame down to frame 0 (the
     * interpreter's own frames, and the process start above them, only repeat what the Python frames say); for a
     * thread that runs no Python, its whole C stack. Allocator wrappers are left out, as patterns skip them.
     */
    static List<CFrame> nativeFrames(LeakSite site) {
        List<CFrame> c = site.cStack() == null ? List.of() : site.cStack();
        boolean python = site.pythonStack() != null && !site.pythonStack().isEmpty();
        List<CFrame> out = new ArrayList<>();
        for (CFrame f : c) {
            if (python && f.module() != null && INTERPRETER_MODULE.matcher(f.module()).matches()) break;
            if (!f.wrapper()) out.add(0, f);
        }
        return out;
    }

    private static void box(StringBuilder h, Node node, int row, double x, double width, long total) {
        if (row >= MAX_DEPTH || width < 0.5) return;
        String colour = row == 0 ? ROOT_COLOUR : node.python ? PYTHON_COLOUR : C_COLOUR;
        String hover = node.label + (node.detail.isEmpty() ? "" : "\n" + node.detail) + "\n" + HtmlReport.bytes(node.bytes) + " in "
                + node.count + (node.count == 1 ? " allocation" : " allocations")
                + String.format(Locale.ROOT, " (%.1f%% of the leaked bytes)", 100.0 * node.bytes / total);
        h.append("<g class=\"flame-frame\" data-label=\"").append(HtmlReport.esc(node.label)).append("\" data-bytes=\"").append(node.bytes)
                .append("\" data-kind=\"").append(row == 0 ? "all" : node.python ? "python" : "c").append("\"><title>").append(HtmlReport.esc(hover)).append("</title>")
                .append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>",
                        x, row * ROW + 1, Math.max(0.5, width - 1), ROW - 2, colour));
        int chars = (int) ((width - 6) / 7);
        if (chars >= 3) {
            String text = node.label.length() <= chars ? node.label : node.label.substring(0, chars - 1) + "…";
            h.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\">", x + 3, row * ROW + 13)).append(HtmlReport.esc(text)).append("</text>");
        }
        h.append("</g>\n");
        double childX = x;
        for (Node child : node.children.values()) {
            double w = width * child.bytes / node.bytes;
            box(h, child, row + 1, childX, w, total);
            childX += w;
        }
    }
}
