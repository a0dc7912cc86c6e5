package io.nonativeleak.shim;

import io.nonativeleak.shim.ProcessDataReader.FrameCheck;
import io.nonativeleak.shim.ProcessDataReader.NoMatchData;
import io.nonativeleak.shim.ProcessDataReader.ProcessData;
import io.nonativeleak.shim.report.NoMatch;
import io.nonativeleak.shim.report.NoMatch.Case;
import io.nonativeleak.shim.report.ReportText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Says which case of docs/patterns.md's Reading NO_MATCH holds when a measured run matched nothing, from what the runner's process recorded. */
final class NoMatchExplanation {
    /** numpy's small-buffer cache, as docs/troubleshooting.md explains it. */
    static final String NUMPY_CACHE = "numpy serves data buffers under 1024 bytes from its own cache (datacache: up to 7 freed "
            + "buffers per size, reused before malloc is called), so arrays that small rarely reach malloc";

    /** numpy's malloc caller for the small buffers its data allocator does not take from its cache. */
    static final String NUMPY_SMALL_BUFFER_CALLER = "PyDataMem_UserNEW";

    private NoMatchExplanation() {}

    /**
     * @param root      the runner's process image that ran (or should have run) the measured run, or null
     * @param processes every process image of the run
     * @param runnerEnd how the runner's image ended ("exit", "_exit", "exec", "signal", "killed")
     */
    static NoMatch explain(FixtureSpec spec, ProcessData root, List<ProcessData> processes, String runnerEnd) {
        if (root == null) {
            return notTracked("the runner process left no data file: the shim was not preloaded into the interpreter "
                    + "(LD_PRELOAD removed, or ignored for a setuid or statically linked interpreter)");
        }
        ProcessData replacement = processes.stream().filter(p -> p.pid() == root.pid() && p.sequence() > root.sequence())
                .findFirst().orElse(null);
        if (replacement != null && root.measureStartNanos() == 0) {
            return notTracked("the interpreter process (" + root.executable() + ") replaced itself by exec with "
                    + replacement.executable() + " before the measured run began: the configured python is a wrapper (a "
                    + "shell script, a chroot or container entry), and the program it started was not measured; configure "
                    + "the real interpreter");
        }
        NoMatchData data = root.noMatch();
        if (root.processBlock().mallocElsewhere() != null) {
            return notTracked("the shim was loaded into " + root.executable() + " but allocations do not reach it: it was "
                    + "not preloaded into that process (LD_PRELOAD was cleared on the way, e.g. by a wrapper)");
        }
        if (root.measureStartNanos() == 0) {
            return notTracked("the interpreter ended (" + runnerEnd + ") before the runner began the measured run: "
                    + "nothing of the fixture was measured");
        }
        List<NoMatch.Frame> frames = frames(spec, data.frameChecks());
        if (data.warmupMatched().count() > 0) {
            return new NoMatch(Case.WARMUP_ONLY, ReportText.counts(data.warmupMatched()) + " matched during the "
                    + spec.warmup() + " warm-up run" + (spec.warmup() == 1 ? "" : "s") + ", none in the measured run: what the patterns guard was allocated once (a cache, a lazy "
                    + "initialisation) and the warm-up already made it; lower warmup, or set requireMatch = false when "
                    + "there is nothing left to guard", frames);
        }
        if (spec.patterns().isEmpty()) {
            return new NoMatch(Case.NOTHING_ALLOCATED, "no pattern was given, so every allocation was tracked, and the "
                    + "measured run made none", frames);
        }
        List<NoMatch.Frame> missing = missingMatchers(data.frameChecks(), spec);
        if (!missing.isEmpty()) {
            String names = missing.stream().map(NoMatchExplanation::describeMissing).collect(Collectors.joining("; "));
            return new NoMatch(Case.FRAME_NOT_LOADED, "a named frame of the pattern exists in no loaded module "
                    + "(misspelt, inlined, or in a stripped library): " + names
                    + "; run discover to see the real stacks", frames);
        }
        StringBuilder reason = new StringBuilder();
        if (data.framesChecked()) {
            reason.append("every named frame of the patterns exists in a loaded module (")
                    .append(frames.stream().filter(f -> Boolean.TRUE.equals(f.loaded())).map(f -> f.name() + " in " + f.module())
                            .distinct().collect(Collectors.joining(", ")))
                    .append("), but no allocation of the measured run reached the allocator through them");
        } else {
            reason.append("no allocation of the measured run reached the allocator through the patterns' frames "
                    + "(the named frames were not looked up: the process ended before its checkpoint)");
        }
        if (data.numpyCache() != FileLayout.NUMPY_NOT_LOADED && data.numpyAnchored()) {
            reason.append("; numpy is loaded (").append(data.numpyModule()).append(") and the pattern starts at its data "
                    + "allocator: ").append(NUMPY_CACHE);
            if (data.numpyCache() == FileLayout.NUMPY_CACHE_READ)
                reason.append("; it held ").append(data.numpyCachedBlocks()).append(" blocks at the checkpoint");
            if (data.numpyUserNewSeen()) {
                reason.append(". The small buffers it did allocate reached malloc from ").append(NUMPY_SMALL_BUFFER_CALLER)
                        .append(", with no default_malloc frame (for those sizes default_malloc tail-calls malloc). To guard "
                                + "small arrays too, add ").append(NUMPY_SMALL_BUFFER_CALLER)
                        .append(" as an alternative of the first frame, e.g. '").append(withSmallBufferCaller(spec.patterns()))
                        .append("' (a block numpy's cache holds at the checkpoint is not counted as a leak)");
            } else {
                reason.append(". Guard larger arrays, or set requireMatch = false for a fixture whose arrays are all that small");
            }
        } else {
            reason.append(": the code path the patterns describe did not run, or allocates another way; run discover to "
                    + "see the real stacks");
        }
        return new NoMatch(Case.FRAMES_NOT_REACHED, reason.toString(), frames);
    }

