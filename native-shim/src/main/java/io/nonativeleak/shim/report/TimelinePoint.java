package io.nonativeleak.shim.report;

/** Matched bytes live in the runner at a time since the measured run began. */
public record TimelinePoint(long tMillis, long liveBytes) {}
