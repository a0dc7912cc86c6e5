package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.report.ReportText;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The regression gate: runs every {@code <fixture>} under the shim, writes a report per fixture, prints a
 * summary table, and fails the build when any fixture is not CLEAN (LEAKED, NO_MATCH, INCOMPLETE, FIXTURE_FAILED,
 * CRASHED, TIMED_OUT). The whole configuration is checked before the first fixture starts.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class CheckMojo extends AbstractFixtureMojo {
    /**
     * The fixtures to run, each a {@code <fixture>} with a {@code <script>} or a {@code <call>}, optional
     * {@code <args>} and {@code <name>}, and any of {@code patterns}, {@code ignore}, {@code warmup},
     * {@code runs}, {@code maxLeaks}, {@code maxLeakedBytes}, {@code requireMatch}, {@code timeoutSeconds}, {@code python},
     * {@code environment}, {@code workingDirectory} to override the plugin-level value for that fixture.
     */
    @Parameter
    List<Fixture> fixtures = new ArrayList<>();

    /**
     * The stack patterns that select the allocations to watch, e.g.
     * {@code *npy_alloc_cache*|default_malloc ... array_boolean_subscript}. An allocation is tracked when it
     * matches any of them (and no {@code ignore} pattern). Empty: every allocation is tracked.
     */
    @Parameter
    List<String> patterns = new ArrayList<>();

    /**
     * How many measured runs follow the warm-ups (1 to 100). After each, the runner collects garbage and takes that
     * run's checkpoint; with more than one, a fixture is LEAKED only when every run leaked more than
     * {@code maxLeaks} / {@code maxLeakedBytes} (the allowances apply per run): a cache filled once is not a leak,
     * a leak that repeats is. A script is executed again as {@code __main__} in the same process for each run.
     */
    @Parameter(property = "nonativeleak.runs", defaultValue = "1")
    int runs = 1;

    /** How many leaked allocations a fixture may leave live at the checkpoint (per measured run) and still be CLEAN. */
    @Parameter(defaultValue = "0")
    long maxLeaks;

    /** How many leaked bytes a fixture may leave live at the checkpoint and still be CLEAN. */
    @Parameter(defaultValue = "0")
    long maxLeakedBytes;

    /**
     * Whether a fixture whose measured run made no matching allocation at all fails as NO_MATCH: the gate
     * would be watching nothing (a misspelt name, a stripped library, an inlined function).
     */
    @Parameter(defaultValue = "true")
    boolean requireMatch;

    /**
     * Whether a fixture that is not CLEAN fails the build. When false, the outcomes are logged as warnings
     * and the build goes on. A broken configuration fails the build either way.
     */
    @Parameter(property = "nonativeleak.failOnLeak", defaultValue = "true")
    boolean failOnLeak;

    /** How many leak sites (with both stacks) are printed for each failing fixture; the report has them all. */
    @Parameter(property = "nonativeleak.top", defaultValue = "5")
    int top;

    /** Skips the check together with the tests ({@code -DskipTests}). */
    @Parameter(property = "skipTests", defaultValue = "false")
    boolean skipTests;

    /** Skips the check together with the tests ({@code -Dmaven.test.skip}). */
    @Parameter(property = "maven.test.skip", defaultValue = "false")
    boolean mavenTestSkip;

    @Override
    String skipReason() {
        if (skip) return "nonativeleak.skip is set";
        if (skipTests) return "skipTests is set";
        if (mavenTestSkip) return "maven.test.skip is set";
        return null;
    }

    @Override
    void executeGoal() throws MojoExecutionException, MojoFailureException {
        Log log = getLog();
        if (fixtures == null || fixtures.isEmpty()) {
            log.warn("No <fixtures> configured: nothing to check");
            return;
        }
        List<PlannedRun> planned = plan();
        List<FixtureLauncher> launchers = Preflight.prepareAll(planned, reportDirectory.toPath(), "reportDirectory (nonativeleak.reportDirectory)");
        List<FixtureRunner.Finished> finished = FixtureRunner.runAll(launchers, log);

        log.info("NoNativeLeak summary (reports in " + reportDirectory + "):");
        for (String line : SummaryTable.render(finished)) log.info("  " + line);

        List<FixtureRunner.Finished> failing = finished.stream().filter(FixtureRunner.Finished::failsGate).collect(Collectors.toList());
        for (FixtureRunner.Finished run : failing) {
            if (run.result() == null) continue;
            String text = "Fixture " + run.label() + " is " + ReportText.summary(run.result().report(), top, run.result().reportFile());
            for (String line : text.split("\n")) {
                if (failOnLeak) log.error(line);
                else log.warn(line);
            }
        }
        List<FixtureRunner.Finished> broken = failing.stream().filter(r -> r.result() == null).collect(Collectors.toList());
        if (!broken.isEmpty()) {
            throw new MojoExecutionException(broken.size() + " of " + finished.size() + " fixtures could not run: "
                    + broken.stream().map(r -> r.label() + " (" + r.error() + ")").collect(Collectors.joining("; ")));
        }
        if (failing.isEmpty()) {
            log.info("All " + finished.size() + " fixtures CLEAN");
            return;
        }
        String message = failing.size() + " of " + finished.size() + " fixtures not CLEAN: "
                + failing.stream().map(r -> r.label() + " (" + r.outcomeText() + ")").collect(Collectors.joining(", "))
                + "; reports in " + reportDirectory;
        if (failOnLeak) throw new MojoFailureException(message);
        log.warn(message + " (nonativeleak.failOnLeak=false: the build goes on)");
    }

    private List<PlannedRun> plan() throws MojoExecutionException {
        List<PlannedRun> planned = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < fixtures.size(); i++) {
            Fixture f = fixtures.get(i);
            String at = "fixtures[" + (i + 1) + "]";
            String script = blankToNull(f.getScript());
            String call = blankToNull(f.getCall());
            if ((script == null) == (call == null)) {
                problems.add(at + ": give exactly one of <script> and <call>" + (script != null ? " (both are set)" : " (neither is set)"));
                continue;
            }
            FixtureSpec.Builder b = baseSpec(script != null ? script : call, call != null)
                    .args(nonNull(f.getArgs()))
                    .patterns(nonNull(f.getPatterns() != null ? f.getPatterns() : patterns))
                    .runs(f.getRuns() != null ? f.getRuns() : runs)
                    .maxLeaks(f.getMaxLeaks() != null ? f.getMaxLeaks() : maxLeaks)
                    .maxLeakedBytes(f.getMaxLeakedBytes() != null ? f.getMaxLeakedBytes() : maxLeakedBytes)
                    .requireMatch(f.getRequireMatch() != null ? f.getRequireMatch() : requireMatch);
            if (f.getIgnore() != null) b.ignore(nonNull(f.getIgnore()));
            if (f.getWarmup() != null) b.warmup(f.getWarmup());
            if (f.getTimeoutSeconds() != null) b.timeoutSeconds(f.getTimeoutSeconds());
            if (blankToNull(f.getPython()) != null) b.python(blankToNull(f.getPython()));
            if (f.getEnvironment() != null) b.environment(nonNull(f.getEnvironment()));
            if (f.getWorkingDirectory() != null) b.workingDirectory(f.getWorkingDirectory().toPath());
            if (blankToNull(f.getName()) != null) b.name(f.getName().strip());
            FixtureSpec spec = b.build();
            String label = at + " (" + spec.name() + ")";
            planned.add(new PlannedRun(label, spec,
                    label + (script != null ? ".script" : ".call"),
                    f.getPatterns() != null ? label + ".patterns" : "patterns",
                    f.getIgnore() != null ? label + ".ignore" : "ignore",
                    blankToNull(f.getPython()) != null ? label + ".python" : pythonParameter()));
        }
        if (!problems.isEmpty()) {
            throw new MojoExecutionException("NoNativeLeak configuration is invalid; no fixture was run:\n  - " + String.join("\n  - ", problems));
        }
        return planned;
    }
}
