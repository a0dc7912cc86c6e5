/* Stress test of the real shim (run with LD_PRELOAD=libnonativeleak.so and NONATIVELEAK_RUN_DIR).
 *
 * THREADS threads each make OPS mixed allocator calls (malloc, calloc, realloc, reallocarray,
 * posix_memalign, aligned_alloc, memalign, valloc, pvalloc, free) over a random set of live blocks.
 * A block is allocated through one of three call paths:
 *   counted: stress_path_counted -> stress_alloc_site -> allocator   (matches "stress_alloc_site")
 *   ignored: stress_path_ignored -> stress_alloc_site -> allocator   (matches, but an ignore pattern too)
 *   plain:   plain_alloc_site -> allocator                           (matches nothing)
 * so the program knows at every moment exactly which of its blocks the shim must track. At phase
 * boundaries, with every thread parked on a barrier, it compares that with nnl_live_count() and with
 * the live entries of its own data file (addresses, sizes, and the site of each). Every block is
 * filled with a byte pattern that is checked before it is freed or moved, so a shim that wrote into
 * user memory would be caught. After the threads, a fork() checks that the child starts afresh, and
 * nnl_checkpoint() must freeze the table, and the process exits with a known set of blocks still
 * live: <run dir>/stress-expected lists, for each process, the live count its data file must show
 * after it ended (checked by nnlread).
 *
 * Environment: NNL_STRESS_OPS overrides the operations per thread (default 1,000,000). */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "nnlfile.h"

#define THREADS 8
#define SLOTS 4096
#define PHASES 4
#define DEFAULT_OPS 1000000L

enum how {
    H_MALLOC, H_CALLOC, H_REALLOC_NEW, H_REALLOCARRAY_NEW, H_POSIX_MEMALIGN, H_ALIGNED_ALLOC,
    H_MEMALIGN, H_VALLOC, H_PVALLOC, H_REALLOC, H_REALLOCARRAY,
};
enum path { COUNTED, IGNORED, PLAIN };

struct request {
    enum how how;
    void *old;
    size_t size;      /* bytes wanted (for calloc and reallocarray: count * element) */
    size_t element;   /* calloc / reallocarray element size */
    size_t alignment;
};

struct block {
    unsigned char *p;
    size_t size;     /* usable bytes, all filled with fill */
    size_t recorded; /* the size the shim records */
    uint8_t fill;
    uint8_t tracked;
};

struct thread_state {
    int index;
    uint64_t rng;
    struct block blocks[SLOTS];
    uint64_t tracked_live;
    uint64_t matched_count, matched_bytes; /* what the header's counters must show */
    uint64_t allocations, frees, reallocs;
    uint64_t shapes_confirmed; /* of this thread's matching stacks, confirmed from a stack shape */
    pthread_t thread;
};

static struct thread_state *states;
static long ops_per_thread;
static pthread_barrier_t phase_done, phase_checked;
static uint64_t (*live_count)(void);
static uint64_t (*thread_shapes_confirmed)(void);
static const char *run_dir;
static _Atomic int corruption;

/* ---- the three call paths ---- */

static inline __attribute__((always_inline)) void *perform(struct request *r) {
    void *p = NULL;
    switch (r->how) {
    case H_MALLOC: return malloc(r->size);
    case H_CALLOC: return calloc(r->size / r->element, r->element);
    case H_REALLOC_NEW: return realloc(NULL, r->size);
    case H_REALLOCARRAY_NEW: return reallocarray(NULL, r->size / r->element, r->element);
    case H_POSIX_MEMALIGN: return posix_memalign(&p, r->alignment, r->size) == 0 ? p : NULL;
    case H_ALIGNED_ALLOC: return aligned_alloc(r->alignment, r->size);
    case H_MEMALIGN: return memalign(r->alignment, r->size);
    case H_VALLOC: return valloc(r->size);
    case H_PVALLOC: return pvalloc(r->size);
    case H_REALLOC: return realloc(r->old, r->size);
    case H_REALLOCARRAY: return reallocarray(r->old, r->size / r->element, r->element);
    }
    return NULL;
}

