#include "tracker.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "common.h"
#include "itab.h"
#include "nomatch.h"
#include "output.h"
#include "pystack.h"
#include "records.h"
#include "sampling.h"

enum { EMPTY = 0, DELETED = 1 };
/* A first table is one page: every process pays it for each of the 64 shards, on disk. */
#define MIN_CAPACITY 128

struct shard {
    nnl_lock lock;
    struct nnl_live_entry *entries;
    uint64_t capacity;
    uint64_t used;    /* live + deleted slots */
    uint64_t grow_at; /* used slots at which the table is rebuilt: 70 % of capacity */
    /* Written under the lock only (plain stores, no locked instruction), read without it: most frees
     * are of blocks in empty shards, and the timeline sums the bytes. */
    atomic_uint_fast64_t live, bytes;
    uint64_t offset; /* file offset of the current table */
    /* The table replaced at the last rebuild, released; the next rebuild to the same capacity reuses
     * it, so a shard churning through short-lived blocks does not use up the table region. */
    struct nnl_table_header *spare;
    uint64_t spare_offset, spare_capacity;
};

/* A site keeps a 128-bit fingerprint of its C stack, thread and Python frames (hash and
 * fingerprint, computed independently) instead of the frames themselves: deep Python stacks made
 * sites hundreds of bytes each (59 MiB for the 84,000 sites of `import numpy` under
 * PYTHONMALLOC=malloc). The stack, the frames and the thread's name are in the site's log record. */
struct site {
    uint64_t hash; /* first: cached in an itab */
    uint64_t fingerprint;
    uint32_t id;
};

atomic_int tracker_recording;
static struct shard shards[NNL_SHARDS];
/* Set at the first block recorded: until then a free need not look for its block. */
static atomic_int recorded_any;
static atomic_uint_fast64_t next_sample_millis;
/* The timeline's clock starts when this process image starts being tracked; 0: no file yet. */
static _Atomic uint64_t timeline_origin_millis;
/* The measured run being recorded (1-based), stored in each live entry; 0 in children. */
static atomic_uint current_run;
static struct itab sites;
static struct itab thread_names;
static atomic_uint next_site_id;
static __thread const char *thread_name __attribute__((tls_model("initial-exec")));

static uint64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- whose file ---- */

/* A page the kernel zeroes in every child that gets a copy of the address space, whether or not
 * fork() announced it (a raw clone runs no fork handler): while it holds 1, the data file mapped
 * here is this process's own. Children that share the address space (vfork, CLONE_VM) share the
 * heap too, so what they allocate and free is the parent's; only how they end is their own. */
static _Atomic int *file_owner_page;

static void own_file(void) {
    if (!file_owner_page) {
        void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) return;
        if (madvise(page, 4096, MADV_WIPEONFORK) != 0) { /* before Linux 4.14: fork handlers only */
            munmap(page, 4096);
            return;
        }
        file_owner_page = page;
    }
    atomic_store(file_owner_page, 1);
}

/* In a child no fork handler announced, lets go of the parent's file for good: re-initialising
 * here would need locks that another thread of the parent may have held at the clone. */
static int file_is_mine(void) {
    if (likely(!file_owner_page || atomic_load_explicit(file_owner_page, memory_order_relaxed))) return 1;
    if (atomic_exchange(&tracker_recording, 0)) output_note_loss(NNL_LOSS_UNTRACKED_CHILD, 0); /* the parent's report says so */
    output_forget_after_fork();
    memset(shards, 0, sizeof shards);
    atomic_store(&recorded_any, 0);
    return 0;
}

/* ---- timeline ---- */

/* Shard lock held: its counts change. */
static void shard_add(struct shard *s, int64_t blocks, int64_t bytes) {
    atomic_store_explicit(&s->live, atomic_load_explicit(&s->live, memory_order_relaxed) + (uint64_t)blocks, memory_order_relaxed);
    atomic_store_explicit(&s->bytes, atomic_load_explicit(&s->bytes, memory_order_relaxed) + (uint64_t)bytes, memory_order_relaxed);
}

static uint64_t live_bytes(void) {
    uint64_t sum = 0;
    for (int i = 0; i < NNL_SHARDS; i++) sum += atomic_load_explicit(&shards[i].bytes, memory_order_relaxed);
    return sum;
}

