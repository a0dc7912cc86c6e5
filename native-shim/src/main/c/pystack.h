/* The Python stack of the thread that allocates (docs/design.md, Python stacks).
 *
 * Capture must be cheap and must never run Python: it happens inside malloc, possibly while the
 * interpreter is half-way through changing its own state. So the shim does not call the frame
 * API (which may allocate frame objects and, on 3.11, run the garbage collector); it reads the
 * thread's frame chain directly, with the structure offsets of the running CPython minor version
 * (compiled in for 3.9 - 3.12, published by the interpreter itself from 3.13 on), and keeps
 * (code object, instruction offset, code identity) triples. Those are turned into file, function and line
 * only when a new site is created, still on the allocating thread, where the code objects are
 * alive. The offsets are verified against the live interpreter before capture is enabled. */
#ifndef NNL_PYSTACK_H
#define NNL_PYSTACK_H
#include <stddef.h>
#include <stdint.h>

struct py_ref {
    uintptr_t code;      /* the frame's code object */
    int32_t byte_offset; /* offset of the executing instruction in the bytecode, -1 if not started */
    uint32_t identity;   /* tells this code object from a later one at the same address (no padding: compared with memcmp) */
};

enum py_capture_status {
    PY_CAPTURED = 0,      /* frames captured (possibly none, e.g. between Python calls) */
    PY_NO_PYTHON = 1,     /* the allocating thread runs no Python */
    PY_UNAVAILABLE = 2,   /* Python stacks are not available in this process */
};

/* Captures up to max frames, innermost first; returns the count and sets *status. */
int pystack_capture(struct py_ref *out, int max, int *status);

/* Resolves a captured frame. The copy functions write at most cap bytes of UTF-8 to out (out may be
 * NULL to measure) and return the full length. */
int pystack_line(const struct py_ref *ref);
size_t pystack_filename(const struct py_ref *ref, char *out, size_t cap);
size_t pystack_function(const struct py_ref *ref, char *out, size_t cap);

/* Checks the layout against the calling Python frame (the runner passes what Python itself says
 * of that frame and its caller), then enables capture. 0 on success, else reason is filled in. */
int pystack_verify_and_enable(uintptr_t code, int line, const char *filename, const char *function,
                              uintptr_t caller_code, char *reason, size_t reason_size);
/* Frames at and outside this code object are the runner's own and are left out. */
void pystack_set_boundary(uintptr_t code);
/* In a process the runner did not start: enable capture when this interpreter's version string
 * equals the one the runner verified. Sets reason when it cannot. */
void pystack_enable_if_verified(const char *verified_version, char *reason, size_t reason_size);
int pystack_enabled(void);
#endif
