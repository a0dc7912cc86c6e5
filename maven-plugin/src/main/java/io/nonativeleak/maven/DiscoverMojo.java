package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.GateSettings;
import io.nonativeleak.shim.RunProgress;
import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Finds what a fixture leaves behind: runs one script or callable under the shim (by default tracking every
 * allocation), then prints the allocation sites still live after it finished, ranked by bytes, each as
 * {@code CallStack[n]: may-leak=COUNT (BYTES bytes)} with its C and Python stacks and a suggested pattern
 * that would guard it in {@code check}. Needs no project. Never fails the build because of leaks; a run that tracked
 * no allocation at all is an error that says why (the shim was not preloaded, an exec chain, a dead interpreter, a
 * pattern that matched nothing).
 *
 * <pre>mvn io.nonativeleak:nonativeleak-maven-plugin:discover -Dnonativeleak.script=backtest.py -Dnonativeleak.args="--days 5"</pre>
 */
@Mojo(name = "discover", requiresProject = false, threadSafe = true)
public class DiscoverMojo extends AbstractFixtureMojo {
    /** The Python script to run as {@code __main__}, relative to the current project (or directory). Give this or {@code call}. */
    @Parameter(property = "nonativeleak.script")
    String script;

    /** A callable {@code package.module:function} to run instead of a script. Give this or {@code script}. */
    @Parameter(property = "nonativeleak.call")
    String call;

    /** The fixture's arguments in one string, split on whitespace (like {@code exec.args}). */
    @Parameter(property = "nonativeleak.args")
    String args;

    /**
     * Stack patterns to track, separated by {@code ;}. Default: none, every allocation is tracked (what
     * discovery needs). Named {@code discoverPatterns} in the POM, so that it does not clash with the
     * {@code check} goal's {@code <patterns>} list.
     */
    @Parameter(property = "nonativeleak.patterns")
    String discoverPatterns;

    /** discover lists one fixture's sites to choose patterns from, so more than check's {@value CheckMojo#DEFAULT_TOP} per failing fixture. */
    static final int DEFAULT_TOP = 10;

    /**
     * How many sites to print, largest first, default {@value #DEFAULT_TOP}; the report has them all. The same
     * property sets check's, whose default is {@value CheckMojo#DEFAULT_TOP}.
     */
    @Parameter(property = "nonativeleak.top", defaultValue = "" + DEFAULT_TOP)
    int top;

    /** How often a long discover run logs what it has matched so far. */
    long progressIntervalMillis = 10_000;

    /**
     * Samples instead of tracking every allocation, for long runs: on average one allocation per this many
     * bytes allocated is tracked (Poisson sampling by bytes, as in tcmalloc's heap profiles), and the counts and
     * bytes of the listing and the report are estimates scaled back up; the report says that it sampled. A leak
     * that repeats is still found and ranked first. 0: every allocation. Only discover samples; the gate never
     * does.
     */
    @Parameter(property = "nonativeleak.sampleBytes", defaultValue = "" + GateSettings.DEFAULT_SAMPLE_BYTES)
    long sampleBytes;

    /** The goal's settings: those every fixture goal shares, and discover's own; nothing required to match. */
    @Override
    GateSettings settings() {
        List<String> patternList = new ArrayList<>();
        if (discoverPatterns != null) {
            for (String p : discoverPatterns.split(";")) if (!p.isBlank()) patternList.add(p.strip());
        }
        return super.settings().withPatterns(patternList).withRequireMatch(false).withSampleBytes(sampleBytes);
    }

    @Override
    void executeGoal() throws MojoExecutionException {
        String scriptValue = blankToNull(script);
        String callValue = blankToNull(call);
        if ((scriptValue == null) == (callValue == null)) {
            throw new MojoExecutionException("discover needs exactly one of -Dnonativeleak.script=PATH and -Dnonativeleak.call=package.module:function"
                    + (scriptValue != null ? " (both are set)" : " (neither is set)"));
        }
        if (top < 1) throw new MojoExecutionException("top (nonativeleak.top) must be 1 or more, not " + top);
        if (sampleBytes < 0)
            throw new MojoExecutionException("sampleBytes (nonativeleak.sampleBytes) must be 0 (no sampling) or more, not " + sampleBytes);
        List<String> argList = args == null || args.isBlank() ? List.of() : Arrays.asList(args.strip().split("\\s+"));
        FixtureSpec.Builder builder = spec(scriptValue != null ? scriptValue : callValue, callValue != null, settings()).args(argList);
        FixtureSpec spec = builder.name("discover-" + builder.build().name()).build();
        PlannedRun run = new PlannedRun("discover", spec,
                scriptValue != null ? "script (nonativeleak.script)" : "call (nonativeleak.call)",
                "discoverPatterns (nonativeleak.patterns)", "ignore", pythonParameter());
        FixtureLauncher launcher = Preflight.prepareAll(List.of(run), reportDirectory.toPath(), "reportDirectory (nonativeleak.reportDirectory)").get(0);
        RunAttempt attempt = RunAttempt.of(launcher, getLog(), "", this::logProgress, progressIntervalMillis);
        if (attempt.report() == null) throw new MojoExecutionException("discover could not run " + spec.target() + ": " + attempt.error());
        Discovery.requireTracked(attempt.report(), attempt.reportFile());
        RunReport report = Discovery.withSuggestions(attempt.report(), getLog()::warn);
        Discovery.write(report, attempt.reportFile());
        for (String line : Discovery.listing(report, top, attempt.reportFile())) getLog().info(line);
    }

    private void logProgress(RunProgress p) {
        getLog().info("discover: still running after " + ReportText.seconds(p.elapsedMillis()) + ": "
                + ReportText.counts(new Counts(p.matchedCount(), p.matchedBytes())) + " matched so far, "
                + HtmlReport.bytes(p.liveBytes()) + " live in the measured run");
    }
}