static void sample_timeline(void) {
    uint64_t start = atomic_load_explicit(&timeline_origin_millis, memory_order_relaxed);
    if (!start) return;
    uint64_t t = now_ns(CLOCK_MONOTONIC_COARSE) / 1000000 - start;
    if (t < atomic_load_explicit(&next_sample_millis, memory_order_relaxed)) return;
    struct nnl_file_header *h = output_header();
    if (!h) return;
    uint64_t interval = atomic_load(&h->timeline_interval_millis);
    uint64_t bucket = t - t % interval;
    atomic_store_explicit(&next_sample_millis, bucket + interval, memory_order_relaxed);
    output_timeline_add(t, live_bytes()); /* the exact time: phases are marked to the millisecond */
}

/* ---- the live table ---- */

/* A block's shard and the start of its probe come from a hash of the 1 KiB of address space it lies
 * in, the last 6 bits from where in that KiB: blocks that malloc puts next to each other (as a loop
 * allocates and frees them) get entries next to each other, so a big live table is walked, which
 * the hardware prefetches, instead of taking a cache miss at every malloc and free. Within a KiB
 * blocks are at least 16 bytes apart, so a KiB holds at most 64 of them. */
#define LOCALITY_BITS 6
static uint64_t address_hash(uint64_t address) {
    return (nnl_mix64(address >> (4 + LOCALITY_BITS)) & ~(uint64_t)((1u << LOCALITY_BITS) - 1)) |
           ((address >> 4) & ((1u << LOCALITY_BITS) - 1));
}

static struct shard *shard_of(uint64_t hash) { return &shards[hash >> 58]; }

static void publish_table(int index, uint64_t offset) {
    atomic_store_explicit(&output_header()->shards[index].table_offset, offset, memory_order_release);
}

static void put_entry(struct nnl_live_entry *slot, uint64_t key, uint64_t value) {
    slot->value = value;
    atomic_store_explicit(&slot->key, key, memory_order_release); /* last: the entry is whole */
}

/* Rebuilds the shard's table (bigger when half full), dropping deleted slots. Shard lock held. */
static int rehash(struct shard *s) {
    uint64_t live = 0;
    for (uint64_t i = 0; i < s->capacity; i++) live += atomic_load_explicit(&s->entries[i].key, memory_order_relaxed) > DELETED;
    uint64_t capacity = s->capacity ? s->capacity : MIN_CAPACITY;
    while (live * 2 >= capacity) capacity *= 2;
    uint64_t bytes = sizeof(struct nnl_table_header) + capacity * sizeof(struct nnl_live_entry);
    uint64_t offset;
    struct nnl_table_header *table;
    if (s->spare && s->spare_capacity == capacity) {
        if (output_table_reuse(s->spare_offset, bytes) != 0) return -1; /* its disk space was given back */
        table = s->spare;
        offset = s->spare_offset;
        s->spare = NULL;
        memset(table, 0, bytes); /* released pages read as zeros only where the file system punches holes */
    } else {
        table = output_table_alloc(bytes, &offset);
        if (!table) return -1;
    }
    table->capacity = capacity;
    struct nnl_live_entry *entries = (struct nnl_live_entry *)(table + 1);
    for (uint64_t i = 0; i < s->capacity; i++) {
        uint64_t key = atomic_load_explicit(&s->entries[i].key, memory_order_relaxed);
        if (key <= DELETED) continue;
        uint64_t j = address_hash(nnl_entry_address(key)) & (capacity - 1);
        while (atomic_load_explicit(&entries[j].key, memory_order_relaxed)) j = (j + 1) & (capacity - 1);
        put_entry(&entries[j], key, s->entries[i].value);
    }
    publish_table((int)(s - shards), offset);
    if (s->entries) {
        struct nnl_table_header *old = (struct nnl_table_header *)s->entries - 1;
        output_table_release(old, sizeof(struct nnl_table_header) + s->capacity * sizeof(struct nnl_live_entry));
        s->spare = old;
        s->spare_offset = s->offset;
        s->spare_capacity = s->capacity;
    }
    s->offset = offset;
    s->entries = entries;
    s->capacity = capacity;
    s->grow_at = capacity * 7 / 10;
    s->used = live;
    return 0;
}

