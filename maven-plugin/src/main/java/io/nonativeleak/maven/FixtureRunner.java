package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.FixtureResult;
import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.NoNativeLeakException;
import io.nonativeleak.shim.RunProgress;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.maven.plugin.logging.Log;

/** Runs prepared fixtures one after another, logging one line as each starts and one with its outcome. */
final class FixtureRunner {
    /** One finished (or broken) run: a report, or the error that kept it from producing one. */
    record Finished(String label, FixtureResult result, String error, long millis) {}

    private FixtureRunner() {}

    /** Runs each in turn; with more than one, each start line says which of how many ({@code [k/N]}). */
    static List<Finished> runAll(List<FixtureLauncher> launchers, Log log) {
        List<Finished> finished = new ArrayList<>();
        for (int i = 0; i < launchers.size(); i++) {
            String position = launchers.size() > 1 ? "[" + (i + 1) + "/" + launchers.size() + "] " : "";
            finished.add(run(launchers.get(i), log, position, null, 0));
        }
        return finished;
    }

    /**
     * Runs one fixture; {@code position} prefixes its start line, and {@code progress} (when not null) gets what
     * it recorded so far every {@code intervalMillis}.
     */
    static Finished run(FixtureLauncher launcher, Log log, String position, Consumer<RunProgress> progress, long intervalMillis) {
        FixtureSpec spec = launcher.spec();
        String label = spec.name();
        log.info(position + "Running fixture " + label + ": " + describe(spec) + " (python " + launcher.interpreter().version()
                + ", warmup " + spec.warmup() + ", timeout " + spec.timeoutSeconds() + " s)");
        long started = System.nanoTime();
        try {
            FixtureResult result = launcher.run(progress, intervalMillis);
            long millis = (System.nanoTime() - started) / 1_000_000;
            RunReport report = result.report();
            // The fixture's own duration, as in its report and the HTML page (millis adds reading the results).
            String line = "Fixture " + label + ": " + report.outcome() + " in " + seconds(report.durationMillis()) + " - "
                    + ReportText.counts(report.leaked()) + " still live of " + report.matched().count() + " matched";
            if (report.incomplete() != null && !report.incomplete().isEmpty()) line += " - " + report.reason();
            if (report.outcome().failsGate()) log.warn(line);
            else log.info(line);
            return new Finished(label, result, null, millis);
        } catch (NoNativeLeakException e) {
            long millis = (System.nanoTime() - started) / 1_000_000;
            log.error("Fixture " + label + ": could not run in " + seconds(millis) + " - " + e.getMessage());
            return new Finished(label, null, e.getMessage(), millis);
        }
    }

    static String describe(FixtureSpec spec) {
        StringBuilder out = new StringBuilder(spec.target());
        for (String arg : spec.args()) out.append(' ').append(arg);
        return out.toString();
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }
}
