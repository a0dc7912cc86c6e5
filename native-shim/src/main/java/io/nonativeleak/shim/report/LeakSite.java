package io.nonativeleak.shim.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Allocations still live at the checkpoint that share one C stack, one Python stack, process and thread.
 *
 * @param count             the number of live allocations
 * @param bytes             their total size
 * @param pid               the process that made them
 * @param thread            the allocating thread's name (Python's name for Python threads)
 * @param cStack            the C stack, frame 0 (the caller of malloc) first; allocator wrappers are marked
 * @param pythonStack       the Python stack, innermost frame last
 * @param pythonStackStatus {@code CAPTURED}, {@code THREAD_RUNS_NO_PYTHON} (said instead of a wrong stack),
 *                          or {@code UNAVAILABLE} (see the report's {@code pythonStacks})
 * @param pattern           the pattern that matched, or {@code null} when every allocation was tracked
 * @param suggestedPattern  in reports written by {@code discover}: a pattern that catches this site
 * @param runs              with {@code runs} &gt; 1: per measured run, its allocations from these stacks live at its
 *                          checkpoint ({@code count} and {@code bytes} sum them); {@code null} otherwise
 */
public record LeakSite(
        long count,
        long bytes,
        int pid,
        String thread,
        List<CFrame> cStack,
        List<PyFrame> pythonStack,
        String pythonStackStatus,
        String pattern,
        @JsonInclude(JsonInclude.Include.NON_NULL) String suggestedPattern,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Counts> runs) {

    /** A site of a run with one measured run. */
    public LeakSite(long count, long bytes, int pid, String thread, List<CFrame> cStack, List<PyFrame> pythonStack,
                    String pythonStackStatus, String pattern, String suggestedPattern) {
        this(count, bytes, pid, thread, cStack, pythonStack, pythonStackStatus, pattern, suggestedPattern, null);
    }

    public LeakSite withSuggestedPattern(String suggestion) {
        return new LeakSite(count, bytes, pid, thread, cStack, pythonStack, pythonStackStatus, pattern, suggestion, runs);
    }

    public LeakSite withRuns(List<Counts> perRun) {
        return new LeakSite(count, bytes, pid, thread, cStack, pythonStack, pythonStackStatus, pattern, suggestedPattern, perRun);
    }

    /** The innermost Python frame: the line that allocated. */
    public PyFrame innermostPythonFrame() {
        return pythonStack.isEmpty() ? null : pythonStack.get(pythonStack.size() - 1);
    }
}