/* The next block a loop allocates or frees usually has its entry a line or two further on (that is
 * what the locality of address_hash is for): asking for those lines now hides the next miss. */
static inline void prefetch_ahead(const struct nnl_live_entry *entries, uint64_t hash, uint64_t mask) {
    __builtin_prefetch(&entries[(hash + 4) & mask], 1);
    __builtin_prefetch(&entries[(hash + 8) & mask], 1);
}

static int insert(uint64_t address, uint64_t size, uint32_t site, uint32_t run) {
    if (unlikely(!nnl_entry_fits(address, size, site, run))) {
        output_note_loss(NNL_LOSS_ENTRY_RANGE, 0);
        return -1;
    }
    uint64_t hash = address_hash(address);
    struct shard *s = shard_of(hash);
    nnl_lock_acquire(&s->lock);
    if (s->used >= s->grow_at && rehash(s) != 0) {
        nnl_lock_release(&s->lock);
        return -1;
    }
    struct nnl_live_entry *entries = s->entries, *target = NULL;
    prefetch_ahead(entries, hash, s->capacity - 1);
    /* The probe steps over other live entries in a tight loop: most slots it meets are those. */
    for (uint64_t mask = s->capacity - 1, i = hash & mask;; i = (i + 1) & mask) {
        uint64_t a = atomic_load_explicit(&entries[i].key, memory_order_relaxed);
        if (likely(a > DELETED)) {
            if (nnl_entry_address(a) != address) continue;
            /* a block whose free() we never saw: this one replaces it */
            shard_add(s, -1, -(int64_t)nnl_entry_size(entries[i].value));
            target = &entries[i];
            break;
        }
        if (a == EMPTY) {
            if (!target) {
                target = &entries[i];
                s->used++;
            }
            break;
        }
        if (!target) target = &entries[i]; /* the first deleted slot */
    }
    put_entry(target, nnl_entry_key(address, site, run), nnl_entry_value(size, site));
    shard_add(s, 1, (int64_t)size);
    nnl_lock_release(&s->lock);
    if (unlikely(!atomic_load_explicit(&recorded_any, memory_order_relaxed))) atomic_store(&recorded_any, 1);
    return 0;
}

uint32_t tracker_forget(void *pointer, size_t *size) {
    uint64_t address = (uint64_t)pointer, hash = address_hash(address);
    struct shard *s = shard_of(hash);
    uint32_t site_plus_one = 0;
    /* The freeing thread owns the block: had it been recorded, that increment happened before. */
    if (!atomic_load_explicit(&s->live, memory_order_relaxed) || !file_is_mine()) return 0;
    nnl_lock_acquire(&s->lock);
    struct nnl_live_entry *entries = s->entries;
    if (entries) prefetch_ahead(entries, hash, s->capacity - 1);
    for (uint64_t mask = s->capacity - 1, i = hash & mask; entries; i = (i + 1) & mask) {
        uint64_t a = atomic_load_explicit(&entries[i].key, memory_order_relaxed);
        if (a == EMPTY) break;
        if (nnl_entry_address(a) == address) {
            uint64_t value = entries[i].value;
            *size = nnl_entry_size(value);
            site_plus_one = nnl_entry_site(a, value) + 1;
            atomic_store_explicit(&entries[i].key, DELETED, memory_order_release);
            shard_add(s, -1, -(int64_t)*size);
            break;
        }
    }
    nnl_lock_release(&s->lock);
    if (site_plus_one) sample_timeline();
    return site_plus_one;
}

int tracker_file_is_mine(void) { return file_is_mine(); }

int tracker_recorded_any(void) { return atomic_load_explicit(&recorded_any, memory_order_relaxed); }

uint64_t tracker_live_count(void) {
    uint64_t sum = 0;
    for (int i = 0; i < NNL_SHARDS; i++) sum += atomic_load_explicit(&shards[i].live, memory_order_relaxed);
    return sum;
}

/* ---- threads ---- */

struct thread_name_entry {
    uint64_t hash;
    char name[];
};

static uint64_t string_hash(const char *s) {
    uint64_t h = 0x746872;
    for (; *s; s++) h = nnl_mix64(h ^ (unsigned char)*s);
    return h;
}

static int same_name(const void *entry, const void *key) {
    return strcmp(((const struct thread_name_entry *)entry)->name, key) == 0;
}

