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

static char *put_u16(char *at, size_t v) {
    uint16_t x = (uint16_t)v;
    return put(at, &x, 2);
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
    char *at = output_reserve_record((uint32_t)(4 + 8 + 8 + 1 + 2 + 2 + module + symbol), &record);
    if (!at) return UINT32_MAX;
    uint32_t id = atomic_fetch_add(&next_frame_id, 1);
    uint64_t address = fs->address, offset = m ? address - m->base : address;
    uint8_t flags = (uint8_t)((fs->wrapper ? 1 : 0) | (m ? 2 : 0) | (symbol ? 4 : 0));
    at = put(at, &id, 4);
    at = put(at, &address, 8);
    at = put(at, &offset, 8);
    at = put(at, &flags, 1);
    at = put_u16(at, module);
    at = put_u16(at, symbol);
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
    char *at = output_reserve_record((uint32_t)(4 + 4 + 2 + 2 + e->file_len + e->function_len), &record);
    if (!at) return UINT32_MAX;
    uint32_t id = atomic_fetch_add(&next_python_frame_id, 1);
    at = put(at, &id, 4);
    at = put(at, &e->line, 4);
    at = put_u16(at, e->file_len);
    at = put_u16(at, e->function_len);
    put(at, e->text, (size_t)e->file_len + e->function_len);
    output_commit_record(record, NNL_RECORD_PYTHON_FRAME);
    atomic_store_explicit(&e->written, ((uint64_t)process_epoch << 32) | (id + 1), memory_order_release);
    return id;
}

void records_site(uint32_t site_id, const struct stack *st, const char *thread, int py_status, int py_truncated,
                  const struct py_ref *py, int py_count) {
    uint32_t frames[NNL_MAX_FRAMES + 16], python[NNL_MAX_PY_FRAMES];
    for (int i = 0; i < st->count; i++) frames[i] = frame_id(symbols_lookup(st->frames[i]));
    for (int i = 0; i < py_count; i++) /* outermost first: innermost frame last */
        python[i] = python_frame_id(&py[py_count - 1 - i]);
    size_t thread_len = clamp(strlen(thread), MAX_MODULE);
    size_t bytes = 4 + 4 + 4 + 4 + 2 + 2 + 2 + thread_len + 4 * (size_t)(st->count + py_count);

    struct nnl_record_header *record;
    char *at = output_reserve_record((uint32_t)bytes, &record);
    if (!at) return;
    int32_t pattern = st->verdict;
    uint32_t status = (uint32_t)py_status | (py_truncated ? 0x100u : 0);
    uint32_t first = (uint32_t)st->first;
    at = put(at, &site_id, 4);
    at = put(at, &pattern, 4);
    at = put(at, &status, 4);
    at = put(at, &first, 4);
    at = put_u16(at, st->count);
    at = put_u16(at, py_count);
    at = put_u16(at, thread_len);
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
        char *at = output_reserve_record(8 + 24 * n, &record);
        if (!at) break;
        at = put(at, &run, 4);
        at = put(at, &n, 4);
        for (uint32_t k = 0; k < n; site++) {
            if (!sums[2 * site]) continue;
            uint32_t zero = 0;
            at = put(at, &site, 4);
            at = put(at, &zero, 4);
            at = put(at, &sums[2 * site], 16);
            k++;
        }
        output_commit_record(record, NNL_RECORD_CHECKPOINT);
        written += n;
    } while (written < with_leaks);
}

void records_phase(uint32_t kind, uint32_t index, uint64_t t_millis) {
    struct nnl_record_header *record;
    char *at = output_reserve_record(16, &record);
    if (!at) return;
    at = put(at, &kind, 4);
    at = put(at, &index, 4);
    put(at, &t_millis, 8);
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
