/* Shared by every file of the shim: visibility, branch hints, the spinlock and the re-entrancy flag.
 *
 * The shim runs inside other people's processes, inside malloc. Nothing here may call malloc,
 * take a lock that a malloc caller could hold, or block on another thread's progress. */
#ifndef NNL_COMMON_H
#define NNL_COMMON_H

#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define NNL_EXPORT __attribute__((visibility("default")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* At most this many frames of an allocation's C stack are matched and reported (docs/patterns.md). */
#define NNL_MAX_FRAMES 64
/* Python frames kept per allocation, innermost first. */
#define NNL_MAX_PY_FRAMES 64

/* A spinlock. Critical sections are short and never call out of the shim, so spinning is cheaper
 * than a futex and, unlike pthread mutexes, needs no initialisation before our constructor runs. */
typedef struct {
    atomic_int held;
} nnl_lock;

static inline void nnl_lock_acquire(nnl_lock *lock) {
    for (unsigned spins = 0;; spins++) {
        if (!atomic_exchange_explicit(&lock->held, 1, memory_order_acquire)) return;
        while (atomic_load_explicit(&lock->held, memory_order_relaxed)) {
            if (++spins > 64) sched_yield(); else __builtin_ia32_pause();
        }
    }
}

static inline void nnl_lock_release(nnl_lock *lock) {
    atomic_store_explicit(&lock->held, 0, memory_order_release);
}

/* Every lock of the shim is registered once, at start-up, in the order in which locks may nest
 * (a lock registered later is never held while taking an earlier one). fork() takes them all in
 * that order, so the child never inherits a lock held by a thread that does not exist there. */
void nnl_register_fork_lock(nnl_lock *lock);
void nnl_fork_lock_all(void);
void nnl_fork_unlock_all(void);

/* Re-entrancy flag: set while the shim works on this thread, so allocations made by the shim's
 * own callees (libunwind, dlsym, the demangler) pass straight through. Initial-exec TLS: reading
 * it never allocates, even before the thread is fully set up. */
extern __thread int nnl_in_shim __attribute__((tls_model("initial-exec")));

/* Signals that arrived while this thread was inside the shim, to be raised again as it leaves
 * (signals.c): every nnl_in_shim++ ends with nnl_shim_leave(). */
extern __thread int nnl_signals_deferred __attribute__((tls_model("initial-exec")));
void nnl_signals_replay(void);

static inline void nnl_shim_leave(void) {
    if (--nnl_in_shim == 0 && unlikely(nnl_signals_deferred)) nnl_signals_replay();
}

/* 64-bit mixing (splitmix64 finaliser): cheap and good enough for address and stack hashing. */
static inline uint64_t nnl_mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#endif
