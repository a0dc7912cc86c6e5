package io.nonativeleak.shim.report;

/**
 * How a discover run sampled ({@code -Dnonativeleak.sampleBytes=N}): on average one allocation per
 * {@code sampleBytes} bytes allocated was tracked (Poisson sampling by bytes, as in tcmalloc's heap profiles),
 * and every count and byte total of the report is an estimate scaled back up from those samples. The gate
 * never samples.
 *
 * @param sampleBytes the mean number of bytes between samples
 * @param tracked     the allocations that were really tracked (the samples), before scaling
 */
public record Sampling(long sampleBytes, Counts tracked) {
    /** How many allocations of this size one sample stands for: 1 / the probability it was sampled. */
    public double weight(long size) {
        return -1.0 / Math.expm1(-(double) Math.max(size, 1) / sampleBytes);
    }
}
