package io.nonativeleak.maven;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nonativeleak.shim.Shim;
import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The known leak sites a team accepts while it adopts the gate ({@code nonativeleak-baseline.json}), written by
 * the {@code baseline} goal and read by {@code check <baseline>}.
 *
 * <p>A site's identity is chosen to survive unrelated edits: the fixture, the pattern that matched, the
 * innermost Python frame inside the project (file, function and the text of the line, not its number, so
 * that adding lines above it changes nothing), and the symbols of the C frames that the pattern names (no
 * offsets: they change with every rebuild of the library). Its {@code count} and {@code bytes} are what one
 * measured run leaks there; a run that leaks more there has grown beyond the baseline.
 *
 * @param schemaVersion 1
 * @param sites         the known sites, by fixture, largest first
 */
record Baseline(int schemaVersion, List<Entry> sites) {
    static final int SCHEMA_VERSION = 1;
    static final String FILE_NAME = "nonativeleak-baseline.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    /**
     * One known site.
     *
     * @param fixture the fixture's name (its report's name; the name is what ties a site to a fixture, so keep fixture names unique)
     * @param pattern the pattern that matched, or {@code null} when every allocation was tracked
     * @param python  the innermost Python frame inside the project (else the innermost frame), or {@code null} when the thread ran no Python
     * @param cFrames the C frames that identify the site: the symbols the pattern names, in stack order (frame 0 first)
     * @param count   allocations leaked there in one measured run
     * @param bytes   bytes leaked there in one measured run
     */
    record Entry(String fixture, String pattern, Line python, List<String> cFrames, long count, long bytes) {
        Key key() {
            return new Key(fixture, pattern, python == null ? null : python.file(), python == null ? null : python.function(),
                    python == null ? null : python.identifyingText(), cFrames);
        }

        /** {@code fixture: file:line in function (source), C a > b: N allocations (B bytes)}, for the log. */
        String describe() {
            String where = python == null ? "no Python frame" : python.file() + ":" + python.line() + " in " + python.function()
                    + (python.source() == null ? "" : " (" + python.source() + ")");
            return fixture + ": " + where + (cFrames.isEmpty() ? "" : ", C " + String.join(" > ", cFrames)) + ": "
                    + ReportText.counts(new Counts(count, bytes));
        }
    }

    /** A Python frame as the baseline keeps it; its line number is shown but not compared. */
    record Line(String file, int line, String function, String source) {
        String identifyingText() {
            return source != null ? source : "line " + line;
        }
    }

    /** What makes two sites the same known leak. */
    record Key(String fixture, String pattern, String file, String function, String text, List<String> cFrames) {}

    /** The baseline of the given reports' leak sites. */
    static Baseline of(List<RunReport> reports) {
        Map<Key, Entry> entries = new LinkedHashMap<>();
        for (RunReport report : reports) for (Entry e : entries(report, report.name())) entries.merge(e.key(), e, Baseline::sum);
        List<Entry> sites = new ArrayList<>(entries.values());
        sites.sort(Comparator.comparing(Entry::fixture).thenComparing(Comparator.comparingLong(Entry::bytes).reversed()));
        return new Baseline(SCHEMA_VERSION, sites);
    }

    /** A report's leak sites as baseline entries of the named fixture, sites of the same identity summed. */
    static List<Entry> entries(RunReport report, String fixture) {
        Map<Key, Entry> out = new LinkedHashMap<>();
        for (LeakSite site : report.sites()) {
            PyFrame frame = projectFrame(site);
            Line line = frame == null ? null : new Line(frame.file(), frame.line(), frame.function(), frame.source());
            Entry e = new Entry(fixture, site.pattern(), line, identifyingFrames(site), site.count(), site.bytes());
            out.merge(e.key(), e, Baseline::sum);
        }
        return new ArrayList<>(out.values());
    }

    private static Entry sum(Entry a, Entry b) {
        return new Entry(a.fixture(), a.pattern(), a.python(), a.cFrames(), a.count() + b.count(), a.bytes() + b.bytes());
    }

    /**
     * The innermost Python frame inside the project: reports name those files relative to the project's base
     * directory; without one (a fixture outside the project) the innermost frame.
     */
    static PyFrame projectFrame(LeakSite site) {
        List<PyFrame> stack = site.pythonStack() == null ? List.of() : site.pythonStack();
        for (int i = stack.size() - 1; i >= 0; i--) if (insideProject(stack.get(i).file())) return stack.get(i);
        return site.innermostPythonFrame();
    }

    static boolean insideProject(String file) {
        return file != null && !file.isEmpty() && !file.startsWith("/") && !file.startsWith("<");
    }

    /**
     * The symbols of the C frames (wrappers skipped) that one of the pattern's frame matchers names, by name or
     * glob; frames only {@code *}, {@code ...} or {@code obj:} reach do not identify a site. Without a pattern
     * (every allocation tracked), frame 0.
     */
    static List<String> identifyingFrames(LeakSite site) {
        List<CFrame> frames = new ArrayList<>();
        if (site.cStack() != null) for (CFrame f : site.cStack()) if (!f.wrapper()) frames.add(f);
        List<String> names = new ArrayList<>();
        if (site.pattern() != null) {
            for (String token : site.pattern().trim().split("\\s+")) {
                for (String alternative : token.split("\\|")) {
                    if (!alternative.isEmpty() && !alternative.equals("*") && !alternative.equals("...") && !alternative.startsWith("obj:")) {
                        names.add(alternative);
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        Shim shim = Shim.load();
        if (names.isEmpty()) {
            if (!frames.isEmpty()) out.add(frames.get(0).symbol() != null ? frames.get(0).symbol() : String.valueOf(frames.get(0).module()));
            return out;
        }
        for (CFrame f : frames) {
            if (f.symbol() == null) continue;
            for (String glob : names) {
                if (shim.globMatches(glob, f.symbol())) {
                    out.add(f.symbol());
                    break;
                }
            }
        }
        return out;
    }

    static Baseline read(Path file) throws IOException {
        Baseline b = MAPPER.readValue(file.toFile(), Baseline.class);
        if (b.schemaVersion() != SCHEMA_VERSION || b.sites() == null) {
            throw new IOException("not a NoNativeLeak baseline (schemaVersion " + b.schemaVersion() + ", expected " + SCHEMA_VERSION + ")");
        }
        for (Entry e : b.sites()) {
            if (e.fixture() == null || e.cFrames() == null) throw new IOException("a site without fixture or cFrames: " + e);
        }
        return b;
    }

    void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        MAPPER.writeValue(temporary.toFile(), this);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The entry of this identity, or null. */
    Entry find(Key key) {
        for (Entry e : sites) if (Objects.equals(e.key(), key)) return e;
        return null;
    }
}
