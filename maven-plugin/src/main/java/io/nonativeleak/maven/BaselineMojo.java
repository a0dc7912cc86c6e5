package io.nonativeleak.maven;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.RunReport;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Writes {@code nonativeleak-baseline.json} from the reports in the report directory: the leak sites the code
 * has today, which {@code check} with {@code <baseline>} then tolerates (as detekt's and ktlint's baselines do),
 * so that a team can adopt the gate on a codebase that already leaks and still fail on every new or growing leak.
 *
 * <pre>mvn verify nonativeleak:baseline -Dnonativeleak.failOnLeak=false</pre>
 */
@Mojo(name = "baseline", threadSafe = true)
public class BaselineMojo extends AbstractNoNativeLeakMojo {
    /**
     * Where the baseline is written; commit it beside the POM and give the same file to {@code check}'s
     * {@code <baseline>}.
     */
    @Parameter(property = "nonativeleak.baseline", defaultValue = "${project.basedir}/nonativeleak-baseline.json")
    File baseline;

    /**
     * Whether a report that cannot be baselined fails the goal: one whose outcome is neither CLEAN nor LEAKED
     * (NO_MATCH, FIXTURE_FAILED, CRASHED, TIMED_OUT, INCOMPLETE), so that its sites are not the whole truth. When
     * false such reports are left out with a warning.
     */
    @Parameter(property = "nonativeleak.failOnLeak", defaultValue = "true")
    boolean failOnLeak;

    /**
     * The interpreter, as {@code check} takes it. {@code baseline} runs no Python (it reads the reports); it takes
     * the parameter so that the command line and POM settings of {@code check} apply unchanged.
     */
    @Parameter(property = "nonativeleak.python")
    String python;

    @Override
    void executeGoal() throws MojoExecutionException, MojoFailureException {
        Path directory = reportDirectory.toPath();
        if (!Files.isDirectory(directory)) {
            throw new MojoFailureException("No NoNativeLeak reports: " + directory + " does not exist; run the check first "
                    + "(mvn verify nonativeleak:baseline -Dnonativeleak.failOnLeak=false)");
        }
        List<RunReport> reports = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        for (HtmlReport.Entry entry : ReportMojo.load(directory, getLog())) {
            RunReport report = entry.report();
            if (report.name() != null && report.name().startsWith("discover-")) {
                getLog().info("Leaving out " + entry.file().getFileName() + ": a discover run, not a check fixture");
                continue;
            }
            if (report.outcome() != Outcome.CLEAN && report.outcome() != Outcome.LEAKED) {
                unusable.add(entry.file().getFileName() + " (" + report.outcome() + ": " + report.reason() + ")");
                continue;
            }
            reports.add(report);
        }
        if (!unusable.isEmpty()) {
            String message = "Reports that cannot be baselined (only CLEAN and LEAKED runs say where everything leaks): " + String.join("; ", unusable);
            if (failOnLeak) throw new MojoFailureException(message + ". Fix those fixtures, or set nonativeleak.failOnLeak=false to leave them out.");
            getLog().warn(message + " - left out (nonativeleak.failOnLeak=false)");
        }
        if (reports.isEmpty()) throw new MojoFailureException("No NoNativeLeak report to baseline in " + directory + "; run the check first");
        Baseline written = Baseline.of(reports);
        try {
            written.write(baseline.toPath());
        } catch (IOException e) {
            throw new MojoExecutionException("baseline (nonativeleak.baseline): cannot write " + baseline + ": " + e.getMessage(), e);
        }
        getLog().info("Baseline of " + written.sites().size() + " known leak " + (written.sites().size() == 1 ? "site" : "sites")
                + " from " + reports.size() + (reports.size() == 1 ? " report: " : " reports: ") + baseline);
        for (Baseline.Entry e : written.sites()) getLog().info("  " + e.describe());
        getLog().info("Give it to the check: <baseline>" + baseline + "</baseline> or -Dnonativeleak.baseline=" + baseline);
    }
}
