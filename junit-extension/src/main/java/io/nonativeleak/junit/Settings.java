package io.nonativeleak.junit;

import io.nonativeleak.shim.GateSettings;
import io.nonativeleak.shim.NoNativeLeakException;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The gate settings in force for one extension context: the nearest {@link NoNativeLeak}, with attributes left at
 * their defaults filled from the {@code nonativeleak.*} configuration parameters, and the module's directory that
 * relative paths resolve against.
 */
record Settings(GateSettings gate, Path baseDirectory) {

    static final String PREFIX = "nonativeleak.";
    static final String PATTERNS = PREFIX + "patterns";
    static final String IGNORE = PREFIX + "ignore";
    static final String PYTHON = PREFIX + "python";
    static final String WARMUP = PREFIX + "warmup";
    static final String RUNS = PREFIX + "runs";
    static final String MAX_LEAKS = PREFIX + "maxLeaks";
    static final String MAX_LEAKED_BYTES = PREFIX + "maxLeakedBytes";
    static final String REQUIRE_MATCH = PREFIX + "requireMatch";
    static final String TIMEOUT_SECONDS = PREFIX + "timeoutSeconds";
    static final String REPORT_DIRECTORY = PREFIX + "reportDirectory";

    /** A configuration parameter is read only for an attribute left at its default (so a bad one the annotation overrides is never parsed). */
    static Settings of(ExtensionContext context) {
        NoNativeLeak gate = nearest(context).orElse(null);
        GateSettings s = GateSettings.defaults();
        s = gate != null && gate.patterns().length > 0 ? s.withPatterns(List.of(gate.patterns())) : list(context, PATTERNS).map(s::withPatterns).orElse(s);
        s = gate != null && gate.ignore().length > 0 ? s.withIgnore(List.of(gate.ignore())) : list(context, IGNORE).map(s::withIgnore).orElse(s);
        s = s.withPython(gate != null && !gate.python().isBlank() ? gate.python() : context.getConfigurationParameter(PYTHON).orElse(null));
        s = gate != null && gate.warmup() != GateSettings.DEFAULT_WARMUP ? s.withWarmup(gate.warmup())
                : number(context, WARMUP, Integer::parseInt).map(s::withWarmup).orElse(s);
        s = gate != null && gate.runs() != GateSettings.DEFAULT_RUNS ? s.withRuns(gate.runs())
                : number(context, RUNS, Integer::parseInt).map(s::withRuns).orElse(s);
        s = gate != null && gate.maxLeaks() != GateSettings.DEFAULT_MAX_LEAKS ? s.withMaxLeaks(gate.maxLeaks())
                : number(context, MAX_LEAKS, Long::parseLong).map(s::withMaxLeaks).orElse(s);
        s = gate != null && gate.maxLeakedBytes() != GateSettings.DEFAULT_MAX_LEAKED_BYTES ? s.withMaxLeakedBytes(gate.maxLeakedBytes())
                : number(context, MAX_LEAKED_BYTES, Long::parseLong).map(s::withMaxLeakedBytes).orElse(s);
        s = gate != null && gate.requireMatch() != GateSettings.DEFAULT_REQUIRE_MATCH ? s.withRequireMatch(gate.requireMatch())
                : bool(context, REQUIRE_MATCH).map(s::withRequireMatch).orElse(s);
        s = gate != null && gate.timeoutSeconds() != GateSettings.DEFAULT_TIMEOUT_SECONDS ? s.withTimeoutSeconds(gate.timeoutSeconds())
                : number(context, TIMEOUT_SECONDS, Long::parseLong).map(s::withTimeoutSeconds).orElse(s);
        s = context.getConfigurationParameter(REPORT_DIRECTORY).filter(d -> !d.isBlank())
                .map(d -> Path.of(d.strip())).map(s::withReportDirectory).orElse(s);
        return new Settings(s, moduleDirectory());
    }

    /** The nearest {@link NoNativeLeak}: on the method, its class, then the enclosing classes, directly or as a meta-annotation. */
    static Optional<NoNativeLeak> nearest(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> element = c.getElement();
            if (element.isEmpty()) continue;
            Optional<NoNativeLeak> found = AnnotationSupport.findAnnotation(element.get(), NoNativeLeak.class);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    /** The Maven module's directory: {@code basedir} as Surefire and Failsafe set it, else the working directory. */
    static Path moduleDirectory() {
        String basedir = System.getProperty("basedir");
        return Path.of(basedir != null && !basedir.isBlank() ? basedir : System.getProperty("user.dir")).toAbsolutePath().normalize();
    }

    private static Optional<List<String>> list(ExtensionContext context, String key) {
        return context.getConfigurationParameter(key)
                .map(value -> Arrays.stream(value.split(";")).map(String::strip).filter(p -> !p.isEmpty()).toList());
    }

    private static <T> Optional<T> number(ExtensionContext context, String key, Function<String, T> parser) {
        Optional<String> value = context.getConfigurationParameter(key).map(String::strip).filter(v -> !v.isEmpty());
        if (value.isEmpty()) return Optional.empty();
        try {
            return Optional.of(parser.apply(value.get()));
        } catch (NumberFormatException e) {
            throw new NoNativeLeakException("configuration parameter " + key + "=" + value.get() + " is not a whole number");
        }
    }

    private static Optional<Boolean> bool(ExtensionContext context, String key) {
        Optional<String> value = context.getConfigurationParameter(key).map(String::strip).filter(v -> !v.isEmpty());
        if (value.isEmpty()) return Optional.empty();
        if (value.get().equalsIgnoreCase("true")) return Optional.of(true);
        if (value.get().equalsIgnoreCase("false")) return Optional.of(false);
        throw new NoNativeLeakException("configuration parameter " + key + "=" + value.get() + " is neither true nor false");
    }
}
