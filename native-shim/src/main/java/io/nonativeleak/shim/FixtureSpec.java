package io.nonativeleak.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One fixture run, fully described: what to run, how to judge it, and where to put the report.
 * Build it with {@link #script(String)} or {@link #callable(String)}; {@link FixtureLauncher} checks it
 * before anything starts.
 */
public final class FixtureSpec {
    /** A Python script run as {@code __main__}, or a callable {@code package.module:function}. */
    public enum Kind { SCRIPT, CALLABLE }

    static final Pattern CALLABLE_TARGET = Pattern.compile("[A-Za-z_][\\w]*(\\.[A-Za-z_][\\w]*)*:[A-Za-z_][\\w]*(\\.[A-Za-z_][\\w]*)*");

    private final Kind kind;
    private final String target;
    private final List<String> args;
    private final List<String> patterns;
    private final List<String> ignore;
    private final int warmup;
    private final int runs;
    private final long maxLeaks;
    private final long maxLeakedBytes;
    private final boolean requireMatch;
    private final long timeoutSeconds;
    private final long sampleBytes;
    private final String python;
    private final Map<String, String> environment;
    private final Path baseDirectory;
    private final Path workingDirectory;
    private final byte[] stdin;
    private final Path stdinFile;
    private final Path reportDirectory;
    private final String name;

    private FixtureSpec(Builder b) {
        kind = b.kind;
        target = b.target;
        args = List.copyOf(b.args);
        patterns = List.copyOf(b.patterns);
        ignore = List.copyOf(b.ignore);
        warmup = b.warmup;
        runs = b.runs;
        maxLeaks = b.maxLeaks;
        maxLeakedBytes = b.maxLeakedBytes;
        requireMatch = b.requireMatch;
        timeoutSeconds = b.timeoutSeconds;
        sampleBytes = b.sampleBytes;
        python = b.python;
        environment = new LinkedHashMap<>(b.environment);
        baseDirectory = b.baseDirectory;
        workingDirectory = b.workingDirectory != null ? b.workingDirectory : b.baseDirectory;
        stdin = b.stdin;
        stdinFile = b.stdinFile;
        reportDirectory = b.reportDirectory;
        name = b.name != null ? b.name : defaultName(b.target);
    }

    private static String defaultName(String target) {
        String last = target.replaceAll(".*[/:]", "");
        return last.endsWith(".py") ? last.substring(0, last.length() - 3) : last;
    }

    public static Builder script(String path) {
        return new Builder(Kind.SCRIPT, path);
    }

    public static Builder callable(String target) {
        return new Builder(Kind.CALLABLE, target);
    }

    public Builder toBuilder() {
        Builder b = new Builder(kind, target);
        b.args.addAll(args);
        b.patterns.addAll(patterns);
        b.ignore.addAll(ignore);
        b.warmup = warmup;
        b.runs = runs;
        b.maxLeaks = maxLeaks;
        b.maxLeakedBytes = maxLeakedBytes;
        b.requireMatch = requireMatch;
        b.timeoutSeconds = timeoutSeconds;
        b.sampleBytes = sampleBytes;
        b.python = python;
        b.environment.putAll(environment);
        b.baseDirectory = baseDirectory;
        b.workingDirectory = workingDirectory;
        b.stdin = stdin;
        b.stdinFile = stdinFile;
        b.reportDirectory = reportDirectory;
        b.name = name;
        return b;
    }

    public Kind kind() { return kind; }
    public String target() { return target; }
    public List<String> args() { return args; }
    public List<String> patterns() { return patterns; }
    public List<String> ignore() { return ignore; }
    public int warmup() { return warmup; }
    /** How many measured runs follow the warm-ups; the fixture leaks only when every one of them leaks. */
    public int runs() { return runs; }
    public long maxLeaks() { return maxLeaks; }
    public long maxLeakedBytes() { return maxLeakedBytes; }
    public boolean requireMatch() { return requireMatch; }
    public long timeoutSeconds() { return timeoutSeconds; }
    /** Mean bytes between tracked allocations when sampling (discover only); 0: every matching allocation. */
    public long sampleBytes() { return sampleBytes; }
    public String python() { return python; }
    /** Variables added to (or, mapped to null, removed from) the inherited environment. */
    public Map<String, String> environment() { return environment; }
    public Path baseDirectory() { return baseDirectory; }
    public Path workingDirectory() { return workingDirectory; }
    public byte[] stdin() { return stdin; }
    public Path stdinFile() { return stdinFile; }
    public Path reportDirectory() { return reportDirectory; }
    public String name() { return name; }

    /** The script's path, resolved against the base directory. */
    public Path scriptPath() {
        return baseDirectory.resolve(target).normalize();
    }

    /** Builds a {@link FixtureSpec}; defaults are those of docs/maven.md. */
    public static final class Builder {
        private final Kind kind;
        private final String target;
        private final List<String> args = new ArrayList<>();
        private final List<String> patterns = new ArrayList<>();
        private final List<String> ignore = new ArrayList<>();
        private int warmup = 0;
        private int runs = 1;
        private long maxLeaks = 0;
        private long maxLeakedBytes = 0;
        private boolean requireMatch = true;
        private long timeoutSeconds = 600;
        private long sampleBytes = 0;
        private String python;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path baseDirectory = Path.of("").toAbsolutePath();
        private Path workingDirectory;
        private byte[] stdin;
        private Path stdinFile;
        private Path reportDirectory = Path.of("target", "nonativeleak").toAbsolutePath();
        private String name;

        private Builder(Kind kind, String target) {
            this.kind = kind;
            this.target = Objects.requireNonNull(target, "target");
        }

        public Builder args(List<String> values) { args.clear(); args.addAll(values); return this; }
        public Builder args(String... values) { return args(Arrays.asList(values)); }
        public Builder patterns(List<String> values) { patterns.clear(); patterns.addAll(values); return this; }
        public Builder ignore(List<String> values) { ignore.clear(); ignore.addAll(values); return this; }
        public Builder warmup(int value) { warmup = value; return this; }
        public Builder runs(int value) { runs = value; return this; }
        public Builder maxLeaks(long value) { maxLeaks = value; return this; }
        public Builder maxLeakedBytes(long value) { maxLeakedBytes = value; return this; }
        public Builder requireMatch(boolean value) { requireMatch = value; return this; }
        public Builder timeoutSeconds(long value) { timeoutSeconds = value; return this; }
        public Builder sampleBytes(long value) { sampleBytes = value; return this; }
        public Builder python(String value) { python = value; return this; }
        public Builder environment(String key, String value) { environment.put(key, value); return this; }
        public Builder environment(Map<String, String> values) { environment.putAll(values); return this; }
        public Builder baseDirectory(Path value) { baseDirectory = value.toAbsolutePath().normalize(); return this; }
        public Builder workingDirectory(Path value) { workingDirectory = value == null ? null : value.toAbsolutePath().normalize(); return this; }
        public Builder stdin(String text) { stdin = text.getBytes(StandardCharsets.UTF_8); stdinFile = null; return this; }
        public Builder stdin(Path file) { stdinFile = file; stdin = null; return this; }
        public Builder reportDirectory(Path value) { reportDirectory = value.toAbsolutePath().normalize(); return this; }
        public Builder name(String value) { name = value; return this; }

        public FixtureSpec build() {
            return new FixtureSpec(this);
        }
    }
}
