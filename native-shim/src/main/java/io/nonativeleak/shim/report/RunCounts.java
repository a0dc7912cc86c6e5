package io.nonativeleak.shim.report;

/**
 * One measured run of a fixture run with {@code runs} &gt; 1.
 *
 * @param matched allocations made during this run that matched
 * @param leaked  of those, the ones still live at this run's checkpoint (later frees do not change it)
 */
public record RunCounts(Counts matched, Counts leaked) {}