/* The function the pattern names: it calls the allocator itself, so it is frame 0. noipa keeps it
 * out of line and unmerged with plain_alloc_site, whose body is the same. */
__attribute__((noipa)) void *stress_alloc_site(struct request *r) { return perform(r); }
__attribute__((noipa)) void *plain_alloc_site(struct request *r) { return perform(r); }

/* The barrier keeps these from becoming tail calls (frame 1 must be the path's own frame). */
__attribute__((noipa)) void *stress_path_counted(struct request *r) {
    void *p = stress_alloc_site(r);
    __asm__ volatile("" ::: "memory");
    return p;
}
__attribute__((noipa)) void *stress_path_ignored(struct request *r) {
    void *p = stress_alloc_site(r);
    __asm__ volatile("" ::: "memory");
    return p;
}

static void *allocate_via(enum path path, struct request *r) {
    switch (path) {
    case COUNTED: return stress_path_counted(r);
    case IGNORED: return stress_path_ignored(r);
    case PLAIN: return plain_alloc_site(r);
    }
    return NULL;
}

/* ---- helpers ---- */

static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static void fill(struct block *b) { memset(b->p, b->fill, b->size); }

static int intact(const unsigned char *p, size_t size, uint8_t value) {
    if (size == 0) return 1;
    return p[0] == value && memcmp(p, p + 1, size - 1) == 0;
}

static void verify(const struct block *b, size_t bytes, const char *when) {
    if (!intact(b->p, bytes, b->fill)) {
        if (atomic_fetch_add(&corruption, 1) < 10)
            CHECK_FAIL("block %p (%zu bytes) no longer holds its fill 0x%02x %s", (void *)b->p, b->size, b->fill, when);
        else
            check_failures++;
    }
}

static size_t random_size(uint64_t *rng) {
    uint64_t r = next_random(rng), bucket = r % 1000;
    r >>= 10;
    if (bucket < 900) return 1 + r % 256;
    if (bucket < 990) return 1 + r % 4096;
    if (bucket < 999) return 1 + r % 65536;
    return 1 + r % (256 << 10);
}

static enum path random_path(uint64_t *rng) {
    uint64_t r = next_random(rng) % 100;
    return r < 45 ? COUNTED : r < 55 ? IGNORED : PLAIN;
}

static size_t page_size;

/* ---- one thread ---- */

static void allocate(struct thread_state *t, struct block *b) {
    uint64_t r = next_random(&t->rng);
    struct request req = {0};
    req.size = random_size(&t->rng);
    req.element = 1;
    req.alignment = 16;
    unsigned pick = (unsigned)(r % 1000);
    if (pick < 300) req.how = H_MALLOC;
    else if (pick < 480) req.how = H_CALLOC;
    else if (pick < 560) req.how = H_REALLOC_NEW;
    else if (pick < 620) req.how = H_REALLOCARRAY_NEW;
    else if (pick < 740) req.how = H_POSIX_MEMALIGN;
    else if (pick < 860) req.how = H_ALIGNED_ALLOC;
    else if (pick < 980) req.how = H_MEMALIGN;
    else if (pick < 990) req.how = H_VALLOC;
    else req.how = H_PVALLOC;
    if (req.how == H_CALLOC || req.how == H_REALLOCARRAY_NEW) {
        req.element = (size_t)1 << (r >> 20) % 4; /* 1, 2, 4 or 8 */
        req.size = (req.size + req.element - 1) / req.element * req.element;
    }
    if (req.how == H_POSIX_MEMALIGN || req.how == H_ALIGNED_ALLOC || req.how == H_MEMALIGN) {
        req.alignment = (size_t)16 << (r >> 24) % 8; /* 16 to 2048 */
        if (req.how == H_ALIGNED_ALLOC) req.size = (req.size + req.alignment - 1) / req.alignment * req.alignment;
    }
    if (req.how == H_VALLOC || req.how == H_PVALLOC) req.alignment = page_size;
    enum path path = random_path(&t->rng);

    void *p = allocate_via(path, &req);
    if (!p) {
        CHECK_FAIL("thread %d: allocation %d of %zu bytes failed: %s", t->index, req.how, req.size, strerror(errno));
        return;
    }
    if ((uintptr_t)p % req.alignment) CHECK_FAIL("thread %d: %p is not aligned to %zu", t->index, p, req.alignment);
    b->p = p;
    b->size = req.size;
    b->recorded = req.how == H_PVALLOC ? (req.size + page_size - 1) / page_size * page_size : req.size;
    b->fill = (uint8_t)(1 + (r >> 32) % 255);
    b->tracked = path == COUNTED;
    if (b->tracked) {
        t->tracked_live++;
        t->matched_count++;
        t->matched_bytes += b->recorded;
    }
    t->allocations++;
    fill(b);
}

