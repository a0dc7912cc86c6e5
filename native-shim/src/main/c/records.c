#include "records.h"

#include <string.h>

#include "arena.h"
#include "common.h"
#include "itab.h"
#include "output.h"
#include "pystack.h"
#include "symbols.h"

#define MAX_SYMBOL 1024
#define MAX_MODULE 255
#define MAX_FILE 1024
#define MAX_FUNCTION 255

static size_t clamp(size_t n, size_t max) { return n < max ? n : max; }

static char *put(char *at, const void *data, size_t n) {
    memcpy(at, data, n);
    return at + n;
}

static atomic_uint next_frame_id;
static uint32_t process_epoch = 1;

/* A frame's id in this process's file, writing its FRAME record the first time: sites then cost
 * four bytes per frame instead of its module and symbol names. */
static uint32_t frame_id(const struct frame_symbol *fs) {
    if (!fs) return UINT32_MAX;
    uint64_t written = atomic_load_explicit(&((struct frame_symbol *)fs)->written, memory_order_acquire);
    if ((written >> 32) == process_epoch && (uint32_t)written) return (uint32_t)written - 1;
    const struct module *m = fs->module;
    size_t module = m ? clamp(strlen(m->name), MAX_MODULE) : 0;
    size_t symbol = fs->symbol ? clamp(strlen(fs->symbol), MAX_SYMBOL) : 0;
    struct nnl_record_header *record;
    char *at = output_reserve_record((uint32_t)(sizeof(struct nnl_frame_record) + module + symbol), &record);
    if (!at) return UINT32_MAX;
    uint32_t id = atomic_fetch_add(&next_frame_id, 1);
    struct nnl_frame_record fixed = {
        .id = id,
        .address = fs->address,
        .offset = m ? fs->address - m->base : fs->address,
        .flags = (uint8_t)((fs->wrapper ? NNL_FRAME_WRAPPER : 0) | (m ? NNL_FRAME_HAS_MODULE : 0) | (symbol ? NNL_FRAME_HAS_SYMBOL : 0)),
        .module_len = (uint16_t)module,
        .symbol_len = (uint16_t)symbol,
    };
    at = put(at, &fixed, sizeof fixed);
    if (module) at = put(at, m->name, module);
    if (symbol) put(at, fs->symbol, symbol);
    output_commit_record(record, NNL_RECORD_FRAME);
    atomic_store_explicit(&((struct frame_symbol *)fs)->written, ((uint64_t)process_epoch << 32) | (id + 1),
                          memory_order_release);
    return id;
}

struct python_frame_entry {
    uint64_t hash; /* first: cached in an itab */
    _Atomic uint64_t written; /* (process epoch << 32) | (id + 1) */
    int32_t line;
    uint16_t file_len, function_len;
    char text[]; /* file, then function */
};

struct python_frame_key {
    int32_t line;
    size_t file_len, function_len;
    const char *text;
};

static struct itab python_frames;
static atomic_uint next_python_frame_id;

static int same_python_frame(const void *entry, const void *key) {
    const struct python_frame_entry *e = entry;
    const struct python_frame_key *k = key;
    return e->line == k->line && e->file_len == k->file_len && e->function_len == k->function_len &&
           memcmp(e->text, k->text, k->file_len + k->function_len) == 0;
}

/* (code object, offset, identity) -> that frame's text entry. Reading the line table and copying two
 * strings costs microseconds, and a site made during an import is some 40 Python frames deep. Keyed
 * the way sites are (pystack.h), so it tells one code object from another as well as sites do. */
struct python_ref_entry {
    uint64_t hash; /* first: cached in an itab */
    struct py_ref ref;
    struct python_frame_entry *frame;
};

static struct itab python_refs;

static int same_python_ref(const void *entry, const void *key) {
    return memcmp(&((const struct python_ref_entry *)entry)->ref, key, sizeof(struct py_ref)) == 0;
}

/* The frame's text entry, interned by its text. */
static struct python_frame_entry *python_frame_text(const struct py_ref *ref) {
    char text[MAX_FILE + MAX_FUNCTION];
    struct python_frame_key key;
    key.line = pystack_line(ref);
    key.file_len = clamp(pystack_filename(ref, text, MAX_FILE), MAX_FILE);
    key.function_len = clamp(pystack_function(ref, text + key.file_len, MAX_FUNCTION), MAX_FUNCTION);
    key.text = text;
    uint64_t hash = (uint64_t)(uint32_t)key.line;
    for (size_t i = 0; i < key.file_len + key.function_len; i++) hash = (hash ^ (unsigned char)text[i]) * 0x100000001b3ULL;
    hash = nnl_mix64(hash);
    struct python_frame_entry *e = itab_find(&python_frames, hash, same_python_frame, &key);
    if (e) return e;
    e = arena_alloc(sizeof *e + key.file_len + key.function_len);
    if (!e) return NULL;
    e->hash = hash;
    e->line = key.line;
    e->file_len = (uint16_t)key.file_len;
    e->function_len = (uint16_t)key.function_len;
    memcpy(e->text, text, key.file_len + key.function_len);
    struct python_frame_entry *kept = itab_insert(&python_frames, e, same_python_frame, &key);
    return kept ? kept : e;
}

