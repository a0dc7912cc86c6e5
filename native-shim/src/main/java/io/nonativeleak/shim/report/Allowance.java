package io.nonativeleak.shim.report;

/** What the gate allowed: leaks up to both limits pass; {@code requireMatch} turns "nothing matched" into a failure. */
public record Allowance(long maxLeaks, long maxLeakedBytes, boolean requireMatch) {}
