#include "unwind.h"

#include <libunwind.h>
#include <string.h>

#include "arena.h"
#include "common.h"
#include "itab.h"
#include "symbols.h"

#define MAX_PATTERNS 256
/* Room for the shim's own frames and the allocator wrappers above the 64 matched frames. */
#define RAW_DEPTH (NNL_MAX_FRAMES + 16)
#define PREFILTER_SLOTS 8192
enum { PREFILTER_REJECT = 1, PREFILTER_UNWIND = 2 };

static struct pattern *patterns[MAX_PATTERNS];
static int pattern_count;
static struct pattern *ignores[MAX_PATTERNS];
static int ignore_count;
/* True when every pattern names its frame 0: then the caller's address alone can rule a stack out. */
static int prefilter_enabled;
static struct itab stacks;
/* Direct-mapped cache of the verdict on a return address as frame 0:
 * (address << 16) | (generation << 2) | PREFILTER_*. */
static _Atomic uint64_t prefilter[PREFILTER_SLOTS];

void unwind_init(void) {
    /* Per-thread caches: unwinding never takes a lock shared with other threads. */
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

int unwind_add_pattern(const char *text, int ignore, struct pattern_error *error) {
    if ((ignore ? ignore_count : pattern_count) == MAX_PATTERNS) {
        error->position = 1;
        strcpy(error->reason, "too many patterns (at most 256)");
        return -1;
    }
    struct pattern *p = pattern_compile(text, error);
    if (!p) return -1;
    if (ignore) {
        ignores[ignore_count++] = p;
    } else {
        patterns[pattern_count++] = p;
        prefilter_enabled = 1;
        for (int i = 0; i < pattern_count; i++)
            if (pattern_starts_with_wildcard(patterns[i])) prefilter_enabled = 0;
    }
    return 0;
}

int unwind_pattern_count(void) { return pattern_count; }

static struct frame_view view_of(const struct frame_symbol *fs) {
    struct frame_view view = {fs ? fs->symbol : NULL, fs && fs->module ? fs->module->name : NULL};
    return view;
}

static int prefilter_rejects(uintptr_t address) {
    if (address >> 47) return 0; /* not a user-space code address we can key on */
    uint64_t generation = symbols_generation() & 0x3fff;
    _Atomic uint64_t *slot = &prefilter[nnl_mix64(address) & (PREFILTER_SLOTS - 1)];
    uint64_t cached = atomic_load_explicit(slot, memory_order_relaxed);
    if ((cached >> 16) == address && ((cached >> 2) & 0x3fff) == generation)
        return (cached & 3) == PREFILTER_REJECT;

    const struct frame_symbol *fs = symbols_lookup(address);
    int reject = fs && !fs->wrapper;
    struct frame_view view = view_of(fs);
    for (int i = 0; reject && i < pattern_count; i++)
        if (pattern_may_start_with(patterns[i], &view)) reject = 0;
    uint64_t entry = ((uint64_t)address << 16) | (generation << 2) | (reject ? PREFILTER_REJECT : PREFILTER_UNWIND);
    atomic_store_explicit(slot, entry, memory_order_relaxed);
    return reject;
}

struct stack_key {
    const uintptr_t *frames;
    int count;
};

static int same_stack(const void *entry, const void *key) {
    const struct stack *s = entry;
    const struct stack_key *k = key;
    return s->count == k->count && memcmp(s->frames, k->frames, sizeof(uintptr_t) * k->count) == 0;
}

static int verdict_for(const struct frame_view *views, int n) {
    int verdict = pattern_count == 0 ? 0 : VERDICT_NO_MATCH; /* no pattern: every allocation matches */
    for (int i = 0; verdict == VERDICT_NO_MATCH && i < pattern_count; i++)
        if (pattern_matches(patterns[i], views, n)) verdict = i;
    for (int j = 0; verdict >= 0 && j < ignore_count; j++)
        if (pattern_matches(ignores[j], views, n)) verdict = VERDICT_IGNORED;
    return verdict;
}

static const struct stack *classify(const uintptr_t *frames, int count, uint64_t hash) {
    struct stack *s = arena_alloc(sizeof *s + sizeof(uintptr_t) * count);
    if (!s) return NULL;
    s->hash = hash;
    s->count = count;
    memcpy(s->frames, frames, sizeof(uintptr_t) * count);
    const struct frame_symbol *fs = NULL;
    while (s->first < count && (fs = symbols_lookup(frames[s->first])) && fs->wrapper) s->first++;
    struct frame_view views[NNL_MAX_FRAMES];
    int n = 0;
    for (int i = s->first; i < count && n < NNL_MAX_FRAMES; i++) views[n++] = view_of(symbols_lookup(frames[i]));
    s->verdict = verdict_for(views, n);
    struct stack_key key = {frames, count};
    const struct stack *kept = itab_insert(&stacks, s, same_stack, &key);
    return kept ? kept : s;
}

const struct stack *unwind_matching_stack(uintptr_t return_address) {
    if (prefilter_enabled && prefilter_rejects(return_address)) return NULL;
    void *raw[RAW_DEPTH];
    int n = unw_backtrace(raw, RAW_DEPTH);
    int skip = 0;
    while (skip < n && symbols_in_shim((uintptr_t)raw[skip])) skip++;
    const uintptr_t *frames = (const uintptr_t *)raw + skip;
    int count = n - skip;
    /* The shim calls no user code, so a shim frame further down means the unwinder lost its way
     * (code without unwind information, such as JIT code): what follows is not the real stack. */
    for (int i = 0; i < count; i++)
        if (symbols_in_shim(frames[i])) count = i;
    /* One multiply per frame and a single final mix: this runs on every candidate allocation. */
    uint64_t hash = (uint64_t)count;
    for (int i = 0; i < count; i++) hash = (hash ^ frames[i]) * 0x100000001b3ULL;
    hash = nnl_mix64(hash);
    struct stack_key key = {frames, count};
    const struct stack *s = itab_find(&stacks, hash, same_stack, &key);
    if (!s) s = classify(frames, count, hash);
    return s && s->verdict >= 0 ? s : NULL;
}

void unwind_invalidate(void) {
    symbols_invalidate();
    itab_clear(&stacks);
    unw_flush_cache(unw_local_addr_space, 0, 0);
}

void unwind_register_fork_locks(void) { itab_register_fork_lock(&stacks); }
