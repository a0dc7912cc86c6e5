package io.nonativeleak.shim;

import io.nonativeleak.shim.ProcessDataReader.ProcessData;
import io.nonativeleak.shim.ProcessDataReader.RawPhase;
import io.nonativeleak.shim.ProcessDataReader.RawCFrame;
import io.nonativeleak.shim.ProcessDataReader.RawPyFrame;
import io.nonativeleak.shim.ProcessDataReader.Site;
import io.nonativeleak.shim.report.Allowance;
import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.FixtureDescription;
import io.nonativeleak.shim.report.IncompleteProcess;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.NoMatch;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.Phase;
import io.nonativeleak.shim.report.ProcessSummary;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.PythonStacks;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunCounts;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.report.Sampling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what a run left behind (the processes' data files, the runner's result) into its report and verdict. */
final class ReportAssembler {
    private static final String[] SIGNAL_NAMES = {"", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

    /** How the runner process ended, as the JVM saw it. */
    record Ending(boolean timedOut, int exitValue, long durationMillis) {}

    /** How the runner's script ended, from its result.json: status, and the traceback or error (null when none). */
    record RunnerResult(String status, String error) {}

    private final FixtureSpec spec;
    private final PythonInterpreter interpreter;
    private final Map<String, List<String>> sourceCache = new HashMap<>();

    ReportAssembler(FixtureSpec spec, PythonInterpreter interpreter) {
        this.spec = spec;
        this.interpreter = interpreter;
    }

    RunReport assemble(String name, long runnerPid, Ending ending, RunnerResult runner, List<ProcessData> processes,
                       Path stdout, Path stderr) {
        // The launched process may exec before Python runs (a wrapper script): its images wait until the
        // runner's begins measuring. The root is that first measuring image (later ones are execs of the
        // runner, tracked from their start), else the last image.
        List<ProcessData> images = processes.stream().filter(p -> p.pid() == runnerPid)
                .sorted(Comparator.comparingInt(ProcessData::sequence)).toList();
        ProcessData root = images.stream().filter(p -> p.measureStartNanos() != 0).findFirst()
                .orElse(images.isEmpty() ? null : images.get(images.size() - 1));
        Integer signal = null;
        Integer exitCode = null;
        if (ending.timedOut()) {
            signal = 9;
        } else if (ending.exitValue() > 128 && (root == null || root.end() == ProcessDataReader.END_NONE)) {
            signal = ending.exitValue() - 128; // the JVM reports a death by signal as 128 + signal
        } else {
            exitCode = ending.exitValue();
        }

        List<ProcessSummary> summaries = new ArrayList<>();
        Counts matched = Counts.NONE;
        Counts leaked = Counts.NONE;
        long dropped = 0;
        List<IncompleteProcess> incomplete = new ArrayList<>();
        Counts sampled = Counts.NONE;
        Map<String, LeakSite> sites = new LinkedHashMap<>();
        int runs = spec.runs();
        // With runs > 1: per measured run, what matched and leaked in it, and each site's share (by site key).
        Counts[] runMatched = emptyRuns(runs);
        Counts[] runLeaked = emptyRuns(runs);
        Map<String, Counts[]> siteRuns = new HashMap<>();
        for (int i = 0; i < processes.size(); i++) {
            ProcessData p = processes.get(i);
            boolean isRoot = p == root;
            boolean judged = isRoot || judgedChild(p, root);
            boolean replacedByExec = processes.stream().anyMatch(q -> q.pid() == p.pid() && q.sequence() > p.sequence());
            if (root != null && p != root && p.startNanos() < root.startNanos())
                continue; // a wrapper that exec'd the interpreter (pyenv's shim, a chroot script) and its helpers: not the fixture's
            Counts processLeaked = p.live();
            if (runs > 1 && judged) {
                processLeaked = Counts.NONE;
                int childRun = isRoot ? 0 : runOfChild(p, root, runs); // a child's leaks all go to the run it started in
                if (!isRoot) runMatched[childRun - 1] = runMatched[childRun - 1].plus(p.matched());
                for (int k = 1; k <= runs; k++) {
                    if (isRoot && k <= p.runs().size()) runMatched[k - 1] = runMatched[k - 1].plus(p.runs().get(k - 1).matched());
                    Map<Integer, Counts> bySite = isRoot ? p.leakedBySite(k) : k == childRun ? p.liveBySite() : Map.of();
                    for (Map.Entry<Integer, Counts> live : bySite.entrySet()) {
                        Counts[] share = siteRuns.computeIfAbsent(addSite(sites, p, live.getKey(), live.getValue()), x -> emptyRuns(runs));
                        share[k - 1] = share[k - 1].plus(live.getValue());
                        runLeaked[k - 1] = runLeaked[k - 1].plus(live.getValue());
                        processLeaked = processLeaked.plus(live.getValue());
                    }
                }
            }
            summaries.add(new ProcessSummary(p.pid(), isRoot ? null : p.parentPid(),
                    isRoot ? exitCode : childExitCode(p, replacedByExec), isRoot ? signal : null,
                    ended(p, isRoot, signal, replacedByExec), judged, p.executable(), p.matched(), processLeaked,
                    processNote(p, replacedByExec)));
            if (!judged) continue;
            if (blind(p)) // a blind gate lost the whole run of this process
                incomplete.add(new IncompleteProcess(p.pid(), 0, "its malloc is " + p.processBlock().mallocElsewhere()
                        + "'s, which comes before the shim's (a sanitizer runtime or another allocator preloaded ahead of it): the"
                        + " shim saw none of its allocations, so the gate was blind to it; see docs/troubleshooting.md, \"Sanitizers and other allocators\""));
            matched = matched.plus(p.matched());
            leaked = leaked.plus(processLeaked);
            dropped += p.dropped();
            if (p.incomplete() != null) incomplete.add(incompleteProcess(p, root));
            if (p.sampling() != null) sampled = sampled.plus(p.sampling().tracked());
            if (runs == 1) for (Map.Entry<Integer, Counts> live : p.liveBySite().entrySet()) addSite(sites, p, live.getKey(), live.getValue());
        }
        List<RunCounts> perRun = null;
        if (runs > 1) {
            perRun = new ArrayList<>();
            for (int k = 0; k < runs; k++) perRun.add(new RunCounts(runMatched[k], runLeaked[k]));
            for (Map.Entry<String, Counts[]> e : siteRuns.entrySet()) sites.put(e.getKey(), sites.get(e.getKey()).withRuns(List.of(e.getValue())));
        }
        summaries.sort(Comparator.comparing((ProcessSummary s) -> s.parentPid() != null));
        List<LeakSite> sorted = new ArrayList<>(sites.values());
        sorted.sort(Comparator.comparingLong(LeakSite::bytes).reversed().thenComparing(Comparator.comparingLong(LeakSite::count).reversed()));

        NoMatch noMatch = matched.count() == 0
                ? NoMatchExplanation.explain(spec, root, processes, root == null ? null : ended(root, true, signal, false))
                : null;
        Outcome outcome;
        String reason;
        if (ending.timedOut()) {
            outcome = Outcome.TIMED_OUT;
            reason = "the run exceeded its timeout of " + spec.timeoutSeconds() + " s; the whole process tree was killed";
        } else if (signal != null) {
            outcome = Outcome.CRASHED;
            reason = "the process died of signal " + signal + signalName(signal) + "; the allocations recorded up to then are reported";
        } else if ("raised".equals(runner == null ? null : runner.status())) {
            outcome = Outcome.FIXTURE_FAILED;
            reason = "the fixture raised " + lastLine(runner.error());
        } else if (exitCode != 0) {
            outcome = Outcome.FIXTURE_FAILED;
            reason = "the process exited with code " + exitCode + (runner == null || runner.status() == null ? " before the runner finished" : "");
        } else if (root == null) {
            throw new NoNativeLeakException("the fixture process ran, but the shim recorded nothing: it was not preloaded");
        } else if (perRun != null && perRun.stream().allMatch(r -> exceedsAllowance(r.leaked()))) {
            outcome = Outcome.LEAKED;
            reason = "every one of the " + runs + " measured runs leaked more than allowed (" + allowance() + " per run): "
                    + ReportText.leakedPerRun(perRun);
        } else if (perRun == null && exceedsAllowance(leaked)) {
            outcome = Outcome.LEAKED;
            reason = leakCount(leaked) + " still live at the checkpoint; allowed: " + allowance();
        } else if (!incomplete.isEmpty()) {
            // A gate that lost data never says CLEAN, nor NO_MATCH: what it did not see may have matched.
            outcome = Outcome.INCOMPLETE;
            IncompleteProcess first = incomplete.get(0);
            reason = "the shim could not track the whole measured run of " + (incomplete.size() == 1 ? "process " + first.pid()
                    : incomplete.size() + " processes, first of process " + first.pid()) + ": " + first.reason() + ", from "
                    + first.sinceMillis() + " ms into the measured run on; among what it recorded, " + leakCount(leaked)
                    + " still live at the checkpoint (allowed: " + allowance() + ")";
        } else if (spec.requireMatch() && matched.count() == 0) {
            outcome = Outcome.NO_MATCH;
            reason = "no allocation of the measured run matched any pattern: the gate was watching nothing; " + noMatch.reason();
        } else if (perRun != null) {
            outcome = Outcome.CLEAN;
            reason = "not every one of the " + runs + " measured runs leaked more than allowed (" + allowance()
                    + " per run): " + ReportText.leakedPerRun(perRun) + "; " + matched.count() + " matching allocations were made";
        } else {
            outcome = Outcome.CLEAN;
            reason = leakCount(leaked) + " live at the checkpoint, within the allowance (" + allowance()
                    + "); " + matched.count() + " matching allocations were made";
        }
        if (dropped > 0 && outcome != Outcome.INCOMPLETE) reason += "; " + dropped + " matching allocations could not be recorded";

        PythonStacks pythonStacks = root != null ? new PythonStacks(root.pythonEnabled(), root.pythonReason())
                : new PythonStacks(false, "the runner did not start");
        return RunReport.builder(name)
                .ran(new FixtureDescription(spec.target(), spec.kind().name().toLowerCase(), spec.args(),
                                interpreter.executable().toString(), interpreter.version(), spec.warmup(), runs),
                        spec.patterns(), spec.ignore(), new Allowance(spec.maxLeaks(), spec.maxLeakedBytes(), spec.requireMatch()))
                .verdict(outcome, reason, noMatch, incomplete)
                .ending(exitCode, signal, ending.durationMillis(), runner != null && "raised".equals(runner.status()) ? runner.error() : null)
                .output(stdout.toString(), stderr.toString())
                .counts(matched, leaked, perRun, spec.sampleBytes() > 0 ? new Sampling(spec.sampleBytes(), sampled) : null)
                .sites(sorted)
                .processes(summaries)
                .runner(root != null ? root.timeline() : List.of(), root != null ? phases(root) : List.of(), pythonStacks)
                .build();
    }

    private boolean exceedsAllowance(Counts leaked) {
        return leaked.count() > spec.maxLeaks() || leaked.bytes() > spec.maxLeakedBytes();
    }

    private static Counts[] emptyRuns(int runs) {
        Counts[] counts = new Counts[runs];
        Arrays.fill(counts, Counts.NONE);
        return counts;
    }

    /** The measured run (from 1) during which a judged child started: the first whose checkpoint came after its start. */
    private static int runOfChild(ProcessData child, ProcessData root, int runs) {
        for (int k = 1; k <= Math.min(runs, root.runs().size()); k++) {
            long checkpoint = root.runs().get(k - 1).checkpointNanos();
            if (checkpoint == 0 || child.startNanos() <= checkpoint) return k;
        }
        return Math.max(1, Math.min(runs, root.runs().size()));
    }

    /** The runner's phases: each lasts until the next began; the last until the runner finished or its last sample. */
    private static List<Phase> phases(ProcessData root) {
        List<RawPhase> raw = root.phases();
        List<Phase> phases = new ArrayList<>();
        long lastSample = root.timeline().isEmpty() ? 0 : root.timeline().get(root.timeline().size() - 1).tMillis();
        for (int i = 0; i < raw.size(); i++) {
            RawPhase p = raw.get(i);
            if (p.kind() == ProcessDataReader.PHASE_END) break;
            long end = i + 1 < raw.size() ? raw.get(i + 1).tMillis() : Math.max(p.tMillis(), lastSample);
            String name = switch (p.kind()) {
                case ProcessDataReader.PHASE_IMPORT -> "import";
                case ProcessDataReader.PHASE_WARMUP -> "warmup " + p.index();
                case ProcessDataReader.PHASE_RUN -> "run " + p.index();
                case ProcessDataReader.PHASE_CHECKPOINT -> "checkpoint " + p.index();
                default -> "phase " + p.kind();
            };
            // import: from the process's start (the interpreter starting, the fixture loading) to the first run
            phases.add(new Phase(name, p.kind() == ProcessDataReader.PHASE_IMPORT ? 0 : p.tMillis(), end));
        }
        return phases;
    }

    private static IncompleteProcess incompleteProcess(ProcessData p, ProcessData root) {
        long measureStart = root != null && root.measureStartNanos() != 0 ? root.measureStartNanos() : p.startNanos();
        long since = p.incomplete().sinceNanos();
        return new IncompleteProcess(p.pid(), since == 0 ? 0 : Math.max(0, (since - measureStart) / 1_000_000), p.incomplete().reason());
    }

    private String allowance() {
        return "maxLeaks=" + spec.maxLeaks() + ", maxLeakedBytes=" + spec.maxLeakedBytes();
    }

    /** A child counts when it started during the runner's measured run. */
    private static boolean judgedChild(ProcessData child, ProcessData root) {
        if (root == null || root.measureStartNanos() == 0) return false;
        return child.startNanos() >= root.measureStartNanos()
                && (root.checkpointNanos() == 0 || child.startNanos() <= root.checkpointNanos());
    }

    private static Integer childExitCode(ProcessData p, boolean replacedByExec) {
        if (replacedByExec || p.end() == ProcessDataReader.END_NONE || p.exitStatus() == ProcessDataReader.EXIT_STATUS_UNKNOWN) return null;
        return p.exitStatus() & 0xff;
    }

    private static String ended(ProcessData p, boolean isRoot, Integer signal, boolean replacedByExec) {
        if (replacedByExec || p.processBlock().execInProgress()) return "exec";
        if (p.end() == ProcessDataReader.END_EXIT) return "exit";
        if (p.end() == ProcessDataReader.END_UNDERSCORE_EXIT) return "_exit";
        return isRoot && signal != null ? "signal" : "killed";
    }

    /**
     * Another module's malloc resolves ahead of the shim's and nothing matched in the process. The symbol
     * alone is not proof: an executable's canonical PLT entry for malloc resolves there too, and jumps to
     * the shim; matched allocations show that the shim was reached.
     */
    private static boolean blind(ProcessData p) {
        return p.processBlock().mallocElsewhere() != null && p.matched().count() == 0;
    }

    /** Why a process was not followed past an exec, or not watched at all; null when it was. */
    private static String processNote(ProcessData p, boolean replacedByExec) {
        ProcessDataReader.ProcessBlock block = p.processBlock();
        if (blind(p))
            return "its malloc is " + block.mallocElsewhere() + "'s, not the shim's: no allocation of it was seen";
        if (replacedByExec || !block.execInProgress()) return null;
        String program = "it exec'd " + block.execPath();
        if (block.execKind() == ProcessDataReader.ProcessBlock.EXEC_KIND_STATIC)
            return program + ", a statically linked program: nothing can be preloaded into it, so it is not tracked";
        if (!block.execKeepsShim())
            return program + " with an environment that no longer preloads the shim into this run (LD_PRELOAD or "
                    + "NONATIVELEAK_RUN_DIR changed), so it is not tracked";
        return program + ", but the shim did not start in it (a set-user-ID program, or it ended before it started), so it is not tracked";
    }

    /** Adds live allocations to their site; returns the site's key. */
    private String addSite(Map<String, LeakSite> sites, ProcessData p, int siteId, Counts live) {
        Site site = p.sites().get(siteId);
        if (site == null) { // its record was being written when the process died
            String key = p.pid() + "/missing";
            LeakSite previous = sites.get(key);
            Counts total = previous == null ? live : live.plus(new Counts(previous.count(), previous.bytes()));
            sites.put(key, new LeakSite(total.count(), total.bytes(), p.pid(), "?", List.of(), List.of(), "UNAVAILABLE", null, null));
            return key;
        }
        List<CFrame> cStack = new ArrayList<>();
        for (RawCFrame f : site.cStack())
            cStack.add(new CFrame(f.symbol(), f.module(), "0x" + Long.toHexString(f.offset()), f.wrapper()));
        List<PyFrame> pyStack = new ArrayList<>();
        for (RawPyFrame f : site.pythonStack()) pyStack.add(new PyFrame(displayPath(f.file()), f.line(), f.function(), sourceLine(f.file(), f.line())));
        String status = switch (site.pythonStatus()) {
            case 0 -> "CAPTURED";
            case 1 -> "THREAD_RUNS_NO_PYTHON";
            default -> "UNAVAILABLE";
        };
        String pattern = site.pattern() >= 0 && site.pattern() < spec.patterns().size() ? spec.patterns().get(site.pattern()) : null;
        // Identical stacks at the level of functions: the interpreter reaches one call from several return addresses.
        String key = p.pid() + "\u0000" + site.thread() + "\u0000" + cStack.stream().map(CFrame::describe).toList()
                + "\u0000" + pyStack + "\u0000" + status + "\u0000" + pattern;
        LeakSite previous = sites.get(key);
        Counts total = previous == null ? live : live.plus(new Counts(previous.count(), previous.bytes()));
        sites.put(key, new LeakSite(total.count(), total.bytes(), p.pid(), site.thread(), cStack, pyStack, status, pattern, null));
        return key;
    }

    private String displayPath(String file) {
        try {
            Path path = Path.of(file);
            if (path.isAbsolute() && path.startsWith(spec.baseDirectory())) return spec.baseDirectory().relativize(path).toString();
        } catch (RuntimeException ignored) {
            // not a path ("<string>", "<frozen runpy>")
        }
        return file;
    }

    private String sourceLine(String file, int line) {
        List<String> lines = sourceCache.computeIfAbsent(file, f -> {
            try {
                Path path = Path.of(f);
                return Files.isRegularFile(path) ? Files.readAllLines(path, StandardCharsets.UTF_8) : List.of();
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        });
        return line >= 1 && line <= lines.size() ? lines.get(line - 1).strip() : null;
    }

    private static String signalName(int signal) {
        return signal > 0 && signal < SIGNAL_NAMES.length ? " (" + SIGNAL_NAMES[signal] + ")" : "";
    }

    private static String lastLine(String text) {
        if (text == null || text.isBlank()) return "an exception";
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static String leakCount(Counts leaked) {
        return leaked.count() + (leaked.count() == 1 ? " matching allocation (" : " matching allocations (") + leaked.bytes() + " bytes)";
    }
}
