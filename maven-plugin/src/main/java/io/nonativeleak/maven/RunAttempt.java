package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.NoNativeLeakException;
import io.nonativeleak.shim.RunProgress;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.maven.plugin.logging.Log;

/**
 * One fixture run of a goal, logged as it starts and as it ends: its report, or the error that kept it from
 * producing one.
 *
 * @param label      how the log names the run
 * @param report     the report, or {@code null} when the run could not be made
 * @param reportFile where the report was written, or {@code null}
 * @param error      why there is no report, or {@code null}
 * @param millis     the attempt's wall time, reading the results included
 */
record RunAttempt(String label, RunReport report, Path reportFile, String error, long millis) {

    /** Runs each in turn; with more than one, each start line says which of how many ({@code [k/N]}). */
    static List<RunAttempt> inTurn(List<FixtureLauncher> launchers, Log log) {
        List<RunAttempt> attempts = new ArrayList<>();
        for (int i = 0; i < launchers.size(); i++) {
            String position = launchers.size() > 1 ? "[" + (i + 1) + "/" + launchers.size() + "] " : "";
            attempts.add(of(launchers.get(i), log, position, null, 0));
        }
        return attempts;
    }

    /**
     * Runs one fixture; {@code position} prefixes its start line, and {@code progress} (when not null) gets what
     * it recorded so far every {@code intervalMillis}.
     */
    static RunAttempt of(FixtureLauncher launcher, Log log, String position, Consumer<RunProgress> progress, long intervalMillis) {
        FixtureSpec spec = launcher.spec();
        String label = spec.name();
        log.info(position + "Running fixture " + label + ": " + describe(spec) + " (python " + launcher.interpreter().version()
                + ", warmup " + spec.warmup() + ", timeout " + spec.timeoutSeconds() + " s)");
        long started = System.nanoTime();
        try {
            RunReport report = launcher.run(progress, intervalMillis);
            long millis = (System.nanoTime() - started) / 1_000_000;
            // The fixture's own duration, as in its report and the HTML page (millis adds reading the results).
            String line = "Fixture " + label + ": " + report.outcome() + " in " + ReportText.seconds(report.durationMillis()) + " - "
                    + ReportText.counts(report.leaked()) + " still live of " + report.matched().count() + " matched";
            if (report.incomplete() != null && !report.incomplete().isEmpty()) line += " - " + report.reason();
            if (report.outcome().failsGate()) log.warn(line);
            else log.info(line);
            return new RunAttempt(label, report, launcher.reportFile(report), null, millis);
        } catch (NoNativeLeakException e) {
            long millis = (System.nanoTime() - started) / 1_000_000;
            log.error("Fixture " + label + ": could not run in " + ReportText.seconds(millis) + " - " + e.getMessage());
            return new RunAttempt(label, null, null, e.getMessage(), millis);
        }
    }

    private static String describe(FixtureSpec spec) {
        StringBuilder out = new StringBuilder(spec.target());
        for (String arg : spec.args()) out.append(' ').append(arg);
        return out.toString();
    }
}