static void release(struct thread_state *t, struct block *b) {
    verify(b, b->size, "before free");
    free(b->p);
    if (b->tracked) t->tracked_live--;
    b->p = NULL;
    t->frees++;
}

static void move(struct thread_state *t, struct block *b) {
    uint64_t r = next_random(&t->rng);
    struct request req = {0};
    req.how = r % 4 == 0 ? H_REALLOCARRAY : H_REALLOC;
    req.old = b->p;
    req.element = req.how == H_REALLOCARRAY ? (size_t)1 << (r >> 8) % 4 : 1;
    req.size = random_size(&t->rng);
    req.size = (req.size + req.element - 1) / req.element * req.element;
    enum path path = random_path(&t->rng);
    verify(b, b->size, "before realloc");
    size_t kept = b->size < req.size ? b->size : req.size;
    void *p = allocate_via(path, &req);
    if (!p) {
        CHECK_FAIL("thread %d: realloc to %zu bytes failed", t->index, req.size);
        return;
    }
    b->p = p;
    verify(b, kept, "after realloc");
    /* A tracked block stays tracked wherever it is moved from; an untracked one becomes tracked
     * when the realloc itself comes from a matching stack. */
    if (!b->tracked && path == COUNTED) {
        b->tracked = 1;
        t->tracked_live++;
        t->matched_count++;
        t->matched_bytes += req.size;
    }
    b->size = req.size;
    b->recorded = req.size;
    b->fill = (uint8_t)(1 + (r >> 32) % 255);
    t->reallocs++;
    fill(b);
}

static void *run_thread(void *arg) {
    struct thread_state *t = arg;
    long per_phase = ops_per_thread / PHASES;
    for (int phase = 0; phase < PHASES; phase++) {
        long ops = phase == PHASES - 1 ? ops_per_thread - per_phase * (PHASES - 1) : per_phase;
        for (long i = 0; i < ops; i++) {
            struct block *b = &t->blocks[next_random(&t->rng) % SLOTS];
            if (!b->p) allocate(t, b);
            else if (next_random(&t->rng) % 10 < 7) release(t, b);
            else move(t, b);
        }
        pthread_barrier_wait(&phase_done);
        pthread_barrier_wait(&phase_checked);
    }
    t->shapes_confirmed = thread_shapes_confirmed();
    return NULL;
}

/* ---- checks ---- */

static uint64_t expected_live(void) {
    uint64_t n = 0;
    for (int i = 0; i < THREADS; i++) n += states[i].tracked_live;
    return n;
}

/* The file's live entries must be exactly the tracked blocks, with their sizes, each at a site
 * whose frame 0 is stress_alloc_site called from stress_path_counted. */
