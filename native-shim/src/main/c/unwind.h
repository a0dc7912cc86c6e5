/* Unwinding and matching: the C stack of an allocation, and whether the patterns want it.
 *
 * The common case must be cheap: an allocation whose immediate caller cannot be frame 0 of any
 * pattern is rejected from its return address alone, without unwinding. Otherwise the stack is
 * unwound with libunwind and its verdict cached by the exact list of return addresses; a stack
 * that recurs on a thread at the same depth is confirmed from its stack slots instead. */
#ifndef NNL_UNWIND_H
#define NNL_UNWIND_H
#include <stdint.h>

#include "format.h"
#include "pattern.h"

enum { VERDICT_NO_MATCH = -1, VERDICT_IGNORED = -2 };

/* The most frames a stack has: the 64 matched and room for the allocator wrappers above them. */
#define STACK_MAX_FRAMES (NNL_MAX_FRAMES + 16)
/* A stack owns its innermost STACK_HEAD frames; the frames beyond them are a chain of shared links
 * (unwind.c), each kept once for every stack that goes on the same way: deep stacks mostly differ
 * near the allocation (the 22,800 C stacks of `import numpy` under PYTHONMALLOC=malloc, 76 frames
 * each, took 13.8 MiB whole, 2.8 MiB so). */
#define STACK_HEAD 8

struct stack_link;

struct stack {
    uint64_t hash; /* first: cached in an itab */
    int verdict;   /* index of the first matching pattern, or a VERDICT_ value */
    int count;     /* frames, innermost first, the shim's own frames removed */
    int first;     /* index of frame 0: the frames before it are allocator wrappers */
    const struct stack_link *tail; /* frames STACK_HEAD to count - 1; NULL when there are none */
    uintptr_t head[];              /* frames 0 to STACK_HEAD - 1 (or to count - 1) */
};

/* Copies the stack's frames to out (room for STACK_MAX_FRAMES); returns their count. */
int stack_frames(const struct stack *s, uintptr_t *out);

void unwind_init(void);
/* Adds a pattern (or an ignore pattern); 0 on success, else *error says why. */
int unwind_add_pattern(const char *text, int ignore, struct pattern_error *error);
int unwind_pattern_count(void);
/* The compiled pattern of this index (0 <= index < unwind_pattern_count()). */
const struct pattern *unwind_pattern(int index);
/* The allocation's stack when it matches a pattern and no ignore pattern; NULL otherwise.
 * return_address is the allocation function's return address (the caller of malloc), return_slot
 * the stack address it was read from (0 when unknown: the stack is then always unwound). */
const struct stack *unwind_matching_stack(uintptr_t return_address, uintptr_t return_slot);
/* Was an allocation's caller (its frame 0) with this symbol ruled out by the prefilter since the
 * libraries last changed? Off the hot path: explains a pattern that matched nothing. */
int unwind_rejected_caller(const char *symbol);
/* After dlclose(): every cache keyed by address is stale. */
void unwind_invalidate(void);
void unwind_register_fork_locks(void);
/* Around fork: no other thread is inside libunwind while the process forks. */
void unwind_fork_prepare(void);
void unwind_fork_parent(void);
void unwind_fork_child(void);
/* How many allocations of the calling thread were matched through a stack shape (for tests). */
uint64_t unwind_thread_shapes_confirmed(void);
#endif
