#include "sampling.h"

#include <math.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t sampling_mean_bytes;

/* Per thread: bytes left before the next sample (drawn on first use), and a xorshift state. */
static __thread int64_t bytes_to_sample __attribute__((tls_model("initial-exec")));
static __thread uint64_t random_state __attribute__((tls_model("initial-exec")));

void sampling_init(uint64_t mean_bytes) { sampling_mean_bytes = mean_bytes; }

static uint64_t next_random(void) {
    if (unlikely(!random_state)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        random_state = nnl_mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)syscall(SYS_gettid) << 32)) | 1;
    }
    random_state ^= random_state << 13;
    random_state ^= random_state >> 7;
    random_state ^= random_state << 17;
    return random_state;
}

/* An exponentially distributed gap with mean N bytes: the next sample point of a Poisson process. */
static int64_t next_gap(void) {
    double uniform = ((double)(next_random() >> 11) + 0.5) / 9007199254740992.0; /* in (0, 1) */
    double gap = -log(uniform) * (double)sampling_mean_bytes;
    return gap < 1 ? 1 : gap > 1e18 ? (int64_t)1e18 : (int64_t)gap;
}

int sampling_takes_slow(size_t size) {
    if (unlikely(!random_state)) bytes_to_sample = next_gap(); /* a thread's first gap is drawn, not 0 */
    bytes_to_sample -= (int64_t)(size ? size : 1);
    if (likely(bytes_to_sample > 0)) return 0;
    /* Memoryless: how far this allocation overshot does not matter for the next gap. */
    bytes_to_sample = next_gap();
    return 1;
}

void sampling_account(struct nnl_sampling_block *block, size_t size) {
    /* P(sampled) = 1 - exp(-s/N); weight 1/P, so that the sums estimate the unsampled totals. */
    double probability = -expm1(-(double)(size ? size : 1) / (double)sampling_mean_bytes);
    double weight = 1.0 / probability;
    atomic_fetch_add_explicit(&block->estimated_count, (uint64_t)(weight * NNL_SAMPLING_FIXED_POINT + 0.5), memory_order_relaxed);
    atomic_fetch_add_explicit(&block->estimated_bytes, (uint64_t)(weight * (double)size + 0.5), memory_order_relaxed);
}
