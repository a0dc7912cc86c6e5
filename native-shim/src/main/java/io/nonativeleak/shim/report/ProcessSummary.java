package io.nonativeleak.shim.report;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One process image of the run: the runner, or a child (fork, fork+exec, multiprocessing).
 *
 * @param pid        its process id
 * @param parentPid  its parent, {@code null} for the runner
 * @param exitCode   how it exited, when known
 * @param signal     the signal that ended it, when known
 * @param ended      {@code exit}, {@code _exit}, {@code exec} (replaced by another program),
 *                   {@code signal}, or {@code killed} (no exit was seen: killed, crashed or still running)
 * @param judged     whether its leaks count: the runner always, a child when it started during the measured run
 * @param executable the program it ran
 * @param matched    allocations that matched while it was tracked
 * @param leaked     matched allocations still live at its end (the runner: at the checkpoint)
 * @param reason     why it was not followed or not watched, when so (an exec into a program the shim
 *                   cannot be preloaded into, another module's malloc ahead of the shim's)
 */
public record ProcessSummary(
        int pid,
        @JsonInclude(JsonInclude.Include.ALWAYS) Integer parentPid,
        @JsonInclude(JsonInclude.Include.ALWAYS) Integer exitCode,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer signal,
        String ended,
        boolean judged,
        String executable,
        Counts matched,
        Counts leaked,
        @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {}