/* A Python frame's id in this process's file. Its record is keyed by its text, not by the code
 * object's address, which a later code object may reuse. */
static uint32_t python_frame_id(const struct py_ref *ref) {
    uint64_t ref_hash = nnl_mix64(ref->code ^ ((uint64_t)(uint32_t)ref->byte_offset << 48) ^ ((uint64_t)ref->identity << 16));
    struct python_ref_entry *r = itab_find(&python_refs, ref_hash, same_python_ref, ref);
    struct python_frame_entry *e = r ? r->frame : python_frame_text(ref);
    if (!e) return UINT32_MAX;
    if (!r && (r = arena_alloc(sizeof *r))) {
        r->hash = ref_hash;
        r->ref = *ref;
        r->frame = e;
        itab_insert(&python_refs, r, same_python_ref, ref);
    }
    uint64_t written = atomic_load_explicit(&e->written, memory_order_acquire);
    if ((written >> 32) == process_epoch && (uint32_t)written) return (uint32_t)written - 1;
    struct nnl_record_header *record;
    char *at = output_reserve_record((uint32_t)(sizeof(struct nnl_python_frame_record) + e->file_len + e->function_len), &record);
    if (!at) return UINT32_MAX;
    uint32_t id = atomic_fetch_add(&next_python_frame_id, 1);
    struct nnl_python_frame_record fixed = {id, e->line, e->file_len, e->function_len};
    at = put(at, &fixed, sizeof fixed);
    put(at, e->text, (size_t)e->file_len + e->function_len);
    output_commit_record(record, NNL_RECORD_PYTHON_FRAME);
    atomic_store_explicit(&e->written, ((uint64_t)process_epoch << 32) | (id + 1), memory_order_release);
    return id;
}

void records_site(uint32_t site_id, const struct stack *st, const char *thread, int py_status, const struct py_ref *py,
                  int py_count) {
    uintptr_t addresses[STACK_MAX_FRAMES];
    uint32_t frames[STACK_MAX_FRAMES], python[NNL_MAX_PY_FRAMES];
    int count = stack_frames(st, addresses);
    for (int i = 0; i < count; i++) frames[i] = frame_id(symbols_lookup(addresses[i]));
    for (int i = 0; i < py_count; i++) /* outermost first: innermost frame last */
        python[i] = python_frame_id(&py[py_count - 1 - i]);
    size_t thread_len = clamp(strlen(thread), MAX_MODULE);
    struct nnl_site_record fixed = {site_id, st->verdict, (uint32_t)py_status, (uint16_t)st->count, (uint16_t)py_count,
                                    (uint16_t)thread_len};
    struct nnl_record_header *record;
    char *at = output_reserve_record((uint32_t)(sizeof fixed + thread_len + 4 * (size_t)(st->count + py_count)), &record);
    if (!at) return;
    at = put(at, &fixed, sizeof fixed);
    at = put(at, thread, thread_len);
    at = put(at, frames, 4 * (size_t)st->count);
    put(at, python, 4 * (size_t)py_count);
    output_commit_record(record, NNL_RECORD_SITE);
}

/* sums: per site, the count and bytes of the run's allocations live at its checkpoint; with_leaks:
 * the sites with a count (0 when sums could not be mapped). */
void records_checkpoint(uint32_t run, const uint64_t *sums, uint32_t with_leaks) {
    /* In records of at most NNL_CHECKPOINT_RECORD_SITES sites: a record fits in any log segment. An
     * empty checkpoint still writes one record, so the reader knows it was taken. */
    uint32_t site = 0, written = 0;
    do {
        uint32_t n = with_leaks - written < NNL_CHECKPOINT_RECORD_SITES ? with_leaks - written : NNL_CHECKPOINT_RECORD_SITES;
        struct nnl_record_header *record;
        char *at = output_reserve_record(sizeof(struct nnl_checkpoint_record) + sizeof(struct nnl_checkpoint_site) * n, &record);
        if (!at) break;
        struct nnl_checkpoint_record fixed = {run, n};
        at = put(at, &fixed, sizeof fixed);
        for (uint32_t k = 0; k < n; site++) {
            if (!sums[2 * site]) continue;
            struct nnl_checkpoint_site entry = {site, 0, sums[2 * site], sums[2 * site + 1]};
            at = put(at, &entry, sizeof entry);
            k++;
        }
        output_commit_record(record, NNL_RECORD_CHECKPOINT);
        written += n;
    } while (written < with_leaks);
}

void records_phase(uint32_t kind, uint32_t index, uint64_t t_millis) {
    struct nnl_record_header *record;
    char *at = output_reserve_record(sizeof(struct nnl_phase_record), &record);
    if (!at) return;
    struct nnl_phase_record phase = {kind, index, t_millis};
    put(at, &phase, sizeof phase);
    output_commit_record(record, NNL_RECORD_PHASE);
}

void records_forget_after_fork(void) {
    atomic_store(&next_frame_id, 0);
    atomic_store(&next_python_frame_id, 0);
    process_epoch++;
}

void records_register_fork_locks(void) {
    itab_register_fork_lock(&python_refs);
    itab_register_fork_lock(&python_frames);
}
