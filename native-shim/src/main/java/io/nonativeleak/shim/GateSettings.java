package io.nonativeleak.shim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings that say how a fixture is run and judged, in one place for every front end: the JUnit
 * annotation and the Maven parameters map their own inputs onto it and nothing else. Immutable; a setting
 * never given is unset, and reads as its default ({@code DEFAULT_*}). {@link #overriddenBy} layers one set on
 * another (a {@code <fixture>} over the goal's parameters, a {@code PythonFixture.with...} over the annotation).
 * How each setting is written by users: docs/getting-started.md.
 */
public final class GateSettings {
    public static final int DEFAULT_WARMUP = 0;
    public static final int DEFAULT_RUNS = 1;
    public static final long DEFAULT_MAX_LEAKS = 0;
    public static final long DEFAULT_MAX_LEAKED_BYTES = 0;
    public static final boolean DEFAULT_REQUIRE_MATCH = true;
    public static final long DEFAULT_TIMEOUT_SECONDS = 600;
    public static final long DEFAULT_SAMPLE_BYTES = 0;
    /** Where reports go, relative to the base directory (the Maven module): beside the Maven plugin's. */
    public static final String DEFAULT_REPORT_DIRECTORY = "target/nonativeleak";
    /** Measured runs a fixture may have: the shim keeps each run's counts in its data file (NNL_MAX_RUNS). */
    public static final int MAX_RUNS = 100;

    /** What a {@link Problem} is about: a setting, or the two things a {@link FixtureSpec} adds (its target, its standard input). */
    public enum Field {
        TARGET, STDIN,
        PATTERNS, IGNORE, PYTHON, WARMUP, RUNS, MAX_LEAKS, MAX_LEAKED_BYTES, REQUIRE_MATCH, TIMEOUT_SECONDS, SAMPLE_BYTES,
        ENVIRONMENT, WORKING_DIRECTORY, REPORT_DIRECTORY
    }

    /**
     * Something that would stop a run, with the field at fault so that each front end can name its own parameter.
     *
     * @param field the field at fault; null when it is none of them (the shim cannot load)
     * @param index for {@code PATTERNS} and {@code IGNORE}, which pattern (from 0); else 0
     * @param error what a run would throw, with the message users see
     */
    public record Problem(Field field, int index, NoNativeLeakException error) {
        public String message() {
            return error.getMessage();
        }
    }

    private static final GateSettings UNSET = new GateSettings();

    private List<String> patterns;
    private List<String> ignore;
    private String python;
    private Integer warmup;
    private Integer runs;
    private Long maxLeaks;
    private Long maxLeakedBytes;
    private Boolean requireMatch;
    private Long timeoutSeconds;
    private Long sampleBytes;
    private Map<String, String> environment = Map.of();
    private Path workingDirectory;
    private Path reportDirectory;

    private GateSettings() {}

    /** Nothing set: every setting reads as its default. */
    public static GateSettings defaults() {
        return UNSET;
    }

    /** These settings, with every one that {@code other} sets taken from it; environments merge ({@code other}'s win). */
    public GateSettings overriddenBy(GateSettings other) {
        GateSettings s = new GateSettings();
        s.patterns = either(other.patterns, patterns);
        s.ignore = either(other.ignore, ignore);
        s.python = either(other.python, python);
        s.warmup = either(other.warmup, warmup);
        s.runs = either(other.runs, runs);
        s.maxLeaks = either(other.maxLeaks, maxLeaks);
        s.maxLeakedBytes = either(other.maxLeakedBytes, maxLeakedBytes);
        s.requireMatch = either(other.requireMatch, requireMatch);
        s.timeoutSeconds = either(other.timeoutSeconds, timeoutSeconds);
        s.sampleBytes = either(other.sampleBytes, sampleBytes);
        s.environment = other.environment.isEmpty() ? environment : merged(environment, other.environment);
        s.workingDirectory = either(other.workingDirectory, workingDirectory);
        s.reportDirectory = either(other.reportDirectory, reportDirectory);
        return s;
    }

    private static <T> T either(T set, T fallback) {
        return set != null ? set : fallback;
    }

    /** The settings' own problems (those that need no file, interpreter or shim), in a fixed order. */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (warmup() < 0) out.add(problem(Field.WARMUP, "warmup must be 0 or more, not " + warmup()));
        if (runs() < 1 || runs() > MAX_RUNS) out.add(problem(Field.RUNS, "runs must be from 1 to " + MAX_RUNS + ", not " + runs()));
        if (maxLeaks() < 0) out.add(problem(Field.MAX_LEAKS, "maxLeaks must be 0 or more, not " + maxLeaks()));
        if (maxLeakedBytes() < 0) out.add(problem(Field.MAX_LEAKED_BYTES, "maxLeakedBytes must be 0 or more, not " + maxLeakedBytes()));
        if (sampleBytes() < 0) out.add(problem(Field.SAMPLE_BYTES, "sampleBytes must be 0 (no sampling) or more, not " + sampleBytes()));
        if (timeoutSeconds() <= 0) out.add(problem(Field.TIMEOUT_SECONDS, "timeoutSeconds must be positive, not " + timeoutSeconds()));
        return out;
    }

    private static Problem problem(Field field, String message) {
        return new Problem(field, 0, new NoNativeLeakException(message));
    }

    /** Stack patterns: an allocation is tracked when its C stack matches any (none: every allocation). */
    public List<String> patterns() { return patterns != null ? patterns : List.of(); }
    /** Patterns of allocations never tracked, even when they match {@link #patterns()}. */
    public List<String> ignore() { return ignore != null ? ignore : List.of(); }
    /** The interpreter as the user gave it; null: {@link PythonInterpreter#resolve} falls back. */
    public String python() { return python; }
    public int warmup() { return warmup != null ? warmup : DEFAULT_WARMUP; }
    /** How many measured runs follow the warm-ups; the fixture leaks only when every one of them leaks. */
    public int runs() { return runs != null ? runs : DEFAULT_RUNS; }
    public long maxLeaks() { return maxLeaks != null ? maxLeaks : DEFAULT_MAX_LEAKS; }
    public long maxLeakedBytes() { return maxLeakedBytes != null ? maxLeakedBytes : DEFAULT_MAX_LEAKED_BYTES; }
    public boolean requireMatch() { return requireMatch != null ? requireMatch : DEFAULT_REQUIRE_MATCH; }
    public long timeoutSeconds() { return timeoutSeconds != null ? timeoutSeconds : DEFAULT_TIMEOUT_SECONDS; }
    /** Mean bytes between tracked allocations when sampling (discover only); 0: every matching allocation. */
    public long sampleBytes() { return sampleBytes != null ? sampleBytes : DEFAULT_SAMPLE_BYTES; }
    /** Variables added to (or, mapped to null, removed from) the inherited environment. */
    public Map<String, String> environment() { return environment; }
    /** The fixture's working directory, relative to the base directory or absolute; null: the base directory. */
    public Path workingDirectory() { return workingDirectory; }
    /** Where reports go, relative to the base directory or absolute. */
    public Path reportDirectory() { return reportDirectory != null ? reportDirectory : Path.of(DEFAULT_REPORT_DIRECTORY); }

    public GateSettings withPatterns(List<String> value) { GateSettings s = copy(); s.patterns = List.copyOf(value); return s; }
    public GateSettings withIgnore(List<String> value) { GateSettings s = copy(); s.ignore = List.copyOf(value); return s; }
    public GateSettings withPython(String value) { GateSettings s = copy(); s.python = value; return s; }
    public GateSettings withWarmup(int value) { GateSettings s = copy(); s.warmup = value; return s; }
    public GateSettings withRuns(int value) { GateSettings s = copy(); s.runs = value; return s; }
    public GateSettings withMaxLeaks(long value) { GateSettings s = copy(); s.maxLeaks = value; return s; }
    public GateSettings withMaxLeakedBytes(long value) { GateSettings s = copy(); s.maxLeakedBytes = value; return s; }
    public GateSettings withRequireMatch(boolean value) { GateSettings s = copy(); s.requireMatch = value; return s; }
    public GateSettings withTimeoutSeconds(long value) { GateSettings s = copy(); s.timeoutSeconds = value; return s; }
    public GateSettings withSampleBytes(long value) { GateSettings s = copy(); s.sampleBytes = value; return s; }
    /** These settings with the variables added (a null value removes an inherited variable). */
    public GateSettings withEnvironment(Map<String, String> values) { GateSettings s = copy(); s.environment = merged(environment, values); return s; }
    public GateSettings withEnvironment(String name, String value) {
        Map<String, String> one = new LinkedHashMap<>();
        one.put(Objects.requireNonNull(name, "name"), value);
        return withEnvironment(one);
    }
    public GateSettings withWorkingDirectory(Path value) { GateSettings s = copy(); s.workingDirectory = value; return s; }
    public GateSettings withReportDirectory(Path value) { GateSettings s = copy(); s.reportDirectory = value; return s; }

    private GateSettings copy() {
        return overriddenBy(UNSET);
    }

    /** A map that keeps nulls (a null removes a variable), so not Map.copyOf. */
    private static Map<String, String> merged(Map<String, String> base, Map<String, String> over) {
        Map<String, String> out = new LinkedHashMap<>(base);
        out.putAll(over);
        return Collections.unmodifiableMap(out);
    }
}
