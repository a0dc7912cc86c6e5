package io.nonativeleak.shim.report;

/** Whether the shim could read Python stacks in the runner, and if not, why. */
public record PythonStacks(boolean enabled, String reason) {}
