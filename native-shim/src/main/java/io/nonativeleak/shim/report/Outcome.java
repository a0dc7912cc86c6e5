package io.nonativeleak.shim.report;

/** The verdict on one fixture run (docs/maven.md lists them). Only {@link #CLEAN} passes a gate. */
public enum Outcome {
    /** Leaks within {@code maxLeaks} and {@code maxLeakedBytes}. */
    CLEAN,
    /** More leaks than allowed. */
    LEAKED,
    /** {@code requireMatch} was set and no allocation of the measured run matched any pattern. */
    NO_MATCH,
    /** The fixture raised, or the process exited non-zero. */
    FIXTURE_FAILED,
    /** The process died of a signal; what it recorded up to then is still reported. */
    CRASHED,
    /** The run exceeded its timeout; the whole process tree was killed. */
    TIMED_OUT,
    /** The shim could not track the whole measured run of some process; the report's {@code incomplete} says which, from when and why. */
    INCOMPLETE;

    /** Does this outcome fail a gated test or the build? */
    public boolean failsGate() {
        return this != CLEAN;
    }
}
