package io.nonativeleak.shim;

import io.nonativeleak.shim.ReportAssembler.Ending;
import io.nonativeleak.shim.ReportAssembler.RunnerResult;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import java.io.File;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The fixed cost per fixture from the JVM's side (issue 14): a trivial fixture ({@code pass}) run through
 * {@link FixtureLauncher} against plain {@code python script.py} spawns from the same JVM, and the launcher's
 * steps one by one. Run by {@code bench/fixed-cost.sh} (compiled into this package to reach the steps).
 *
 * <p>Each round runs every variant once per fixture, interleaved, so that load from elsewhere spreads over
 * all of them; a round's figure is its median, the result the median of the rounds' medians.
 */
public final class FixedCostBench {
    private static final String GATE_PATTERN = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript";

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--python", "python3", "--rounds", "5", "--fixtures", "20",
                "--out", "bench/target/results/fixed-cost.md", "--command-line", "bench/fixed-cost.sh"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!options.containsKey(args[i])) throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + options.keySet());
            options.put(args[i], args[i + 1]);
        }
        String python = options.get("--python");
        int rounds = Integer.parseInt(options.get("--rounds"));
        int fixtures = Integer.parseInt(options.get("--fixtures"));
        String loadBefore = load();

        Path work = Files.createTempDirectory("nnl-fixed-cost-");
        Path script = Files.writeString(work.resolve("trivial.py"), "pass\n");
        Path reports = Files.createDirectories(work.resolve("reports"));
        FixtureSpec gate = FixtureSpec.script(script.toString()).python(python).patterns(List.of(GATE_PATTERN))
                .requireMatch(false).reportDirectory(reports).build();
        FixtureSpec gateNoMatch = gate.toBuilder().requireMatch(true).name("trivial-nomatch").build();
        FixtureSpec discover = gate.toBuilder().patterns(List.of()).name("trivial-discover").build();

        long t0 = System.nanoTime();
        FixtureLauncher first = FixtureLauncher.prepare(gate);
        double firstPrepare = millis(t0);
        Shim shim = Shim.load();
        PythonInterpreter interpreter = first.interpreter();

        Map<String, Variant> variants = new LinkedHashMap<>();
        Function<String, Variant> v = label -> variants.computeIfAbsent(label, Variant::new);
        List<String> plainCommand = List.of(interpreter.launcher().toString(), script.toString());
        List<String> runnerImport = List.of(interpreter.launcher().toString(), "-c",
                "import sys, time; t = time.perf_counter(); sys.path.insert(0, '" + shim.runner().getParent() + "'); "
                        + "import nonativeleak_runner as r; i = time.perf_counter(); r._leftovers(r.os.getpid(), b'X=y'); "
                        + "print((i - t) * 1000, (time.perf_counter() - i) * 1000)");
        Method readRunnerResult = FixtureLauncher.class.getDeclaredMethod("readRunnerResult", Path.class);
        readRunnerResult.setAccessible(true);

        for (int warm = 0; warm < 3; warm++) { // class loading and JIT of the launcher's paths, outside the figures
            FixtureLauncher.prepare(gate).run();
            FixtureLauncher.prepare(discover).run();
            FixtureLauncher.prepare(gateNoMatch).run();
        }
        for (int round = 0; round < rounds; round++) {
            for (Variant x : variants.values()) x.startRound();
            for (int n = 0; n < fixtures; n++) {
                v.apply("plain `python script.py`").time(() -> spawn(plainCommand, work, Map.of()));
                v.apply("plain, shim preloaded (dormant)").time(() -> spawn(plainCommand, work,
                        Map.of("LD_PRELOAD", shim.library().toString())));
                v.apply("gate: prepare() + run()").time(() -> FixtureLauncher.prepare(gate).run());
                v.apply("gate, no match (requireMatch): prepare() + run()").time(() -> FixtureLauncher.prepare(gateNoMatch).run());
                v.apply("discover: prepare() + run()").time(() -> FixtureLauncher.prepare(discover).run());
                for (FixtureSpec spec : List.of(gate, discover)) {
                    String mode = spec == gate ? "gate" : "discover";
                    FixtureLauncher launcher = v.apply(mode + " · prepare() (interpreter cached)").time(() -> FixtureLauncher.prepare(spec));
                    steps(mode, launcher, shim, interpreter, v, readRunnerResult);
                }
                String[] inside = spawnOutput(runnerImport, work).strip().split(" ");
                v.apply("inside Python · `import nonativeleak_runner`").add(Double.parseDouble(inside[0]));
                v.apply("inside Python · the runner's exit scan of /proc").add(Double.parseDouble(inside[1]));
            }
        }
        String loadAfter = load();

        StringBuilder out = new StringBuilder();
        out.append("Fixed cost per fixture: `").append(options.get("--command-line")).append("`, ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(", ").append(rounds).append(" rounds of ")
                .append(fixtures).append(" fixtures, python ").append(interpreter.version()).append(" (")
                .append(interpreter.launcher()).append("), ").append(processes()).append(" processes in /proc, load ")
                .append(loadBefore).append(" before, ").append(loadAfter).append(" after.\n\n")
                .append("First prepare() in the JVM (extracts and loads the shim, probes the interpreter): ")
                .append(String.format("%.1f ms", firstPrepare)).append("\n\n")
                .append("| per fixture | median (ms) | rounds' medians min – max (ms) | over plain (ms) |\n")
                .append("| --- | ---: | ---: | ---: |\n");
        double plain = variants.get("plain `python script.py`").median();
        for (Variant x : variants.values()) {
            boolean whole = x.label.startsWith("plain") || x.label.endsWith("run()") || x.label.endsWith("(runner spawned to exit)");
            out.append(String.format("| %s | %.2f | %.2f – %.2f | %s |%n", x.label, x.median(), x.min(), x.max(),
                    whole ? String.format("%+.1f", x.median() - plain) : ""));
        }
        System.out.print(out);
        Path file = Path.of(options.get("--out"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, out);
        Shim.deleteRecursively(work);
    }

    /** The launcher's run() one step at a time, each timed (the same calls, in the same order). */
    private static void steps(String mode, FixtureLauncher launcher, Shim shim, PythonInterpreter interpreter,
                              Function<String, Variant> v, Method readRunnerResult) throws Exception {
        FixtureSpec spec = launcher.spec();
        Path runDirectory = v.apply(mode + " · run directory, patterns, spec.json").time(() -> {
            Path dir = shim.newRunDirectory(spec.name());
            Files.writeString(dir.resolve("patterns"), spec.patterns().isEmpty() ? "" : "pattern " + GATE_PATTERN + "\n");
            Files.writeString(dir.resolve("spec.json"), "{\"shim\": \"" + shim.library() + "\", \"kind\": \"script\", \"target\": \""
                    + spec.scriptPath() + "\", \"args\": [], \"warmup\": 0, \"runs\": 1, \"result\": \"" + dir.resolve("result.json") + "\"}");
            return dir;
        });
        Path stdout = runDirectory.resolve("stdout.log");
        Path stderr = runDirectory.resolve("stderr.log");
        Map<String, String> env = Map.of("PYTHONUNBUFFERED", "1",
                "LD_PRELOAD", FixtureLauncher.preloadWithShim(shim.library().toString(), null),
                "NONATIVELEAK_RUN_DIR", runDirectory.toString(), "NONATIVELEAK_AWAIT_RUNNER", "1");
        List<String> command = List.of(interpreter.launcher().toString(), "-c", FixtureLauncher.RUNNER_BOOTSTRAP,
                shim.runner().getParent().toString(), runDirectory.resolve("spec.json").toString());
        ProcessTree tree = ProcessTree.beforeStart("NONATIVELEAK_RUN_DIR=" + runDirectory);
        Process process = v.apply(mode + " · runner under the shim (runner spawned to exit)").time(() -> {
            ProcessBuilder builder = new ProcessBuilder(command).directory(spec.workingDirectory().toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).redirectInput(new File("/dev/null"));
            builder.environment().putAll(env);
            Process p = builder.start();
            p.waitFor();
            return p;
        });
        v.apply(mode + " · ProcessTree.killAll after exit (/proc scan)").time(() -> {
            tree.killAll(process.toHandle());
            return null;
        });
        RunnerResult runner = v.apply(mode + " · read result.json").time(() -> (RunnerResult) readRunnerResult.invoke(null, runDirectory.resolve("result.json")));
        List<ProcessDataReader.ProcessData> data = v.apply(mode + " · ProcessDataReader.readAll").time(() -> ProcessDataReader.readAll(runDirectory));
        RunReport report = v.apply(mode + " · ReportAssembler.assemble").time(() -> new ReportAssembler(spec, interpreter)
                .assemble(spec.name(), process.pid(), new Ending(false, process.exitValue(), 1), runner, data, stdout, stderr));
        v.apply(mode + " · ReportJson.write").time(() -> {
            ReportJson.write(report, runDirectory.resolve("report.json"));
            return null;
        });
        v.apply(mode + " · delete the run directory").time(() -> {
            Shim.deleteRecursively(runDirectory);
            return null;
        });
    }

    private static Void spawn(List<String> command, Path work, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(work.resolve("plain.stdout.log").toFile()).redirectError(work.resolve("plain.stderr.log").toFile())
                .redirectInput(new File("/dev/null"));
        builder.environment().putAll(env);
        int exit = builder.start().waitFor();
        if (exit != 0) throw new IllegalStateException(command + " exited with " + exit);
        return null;
    }

    private static String spawnOutput(List<String> command, Path work) throws Exception {
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectInput(new File("/dev/null")).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException(command + ": " + text);
        return text;
    }

    private static String load() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + "/" + f[1] + "/" + f[2] + " on " + Runtime.getRuntime().availableProcessors() + " CPUs";
    }

    private static long processes() throws Exception {
        try (var s = Files.list(Path.of("/proc"))) {
            return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        }
    }

    private static double millis(long since) {
        return (System.nanoTime() - since) / 1e6;
    }

    interface Step<T> {
        T call() throws Exception;
    }

    /** One measured thing: every sample of the current round, and each finished round's median. */
    private static final class Variant {
        final String label;
        final List<Double> roundMedians = new ArrayList<>();
        List<Double> samples = new ArrayList<>();

        Variant(String label) {
            this.label = label;
        }

        <T> T time(Step<T> step) throws Exception {
            long start = System.nanoTime();
            T result = step.call();
            add(millis(start));
            return result;
        }

        void add(double value) {
            samples.add(value);
        }

        void startRound() {
            if (!samples.isEmpty()) roundMedians.add(median(samples));
            samples = new ArrayList<>();
        }

        double median() {
            startRound();
            return median(roundMedians);
        }

        double min() {
            return roundMedians.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
        }

        double max() {
            return roundMedians.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        }

        private static double median(List<Double> values) {
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }
}
