#include "common.h"

#define MAX_LOCKS 128

__thread int nnl_in_shim __attribute__((tls_model("initial-exec")));
__thread int nnl_signals_deferred __attribute__((tls_model("initial-exec")));

static nnl_lock *locks[MAX_LOCKS];
static int lock_count;

void nnl_register_fork_lock(nnl_lock *lock) {
    if (lock_count < MAX_LOCKS) locks[lock_count++] = lock;
}

void nnl_fork_lock_all(void) {
    for (int i = 0; i < lock_count; i++) nnl_lock_acquire(locks[i]);
}

void nnl_fork_unlock_all(void) {
    for (int i = lock_count; i-- > 0;) nnl_lock_release(locks[i]);
}
