package io.nonativeleak.shim.report;

/**
 * A phase of the runner process, on the timeline's clock (milliseconds since the process started being tracked).
 *
 * @param name        {@code import}, {@code warmup K}, {@code run K} or {@code checkpoint K} (K counted from 1)
 * @param startMillis when it began
 * @param endMillis   when the next one began (the last: when the runner finished, or the last sample of a
 *                    process that did not get that far)
 */
public record Phase(String name, long startMillis, long endMillis) {}
