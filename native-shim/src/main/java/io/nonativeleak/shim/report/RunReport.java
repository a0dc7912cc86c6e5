package io.nonativeleak.shim.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

/**
 * The report of one fixture run: the JSON document described in docs/reports.md, one file per run. Its
 * components fall into the sections of {@link Builder}, which is how a report is made:
 *
 * <dl>
 * <dt>what ran, judged how ({@link Builder#ran})</dt>
 * <dd>{@code name} (given to {@link #builder}: the run's name, also the report's file name), {@code fixture},
 *     {@code patterns} (none: every allocation was tracked), {@code ignore}, {@code allowance}</dd>
 * <dt>the verdict ({@link Builder#verdict})</dt>
 * <dd>{@code outcome}, {@code reason} (in one sentence), {@code noMatch} (why the measured run matched nothing, else
 *     {@code null}), {@code incomplete} (the processes whose measured run could not be tracked in full; empty: none)</dd>
 * <dt>how the runner ended ({@link Builder#ending}, {@link Builder#output})</dt>
 * <dd>{@code exitCode} ({@code null} when it died of a signal or was killed), {@code signal} (or {@code null}),
 *     {@code durationMillis} (wall time of the whole process), {@code error} (the fixture's traceback, when it
 *     raised), {@code stdout} and {@code stderr} (the files holding the fixture's output)</dd>
 * <dt>what was counted ({@link Builder#counts})</dt>
 * <dd>{@code matched} (allocations of the measured run, and of judged children, that matched), {@code leaked} (of
 *     those, the ones still live at the checkpoint), {@code runs} (with {@code runs} &gt; 1: each measured run's
 *     matched and leaked counts, which {@code matched} and {@code leaked} sum; {@code null} otherwise),
 *     {@code sampling} (how a sampling discover run sampled, its counts then being estimates; or {@code null})</dd>
 * <dt>where ({@link Builder#sites}, {@link Builder#processes})</dt>
 * <dd>{@code sites} (the leaked allocations grouped by stacks, largest first), {@code processes} (every process
 *     image of the run, the runner first)</dd>
 * <dt>the runner's life ({@link Builder#runner})</dt>
 * <dd>{@code timeline} (matched bytes live and resident bytes), {@code phases} (import, each warm-up, each measured
 *     run, each checkpoint, on the timeline's clock), {@code pythonStacks} (whether Python stacks were
 *     available)</dd>
 * </dl>
 *
 * {@code schemaVersion} is {@link #SCHEMA_VERSION}. The JSON's field order is fixed by the annotation below, not by
 * the order of the components.
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

    /** Starts the report of the run with this name; every section must be given before {@link Builder#build}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A report made section by section (see {@link RunReport}). */
    public static final class Builder {
        private final String name;
        private FixtureDescription fixture;
        private List<String> patterns;
        private List<String> ignore;
        private Allowance allowance;
        private Outcome outcome;
        private String reason;
        private NoMatch noMatch;
        private List<IncompleteProcess> incomplete;
        private Integer exitCode;
        private Integer signal;
        private long durationMillis;
        private String error;
        private String stdout;
        private String stderr;
        private Counts matched;
        private Counts leaked;
        private List<RunCounts> runs;
        private Sampling sampling;
        private List<LeakSite> sites;
        private List<ProcessSummary> processes;
        private List<TimelinePoint> timeline;
        private List<Phase> phases;
        private PythonStacks pythonStacks;

        private Builder(String name) {
            this.name = name;
        }

        /** What ran, and how it was judged. */
        public Builder ran(FixtureDescription fixture, List<String> patterns, List<String> ignore, Allowance allowance) {
            this.fixture = fixture;
            this.patterns = patterns;
            this.ignore = ignore;
            this.allowance = allowance;
            return this;
        }

        public Builder verdict(Outcome outcome, String reason, NoMatch noMatch, List<IncompleteProcess> incomplete) {
            this.outcome = outcome;
            this.reason = reason;
            this.noMatch = noMatch;
            this.incomplete = incomplete;
            return this;
        }

        /** How the runner ended. */
        public Builder ending(Integer exitCode, Integer signal, long durationMillis, String error) {
            this.exitCode = exitCode;
            this.signal = signal;
            this.durationMillis = durationMillis;
            this.error = error;
            return this;
        }

        /** The files holding the fixture's output. */
        public Builder output(String stdout, String stderr) {
            this.stdout = stdout;
            this.stderr = stderr;
            return this;
        }

        public Builder counts(Counts matched, Counts leaked, List<RunCounts> runs, Sampling sampling) {
            this.matched = matched;
            this.leaked = leaked;
            this.runs = runs;
            this.sampling = sampling;
            return this;
        }

        public Builder sites(List<LeakSite> sites) {
            this.sites = sites;
            return this;
        }

        public Builder processes(List<ProcessSummary> processes) {
            this.processes = processes;
            return this;
        }

        /** The runner's life: its memory over time, its phases, and whether its Python stacks could be read. */
        public Builder runner(List<TimelinePoint> timeline, List<Phase> phases, PythonStacks pythonStacks) {
            this.timeline = timeline;
            this.phases = phases;
            this.pythonStacks = pythonStacks;
            return this;
        }

        /** @throws NullPointerException when a section was not given */
        public RunReport build() {
            for (Object section : new Object[] {fixture, outcome, stdout, matched, sites, processes, timeline})
                Objects.requireNonNull(section, "a section of the report was not given");
            return new RunReport(SCHEMA_VERSION, name, fixture, patterns, ignore, allowance, outcome, reason, exitCode,
                    signal, durationMillis, matched, leaked, sites, processes, timeline, pythonStacks, error, stdout,
                    stderr, sampling, noMatch, incomplete, runs, phases);
        }
    }
}
