/* Stands in for interpose.c in the sanitizer builds of the tracking core.
 *
 * The sanitizers interpose malloc themselves, so the real interposer cannot be loaded with them.
 * This front is linked into the same shared library as the core (as interpose.c is in the shim),
 * so its frames, like the shim's, are the library's own and are left out of every stack; it hands
 * allocations to the core exactly as interpose.c does: return address of the allocation call,
 * forget before free, forget-realloc-move for realloc. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "common.h"
#include "interpose.h"
#include "output.h"
#include "symbols.h"
#include "tracker.h"
#include "unwind.h"

#define CALLER() ((uintptr_t)__builtin_return_address(0))
/* Where CALLER() lies on the stack: built with frame pointers, just above the saved rbp. */
#define CALLER_SLOT() ((uintptr_t)__builtin_frame_address(0) + sizeof(void *))
#define RECORDING() atomic_load_explicit(&tracker_recording, memory_order_relaxed)

static char run_dir[4096];
static int active;

int shim_active(void) { return active; }
/* The sanitizers interpose sigaction too (signals.c is left out): no signal is ever put off here. */
void nnl_signals_replay(void) {}
const char *shim_inactive_reason(void) { return active ? "" : "not started"; }

/* What interpose.c's constructor does, minus reading the environment and the patterns file. */
void front_init(const char *dir) {
    strncpy(run_dir, dir, sizeof run_dir - 1);
    unwind_register_fork_locks();
    symbols_register_fork_locks();
    tracker_register_fork_locks();
    output_register_fork_locks();
    arena_register_fork_lock();
    symbols_init();
    unwind_init();
    active = 1;
}

static __attribute__((noinline)) void after_alloc(void *p, size_t size, uintptr_t caller, uintptr_t caller_slot) {
    if (nnl_in_shim || !p) return;
    nnl_in_shim = 1;
    const struct stack *stack = unwind_matching_stack(caller, caller_slot);
    if (stack) tracker_record(p, size, stack);
    nnl_in_shim = 0;
}

void *front_malloc(size_t size) {
    void *p = malloc(size);
    if (RECORDING()) after_alloc(p, size, CALLER(), CALLER_SLOT());
    return p;
}

void front_free(void *p) {
    if (p && RECORDING() && !nnl_in_shim && tracker_live_count()) {
        size_t size;
        nnl_in_shim = 1;
        tracker_forget(p, &size);
        nnl_in_shim = 0;
    }
    free(p);
}

static __attribute__((noinline)) void *tracked_realloc(void *p, size_t size, uintptr_t caller, uintptr_t caller_slot) {
    nnl_in_shim = 1;
    size_t old_size = 0;
    uint32_t site = p && tracker_live_count() ? tracker_forget(p, &old_size) : 0;
    void *q = realloc(p, size);
    if (q && site) tracker_moved(q, size, site);
    else if (q) {
        const struct stack *stack = unwind_matching_stack(caller, caller_slot);
        if (stack) tracker_record(q, size, stack);
    } else if (site && size) {
        tracker_moved(p, old_size, site);
    }
    nnl_in_shim = 0;
    return q;
}

void *front_realloc(void *p, size_t size) {
    if (RECORDING() && !nnl_in_shim) return tracked_realloc(p, size, CALLER(), CALLER_SLOT());
    return realloc(p, size);
}

/* fork() as the shim's pthread_atfork handlers see it. */
pid_t front_fork(void) {
    nnl_in_shim++;
    nnl_fork_lock_all();
    pid_t pid = fork();
    nnl_fork_unlock_all();
    if (pid == 0) tracker_after_fork_child(run_dir);
    nnl_in_shim--;
    return pid;
}