    /** The pattern anchored at numpy's allocator, with PyDataMem_UserNEW as one more alternative of its first frame. */
    private static String withSmallBufferCaller(List<String> patterns) {
        String anchored = patterns.stream().filter(p -> p.strip().split("\\s+")[0].matches(".*(default_malloc|npy_alloc_cache).*"))
                .findFirst().orElse(patterns.get(0));
        return NUMPY_SMALL_BUFFER_CALLER + "|" + anchored.strip();
    }

    private static NoMatch notTracked(String reason) {
        return new NoMatch(Case.NOT_TRACKED, reason, List.of());
    }

    private static List<NoMatch.Frame> frames(FixtureSpec spec, List<FrameCheck> checks) {
        List<NoMatch.Frame> frames = new ArrayList<>();
        for (FrameCheck c : checks) frames.add(frame(spec, c));
        return frames;
    }

    private static NoMatch.Frame frame(FixtureSpec spec, FrameCheck c) {
        String pattern = c.pattern() < spec.patterns().size() ? spec.patterns().get(c.pattern()) : null;
        Boolean loaded = c.found() == FrameCheck.Found.UNCHECKED ? null : c.found() == FrameCheck.Found.YES;
        return new NoMatch.Frame(pattern, c.text(), loaded, c.module(), c.nearName(), c.nearModule());
    }

    /** Matchers none of whose alternatives is loaded: one frame per alternative, grouped by pattern and matcher. */
    private static List<NoMatch.Frame> missingMatchers(List<FrameCheck> checks, FixtureSpec spec) {
        Map<String, List<FrameCheck>> byMatcher = new LinkedHashMap<>();
        for (FrameCheck c : checks) byMatcher.computeIfAbsent(c.pattern() + "/" + c.matcher(), k -> new ArrayList<>()).add(c);
        List<NoMatch.Frame> missing = new ArrayList<>();
        for (List<FrameCheck> alternatives : byMatcher.values()) {
            if (alternatives.stream().allMatch(c -> c.found() == FrameCheck.Found.NO))
                for (FrameCheck c : alternatives) missing.add(frame(spec, c));
        }
        return missing;
    }

    private static String describeMissing(NoMatch.Frame f) {
        return "'" + f.name() + "' (pattern '" + f.pattern() + "')"
                + (f.nearName() != null ? ", nearest loaded name: " + f.nearName() + (f.nearModule() != null ? " in " + f.nearModule() : "")
                : ", no near name in any loaded module");
    }
}
