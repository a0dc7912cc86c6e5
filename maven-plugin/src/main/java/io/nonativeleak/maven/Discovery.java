package io.nonativeleak.maven;

import io.nonativeleak.shim.InvalidPatternException;
import io.nonativeleak.shim.Shim;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.maven.plugin.MojoExecutionException;

/** What discover adds to a run: a checked suggested pattern per site, and the memleax-style listing. */
final class Discovery {
    private Discovery() {}

    /**
     * The report with a {@code suggestedPattern} on every site that has a C stack, each one accepted by the
     * shim's own parser; a suggestion the parser rejects (a bug) is dropped with a warning.
     */
    static RunReport withSuggestions(RunReport report, Consumer<String> warn) {
        PatternSuggester suggester = new PatternSuggester(report.sites());
        Shim shim = Shim.load();
        List<LeakSite> sites = new ArrayList<>();
        for (LeakSite site : report.sites()) {
            String suggestion = suggester.suggest(site);
            if (suggestion != null) {
                try {
                    shim.checkPattern(suggestion);
                } catch (InvalidPatternException e) {
                    warn.accept("dropped a suggestion the shim rejects (please report this): " + e.getMessage());
                    suggestion = null;
                }
            }
            sites.add(site.withSuggestedPattern(suggestion));
        }
        return report.withSites(sites);
    }

    /**
     * A discover run that tracked no allocation at all saw nothing: that is an error with the reason (the report's
     * {@code noMatch}), never "nothing to guard".
     */
    static void requireTracked(RunReport report, Path reportFile) throws MojoExecutionException {
        if (report.matched().count() > 0) return;
        String why = report.noMatch() != null ? report.noMatch().reason() : report.reason();
        String outcome = switch (report.outcome()) {
            case FIXTURE_FAILED, CRASHED, TIMED_OUT -> "; the fixture " + report.outcome() + ": " + report.reason();
            default -> "";
        };
        throw new MojoExecutionException("discover tracked no allocation at all in " + report.fixture().target() + " ("
                + (report.noMatch() != null ? report.noMatch().kind() : report.outcome()) + "): " + why + outcome
                + ". Report: " + reportFile.toAbsolutePath());
    }

    /** Writes the report with suggestions over the run's report file. */
    static void write(RunReport report, Path file) {
        ReportJson.write(report, file);
    }

    /** The listing: the run in two lines, then the top sites by bytes with both stacks and a pattern each. */
    static List<String> listing(RunReport report, int top, Path reportFile) {
        List<String> out = new ArrayList<>();
        out.add("Fixture " + report.fixture().target() + (report.fixture().args().isEmpty() ? "" : " " + String.join(" ", report.fixture().args()))
                + " finished " + report.outcome() + " in " + ReportText.seconds(report.durationMillis())
                + " (python " + report.fixture().pythonVersion() + ", warmup " + report.fixture().warmup() + ")");
        out.add("  patterns: " + (report.patterns().isEmpty() ? "(none: every allocation)" : String.join("  ;  ", report.patterns()))
                + (report.ignore().isEmpty() ? "" : "; ignore: " + String.join("  ;  ", report.ignore()))
                + "; matched " + ReportText.counts(report.matched()));
        if (report.sampling() != null) out.add("  " + ReportText.sampled(report.sampling()));
        switch (report.outcome()) {
            case FIXTURE_FAILED, CRASHED, TIMED_OUT -> {
                out.add("  the fixture did not finish normally: " + report.reason());
                if (report.error() != null) for (String line : report.error().strip().split("\n")) out.add("    " + line);
            }
            case INCOMPLETE -> out.add("  the listing is incomplete: " + report.reason());
            default -> { }
        }
        if (!report.pythonStacks().enabled()) out.add("  python stacks unavailable: " + report.pythonStacks().reason());
        List<LeakSite> sites = report.sites();
        if (sites.isEmpty()) {
            out.add("No allocation of the measured run was still live after the fixture finished: nothing to guard.");
        } else {
            out.add("Live allocation sites after the fixture finished, by bytes: " + Math.min(top, sites.size()) + " of "
                    + sites.size() + " sites, " + ReportText.counts(report.leaked()) + " in all");
            for (int i = 0; i < Math.min(top, sites.size()); i++) {
                out.add("");
                for (String line : ReportText.site(sites.get(i), i + 1).split("\n")) out.add(line);
                if (sites.get(i).suggestedPattern() == null) out.add("    suggested pattern: none (no C stack was recorded for this site)");
            }
            LeakSite first = sites.stream().filter(s -> s.suggestedPattern() != null).findFirst().orElse(null);
            if (first != null) {
                out.add("");
                out.add("To guard a site in mvn verify, give its suggested pattern to the check goal, e.g.:");
                out.add("  <patterns><pattern>" + xml(first.suggestedPattern()) + "</pattern></patterns>");
            }
        }
        out.add("Report (every site with its suggested pattern): " + reportFile.toAbsolutePath());
        return out;
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
