package io.nonativeleak.maven;

import io.nonativeleak.shim.GateSettings;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code <fixture>} of the {@code check} goal: a Python script or a callable, its arguments, and the
 * settings in which it differs from the plugin-level ones. Every setting left out is inherited from the
 * goal's parameter of the same name.
 */
public class Fixture {
    /** A Python script run as {@code __main__}; relative paths resolve against the project's base directory. Give this or {@code call}. */
    private String script;

    /** A callable {@code package.module:function} run instead of a script (its package must be importable). Give this or {@code script}. */
    private String call;

    /** Arguments: {@code sys.argv[1:]} for a script, positional string arguments for a callable. */
    private List<String> args = new ArrayList<>();

    /** The fixture's name in the log and the report's file name; defaults to the script's or function's name. */
    private String name;

    /** Stack patterns for this fixture instead of the plugin-level {@code patterns}. */
    private List<String> patterns;

    /** Ignore patterns for this fixture instead of the plugin-level {@code ignore}. */
    private List<String> ignore;

    /** Warm-up runs before the measured run, instead of the plugin-level {@code warmup}. */
    private Integer warmup;

    /** Measured runs (the fixture leaks only when every one leaks), instead of the plugin-level {@code runs}. */
    private Integer runs;

    /** Leaked allocations allowed, instead of the plugin-level {@code maxLeaks}. */
    private Long maxLeaks;

    /** Leaked bytes allowed, instead of the plugin-level {@code maxLeakedBytes}. */
    private Long maxLeakedBytes;

    /** Whether no matching allocation at all fails this fixture (NO_MATCH), instead of the plugin-level {@code requireMatch}. */
    private Boolean requireMatch;

    /** Seconds before this fixture's whole process tree is killed (TIMED_OUT), instead of the plugin-level {@code timeoutSeconds}. */
    private Long timeoutSeconds;

    /** The Python interpreter for this fixture, instead of the plugin-level {@code python}. */
    private String python;

    /** Environment variables added for this fixture, on top of the plugin-level {@code environment}. */
    private Map<String, String> environment = new LinkedHashMap<>();

    /** The fixture's working directory; defaults to the project's base directory. */
    private File workingDirectory;

    /** The settings this fixture sets, to lay over the goal's ({@link GateSettings#overriddenBy}). */
    GateSettings settings() {
        GateSettings s = GateSettings.defaults();
        if (patterns != null) s = s.withPatterns(AbstractFixtureMojo.nonNull(patterns));
        if (ignore != null) s = s.withIgnore(AbstractFixtureMojo.nonNull(ignore));
        if (warmup != null) s = s.withWarmup(warmup);
        if (runs != null) s = s.withRuns(runs);
        if (maxLeaks != null) s = s.withMaxLeaks(maxLeaks);
        if (maxLeakedBytes != null) s = s.withMaxLeakedBytes(maxLeakedBytes);
        if (requireMatch != null) s = s.withRequireMatch(requireMatch);
        if (timeoutSeconds != null) s = s.withTimeoutSeconds(timeoutSeconds);
        if (AbstractFixtureMojo.blankToNull(python) != null) s = s.withPython(AbstractFixtureMojo.blankToNull(python));
        if (environment != null) s = s.withEnvironment(AbstractFixtureMojo.nonNull(environment));
        if (workingDirectory != null) s = s.withWorkingDirectory(workingDirectory.toPath());
        return s;
    }

    public String getScript() { return script; }
    public void setScript(String script) { this.script = script; }
    public String getCall() { return call; }
    public void setCall(String call) { this.call = call; }
    public List<String> getArgs() { return args; }
    public void setArgs(List<String> args) { this.args = args; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public List<String> getPatterns() { return patterns; }
    public void setPatterns(List<String> patterns) { this.patterns = patterns; }
    public List<String> getIgnore() { return ignore; }
    public void setIgnore(List<String> ignore) { this.ignore = ignore; }
    public Integer getWarmup() { return warmup; }
    public void setWarmup(Integer warmup) { this.warmup = warmup; }
    public Integer getRuns() { return runs; }
    public void setRuns(Integer runs) { this.runs = runs; }
    public Long getMaxLeaks() { return maxLeaks; }
    public void setMaxLeaks(Long maxLeaks) { this.maxLeaks = maxLeaks; }
    public Long getMaxLeakedBytes() { return maxLeakedBytes; }
    public void setMaxLeakedBytes(Long maxLeakedBytes) { this.maxLeakedBytes = maxLeakedBytes; }
    public Boolean getRequireMatch() { return requireMatch; }
    public void setRequireMatch(Boolean requireMatch) { this.requireMatch = requireMatch; }
    public Long getTimeoutSeconds() { return timeoutSeconds; }
    public void setTimeoutSeconds(Long timeoutSeconds) { this.timeoutSeconds = timeoutSeconds; }
    public String getPython() { return python; }
    public void setPython(String python) { this.python = python; }
    public Map<String, String> getEnvironment() { return environment; }
    public void setEnvironment(Map<String, String> environment) { this.environment = environment; }
    public File getWorkingDirectory() { return workingDirectory; }
    public void setWorkingDirectory(File workingDirectory) { this.workingDirectory = workingDirectory; }
}
