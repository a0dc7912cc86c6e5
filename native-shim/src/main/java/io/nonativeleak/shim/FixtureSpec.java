package io.nonativeleak.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    private final GateSettings settings;
    private final Path baseDirectory;
    private final byte[] stdin;
    private final Path stdinFile;
    private final String name;

    private FixtureSpec(Builder b) {
        kind = b.kind;
        target = b.target;
        args = List.copyOf(b.args);
        settings = b.settings;
        baseDirectory = b.baseDirectory;
        stdin = b.stdin;
        stdinFile = b.stdinFile;
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
        b.settings = settings;
        b.baseDirectory = baseDirectory;
        b.stdin = stdin;
        b.stdinFile = stdinFile;
        b.name = name;
        return b;
    }

    public Kind kind() { return kind; }
    public String target() { return target; }
    public List<String> args() { return args; }
    /** How the fixture is run and judged; the accessors below read from it. */
    public GateSettings settings() { return settings; }
    public List<String> patterns() { return settings.patterns(); }
    public List<String> ignore() { return settings.ignore(); }
    public int warmup() { return settings.warmup(); }
    public int runs() { return settings.runs(); }
    public long maxLeaks() { return settings.maxLeaks(); }
    public long maxLeakedBytes() { return settings.maxLeakedBytes(); }
    public boolean requireMatch() { return settings.requireMatch(); }
    public long timeoutSeconds() { return settings.timeoutSeconds(); }
    public long sampleBytes() { return settings.sampleBytes(); }
    public String python() { return settings.python(); }
    public Map<String, String> environment() { return settings.environment(); }
    public Path baseDirectory() { return baseDirectory; }
    /** The settings' working directory resolved against the base directory (default: the base directory). */
    public Path workingDirectory() {
        return settings.workingDirectory() != null ? baseDirectory.resolve(settings.workingDirectory()).normalize() : baseDirectory;
    }
    public byte[] stdin() { return stdin; }
    public Path stdinFile() { return stdinFile; }
    /** The settings' report directory resolved against the base directory. */
    public Path reportDirectory() { return baseDirectory.resolve(settings.reportDirectory()).normalize(); }
    public String name() { return name; }

    /** The script's path, resolved against the base directory. */
    public Path scriptPath() {
        return baseDirectory.resolve(target).normalize();
    }

    /** Builds a {@link FixtureSpec}; settings left unset take {@link GateSettings}' defaults. */
    public static final class Builder {
        private final Kind kind;
        private final String target;
        private final List<String> args = new ArrayList<>();
        private GateSettings settings = GateSettings.defaults();
        private Path baseDirectory = Path.of("").toAbsolutePath();
        private byte[] stdin;
        private Path stdinFile;
        private String name;

        private Builder(Kind kind, String target) {
            this.kind = kind;
            this.target = Objects.requireNonNull(target, "target");
        }

        public Builder args(List<String> values) { args.clear(); args.addAll(values); return this; }
        public Builder args(String... values) { return args(Arrays.asList(values)); }
        public Builder settings(GateSettings value) { settings = Objects.requireNonNull(value, "settings"); return this; }
        // Shorthands for settings(settings().with...(value)).
        public Builder patterns(List<String> values) { settings = settings.withPatterns(values); return this; }
        public Builder ignore(List<String> values) { settings = settings.withIgnore(values); return this; }
        public Builder warmup(int value) { settings = settings.withWarmup(value); return this; }
        public Builder runs(int value) { settings = settings.withRuns(value); return this; }
        public Builder maxLeaks(long value) { settings = settings.withMaxLeaks(value); return this; }
        public Builder maxLeakedBytes(long value) { settings = settings.withMaxLeakedBytes(value); return this; }
        public Builder requireMatch(boolean value) { settings = settings.withRequireMatch(value); return this; }
        public Builder timeoutSeconds(long value) { settings = settings.withTimeoutSeconds(value); return this; }
        public Builder sampleBytes(long value) { settings = settings.withSampleBytes(value); return this; }
        public Builder python(String value) { settings = settings.withPython(value); return this; }
        public Builder environment(String key, String value) { settings = settings.withEnvironment(key, value); return this; }
        public Builder environment(Map<String, String> values) { settings = settings.withEnvironment(values); return this; }
        public Builder workingDirectory(Path value) { settings = settings.withWorkingDirectory(value); return this; }
        public Builder reportDirectory(Path value) { settings = settings.withReportDirectory(value); return this; }
        public Builder baseDirectory(Path value) { baseDirectory = value.toAbsolutePath().normalize(); return this; }
        public Builder stdin(String text) { stdin = text.getBytes(StandardCharsets.UTF_8); stdinFile = null; return this; }
        public Builder stdin(Path file) { stdinFile = file; stdin = null; return this; }
        public Builder name(String value) { name = value; return this; }

        public FixtureSpec build() {
            return new FixtureSpec(this);
        }
    }
}
