package io.nonativeleak.shim.report;

/**
 * A sample of the runner process, at a time since it started being tracked.
 *
 * @param tMillis   when
 * @param liveBytes matched bytes live then (0 before the measured runs: nothing is tracked before them)
 * @param rssBytes  the process's resident set size then (0: it could not be read)
 */
public record TimelinePoint(long tMillis, long liveBytes, long rssBytes) {}
