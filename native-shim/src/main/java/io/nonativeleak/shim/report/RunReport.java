package io.nonativeleak.shim.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The report of one fixture run: the JSON document of docs/reports.md, one file per run.
 *
 * @param schemaVersion  1
 * @param name           the run's name (test method or fixture id); also the report's file name
 * @param fixture        what was run
 * @param patterns       the stack patterns (none: every allocation was tracked)
 * @param ignore         the ignore patterns
 * @param allowance      what the gate allowed
 * @param outcome        the verdict
 * @param reason         the verdict explained in one sentence
 * @param exitCode       the runner's exit code, {@code null} when it died of a signal or was killed
 * @param signal         the signal that ended the runner, or {@code null}
 * @param durationMillis wall time of the whole process
 * @param matched        allocations of the measured run (and judged children) that matched
 * @param leaked         of those, the ones still live at the checkpoint
 * @param sites          the leaked allocations grouped by stacks, largest first
 * @param processes      every process image of the run, the runner first
 * @param timeline       matched bytes live and resident bytes of the runner over its whole life
 * @param pythonStacks   whether Python stacks were available
 * @param error          the fixture's traceback, when it raised
 * @param stdout         the file holding the fixture's standard output
 * @param stderr         the file holding its standard error
 * @param sampling       how a sampling discover run sampled (its counts are then estimates), or {@code null}
 * @param noMatch        when the measured run matched nothing: why (docs/patterns.md, Reading NO_MATCH), else {@code null}
 * @param incomplete     the processes whose measured run could not be tracked in full (empty: none)
 * @param runs           with {@code runs} &gt; 1: each measured run's matched and leaked counts ({@code matched} and
 *                       {@code leaked} sum them); {@code null} otherwise
 * @param phases         the runner's phases on the timeline's clock: import, each warm-up, each measured run, each
 *                       checkpoint
 */
@JsonPropertyOrder({"schemaVersion", "name", "fixture", "patterns", "ignore", "allowance", "outcome", "reason",
    "exitCode", "signal", "durationMillis", "matched", "leaked", "sites", "processes", "timeline", "pythonStacks",
    "error", "stdout", "stderr", "sampling", "noMatch", "incomplete", "runs", "phases"})
public record RunReport(
        int schemaVersion,
        String name,
        FixtureDescription fixture,
        List<String> patterns,
        List<String> ignore,
        Allowance allowance,
        Outcome outcome,
        String reason,
        @JsonInclude(JsonInclude.Include.ALWAYS) Integer exitCode,
        @JsonInclude(JsonInclude.Include.ALWAYS) Integer signal,
        long durationMillis,
        Counts matched,
        Counts leaked,
        List<LeakSite> sites,
        List<ProcessSummary> processes,
        List<TimelinePoint> timeline,
        PythonStacks pythonStacks,
        @JsonInclude(JsonInclude.Include.NON_NULL) String error,
        String stdout,
        String stderr,
        @JsonInclude(JsonInclude.Include.NON_NULL) Sampling sampling,
        @JsonInclude(JsonInclude.Include.NON_NULL) NoMatch noMatch,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<IncompleteProcess> incomplete,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<RunCounts> runs,
        List<Phase> phases) {

    public static final int SCHEMA_VERSION = 1;

    public RunReport withSites(List<LeakSite> replacement) {
        return new RunReport(schemaVersion, name, fixture, patterns, ignore, allowance, outcome, reason, exitCode,
                signal, durationMillis, matched, leaked, replacement, processes, timeline, pythonStacks, error, stdout,
                stderr, sampling, noMatch, incomplete, runs, phases);
    }
}
