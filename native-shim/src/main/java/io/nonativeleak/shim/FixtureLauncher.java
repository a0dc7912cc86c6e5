package io.nonativeleak.shim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nonativeleak.shim.GateSettings.Field;
import io.nonativeleak.shim.GateSettings.Problem;
import io.nonativeleak.shim.ReportAssembler.Ending;
import io.nonativeleak.shim.ReportAssembler.RunnerResult;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a fixture under the shim: {@link #prepare} checks everything before any process starts,
 * {@link #run} starts the runner with the shim preloaded, enforces the timeout, ends every process of
 * the run, reads what the processes recorded and writes the report.
 */
public final class FixtureLauncher {
    /** Report file names taken in this JVM: a second run of the same name gets a numbered name. */
    private static final Set<Path> TAKEN = ConcurrentHashMap.newKeySet();
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Starts the runner as an imported module, not as a script: Python compiles a script on every start
     * (some 3 ms for the runner), a module once into its __pycache__ beside it, even under
     * PYTHONDONTWRITEBYTECODE (the fixture's own imports still follow it). sys.path[0] is the runner's
     * directory, as for a script, before anything is imported (never the working directory).
     */
    static final String RUNNER_BOOTSTRAP = "import sys; sys.path[0] = sys.argv.pop(1); sys.dont_write_bytecode = False; import "
            + Shim.RUNNER_NAME.replaceFirst("\\.py$", "") + " as runner; sys.dont_write_bytecode = bool(sys.flags.dont_write_bytecode); "
            + "sys.exit(runner.main(sys.argv))";

    private final FixtureSpec spec;
    private final Shim shim;
    private final PythonInterpreter interpreter;

    private FixtureLauncher(FixtureSpec spec, Shim shim, PythonInterpreter interpreter) {
        this.spec = spec;
        this.shim = shim;
        this.interpreter = interpreter;
    }

    /**
     * Checks the fixture, its patterns, its interpreter and its report directory.
     *
     * @throws UnsupportedPlatformException off Linux x86-64 with glibc
     * @throws InvalidPatternException      for a malformed pattern (position and reason)
     * @throws NoNativeLeakException        for anything else that would stop the run, with the reason
     */
    public static FixtureLauncher prepare(FixtureSpec spec) {
        Checked checked = check(spec);
        if (checked.launcher() == null) throw checked.problems().get(0).error();
        return checked.launcher();
    }

    /**
     * What {@link #prepare} finds: a launcher ready to run, or every problem, each tagged with the field at fault,
     * in the order {@code prepare} would throw them.
     */
    public record Checked(FixtureLauncher launcher, List<Problem> problems) {}

    /**
     * As {@link #prepare}, but returns every problem instead of throwing the first, so that a front end can name
     * the parameter to fix for each.
     *
     * @throws UnsupportedPlatformException off Linux x86-64 with glibc
     */
    public static Checked check(FixtureSpec spec) {
        Platform.requireSupported();
        List<Problem> problems = new ArrayList<>(spec.settings().problems());
        if (spec.kind() == FixtureSpec.Kind.SCRIPT) {
            if (!Files.isRegularFile(spec.scriptPath())) problems.add(problem(Field.TARGET, "fixture script not found: " + spec.scriptPath()));
        } else if (!FixtureSpec.CALLABLE_TARGET.matcher(spec.target()).matches()) {
            problems.add(problem(Field.TARGET, "fixture callable '" + spec.target() + "' is not of the form package.module:function"));
        }
        Shim shim;
        try {
            shim = Shim.load();
        } catch (NoNativeLeakException e) {
            problems.add(new Problem(null, 0, e));
            return new Checked(null, List.copyOf(problems));
        }
        checkPatterns(shim, spec.patterns(), Field.PATTERNS, problems);
        checkPatterns(shim, spec.ignore(), Field.IGNORE, problems);
        PythonInterpreter interpreter = null;
        try {
            interpreter = PythonInterpreter.resolve(spec.python(), spec.baseDirectory());
        } catch (NoNativeLeakException e) {
            problems.add(new Problem(Field.PYTHON, 0, e));
        }
        if (!Files.isDirectory(spec.workingDirectory())) problems.add(problem(Field.WORKING_DIRECTORY, "working directory not found: " + spec.workingDirectory()));
        if (spec.stdinFile() != null && !Files.isReadable(spec.stdinFile())) problems.add(problem(Field.STDIN, "standard input file not readable: " + spec.stdinFile()));
        if (!problems.isEmpty()) return new Checked(null, List.copyOf(problems));
        try {
            requireWritable(spec.reportDirectory()); // creates it: only for a run that can start
        } catch (NoNativeLeakException e) {
            return new Checked(null, List.of(new Problem(Field.REPORT_DIRECTORY, 0, e)));
        }
        return new Checked(new FixtureLauncher(spec, shim, interpreter), List.of());
    }

    private static Problem problem(Field field, String message) {
        return new Problem(field, 0, new NoNativeLeakException(message));
    }

    private static void checkPatterns(Shim shim, List<String> patterns, Field field, List<Problem> problems) {
        for (int i = 0; i < patterns.size(); i++) {
            try {
                shim.checkPattern(patterns.get(i));
            } catch (InvalidPatternException e) {
                problems.add(new Problem(field, i, e));
            }
        }
    }

    /** Checks that reports can be written to the directory (creating it). */
    public static void requireWritable(Path directory) {
        try {
            Files.createDirectories(directory);
            Files.delete(Files.createTempFile(directory, ".write-check", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new NoNativeLeakException("report directory " + directory + " cannot be written: " + e, e);
        }
    }

    public FixtureSpec spec() {
        return spec;
    }

    public PythonInterpreter interpreter() {
        return interpreter;
    }

    /** Runs the fixture and writes its report (see {@link #reportFile}); never leaves a process of the run behind. */
    public RunReport run() {
        return run(null, 0);
    }

    /**
     * As {@link #run()}, and every {@code intervalMillis} while the fixture runs, tells {@code progress} what it
     * has recorded so far (null: nothing to tell).
     */
    public RunReport run(Consumer<RunProgress> progress, long intervalMillis) {
        String name = reserveName();
        Path stdout = spec.reportDirectory().resolve(name + ".stdout.log");
        Path stderr = spec.reportDirectory().resolve(name + ".stderr.log");
        Path runDirectory = shim.newRunDirectory(name);
        ProcessTree tree = ProcessTree.beforeStart("NONATIVELEAK_RUN_DIR=" + runDirectory);
        try {
            Process process = start(runDirectory, stdout, stderr);
            long started = System.nanoTime();
            boolean timedOut;
            try {
                timedOut = !waitFor(process, runDirectory, started, progress, intervalMillis);
            } catch (InterruptedException e) {
                tree.killAll(process.toHandle());
                Thread.currentThread().interrupt();
                throw new NoNativeLeakException("interrupted while running " + spec.target() + "; its processes were killed", e);
            }
            tree.killAll(process.toHandle());
            int exitValue = waitUninterruptibly(process);
            long duration = (System.nanoTime() - started) / 1_000_000;
            RunnerResult runner = readRunnerResult(runDirectory.resolve("result.json"));
            if (runner != null && "error".equals(runner.status())) throw new NoNativeLeakException(runner.error());
            RunReport report = new ReportAssembler(spec, interpreter).assemble(name, process.pid(),
                    new Ending(timedOut, exitValue, duration), runner, ProcessDataReader.readAll(runDirectory), stdout, stderr);
            ReportJson.write(report, reportFile(report));
            return report;
        } catch (IOException e) {
            throw new NoNativeLeakException("cannot run " + spec.target() + ": " + e.getMessage(), e);
        } finally {
            Shim.deleteRecursively(runDirectory);
        }
    }

    /** Where {@link #run} wrote this report: in the report directory, named after the run, beside its output. */
    public Path reportFile(RunReport report) {
        return spec.reportDirectory().resolve(report.name() + ".json");
    }

    /** Waits for the runner to exit within the timeout, telling progress at each interval; false on timeout. */
    private boolean waitFor(Process process, Path runDirectory, long started, Consumer<RunProgress> progress, long intervalMillis)
            throws InterruptedException {
        long deadline = started + TimeUnit.SECONDS.toNanos(spec.timeoutSeconds());
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            long wait = progress == null ? left : Math.min(left, TimeUnit.MILLISECONDS.toNanos(intervalMillis));
            if (process.waitFor(wait, TimeUnit.NANOSECONDS)) return true;
            if (progress != null && deadline - System.nanoTime() > 0) {
                progress.accept(RunProgress.read(runDirectory, (System.nanoTime() - started) / 1_000_000));
            }
        }
    }

    private String reserveName() {
        String base = spec.name().replaceAll("[^A-Za-z0-9._-]", "_");
        for (int n = 1; ; n++) {
            String candidate = n == 1 ? base : base + "-" + n;
            if (TAKEN.add(spec.reportDirectory().resolve(candidate))) return candidate;
        }
    }

    private Process start(Path runDirectory, Path stdout, Path stderr) throws IOException {
        Files.writeString(runDirectory.resolve("patterns"), patternFile(), StandardCharsets.UTF_8);
        Map<String, Object> runnerSpec = new LinkedHashMap<>();
        runnerSpec.put("shim", shim.library().toString());
        runnerSpec.put("kind", spec.kind() == FixtureSpec.Kind.SCRIPT ? "script" : "callable");
        runnerSpec.put("target", spec.kind() == FixtureSpec.Kind.SCRIPT ? spec.scriptPath().toString() : spec.target());
        runnerSpec.put("args", spec.args());
        runnerSpec.put("warmup", spec.warmup());
        runnerSpec.put("runs", spec.runs());
        runnerSpec.put("result", runDirectory.resolve("result.json").toString());
        Path specFile = runDirectory.resolve("spec.json");
        JSON.writeValue(specFile.toFile(), runnerSpec);

        ProcessBuilder builder = new ProcessBuilder(interpreter.launcher().toString(), "-c", RUNNER_BOOTSTRAP,
                shim.runner().getParent().toString(), specFile.toString())
                .directory(spec.workingDirectory().toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        if (spec.stdin() != null) {
            Path input = runDirectory.resolve("stdin");
            Files.write(input, spec.stdin());
            builder.redirectInput(input.toFile());
        } else {
            builder.redirectInput(spec.stdinFile() != null ? spec.stdinFile().toFile() : new File("/dev/null"));
        }
        Map<String, String> environment = builder.environment();
        environment.remove("NONATIVELEAK_PYTHON_VERIFIED");
        environment.putIfAbsent("PYTHONUNBUFFERED", "1"); // output up to a crash or a timeout is kept
        spec.environment().forEach((key, value) -> {
            if (value == null) environment.remove(key);
            else environment.put(key, value);
        });
        environment.put("LD_PRELOAD", preloadWithShim(shim.library().toString(), environment.get("LD_PRELOAD")));
        environment.put("NONATIVELEAK_RUN_DIR", runDirectory.toString());
        environment.put("NONATIVELEAK_AWAIT_RUNNER", "1");
        if (spec.sampleBytes() > 0) environment.put("NONATIVELEAK_SAMPLE_BYTES", Long.toString(spec.sampleBytes()));
        else environment.remove("NONATIVELEAK_SAMPLE_BYTES");
        return builder.start();
    }

    /** Runtimes that refuse to run unless they come first: ASan and HWASan (gcc's libasan, clang's libclang_rt.asan). */
    private static final java.util.regex.Pattern FIRST_RUNTIME =
            java.util.regex.Pattern.compile("(.*/)?lib(clang_rt\\.)?(asan|hwasan)([-_.].*)?");

    /**
     * The user's LD_PRELOAD with the shim added: first (so its malloc wraps any other preloaded
     * allocator, TSan's and LSan's included), except behind ASan, which keeps its place; the report
     * then says that ASan's malloc hides every allocation from the shim.
     */
    static String preloadWithShim(String shim, String userPreload) {
        List<String> first = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (String entry : userPreload == null ? new String[0] : userPreload.trim().split("[ :]+")) {
            if (!entry.isEmpty()) (FIRST_RUNTIME.matcher(entry).matches() ? first : rest).add(entry);
        }
        first.add(shim);
        first.addAll(rest);
        return String.join(" ", first);
    }

    private String patternFile() {
        StringBuilder text = new StringBuilder();
        for (String p : spec.patterns()) text.append("pattern ").append(p.replaceAll("[\\r\\n]", " ")).append('\n');
        for (String p : spec.ignore()) text.append("ignore ").append(p.replaceAll("[\\r\\n]", " ")).append('\n');
        return text.toString();
    }

    private static int waitUninterruptibly(Process process) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static RunnerResult readRunnerResult(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        JsonNode node = JSON.readTree(file.toFile());
        return new RunnerResult(text(node, "status"), text(node, "error"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? null : value.asText();
    }
}
