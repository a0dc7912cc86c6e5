package io.nonativeleak.shim.report;

/**
 * A process whose measured run the shim could not track in full (docs/troubleshooting.md, INCOMPLETE).
 *
 * @param pid         the process
 * @param sinceMillis from when, in milliseconds after the measured run began (0: from its start, or unknown)
 * @param reason      why, and what was not recorded
 */
public record IncompleteProcess(int pid, long sinceMillis, String reason) {}
