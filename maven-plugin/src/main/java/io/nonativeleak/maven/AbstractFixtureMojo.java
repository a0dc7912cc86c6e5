package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.GateSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugins.annotations.Parameter;

/** What the goals that run fixtures ({@code check}, {@code discover}) share: interpreter, warm-up, timeout, environment. */
public abstract class AbstractFixtureMojo extends AbstractNoNativeLeakMojo {
    /**
     * The Python interpreter (CPython 3.9 or newer): a path (relative to the project's base directory) or a
     * name looked up on {@code PATH}. When unset: the system property {@code nonativeleak.python}, the
     * environment variable {@code NONATIVELEAK_PYTHON}, then {@code python3} on {@code PATH}.
     */
    @Parameter(property = "nonativeleak.python")
    String python;

    /**
     * How many times each fixture runs before the measured run. Allocations made before and during the
     * warm-up are never judged (caches, JIT-compiled code, lazy initialisation).
     */
    @Parameter(property = "nonativeleak.warmup", defaultValue = "" + GateSettings.DEFAULT_WARMUP)
    int warmup;

    /** Seconds a fixture may run before its whole process tree is killed and it comes out TIMED_OUT. */
    @Parameter(property = "nonativeleak.timeoutSeconds", defaultValue = "" + GateSettings.DEFAULT_TIMEOUT_SECONDS)
    long timeoutSeconds;

    /**
     * Stack patterns of allocations never to track, even when they match a pattern (known, accepted
     * stacks). Same language as {@code patterns}.
     */
    @Parameter
    List<String> ignore = new ArrayList<>();

    /** Environment variables set for the fixtures on top of the environment Maven runs in (an empty element sets an empty value). */
    @Parameter
    Map<String, String> environment = new LinkedHashMap<>();

    /** The settings every goal that runs fixtures shares, from its parameters. */
    GateSettings settings() {
        return GateSettings.defaults()
                .withReportDirectory(reportDirectory.toPath())
                .withPython(blankToNull(python))
                .withWarmup(warmup)
                .withTimeoutSeconds(timeoutSeconds)
                .withIgnore(nonNull(ignore))
                .withEnvironment(nonNull(environment));
    }

    /** A fixture run of this goal: a script or a callable, run and judged with {@code settings}. */
    FixtureSpec.Builder spec(String target, boolean callable, GateSettings settings) {
        FixtureSpec.Builder builder = callable ? FixtureSpec.callable(target) : FixtureSpec.script(target);
        return builder.baseDirectory(baseDirectory.toPath()).settings(settings);
    }

    /** The parameter that chose the interpreter, for error messages. */
    String pythonParameter() {
        return python != null && !python.isBlank() ? "python (nonativeleak.python)"
                : "python (not set: nonativeleak.python, NONATIVELEAK_PYTHON, or python3 on PATH)";
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Maven gives null for an empty element; the pattern parser then says the pattern is empty. */
    static List<String> nonNull(List<String> values) {
        List<String> out = new ArrayList<>();
        if (values != null) for (String v : values) out.add(v == null ? "" : v);
        return out;
    }

    static Map<String, String> nonNull(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        if (values != null) values.forEach((k, v) -> out.put(k, v == null ? "" : v));
        return out;
    }
}