static const char *intern_thread_name(const char *name) {
    uint64_t hash = string_hash(name);
    struct thread_name_entry *e = itab_find(&thread_names, hash, same_name, name);
    if (e) return e->name;
    size_t len = strlen(name);
    e = arena_alloc(sizeof *e + len + 1);
    if (!e) return "?";
    e->hash = hash;
    memcpy(e->name, name, len);
    struct thread_name_entry *kept = itab_insert(&thread_names, e, same_name, name);
    return kept ? kept->name : e->name;
}

void tracker_set_thread_name(const char *name) { thread_name = intern_thread_name(name); }

static const char *current_thread_name(void) {
    if (likely(thread_name != NULL)) return thread_name;
    char comm[17] = {0};
    if (syscall(SYS_gettid) == getpid() && pystack_enabled()) strcpy(comm, "MainThread");
    else if (prctl(PR_GET_NAME, comm) != 0) strcpy(comm, "?");
    thread_name = intern_thread_name(comm);
    return thread_name;
}

/* ---- sites ---- */

static int same_site(const void *entry, const void *key) {
    const struct site *s = entry, *k = key;
    return s->fingerprint == k->fingerprint;
}

static uint32_t site_id_for(const struct stack *stack) {
    struct py_ref py[NNL_MAX_PY_FRAMES];
    int status;
    int n = pystack_capture(py, NNL_MAX_PY_FRAMES, &status);
    const char *thread = current_thread_name();
    struct site key = {0};
    uint64_t hash = nnl_mix64((uint64_t)(uintptr_t)stack ^ nnl_mix64((uint64_t)(uintptr_t)thread + (uint64_t)status));
    /* The second lane sees every bit of each frame; a multiply per frame, in parallel with the mix. */
    uint64_t fingerprint = ((0x6a09e667f3bcc909ULL ^ (uint64_t)(uintptr_t)stack) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)thread) * 0x9e3779b97f4a7c15ULL;
    fingerprint = (fingerprint ^ ((uint64_t)(uint32_t)n << 32 | (uint32_t)status)) * 0xc2b2ae3d27d4eb4fULL;
    for (int i = 0; i < n; i++) {
        hash = nnl_mix64(hash ^ py[i].code ^ ((uint64_t)(uint32_t)py[i].byte_offset << 48) ^ ((uint64_t)py[i].identity << 16));
        fingerprint = (fingerprint ^ py[i].code) * 0x9e3779b97f4a7c15ULL;
        fingerprint = (fingerprint ^ ((uint64_t)py[i].identity << 32 | (uint32_t)py[i].byte_offset)) * 0xc2b2ae3d27d4eb4fULL;
    }
    key.hash = hash;
    key.fingerprint = nnl_mix64(fingerprint);
    const struct site *found = itab_find(&sites, hash, same_site, &key);
    if (found) return found->id;

    struct site *site = arena_alloc(sizeof *site);
    if (!site) {
        output_note_loss(NNL_LOSS_MEMORY, 0);
        return UINT32_MAX;
    }
    *site = key;
    site->id = atomic_fetch_add(&next_site_id, 1);
    const struct site *kept = itab_insert(&sites, site, same_site, &key);
    if (kept == site) records_site(site->id, stack, thread, status, py, n);
    return kept ? kept->id : site->id;
}

void tracker_record(void *address, size_t size, const struct stack *stack) {
    struct nnl_file_header *h = file_is_mine() ? output_header() : NULL;
    if (unlikely(atomic_load_explicit(&nomatch_counting_warmup, memory_order_relaxed))) {
        if (h) nomatch_count_warmup(size); /* warm-up: counted for a NO_MATCH that says why, never judged */
        return;
    }
    if (!h) return;
    atomic_fetch_add_explicit(&h->matched_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->matched_bytes, size, memory_order_relaxed);
    if (sampling_mean_bytes) sampling_account(sampling_block(h), size);
    uint32_t run = atomic_load_explicit(&current_run, memory_order_relaxed);
    if (run) {
        struct nnl_run_counts *counts = &output_runs()->runs[run - 1];
        atomic_fetch_add_explicit(&counts->matched_count, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&counts->matched_bytes, size, memory_order_relaxed);
    }
    uint32_t site = site_id_for(stack);
    if (site == UINT32_MAX || insert((uint64_t)address, size, site, run) != 0) {
        atomic_fetch_add_explicit(&h->dropped_count, 1, memory_order_relaxed);
        return;
    }
    sample_timeline();
}

