package io.nonativeleak.maven;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where CI users look: under GitHub Actions an {@code ::error} workflow command at each failing leak site's
 * Python line and a Markdown table in the job summary; under GitLab CI a Code Quality report. The environment
 * is passed in, never read here, so that every format is tested exactly.
 */
final class CiReports {
    static final String CODE_QUALITY_FILE = "gl-code-quality-report.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One place in the code where a failing fixture is annotated: {@code path} and {@code line} null and 0 when it
     * has no Python line in the project; {@code fixtureFile} is then where a report that needs a file puts it (the
     * fixture's script, else the POM).
     */
    record Annotation(String path, int line, String title, String message, String fingerprint, String fixtureFile) {}

    private CiReports() {}

    /**
     * The annotations of the fixtures that do not pass: one per leak site that fails the gate (with a baseline: the
     * sites not in it or grown beyond it), at its innermost Python frame inside the project; one per failing
     * fixture without such a site. Paths are relative to {@code root} (the repository's checkout).
     */
    static List<Annotation> annotations(List<Verdict> verdicts, Path baseDirectory, Path root) {
        List<Annotation> out = new ArrayList<>();
        for (Verdict v : verdicts) {
            if (v.passes()) continue;
            String fixture = v.run().label();
            RunReport report = v.report();
            List<Baseline.Entry> sites = report == null ? List.of()
                    : v.baselined() ? v.beyond().stream().map(Verdict.Beyond::site).toList() : Baseline.entries(report, fixture);
            String outcome = report == null ? "could not run" : report.outcome().name();
            String title = "NoNativeLeak: " + fixture + " " + outcome;
            String where = report == null ? "" : "\nReport: " + relative(v.run().reportFile(), baseDirectory, root);
            String fixtureFile = report != null && "script".equals(report.fixture().kind())
                    ? relative(Path.of(report.fixture().target()), baseDirectory, root) : relative(Path.of("pom.xml"), baseDirectory, root);
            if (sites.isEmpty()) {
                out.add(new Annotation(null, 0, title, v.message() + where, fingerprint(fixture + "\u0000" + outcome), fixtureFile));
                continue;
            }
            for (Baseline.Entry site : sites) {
                Baseline.Line line = site.python();
                boolean located = line != null && Baseline.insideProject(line.file());
                String message = ReportText.counts(new Counts(site.count(), site.bytes())) + " still live at the checkpoint, allocated "
                        + (line == null ? "by a thread that runs no Python" : "at " + line.file() + ":" + line.line() + " in " + line.function()
                        + (line.source() == null ? "" : ": " + line.source()))
                        + (site.cFrames().isEmpty() ? "" : "\nC frames: " + String.join(" > ", site.cFrames()))
                        + (site.pattern() == null ? "" : "\nPattern: " + site.pattern()) + where;
                out.add(new Annotation(located ? relative(baseDirectory.resolve(line.file()), baseDirectory, root) : null,
                        located ? line.line() : 0, title, message, fingerprint(site.key().toString()), fixtureFile));
            }
        }
        return out;
    }

    /** {@code ::error file=…,line=…,title=…::message}, escaped by the workflow-command rules. */
    static String githubError(Annotation a) {
        StringBuilder out = new StringBuilder("::error ");
        if (a.path() != null) out.append("file=").append(property(a.path())).append(",line=").append(a.line()).append(',');
        out.append("title=").append(property(a.title())).append("::").append(data(a.message()));
        return out.toString();
    }

    /** A workflow command's message: {@code %}, CR and LF encoded. */
    static String data(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    /** A workflow command's property value: as the message, and {@code :} and {@code ,} encoded too. */
    static String property(String s) {
        return data(s).replace(":", "%3A").replace(",", "%2C");
    }

    /** The job summary: a headline and one row per fixture, in GitHub-flavoured Markdown. */
    static String githubSummary(List<Verdict> verdicts, Path baseDirectory, Path root) {
        long failing = verdicts.stream().filter(v -> !v.passes()).count();
        StringBuilder md = new StringBuilder("### NoNativeLeak: ");
        md.append(failing == 0 ? "all " + verdicts.size() + " fixtures pass" : failing + " of " + verdicts.size() + " fixtures not CLEAN").append("\n\n");
        md.append("| fixture | outcome | leaked | bytes | duration | largest leak site |\n| --- | --- | ---: | ---: | ---: | --- |\n");
        for (Verdict v : verdicts) {
            RunReport r = v.report();
            String site = "";
            if (r != null && !r.sites().isEmpty()) {
                Baseline.Entry top = Baseline.entries(r, v.run().label()).get(0);
                Baseline.Line line = top.python();
                if (line != null) {
                    String file = Baseline.insideProject(line.file()) ? relative(baseDirectory.resolve(line.file()), baseDirectory, root) : line.file();
                    site = "`" + code(file + ":" + line.line()) + "`" + (line.source() == null ? "" : " `" + code(line.source()) + "`");
                }
            }
            md.append("| ").append(cell(v.run().label())).append(" | ").append(v.passes() ? "✅ " : "❌ ").append(cell(v.outcomeText()))
                    .append(" | ").append(r == null ? "-" : r.leaked().count()).append(" | ").append(r == null ? "-" : r.leaked().bytes())
                    .append(" | ").append(ReportText.seconds(r == null ? v.run().millis() : r.durationMillis())).append(" | ").append(site).append(" |\n");
        }
        return md.append('\n').toString();
    }

    /** The Code Quality report GitLab shows in merge requests: one issue per annotation. */
    static String gitlabCodeQuality(List<Annotation> annotations) {
        List<Map<String, Object>> issues = new ArrayList<>();
        for (Annotation a : annotations) {
            Map<String, Object> issue = new LinkedHashMap<>();
            issue.put("description", a.title() + ": " + a.message().replace('\n', ' '));
            issue.put("check_name", "nonativeleak");
            issue.put("fingerprint", a.fingerprint());
            issue.put("severity", "major");
            Map<String, Object> location = new LinkedHashMap<>();
            location.put("path", a.path() != null ? a.path() : a.fixtureFile());
            location.put("lines", Map.of("begin", a.path() != null ? a.line() : 1));
            issue.put("location", location);
            issues.add(issue);
        }
        try {
            return JSON.writeValueAsString(issues) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes what the environment asks for; returns what it wrote or printed, for the log. */
    static List<String> emit(List<Verdict> verdicts, Map<String, String> environment, Path baseDirectory, Path reportDirectory,
                             Consumer<String> stdout) throws IOException {
        List<String> done = new ArrayList<>();
        if ("true".equals(environment.get("GITHUB_ACTIONS"))) {
            Path root = root(environment.get("GITHUB_WORKSPACE"), baseDirectory);
            List<Annotation> annotations = annotations(verdicts, baseDirectory, root);
            for (Annotation a : annotations) stdout.accept(githubError(a));
            done.add(annotations.size() + (annotations.size() == 1 ? " GitHub annotation" : " GitHub annotations"));
            String summary = environment.get("GITHUB_STEP_SUMMARY");
            if (summary != null && !summary.isBlank()) {
                Files.writeString(Path.of(summary), githubSummary(verdicts, baseDirectory, root), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                done.add("the job summary " + summary);
            }
        }
        String gitlab = environment.get("GITLAB_CI");
        if (gitlab != null && !gitlab.isBlank()) {
            Path root = root(environment.get("CI_PROJECT_DIR"), baseDirectory);
            Path file = reportDirectory.resolve(CODE_QUALITY_FILE);
            Path temporary = file.resolveSibling(CODE_QUALITY_FILE + ".tmp");
            Files.writeString(temporary, gitlabCodeQuality(annotations(verdicts, baseDirectory, root)), StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done.add("the GitLab Code Quality report " + file);
        }
        return done;
    }

    /** The checkout the CI system names, when the project lies inside it; else the project's base directory. */
    static Path root(String checkout, Path baseDirectory) {
        Path base = baseDirectory.toAbsolutePath().normalize();
        if (checkout == null || checkout.isBlank()) return base;
        Path root = Path.of(checkout).toAbsolutePath().normalize();
        return base.startsWith(root) ? root : base;
    }

    private static String relative(Path file, Path baseDirectory, Path root) {
        Path absolute = baseDirectory.resolve(file).toAbsolutePath().normalize();
        return absolute.startsWith(root) ? root.relativize(absolute).toString() : absolute.toString();
    }

    private static String fingerprint(String identity) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cell(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    private static String code(String s) {
        return cell(s).replace("`", "'");
    }
}
