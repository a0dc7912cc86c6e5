/* Sampling by bytes, for discover on long runs (-Dnonativeleak.sampleBytes=N): on average one
 * allocation per N bytes allocated is tracked, as in tcmalloc's and jemalloc's heap profiles. Each
 * thread counts down the bytes to its next sample, drawn from an exponential distribution, so an
 * allocation of s bytes is tracked with probability 1 - exp(-s/N) whatever the allocations around it.
 * The gate never samples: N = 0 (the default) tracks every matching allocation. */
#ifndef NNL_SAMPLING_H
#define NNL_SAMPLING_H
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "output.h"

/* Mean bytes between samples; 0: sampling is off. Set once at start-up. */
extern uint64_t sampling_mean_bytes;

static inline struct nnl_sampling_block *sampling_block(struct nnl_file_header *h) {
    return (struct nnl_sampling_block *)((char *)h + NNL_SAMPLING_BLOCK_OFFSET);
}

void sampling_init(uint64_t mean_bytes);
/* Does this allocation of size bytes get tracked? Counts down this thread's bytes to its next sample. */
int sampling_takes_slow(size_t size);
static inline int sampling_takes(size_t size) { return likely(!sampling_mean_bytes) || sampling_takes_slow(size); }
/* Adds a tracked allocation's weight (1 / its probability of being sampled) to the estimates. */
void sampling_account(struct nnl_sampling_block *block, size_t size);
#endif