void tracker_moved(void *address, size_t size, uint32_t site_plus_one) {
    struct nnl_file_header *h = file_is_mine() ? output_header() : NULL;
    if (!h) return;
    /* realloc made a new block: it belongs to the run in which it was made. */
    if (insert((uint64_t)address, size, site_plus_one - 1, atomic_load_explicit(&current_run, memory_order_relaxed)) != 0)
        atomic_fetch_add_explicit(&h->dropped_count, 1, memory_order_relaxed);
    sample_timeline();
}

/* ---- phases ---- */

static void begin(struct nnl_file_header *h) {
    atomic_store(&nomatch_counting_warmup, 0);
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    atomic_store(&next_sample_millis, 0);
    atomic_store(&h->measure_start_ns, now);
    atomic_store(&h->state, NNL_STATE_TRACKING);
    sample_timeline();
    atomic_store(&tracker_recording, 1);
}

int tracker_start(const char *dir, int waiting) {
    if (output_open(dir, getppid()) != 0) return -1;
    own_file();
    struct nnl_file_header *h = output_header();
    sampling_block(h)->mean_bytes = sampling_mean_bytes;
    atomic_store(&timeline_origin_millis, now_ns(CLOCK_MONOTONIC_COARSE) / 1000000);
    if (waiting) {
        atomic_store(&h->state, NNL_STATE_WAITING);
        sample_timeline();
    } else {
        begin(h);
    }
    return 0;
}

void tracker_begin_measuring(void) {
    struct nnl_file_header *h = file_is_mine() ? output_header() : NULL;
    if (!h || atomic_load(&h->state) != NNL_STATE_WAITING) return;
    atomic_store(&current_run, 1);
    atomic_store(&output_runs()->current_run, 1);
    begin(h);
}

/* Writes run's checkpoint: per site, the count and bytes of the run's allocations live now. The
 * table is scanned shard by shard under each shard's lock; the per-site sums go to memory mapped
 * for the occasion (never malloc). Sites created while the scan runs are left out. */
static void write_checkpoint(uint32_t run) {
    struct nnl_runs_block *r = output_runs();
    uint32_t sites_now = atomic_load(&next_site_id);
    size_t bytes = ((size_t)sites_now * 2 * sizeof(uint64_t) + 4095) & ~(size_t)4095;
    uint64_t *sums = bytes ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
    if (sums == MAP_FAILED) sums = NULL;
    uint64_t count = 0, size = 0;
    uint32_t with_leaks = 0;
    for (int i = 0; i < NNL_SHARDS; i++) {
        struct shard *s = &shards[i];
        nnl_lock_acquire(&s->lock);
        for (uint64_t j = 0; j < s->capacity; j++) {
            uint64_t key = atomic_load_explicit(&s->entries[j].key, memory_order_relaxed);
            if (key <= DELETED || nnl_entry_run(key) != run) continue;
            uint64_t value = s->entries[j].value, bytes_of = nnl_entry_size(value);
            uint32_t site = nnl_entry_site(key, value);
            count++;
            size += bytes_of;
            if (!sums || site >= sites_now) continue;
            if (!sums[2 * site]) with_leaks++;
            sums[2 * site]++;
            sums[2 * site + 1] += bytes_of;
        }
        nnl_lock_release(&s->lock);
    }
    records_checkpoint(run, sums, with_leaks);
    if (sums) munmap(sums, bytes);
    struct nnl_run_counts *counts = &r->runs[run - 1];
    counts->leaked_count = count;
    counts->leaked_bytes = size;
    atomic_store(&counts->checkpoint_ns, now_ns(CLOCK_MONOTONIC));
    atomic_store(&r->checkpoints, run);
}

void tracker_checkpoint_run(void) {
    struct nnl_file_header *h = output_header();
    uint32_t run = atomic_load(&current_run);
    if (!h || atomic_load(&h->state) != NNL_STATE_TRACKING || !run || run >= NNL_MAX_RUNS) return;
    /* The next run's allocations are told apart from here on; recording goes on. */
    atomic_store(&current_run, run + 1);
    atomic_store(&output_runs()->current_run, run + 1);
    write_checkpoint(run);
}