static void check_file(const char *when, uint64_t expected) {
    char path[4200];
    nnlf_path(path, sizeof path, run_dir, getpid(), 0);
    struct nnl_file f;
    if (nnlf_open(&f, path) != 0) {
        CHECK_FAIL("%s: the data file does not read: %s", when, f.error);
        nnlf_close(&f);
        return;
    }
    CHECK_EQ_U64(expected, f.entry_count, "live entries in the data file");
    CHECK_EQ_U64(NNL_STATE_TRACKING, atomic_load(&((struct nnl_file_header *)f.h)->state), "state");
    CHECK_EQ_U64(0, f.h->end, "how the process ended, while it runs");
    CHECK_EQ_U64(0, atomic_load(&((struct nnl_file_header *)f.h)->dropped_count), "dropped allocations");
    uint64_t matched = 0, matched_bytes = 0, found = 0;
    for (int i = 0; i < THREADS; i++) {
        matched += states[i].matched_count;
        matched_bytes += states[i].matched_bytes;
    }
    CHECK_EQ_U64(matched, atomic_load(&((struct nnl_file_header *)f.h)->matched_count), "matched allocations");
    CHECK_EQ_U64(matched_bytes, atomic_load(&((struct nnl_file_header *)f.h)->matched_bytes), "matched bytes");
    int reported = 0;
    for (int i = 0; i < THREADS; i++) {
        for (int k = 0; k < SLOTS; k++) {
            const struct block *b = &states[i].blocks[k];
            if (!b->p) continue;
            const struct nnlf_entry *e = nnlf_find_entry(&f, (uint64_t)(uintptr_t)b->p);
            if (b->tracked && !e) {
                if (reported++ < 10) CHECK_FAIL("%s: tracked block %p (%zu bytes) is not in the file", when, (void *)b->p, b->size);
                else check_failures++;
            } else if (!b->tracked && e) {
                if (reported++ < 10) CHECK_FAIL("%s: untracked block %p is in the file", when, (void *)b->p);
                else check_failures++;
            } else if (e) {
                found++;
                if (e->size != b->recorded && reported++ < 10)
                    CHECK_FAIL("%s: block %p: file says %lu bytes, expected %zu", when, (void *)b->p,
                               (unsigned long)e->size, b->recorded);
            }
        }
    }
    CHECK_EQ_U64(expected, found, "tracked blocks found in the data file");
    for (uint64_t i = 0; i < f.entry_count; i++) {
        const char *frame0 = nnlf_site_symbol(&f, f.entries[i].site, 0);
        const char *frame1 = nnlf_site_symbol(&f, f.entries[i].site, 1);
        const struct nnlf_site *s = &f.sites[f.entries[i].site];
        if (!frame0 || strcmp(frame0, "stress_alloc_site") != 0 || !frame1 || strcmp(frame1, "stress_path_counted") != 0 ||
            s->pattern != 0) {
            CHECK_FAIL("%s: entry %#lx: site %u has frame 0 %s, frame 1 %s, pattern %d; expected stress_alloc_site, "
                       "stress_path_counted, 0", when, (unsigned long)f.entries[i].address, f.entries[i].site,
                       frame0 ? frame0 : "(none)", frame1 ? frame1 : "(none)", s->pattern);
            break;
        }
    }
    /* Churn must not use up the table region: per shard, at most its table, the spare one, and the
     * smaller ones it outgrew (page-rounded: with one-page first tables they weigh more), among the
     * log segments that share the file with them. */
    uint64_t highest = 0, biggest = 0;
    for (int s = 0; s < NNL_SHARDS; s++) {
        uint64_t offset = f.h->shards[s].table_offset;
        if (!offset) continue;
        if (offset > highest) highest = offset;
        uint64_t capacity = ((const struct nnl_table_header *)(f.map + offset))->capacity;
        if (capacity > biggest) biggest = capacity;
    }
    uint64_t table = (sizeof(struct nnl_table_header) + biggest * sizeof(struct nnl_live_entry) + 4095) & ~4095ull;
    CHECK(highest - NNL_HEADER_SIZE < 4 * NNL_SHARDS * table + 4096 + nnlf_log_bytes(&f),
          "%s: tables reach %lu KiB into the table region, more than 4 tables per shard", when,
          (unsigned long)((highest - NNL_HEADER_SIZE) >> 10));
    nnlf_close(&f);
}

