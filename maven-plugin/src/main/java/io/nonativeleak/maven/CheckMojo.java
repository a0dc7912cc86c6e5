package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.GateSettings;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The regression gate: runs every {@code <fixture>} under the shim, writes a report per fixture, prints a
 * summary table and a test report in Surefire's format, and fails the build when any fixture is not CLEAN
 * (LEAKED, NO_MATCH, INCOMPLETE, FIXTURE_FAILED, CRASHED, TIMED_OUT), or with a baseline when it leaks at a
 * site not in the baseline or beyond it. The whole configuration is checked before the first fixture starts.
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
    @Parameter(property = "nonativeleak.runs", defaultValue = "" + GateSettings.DEFAULT_RUNS)
    int runs = GateSettings.DEFAULT_RUNS;

    /** How many leaked allocations a fixture may leave live at the checkpoint (per measured run) and still be CLEAN. */
    @Parameter(defaultValue = "" + GateSettings.DEFAULT_MAX_LEAKS)
    long maxLeaks;

    /** How many leaked bytes a fixture may leave live at the checkpoint and still be CLEAN. */
    @Parameter(defaultValue = "" + GateSettings.DEFAULT_MAX_LEAKED_BYTES)
    long maxLeakedBytes;

    /**
     * Whether a fixture whose measured run made no matching allocation at all fails as NO_MATCH: the gate
     * would be watching nothing (a misspelt name, a stripped library, an inlined function).
     */
    @Parameter(defaultValue = "" + GateSettings.DEFAULT_REQUIRE_MATCH)
    boolean requireMatch;

    /**
     * Whether a fixture that is not CLEAN fails the build. When false, the outcomes are logged as warnings
     * and the build goes on. A broken configuration fails the build either way.
     */
    @Parameter(property = "nonativeleak.failOnLeak", defaultValue = "true")
    boolean failOnLeak;

    /** check prints the sites of every failing fixture, so fewer than discover's {@value DiscoverMojo#DEFAULT_TOP} for one. */
    static final int DEFAULT_TOP = 5;

    /**
     * How many leak sites (with both stacks) are printed for each failing fixture, default {@value #DEFAULT_TOP};
     * the report has them all. The same property sets discover's, whose default is {@value DiscoverMojo#DEFAULT_TOP}.
     */
    @Parameter(property = "nonativeleak.top", defaultValue = "" + DEFAULT_TOP)
    int top;

    /** Skips the check together with the tests ({@code -DskipTests}). */
    @Parameter(property = "skipTests", defaultValue = "false")
    boolean skipTests;

    /** Skips the check together with the tests ({@code -Dmaven.test.skip}). */
    @Parameter(property = "maven.test.skip", defaultValue = "false")
    boolean mavenTestSkip;

    /**
     * A baseline of known leak sites ({@code nonativeleak-baseline.json}, written by the {@code baseline} goal). With
     * it, a LEAKED fixture fails only at sites not in the baseline or grown beyond it; the log lists the sites it
     * tolerated and the entries that no longer occur. Unset: every leak fails.
     */
    @Parameter(property = "nonativeleak.baseline")
    File baseline;

    /**
     * A second directory for the test report {@code TEST-nonativeleak.<execution id>.xml} (it is always written into
     * the report directory), e.g. {@code ${project.build.directory}/surefire-reports} where a CI job already
     * collects Surefire's reports. Unset: the report directory only.
     */
    @Parameter(property = "nonativeleak.testReportDirectory")
    File testReportDirectory;

    /** The environment the CI outputs are chosen by (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY, GITLAB_CI, ...); tests set their own. */
    Map<String, String> ciEnvironment = System.getenv();

    /** Where workflow commands go: the job's standard output, at the start of a line (not through Maven's log); tests keep them. */
    Consumer<String> workflowCommands = System.out::println;

    /** This execution, for the test report's name. */
    @Parameter(defaultValue = "${mojoExecution}", readonly = true)
    MojoExecution mojoExecution;

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
        Baseline known = readBaseline();
        List<FixtureLauncher> launchers = Preflight.prepareAll(planned, reportDirectory.toPath(), "reportDirectory (nonativeleak.reportDirectory)");
        List<RunAttempt> attempts = RunAttempt.inTurn(launchers, log);
        List<Verdict> verdicts = attempts.stream().map(run -> Verdict.of(run, known)).collect(Collectors.toList());

        log.info("NoNativeLeak summary (reports in " + reportDirectory + "):");
        for (String line : SummaryTable.render(verdicts)) log.info("  " + line);
        writeTestReport(verdicts);
        writeCiReports(verdicts);
        if (known != null) logBaseline(known, verdicts);

        List<Verdict> failing = verdicts.stream().filter(v -> !v.passes()).collect(Collectors.toList());
        for (Verdict v : failing) {
            if (v.run().report() == null) continue;
            String text = "Fixture " + v.run().label() + " is " + v.consoleText(top);
            for (String line : text.split("\n")) {
                if (failOnLeak) log.error(line);
                else log.warn(line);
            }
        }
        List<Verdict> broken = failing.stream().filter(v -> v.run().report() == null).collect(Collectors.toList());
        if (!broken.isEmpty()) {
            throw new MojoExecutionException(broken.size() + " of " + attempts.size() + " fixtures could not run: "
                    + broken.stream().map(v -> v.run().label() + " (" + v.run().error() + ")").collect(Collectors.joining("; ")));
        }
        if (failing.isEmpty()) {
            long baselined = verdicts.stream().filter(v -> v.report().outcome().failsGate()).count();
            log.info("All " + attempts.size() + " fixtures CLEAN" + (baselined == 0 ? "" : " or leaking only at sites the baseline tolerates (" + baselined + ")"));
            return;
        }
        String message = failing.size() + " of " + attempts.size() + " fixtures not CLEAN: "
                + failing.stream().map(v -> v.run().label() + " (" + v.outcomeText() + ")").collect(Collectors.joining(", "))
                + "; reports in " + reportDirectory;
        if (failOnLeak) throw new MojoFailureException(message);
        log.warn(message + " (nonativeleak.failOnLeak=false: the build goes on)");
    }

    /** The baseline given, read before anything runs; null without one. */
    private Baseline readBaseline() throws MojoExecutionException {
        if (baseline == null) return null;
        Path file = baseline.toPath();
        if (!Files.isRegularFile(file)) {
            throw new MojoExecutionException("baseline (nonativeleak.baseline): no baseline file " + file
                    + "; write one with mvn nonativeleak:baseline. No fixture was run.");
        }
        try {
            return Baseline.read(file);
        } catch (IOException e) {
            throw new MojoExecutionException("baseline (nonativeleak.baseline): cannot read " + file + ": " + e.getMessage() + ". No fixture was run.", e);
        }
    }

    /** The known sites this check tolerated, and the baseline entries that no longer occur. */
    private void logBaseline(Baseline known, List<Verdict> verdicts) {
        Log log = getLog();
        List<Baseline.Entry> tolerated = verdicts.stream().flatMap(v -> v.tolerated().stream()).toList();
        Set<Baseline.Key> seen = new HashSet<>();
        for (Verdict v : verdicts) {
            for (Baseline.Entry e : v.tolerated()) seen.add(e.key());
            for (Verdict.Beyond b : v.beyond()) seen.add(b.site().key());
        }
        List<Baseline.Entry> stale = known.sites().stream().filter(e -> !seen.contains(e.key())).toList();
        log.info("Baseline " + baseline + ": " + tolerated.size() + " known leak " + (tolerated.size() == 1 ? "site" : "sites") + " tolerated, "
                + stale.size() + " stale " + (stale.size() == 1 ? "entry" : "entries"));
        for (Baseline.Entry e : tolerated) log.info("  tolerated: " + e.describe());
        for (Baseline.Entry e : stale) log.warn("  stale baseline entry (no longer occurs; mvn nonativeleak:baseline rewrites the file): " + e.describe());
    }

    /** The Surefire-format test report, into the report directory and testReportDirectory. */
    private void writeTestReport(List<Verdict> verdicts) throws MojoExecutionException {
        List<Path> directories = new ArrayList<>(List.of(reportDirectory.toPath()));
        if (testReportDirectory != null) directories.add(testReportDirectory.toPath());
        try {
            for (Path file : JUnitXmlReport.write(verdicts, executionId(), top, directories)) getLog().info("Test report: " + file);
        } catch (IOException e) {
            throw new MojoExecutionException("testReportDirectory (nonativeleak.testReportDirectory): cannot write the test report: " + e.getMessage(), e);
        }
    }

    /** Annotations, the job summary and the Code Quality report, as the CI system the build runs in reads them. */
    private void writeCiReports(List<Verdict> verdicts) throws MojoExecutionException {
        try {
            for (String done : CiReports.emit(verdicts, ciEnvironment, baseDirectory.toPath(), reportDirectory.toPath(), workflowCommands)) {
                getLog().info("CI: wrote " + done);
            }
        } catch (IOException e) {
            throw new MojoExecutionException("cannot write the CI reports: " + e.getMessage(), e);
        }
    }

    /** The execution's id ({@code default} for an unnamed execution, {@code default-cli} on the command line). */
    String executionId() {
        return mojoExecution != null && mojoExecution.getExecutionId() != null ? mojoExecution.getExecutionId() : "default";
    }

    /** The goal's settings: those every fixture goal shares, and check's own. */
    @Override
    GateSettings settings() {
        return super.settings()
                .withPatterns(nonNull(patterns))
                .withRuns(runs)
                .withMaxLeaks(maxLeaks)
                .withMaxLeakedBytes(maxLeakedBytes)
                .withRequireMatch(requireMatch);
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
            FixtureSpec.Builder b = spec(script != null ? script : call, call != null, settings().overriddenBy(f.settings()))
                    .args(nonNull(f.getArgs()));
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