void tracker_checkpoint(void) {
    struct nnl_file_header *h = file_is_mine() ? output_header() : NULL;
    if (!h || atomic_load(&h->state) != NNL_STATE_TRACKING) return;
    /* From here on the table is frozen: it is the checkpoint the verdict is taken on. */
    atomic_store(&tracker_recording, 0);
    nomatch_at_checkpoint(atomic_load(&h->matched_count) == 0);
    uint32_t run = atomic_load(&current_run);
    if (run) write_checkpoint(run);
    atomic_store(&next_sample_millis, 0);
    sample_timeline();
    atomic_store(&h->checkpoint_ns, now_ns(CLOCK_MONOTONIC));
    atomic_store(&h->state, NNL_STATE_CHECKPOINTED);
}

void tracker_phase(uint32_t kind, uint32_t index) {
    if (!output_header()) return;
    uint64_t t = now_ns(CLOCK_MONOTONIC_COARSE) / 1000000 - atomic_load(&timeline_origin_millis);
    records_phase(kind, index, t);
    atomic_store(&next_sample_millis, 0);
    sample_timeline();
}

void tracker_record_end(int end, int status) {
    struct nnl_file_header *h = file_is_mine() ? output_header() : NULL;
    /* A vfork or CLONE_VM child runs this in the parent's memory: its end is not the parent's. */
    if (!h || syscall(SYS_getpid) != h->pid) return;
    atomic_store(&h->exit_status, status);
    atomic_store(&h->end, (uint32_t)end);
}

/* Only the process the file belongs to: a vfork child runs this in its parent's memory. */
static struct nnl_process_block *process_block(void) {
    struct nnl_file_header *h = file_is_mine() ? output_header() : NULL;
    if (!h || syscall(SYS_getpid) != h->pid) return NULL;
    return (struct nnl_process_block *)((char *)h + NNL_PROCESS_BLOCK_OFFSET);
}

void tracker_exec_attempt(const char *path, int kind, int keeps_shim) {
    struct nnl_process_block *b = process_block();
    if (!b) return;
    strncpy(b->exec_path, path ? path : "", sizeof b->exec_path - 1);
    b->exec_kind = (uint32_t)kind;
    b->exec_keeps_shim = (uint32_t)keeps_shim;
    atomic_store(&b->exec_state, NNL_EXEC_IN_PROGRESS);
}

void tracker_exec_failed(void) {
    struct nnl_process_block *b = process_block();
    if (b) atomic_store(&b->exec_state, NNL_EXEC_NONE);
}

void tracker_set_malloc_elsewhere(const char *module) {
    struct nnl_process_block *b = process_block();
    if (!b) return;
    strncpy(b->malloc_module, module ? module : "?", sizeof b->malloc_module - 1);
    b->malloc_elsewhere = 1;
}

static int python_status;
static char python_reason[sizeof ((struct nnl_file_header *)0)->python_reason];

static void write_python_status(void) {
    struct nnl_file_header *h = file_is_mine() ? output_header() : NULL;
    if (!h) return;
    memcpy(h->python_reason, python_reason, sizeof python_reason);
    atomic_store(&h->python_status, (uint32_t)python_status);
}

void tracker_set_python_status(int status, const char *reason) {
    python_status = status;
    strncpy(python_reason, reason ? reason : "", sizeof python_reason - 1);
    write_python_status();
}

void tracker_after_fork_child(const char *dir) {
    atomic_store(&tracker_recording, 0);
    atomic_store(&nomatch_counting_warmup, 0);
    atomic_store(&current_run, 0);
    output_forget_after_fork();
    memset(shards, 0, sizeof shards);
    atomic_store(&recorded_any, 0);
    itab_clear(&sites); /* site and frame ids number records in the parent's file */
    atomic_store(&next_site_id, 0);
    records_forget_after_fork();
    if (tracker_start(dir, 0) == 0) write_python_status();
}

void tracker_register_fork_locks(void) {
    itab_register_fork_lock(&sites);
    itab_register_fork_lock(&thread_names);
    records_register_fork_locks();
    for (int i = 0; i < NNL_SHARDS; i++) nnl_register_fork_lock(&shards[i].lock);
}