static void check_counts(const char *when) {
    uint64_t expected = expected_live();
    CHECK_EQ_U64(expected, live_count(), when);
    check_file(when, expected);
}

/* After fork() the child has a file of its own and counts only what it allocates itself. */
static pid_t fork_and_check(uint64_t *child_live) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        CHECK_FAIL("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        check_failures = 0; /* the child reports its own failures only */
        CHECK_EQ_U64(0, live_count(), "the child's live count right after fork");
        struct request req = {H_MALLOC, NULL, 100, 1, 16};
        void *counted[3], *other[3];
        for (int i = 0; i < 3; i++) counted[i] = stress_path_counted(&req);
        other[0] = stress_path_ignored(&req);
        other[1] = stress_path_ignored(&req);
        other[2] = plain_alloc_site(&req);
        CHECK_EQ_U64(3, live_count(), "the child's live count after 3 matching allocations");
        free(counted[1]);
        CHECK_EQ_U64(2, live_count(), "the child's live count after freeing one");
        char path[4200];
        nnlf_path(path, sizeof path, run_dir, getpid(), 0);
        struct nnl_file f;
        if (nnlf_open(&f, path) != 0) {
            CHECK_FAIL("the child's data file does not read: %s", f.error);
        } else {
            CHECK_EQ_U64(2, f.entry_count, "live entries in the child's data file");
            CHECK(nnlf_find_entry(&f, (uintptr_t)counted[0]) && nnlf_find_entry(&f, (uintptr_t)counted[2]),
                  "the child's file holds its two live matching blocks");
            CHECK_EQ_U64(getppid(), f.h->parent_pid, "the child's file names its parent");
        }
        nnlf_close(&f);
        for (int i = 0; i < 3; i++) free(other[i]);
        fflush(NULL);
        _exit(check_failures ? 1 : 0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        CHECK_FAIL("the forked child failed (status %#x)", status);
    *child_live = 2;
    return pid;
}

/* nnl_checkpoint() freezes the table: frees and matching allocations after it change nothing, in the
 * count or in the file. Returns the frozen count. */
static uint64_t checkpoint_and_check(void) {
    void (*checkpoint)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "nnl_checkpoint");
    REQUIRE(checkpoint, "nnl_checkpoint is not exported");
    uint64_t frozen = expected_live();
    checkpoint();
    int freed = 0;
    for (int i = 0; i < THREADS && freed < 100; i++)
        for (int k = 1; k < SLOTS && freed < 100; k += 2)
            if (states[i].blocks[k].p && states[i].blocks[k].tracked) {
                release(&states[i], &states[i].blocks[k]);
                freed++;
            }
    struct request req = {H_MALLOC, NULL, 48, 1, 16};
    void *late[10];
    for (int i = 0; i < 10; i++) late[i] = stress_path_counted(&req);
    CHECK(freed == 100, "only %d tracked blocks to free after the checkpoint", freed);
    CHECK_EQ_U64(frozen, live_count(), "live count after the checkpoint, 100 frees and 10 matching allocations");
    char path[4200];
    nnlf_path(path, sizeof path, run_dir, getpid(), 0);
    struct nnl_file f;
    if (nnlf_open(&f, path) != 0) {
        CHECK_FAIL("the data file does not read after the checkpoint: %s", f.error);
    } else {
        CHECK_EQ_U64(NNL_STATE_CHECKPOINTED, f.h->state, "state after nnl_checkpoint");
        CHECK_EQ_U64(frozen, f.entry_count, "live entries in the file after the checkpoint");
        CHECK(f.h->checkpoint_ns > f.h->measure_start_ns, "checkpoint time after the start of the run");
    }
    nnlf_close(&f);
    for (int i = 0; i < 10; i++) free(late[i]);
    return frozen;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    run_dir = getenv("NONATIVELEAK_RUN_DIR");
    live_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    thread_shapes_confirmed = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_thread_shapes_confirmed");
    int (*active)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "nnl_active");
    REQUIRE(run_dir && live_count && thread_shapes_confirmed && active, "run this under the shim: LD_PRELOAD=libnonativeleak.so NONATIVELEAK_RUN_DIR=dir");
    REQUIRE(active(), "the shim is loaded but not active: is %s a directory with a valid patterns file?", run_dir);
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    const char *ops = getenv("NNL_STRESS_OPS");
    ops_per_thread = ops && *ops ? atol(ops) : DEFAULT_OPS;
    REQUIRE(ops_per_thread >= PHASES, "NNL_STRESS_OPS=%s is too small", ops);

    CHECK_EQ_U64(0, live_count(), "live count before any matching allocation");
    states = calloc(THREADS, sizeof *states);
    REQUIRE(states, "out of memory");
    pthread_barrier_init(&phase_done, NULL, THREADS + 1);
    pthread_barrier_init(&phase_checked, NULL, THREADS + 1);
    for (int i = 0; i < THREADS; i++) {
        states[i].index = i;
        states[i].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
        REQUIRE(pthread_create(&states[i].thread, NULL, run_thread, &states[i]) == 0, "pthread_create");
    }
    for (int phase = 0; phase < PHASES; phase++) {
        pthread_barrier_wait(&phase_done);
        char when[64];
        snprintf(when, sizeof when, "after phase %d", phase + 1);
        check_counts(when);
        pthread_barrier_wait(&phase_checked);
    }
    uint64_t allocations = 0, frees = 0, reallocs = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(states[i].thread, NULL);
        allocations += states[i].allocations;
        frees += states[i].frees;
        reallocs += states[i].reallocs;
        /* Every thread's stacks recur, so most must have been confirmed without unwinding. */
        CHECK(states[i].shapes_confirmed > states[i].allocations / 4, "thread %d: %lu of %lu allocations confirmed from a stack shape",
              i, (unsigned long)states[i].shapes_confirmed, (unsigned long)states[i].allocations);
    }
    printf("stress: %d threads x %ld operations: %lu allocations, %lu frees, %lu reallocs; %lu matching blocks live\n",
           THREADS, ops_per_thread, (unsigned long)allocations, (unsigned long)frees, (unsigned long)reallocs,
           (unsigned long)expected_live());

    uint64_t child_live = 0;
    pid_t child = fork_and_check(&child_live);
    check_counts("after the fork");

    /* Free every other block, checked, then leave the rest live for the post-mortem reader. */
    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < SLOTS; k += 2)
            if (states[i].blocks[k].p) release(&states[i], &states[i].blocks[k]);
    check_counts("after freeing half");
    uint64_t frozen = checkpoint_and_check();

    char path[4200];
    snprintf(path, sizeof path, "%s/stress-expected", run_dir);
    FILE *out = fopen(path, "w");
    REQUIRE(out, "cannot write %s", path);
    /* pid, live entries, how it ended (format.h), exit status */
    fprintf(out, "%d %lu %d %d\n", (int)getpid(), (unsigned long)frozen, NNL_END_EXIT, check_failures ? 1 : 0);
    if (child > 0) fprintf(out, "%d %lu %d %d\n", (int)child, (unsigned long)child_live, NNL_END_UNDERSCORE_EXIT, 0);
    fclose(out);
    /* exit(), not a return from main: the shim records the status only when exit() is called. */
    exit(check_report("stress"));
}
