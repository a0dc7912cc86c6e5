package io.nonativeleak.shim.report;

/** A number of allocations and their total size in bytes. */
public record Counts(long count, long bytes) {
    public static final Counts NONE = new Counts(0, 0);

    public Counts plus(Counts other) {
        return new Counts(count + other.count, bytes + other.bytes);
    }
}
