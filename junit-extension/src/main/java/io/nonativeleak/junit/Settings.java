package io.nonativeleak.junit;

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
 * their defaults filled from the {@code nonativeleak.*} configuration parameters.
 */
record Settings(
        List<String> patterns,
        List<String> ignore,
        String python,
        int warmup,
        int runs,
        long maxLeaks,
        long maxLeakedBytes,
        boolean requireMatch,
        long timeoutSeconds,
        Path baseDirectory,
        Path reportDirectory) {

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

    static Settings of(ExtensionContext context) {
        NoNativeLeak gate = nearest(context).orElse(null);
        Path base = moduleDirectory();
        return new Settings(
                gate != null && gate.patterns().length > 0 ? List.of(gate.patterns()) : list(context, PATTERNS),
                gate != null && gate.ignore().length > 0 ? List.of(gate.ignore()) : list(context, IGNORE),
                gate != null && !gate.python().isBlank() ? gate.python() : context.getConfigurationParameter(PYTHON).orElse(null),
                gate != null && gate.warmup() != 0 ? gate.warmup() : number(context, WARMUP, Integer::parseInt, 0),
                gate != null && gate.runs() != 1 ? gate.runs() : number(context, RUNS, Integer::parseInt, 1),
                gate != null && gate.maxLeaks() != 0 ? gate.maxLeaks() : number(context, MAX_LEAKS, Long::parseLong, 0L),
                gate != null && gate.maxLeakedBytes() != 0 ? gate.maxLeakedBytes() : number(context, MAX_LEAKED_BYTES, Long::parseLong, 0L),
                gate != null && !gate.requireMatch() ? false : bool(context, REQUIRE_MATCH, true),
                gate != null && gate.timeoutSeconds() != 600 ? gate.timeoutSeconds() : number(context, TIMEOUT_SECONDS, Long::parseLong, 600L),
                base,
                context.getConfigurationParameter(REPORT_DIRECTORY).filter(s -> !s.isBlank())
                        .map(s -> base.resolve(s.strip()).normalize())
                        .orElse(base.resolve("target").resolve("nonativeleak")));
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

    private static List<String> list(ExtensionContext context, String key) {
        return context.getConfigurationParameter(key)
                .map(value -> Arrays.stream(value.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    private static <T> T number(ExtensionContext context, String key, Function<String, T> parser, T fallback) {
        Optional<String> value = context.getConfigurationParameter(key).map(String::strip).filter(s -> !s.isEmpty());
        if (value.isEmpty()) return fallback;
        try {
            return parser.apply(value.get());
        } catch (NumberFormatException e) {
            throw new NoNativeLeakException("configuration parameter " + key + "=" + value.get() + " is not a whole number");
        }
    }

    private static boolean bool(ExtensionContext context, String key, boolean fallback) {
        Optional<String> value = context.getConfigurationParameter(key).map(String::strip).filter(s -> !s.isEmpty());
        if (value.isEmpty()) return fallback;
        if (value.get().equalsIgnoreCase("true")) return true;
        if (value.get().equalsIgnoreCase("false")) return false;
        throw new NoNativeLeakException("configuration parameter " + key + "=" + value.get() + " is neither true nor false");
    }
}
