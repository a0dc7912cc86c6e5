/* The shim's exported interface: for the Python runner (through ctypes) and for the Java side
 * (through JNA, which loads the library dormant to validate patterns). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "common.h"
#include "interpose.h"
#include "nomatch.h"
#include "output.h"
#include "pattern.h"
#include "pystack.h"
#include "tracker.h"
#include "unwind.h"

#define NNL_SHIM_VERSION "1"

NNL_EXPORT const char *nnl_version(void) { return NNL_SHIM_VERSION; }

NNL_EXPORT int nnl_active(void) { return shim_active(); }

NNL_EXPORT const char *nnl_inactive_reason(void) { return shim_inactive_reason(); }

/* A pattern compiled for one call from the Java side, into a mapping of its own that the call
 * unmaps: the arena never frees, and the JVM checks and matches patterns by the thousand. */
struct transient_pattern {
    struct pattern *pattern;
    void *memory;
    size_t size;
    struct pattern_error error;
};

/* 0 when the pattern compiled, else the 1-based position of the problem (error.reason says it). */
static int transient_compile(struct transient_pattern *t, const char *text) {
    t->size = pattern_memory_bound(strlen(text));
    t->memory = mmap(NULL, t->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    t->pattern = NULL;
    if (t->memory == MAP_FAILED) {
        t->memory = NULL;
        t->error.position = 1;
        snprintf(t->error.reason, sizeof t->error.reason, "out of memory");
        return 1;
    }
    t->pattern = pattern_compile_into(text, &t->error, t->memory, t->size);
    return t->pattern ? 0 : (t->error.position > 0 ? t->error.position : 1);
}

static void transient_release(struct transient_pattern *t) {
    if (t->memory) munmap(t->memory, t->size);
}

/* Checks a pattern without compiling it into any process's configuration: 0 when it is well
 * formed, else the 1-based position of the problem, with the reason in reason. */
NNL_EXPORT int nnl_pattern_check(const char *text, char *reason, size_t reason_size) {
    nnl_in_shim++;
    struct transient_pattern t;
    int position = transient_compile(&t, text);
    if (position && reason && reason_size) snprintf(reason, reason_size, "%s", t.error.reason);
    transient_release(&t);
    nnl_shim_leave();
    return position;
}

/* Matches one pattern against stacks as the Java side has them (a report's frames from frame 0):
 * stack s is frames starts[s] to starts[s + 1] - 1 of symbols and modules (NULL where a frame has
 * none; no aliases), of which the first 64 are matched, as in the shim. Sets matched[s] to 1 or 0;
 * returns 0, or the position of the pattern's problem as nnl_pattern_check does. */
NNL_EXPORT int nnl_pattern_match(const char *text, const char *const *symbols, const char *const *modules,
                                 const int32_t *starts, int32_t stack_count, uint8_t *matched) {
    nnl_in_shim++;
    struct transient_pattern t;
    int position = transient_compile(&t, text);
    for (int32_t s = 0; !position && s < stack_count; s++) {
        struct frame_view views[NNL_MAX_FRAMES];
        int n = 0;
        for (int32_t f = starts[s]; f < starts[s + 1] && n < NNL_MAX_FRAMES; f++, n++)
            views[n] = (struct frame_view){.symbol = symbols[f], .module = modules[f]};
        matched[s] = (uint8_t)pattern_matches(t.pattern, views, n);
    }
    transient_release(&t);
    nnl_shim_leave();
    return position;
}

/* The pattern language's glob (docs/patterns.md), for the Java side's assertions on reports. */
NNL_EXPORT int nnl_glob_matches(const char *glob, const char *text) { return glob_matches(glob, text); }

/* How many frames of a stack a pattern is matched against. */
NNL_EXPORT int nnl_pattern_max_frames(void) { return NNL_MAX_FRAMES; }

NNL_EXPORT int nnl_python_verify(uintptr_t code, int line, const char *filename, const char *function,
                                 uintptr_t caller_code, char *reason, size_t reason_size) {
    nnl_in_shim++;
    int result = pystack_verify_and_enable(code, line, filename, function, caller_code, reason, reason_size);
    tracker_set_python_status(result == 0 ? NNL_PYTHON_ENABLED : NNL_PYTHON_UNAVAILABLE, result == 0 ? "" : reason);
    nnl_shim_leave();
    return result;
}

NNL_EXPORT void nnl_python_boundary(uintptr_t code) { pystack_set_boundary(code); }

NNL_EXPORT void nnl_set_thread_name(const char *name) {
    nnl_in_shim++;
    tracker_set_thread_name(name);
    nnl_shim_leave();
}

/* The runner is about to run its warm-ups (warmup > 0): matches are counted, never tracked. */
NNL_EXPORT void nnl_begin_warmup(void) {
    nnl_in_shim++;
    nomatch_begin_warmup();
    nnl_shim_leave();
}

NNL_EXPORT void nnl_begin_measuring(void) {
    nnl_in_shim++;
    tracker_begin_measuring();
    nnl_shim_leave();
}

NNL_EXPORT void nnl_checkpoint_run(void) {
    nnl_in_shim++;
    tracker_checkpoint_run();
    nnl_shim_leave();
}

NNL_EXPORT void nnl_phase(uint32_t kind, uint32_t index) {
    nnl_in_shim++;
    tracker_phase(kind, index);
    nnl_shim_leave();
}

NNL_EXPORT void nnl_checkpoint(void) {
    nnl_in_shim++;
    tracker_checkpoint();
    nnl_shim_leave();
}

/* Matched allocations currently live in this process (for the C tests, through dlsym). */
NNL_EXPORT uint64_t nnl_live_count(void) { return tracker_live_count(); }

/* Diagnostics for the C tests: the calling thread's stacks confirmed from a stack shape. */
NNL_EXPORT uint64_t nnl_thread_shapes_confirmed(void) { return unwind_thread_shapes_confirmed(); }
