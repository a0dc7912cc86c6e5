package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.FixtureResult;
import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.NoNativeLeakException;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.maven.plugin.logging.Log;

/** Runs prepared fixtures one after another, logging one line as each starts and one with its outcome. */
final class FixtureRunner {
    /** One finished (or broken) run: a report, or the error that kept it from producing one. */
    record Finished(String label, FixtureResult result, String error, long millis) {
        boolean failsGate() {
            return result == null || result.report().outcome().failsGate();
        }

        String outcomeText() {
            return result == null ? "ERROR" : result.report().outcome().name();
        }
    }

    private FixtureRunner() {}

    static List<Finished> runAll(List<FixtureLauncher> launchers, Log log) {
        List<Finished> finished = new ArrayList<>();
        for (FixtureLauncher launcher : launchers) finished.add(run(launcher, log));
        return finished;
    }

    static Finished run(FixtureLauncher launcher, Log log) {
        FixtureSpec spec = launcher.spec();
        String label = spec.name();
        log.info("Running fixture " + label + ": " + describe(spec) + " (python " + launcher.interpreter().version()
                + ", warmup " + spec.warmup() + ", timeout " + spec.timeoutSeconds() + " s)");
        long started = System.nanoTime();
        try {
            FixtureResult result = launcher.run();
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
