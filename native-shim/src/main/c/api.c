/* The shim's exported interface: for the Python runner (through ctypes) and for the Java side
 * (through JNA, which loads the library dormant to validate patterns). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

/* Checks a pattern without compiling it into any process's configuration: 0 when it is well
 * formed, else the 1-based position of the problem, with the reason in reason. */
NNL_EXPORT int nnl_pattern_check(const char *text, char *reason, size_t reason_size) {
    nnl_in_shim++;
    struct pattern_error error;
    int position = pattern_compile(text, &error) ? 0 : (error.position > 0 ? error.position : 1);
    if (position && reason && reason_size) snprintf(reason, reason_size, "%s", error.reason);
    nnl_shim_leave();
    return position;
}

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

/* Matched allocations currently live in this process (tests and the runner's own checks). */
NNL_EXPORT uint64_t nnl_live_count(void) { return tracker_live_count(); }

/* Diagnostics for the C tests: the calling thread's stacks confirmed from a stack shape. */
NNL_EXPORT uint64_t nnl_thread_shapes_confirmed(void) { return unwind_thread_shapes_confirmed(); }
