#include "nomatch.h"

#include <string.h>

#include "common.h"
#include "output.h"
#include "pattern.h"
#include "symbols.h"
#include "tracker.h"
#include "unwind.h"

/* numpy's data allocator keeps freed buffers under 1024 bytes in datacache: NBUCKETS (1024) buckets
 * of {available, ptrs[NCACHE = 7]}, one per size; dimcache holds 16 such buckets for shapes and
 * strides (numpy/_core/src/multiarray/alloc.c). Read only after the symbol's size and every bucket's
 * count agree with that layout. */
#define NUMPY_MODULE_GLOB "_multiarray_umath*"
#define NUMPY_CACHE_POINTERS 7
#define NUMPY_DATA_BUCKETS 1024
#define NUMPY_DIM_BUCKETS 16

struct numpy_bucket {
    uintptr_t available;
    uintptr_t pointers[NUMPY_CACHE_POINTERS];
};
_Static_assert(sizeof(struct numpy_bucket) == 64, "numpy's cache_bucket: a cache line");


atomic_int nomatch_counting_warmup;

void nomatch_begin_warmup(void) {
    struct nnl_file_header *h = output_header();
    if (!h || atomic_load(&h->state) != NNL_STATE_WAITING) return;
    atomic_store(&nomatch_counting_warmup, 1);
    atomic_store(&tracker_recording, 1);
}

void nomatch_count_warmup(size_t size) {
    struct nnl_nomatch_block *b = output_nomatch();
    if (!b) return;
    atomic_fetch_add_explicit(&b->warmup_matched_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&b->warmup_matched_bytes, size, memory_order_relaxed);
}

/* ---- numpy's cache ---- */

static const struct numpy_bucket *validated_cache(const struct module *m, const char *name, uint64_t buckets) {
    uintptr_t at;
    uint64_t size;
    if (symbols_find_object(m, name, &at, &size) != 0 || size != buckets * sizeof(struct numpy_bucket)) return NULL;
    const struct numpy_bucket *cache = (const struct numpy_bucket *)at;
    for (uint64_t b = 0; b < buckets; b++) {
        if (cache[b].available > NUMPY_CACHE_POINTERS) return NULL;
        for (uintptr_t k = 0; k < cache[b].available; k++)
            if (!cache[b].pointers[k]) return NULL;
    }
    return cache;
}

/* Forgets the tracked blocks the cache holds; returns how many blocks it holds. */
static uint64_t exclude_cached(const struct numpy_bucket *cache, uint64_t buckets, struct nnl_nomatch_block *block) {
    uint64_t held = 0;
    for (uint64_t b = 0; b < buckets; b++) {
        for (uintptr_t k = 0; k < cache[b].available; k++) {
            size_t size;
            held++;
            if (tracker_forget((void *)cache[b].pointers[k], &size)) {
                atomic_fetch_add(&block->numpy_excluded_count, 1);
                atomic_fetch_add(&block->numpy_excluded_bytes, size);
            }
        }
    }
    return held;
}

static int anchored_at_numpy_allocator(const char *module) {
    static const char *const allocators[] = {"default_malloc", "default_calloc", "npy_alloc_cache", "npy_alloc_cache_zero"};
    for (int i = 0; i < unwind_pattern_count(); i++) {
        const struct pattern *p = unwind_pattern(i);
        if (pattern_starts_with_wildcard(p)) continue;
        for (size_t a = 0; a < sizeof allocators / sizeof *allocators; a++) {
            struct frame_view frame = {allocators[a], module, NULL, 0};
            if (pattern_may_start_with(p, &frame)) return 1;
        }
    }
    return 0;
}

static void numpy_cache_at_checkpoint(struct nnl_nomatch_block *block) {
    const struct module *near;
    const struct module *numpy = symbols_find_module(NUMPY_MODULE_GLOB, &near);
    if (!numpy) return;
    strncpy(block->numpy_module, numpy->name, sizeof block->numpy_module - 1);
    atomic_store(&block->numpy_anchored, (uint32_t)anchored_at_numpy_allocator(numpy->name));
    atomic_store(&block->numpy_user_new_seen, (uint32_t)unwind_rejected_caller("PyDataMem_UserNEW"));
    const struct numpy_bucket *data = validated_cache(numpy, "datacache", NUMPY_DATA_BUCKETS);
    const struct numpy_bucket *dims = validated_cache(numpy, "dimcache", NUMPY_DIM_BUCKETS);
    if (!data) {
        atomic_store(&block->numpy_cache, NNL_NUMPY_CACHE_UNREADABLE);
        return;
    }
    uint64_t held = exclude_cached(data, NUMPY_DATA_BUCKETS, block);
    if (dims) held += exclude_cached(dims, NUMPY_DIM_BUCKETS, block);
    atomic_store(&block->numpy_cached_blocks, held);
    atomic_store(&block->numpy_cache, NNL_NUMPY_CACHE_READ);
}

/* ---- the patterns' named frames ---- */

static size_t length_of(const char *s) { return s ? strlen(s) < 1024 ? strlen(s) : 1024 : 0; }

static void write_frame_check(int pattern, int matcher, unsigned flags, const char *text, const char *module,
                              const char *near, const char *near_module) {
    struct nnl_frame_check_record fixed = {(uint16_t)pattern, (uint16_t)matcher, (uint8_t)flags, 0,
                                           {length_of(text), length_of(module), length_of(near), length_of(near_module)}};
    const char *strings[4] = {text, module, near, near_module};
    struct nnl_record_header *record;
    char *at = output_reserve_record((uint32_t)(sizeof fixed + fixed.lengths[0] + fixed.lengths[1] + fixed.lengths[2] +
                                                fixed.lengths[3]), &record);
    if (!at) return;
    memcpy(at, &fixed, sizeof fixed);
    at += sizeof fixed;
    for (int i = 0; i < 4; i++) {
        if (fixed.lengths[i]) memcpy(at, strings[i], fixed.lengths[i]);
        at += fixed.lengths[i];
    }
    output_commit_record(record, NNL_RECORD_FRAME_CHECK);
}

static void check_frame(void *context, int matcher, const char *text, int glob, int module_glob) {
    int pattern = *(const int *)context;
    unsigned flags = (glob ? NNL_CHECK_GLOB : 0) | (module_glob ? NNL_CHECK_MODULE : 0);
    if (module_glob) {
        const struct module *near;
        const struct module *found = symbols_find_module(text, &near);
        write_frame_check(pattern, matcher, flags | (found ? NNL_CHECK_FOUND : 0), text, found ? found->name : NULL,
                          !found && near ? near->name : NULL, NULL);
        return;
    }
    struct symbols_name_search search;
    int found = symbols_find_function(text, glob, &search);
    flags |= found > 0 ? NNL_CHECK_FOUND : found < 0 ? NNL_CHECK_UNCHECKED : 0;
    write_frame_check(pattern, matcher, flags, text, search.module, search.near_name, search.near_module);
}

void nomatch_at_checkpoint(int nothing_matched) {
    struct nnl_nomatch_block *block = output_nomatch();
    if (!block) return;
    numpy_cache_at_checkpoint(block);
    if (!nothing_matched) return;
    for (int i = 0; i < unwind_pattern_count(); i++) pattern_named_frames(unwind_pattern(i), check_frame, &i);
    atomic_store(&block->frames_checked, 1);
}
