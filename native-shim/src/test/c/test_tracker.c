/* Tests of the tracking core (everything but interpose.c), built with AddressSanitizer +
 * UndefinedBehaviorSanitizer and, separately, with ThreadSanitizer. The core and tracker_front.c
 * form a shared library, as the core and interpose.c form the shim, so the library's frames are left
 * out of stacks exactly as the shim's are.
 *
 * Several threads allocate through the front from call sites that match a pattern, match an ignore
 * pattern or match nothing, and churn the live table directly with tracker_record / tracker_moved /
 * tracker_forget; then the counts, the data file (entries, sizes, sites, header) and a forked
 * child's fresh file are checked, and a checkpoint must freeze the table.
 *
 * Environment: NNL_TRACKER_SCALE divides the operation counts (for slow sanitizer runs). */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "nnlfile.h"
#include "output.h"
#include "pattern.h"
#include "tracker.h"
#include "unwind.h"

void front_init(const char *dir);
void *front_malloc(size_t size);
void front_free(void *p);
void *front_realloc(void *p, size_t size);
pid_t front_fork(void);
int nnl_pattern_check(const char *text, char *reason, size_t reason_size);

#define THREADS 4
#define SLOTS 1024
#define CHURN_LIVE 2048

static const char *dir;
static long front_ops = 60000, churn_ops = 400000;

/* ---- call sites: the frame 0 every pattern is about ---- */

__attribute__((noipa)) void *tracker_site_match(size_t size) {
    void *p = front_malloc(size);
    __asm__ volatile("" ::: "memory");
    return p;
}
__attribute__((noipa)) void *tracker_site_second(size_t size) {
    void *p = front_malloc(size);
    __asm__ volatile("" ::: "memory");
    return p;
}
__attribute__((noipa)) void *tracker_site_other(size_t size) {
    void *p = front_malloc(size);
    __asm__ volatile("" ::: "memory");
    return p;
}
__attribute__((noipa)) void *tracker_via_ignored(size_t size) {
    void *p = tracker_site_match(size);
    __asm__ volatile("" ::: "memory");
    return p;
}
__attribute__((noipa)) void *tracker_site_realloc(void *old, size_t size) {
    void *p = front_realloc(old, size);
    __asm__ volatile("" ::: "memory");
    return p;
}
__attribute__((noipa)) void *tracker_realloc_elsewhere(void *old, size_t size) {
    void *p = front_realloc(old, size);
    __asm__ volatile("" ::: "memory");
    return p;
}

/* unwind_matching_stack called directly, as after_alloc does, with an address inside the caller. */
__attribute__((noipa)) static uintptr_t return_point(void) { return (uintptr_t)__builtin_return_address(0); }
__attribute__((noipa)) const struct stack *tracker_direct_match(void) {
    const struct stack *s = unwind_matching_stack(return_point(), 0);
    __asm__ volatile("" ::: "memory");
    return s;
}
__attribute__((noipa)) const struct stack *tracker_direct_other(void) {
    const struct stack *s = unwind_matching_stack(return_point(), 0);
    __asm__ volatile("" ::: "memory");
    return s;
}

/* ---- per-thread work ---- */

struct block {
    char *p;
    size_t size;
    int tracked; /* 0, or the pattern index + 1 */
    char fill;
};

struct thread_state {
    int index;
    pthread_t thread;
    uint64_t rng;
    struct block blocks[SLOTS];
    uint64_t fake_size[CHURN_LIVE]; /* 0: that fake address is not live */
    uint64_t fake_address[CHURN_LIVE];
    uint64_t fake_serial;
    uint64_t tracked_live, matched, matched_bytes, churn_live;
    const struct stack *direct;
};

static struct thread_state *states;
static atomic_int go;
static pthread_barrier_t threads_done;

/* Workers never exit: a thread that has unwound carries libunwind's per-thread cache, whose
 * destructor ThreadSanitizer's runtime (gcc 12) does not survive at thread exit. They report done
 * and sleep until the process ends; fork() then happens, as in real programs, with other threads
 * alive (and holding none of the shim's locks). */
static void park(void) {
    pthread_barrier_wait(&threads_done);
    for (;;) pause();
}

static uint64_t next_random(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* Addresses that malloc never returns, distinct per thread, and fresh for every block as a
 * long-running process's are: the table does not care what they point to. */
static uint64_t fake_address(int thread, uint64_t serial) { return (0x100ull + (uint64_t)thread) << 36 | serial << 4; }

static void check_fill(const struct block *b) {
    for (size_t i = 0; i < b->size; i++)
        if (b->p[i] != b->fill) {
            CHECK_FAIL("block %p changed at byte %zu", (void *)b->p, i);
            return;
        }
}

static void front_op(struct thread_state *t) {
    uint64_t r = next_random(&t->rng);
    struct block *b = &t->blocks[r % SLOTS];
    r >>= 10;
    size_t size = 1 + r % 300;
    if (!b->p) {
        int how = (int)(r >> 10) % 10;
        if (how < 4) { b->p = tracker_site_match(size); b->tracked = 1; }
        else if (how < 5) { b->p = tracker_site_second(size); b->tracked = 2; }
        else if (how < 7) { b->p = tracker_via_ignored(size); b->tracked = 0; }
        else { b->p = tracker_site_other(size); b->tracked = 0; }
        b->size = size;
        if (b->tracked) {
            t->tracked_live++;
            t->matched++;
            t->matched_bytes += size;
        }
    } else if (r % 4) {
        check_fill(b);
        front_free(b->p);
        if (b->tracked) t->tracked_live--;
        b->p = NULL;
        return;
    } else {
        check_fill(b);
        /* realloc at a site of its own: tracking moves with a tracked block, an untracked one stays so */
        b->p = (r >> 20) % 2 ? tracker_site_realloc(b->p, size) : tracker_realloc_elsewhere(b->p, size);
        b->size = size;
    }
    if (!b->p) CHECK_FAIL("allocation failed");
    b->fill = (char)(r >> 40);
    memset(b->p, b->fill, b->size);
}

static void churn_op(struct thread_state *t) {
    uint64_t r = next_random(&t->rng);
    int slot = (int)(r % CHURN_LIVE);
    uint64_t address = t->fake_address[slot], size = 1 + (r >> 16) % 1000;
    if (!t->fake_size[slot]) {
        address = t->fake_address[slot] = fake_address(t->index, t->fake_serial++);
        tracker_record((void *)address, size, t->direct);
        t->fake_size[slot] = size;
        t->churn_live++;
        t->matched++;
        t->matched_bytes += size;
    } else if ((r >> 40) % 4) {
        size_t old = 0;
        uint32_t site = tracker_forget((void *)address, &old);
        if (!site || old != t->fake_size[slot])
            CHECK_FAIL("forget %#lx: site %u size %zu, expected a site and size %lu", (unsigned long)address, site, old,
                       (unsigned long)t->fake_size[slot]);
        t->fake_size[slot] = 0;
        t->churn_live--;
    } else {
        /* realloc in place to a new size: forget, then move */
        size_t old = 0;
        uint32_t site = tracker_forget((void *)address, &old);
        if (!site) CHECK_FAIL("forget before a move lost %#lx", (unsigned long)address);
        tracker_moved((void *)address, size, site);
        t->fake_size[slot] = size;
    }
}

static void *run_thread(void *arg) {
    struct thread_state *t = arg;
    char name[24];
    snprintf(name, sizeof name, "worker-%d", t->index);
    tracker_set_thread_name(name);
    /* Threads exist before the run begins, as in a real process: they wait for recording the way
     * the shim's wrappers see it, with a relaxed load. */
    while (!atomic_load_explicit(&go, memory_order_relaxed)) sched_yield();
    while (!atomic_load_explicit(&tracker_recording, memory_order_relaxed)) sched_yield();
    t->direct = tracker_direct_match();
    if (!t->direct) {
        CHECK_FAIL("thread %d: tracker_direct_match's stack does not match", t->index);
        park();
    }
    for (long i = 0; i < front_ops + churn_ops; i++) {
        if (next_random(&t->rng) % (uint64_t)(front_ops + churn_ops) < (uint64_t)front_ops) front_op(t);
        else churn_op(t);
    }
    park();
    return NULL;
}

/* ---- checks ---- */

static struct nnl_file *open_own_file(struct nnl_file *f, pid_t pid) {
    char path[4200];
    nnlf_path(path, sizeof path, dir, pid, 0);
    if (nnlf_open(f, path) != 0) {
        CHECK_FAIL("the data file does not read: %s", f->error);
        nnlf_close(f);
        return NULL;
    }
    return f;
}

static uint64_t highest_table_offset(const struct nnl_file *f) {
    uint64_t highest = 0;
    for (int s = 0; s < NNL_SHARDS; s++)
        if (f->h->shards[s].table_offset > highest) highest = f->h->shards[s].table_offset;
    return highest;
}

/* What the tables may use of the file: per shard, its current table, the spare one of the same size,
 * and the smaller ones it outgrew (page-rounded), plus the log segments that share the file. */
static uint64_t table_region_bound(const struct nnl_file *f) {
    uint64_t biggest = 0;
    for (int s = 0; s < NNL_SHARDS; s++) {
        uint64_t offset = f->h->shards[s].table_offset;
        if (!offset) continue;
        uint64_t capacity = ((const struct nnl_table_header *)(f->map + offset))->capacity;
        if (capacity > biggest) biggest = capacity;
    }
    uint64_t table = (sizeof(struct nnl_table_header) + biggest * sizeof(struct nnl_live_entry) + 4095) & ~4095ull;
    return 4 * NNL_SHARDS * table + 4096 + nnlf_log_bytes(f);
}

static void check_threads_in_file(const char *when) {
    uint64_t expected = 0, matched = 0, matched_bytes = 0;
    for (int i = 0; i < THREADS; i++) {
        expected += states[i].tracked_live + states[i].churn_live;
        matched += states[i].matched;
        matched_bytes += states[i].matched_bytes;
    }
    CHECK_EQ_U64(expected, tracker_live_count(), when);
    struct nnl_file f;
    if (!open_own_file(&f, getpid())) return;
    CHECK_EQ_U64(expected, f.entry_count, "live entries in the data file");
    CHECK_EQ_U64(matched, f.h->matched_count, "matched allocations in the header");
    CHECK_EQ_U64(matched_bytes, f.h->matched_bytes, "matched bytes in the header");
    CHECK_EQ_U64(0, f.h->dropped_count, "dropped allocations");
    int bad = 0;
    for (int i = 0; i < THREADS; i++) {
        const struct thread_state *t = &states[i];
        char thread[24];
        snprintf(thread, sizeof thread, "worker-%d", i);
        for (int k = 0; k < CHURN_LIVE; k++) {
            const struct nnlf_entry *e = t->fake_size[k] ? nnlf_find_entry(&f, t->fake_address[k]) : NULL;
            if ((e != NULL) != (t->fake_size[k] != 0) || (e && e->size != t->fake_size[k])) {
                if (bad++ < 5) CHECK_FAIL("fake block %d/%d: in file %d size %lu, expected live %d size %lu", i, k, e != NULL,
                                          e ? (unsigned long)e->size : 0ul, t->fake_size[k] != 0, (unsigned long)t->fake_size[k]);
                continue;
            }
            if (e && (strcmp(nnlf_site_symbol(&f, e->site, 0) ? nnlf_site_symbol(&f, e->site, 0) : "", "tracker_direct_match") ||
                      strcmp(f.sites[e->site].thread, thread) || f.sites[e->site].pattern != 2) && bad++ < 5)
                CHECK_FAIL("fake block %d/%d: site %u frame 0 %s thread %s pattern %d", i, k, e->site,
                           nnlf_site_symbol(&f, e->site, 0), f.sites[e->site].thread, f.sites[e->site].pattern);
        }
        for (int k = 0; k < SLOTS; k++) {
            const struct block *b = &t->blocks[k];
            if (!b->p) continue;
            const struct nnlf_entry *e = nnlf_find_entry(&f, (uintptr_t)b->p);
            if ((e != NULL) != (b->tracked != 0)) {
                if (bad++ < 5) CHECK_FAIL("block %p: in file %d, tracked %d", (void *)b->p, e != NULL, b->tracked);
                continue;
            }
            if (!e) continue;
            const char *expected_frame0 = b->tracked == 1 ? "tracker_site_match" : "tracker_site_second";
            const char *frame0 = nnlf_site_symbol(&f, e->site, 0);
            if ((!frame0 || strcmp(frame0, expected_frame0) || f.sites[e->site].pattern != b->tracked - 1 ||
                 e->size != b->size) && bad++ < 5)
                CHECK_FAIL("block %p: site frame 0 %s pattern %d size %lu; expected %s, %d, %zu", (void *)b->p,
                           frame0 ? frame0 : "(none)", f.sites[e->site].pattern, (unsigned long)e->size, expected_frame0,
                           b->tracked - 1, b->size);
        }
    }
    CHECK(bad == 0, "%d blocks disagree with the data file", bad);
    /* The churn rebuilds tables over and over; released tables must be reused, not piled up in the
     * 1 GiB table region until it runs out (it did, after some 38 million short-lived blocks). */
    uint64_t highest = highest_table_offset(&f) - NNL_HEADER_SIZE, bound = table_region_bound(&f);
    printf("test_tracker: %s: %lu live, %lu matched, tables up to %lu KiB into the table region (bound %lu KiB)\n", when,
           (unsigned long)f.entry_count, (unsigned long)matched, (unsigned long)(highest >> 10), (unsigned long)(bound >> 10));
    CHECK(highest < bound, "%s: tables reach %lu KiB into the table region, more than %lu KiB", when,
          (unsigned long)(highest >> 10), (unsigned long)(bound >> 10));
    nnlf_close(&f);
}

static void check_patterns(void) {
    struct pattern_error error;
    CHECK(unwind_add_pattern("tracker_site_match", 0, &error) == 0, "pattern 0");
    CHECK(unwind_add_pattern("tracker_site_second ...", 0, &error) == 0, "pattern 1");
    CHECK(unwind_add_pattern("tracker_direct_match|tracker_direct_never * ...", 0, &error) == 0, "pattern 2");
    CHECK(unwind_add_pattern("tracker_site_match tracker_via_ignored", 1, &error) == 0, "ignore pattern");
    CHECK(unwind_add_pattern("tracker_site_x ..", 0, &error) == -1 && error.position == 16, "a malformed pattern is refused at 16, got %d",
          error.position);
    CHECK_EQ_U64(3, unwind_pattern_count(), "patterns after a refused one");
    char reason[200] = "";
    CHECK_EQ_U64(3, nnl_pattern_check("a||b", reason, sizeof reason), "nnl_pattern_check position");
    CHECK(strstr(reason, "empty alternative") != NULL, "nnl_pattern_check reason: %s", reason);
    CHECK_EQ_U64(0, nnl_pattern_check("a ... b", reason, sizeof reason), "nnl_pattern_check on a good pattern");
}

static void check_fork(void) {
    uint64_t before = tracker_live_count();
    pid_t pid = front_fork();
    if (pid < 0) {
        CHECK_FAIL("fork failed");
        return;
    }
    if (pid == 0) {
        check_failures = 0; /* the child reports its own failures only */
        CHECK_EQ_U64(0, tracker_live_count(), "the child's live count right after fork");
        void *kept = tracker_site_match(40), *other = tracker_site_other(40), *ignored = tracker_via_ignored(40);
        void *gone = tracker_site_match(41);
        front_free(gone);
        CHECK_EQ_U64(1, tracker_live_count(), "the child's live count");
        struct nnl_file f;
        if (open_own_file(&f, getpid())) {
            CHECK_EQ_U64(1, f.entry_count, "entries in the child's file");
            CHECK(nnlf_find_entry(&f, (uintptr_t)kept) != NULL, "the child's file holds its block");
            CHECK_EQ_U64(getppid(), f.h->parent_pid, "the child's file names its parent");
            CHECK_EQ_U64(NNL_STATE_TRACKING, f.h->state, "a child tracks from its start");
            if (f.entry_count == 1) {
                const char *frame0 = nnlf_site_symbol(&f, f.entries[0].site, 0);
                CHECK(frame0 && strcmp(frame0, "tracker_site_match") == 0, "the child's site: %s", frame0 ? frame0 : "(none)");
                CHECK_EQ_U64(0, f.entries[0].site, "site ids start again at 0 in the child");
            }
            nnlf_close(&f);
        }
        front_free(kept);
        front_free(other);
        front_free(ignored);
        fflush(NULL);
        _exit(check_failures ? 1 : 0);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed: status %#x", status);
    CHECK_EQ_U64(before, tracker_live_count(), "the parent's live count after fork");
    char path[4200];
    nnlf_path(path, sizeof path, dir, pid, 0);
    CHECK(access(path, F_OK) == 0, "the child wrote no data file %s", path);
}

static void check_checkpoint(void) {
    uint64_t before = tracker_live_count();
    tracker_checkpoint();
    CHECK_EQ_U64(0, atomic_load(&tracker_recording), "recording after the checkpoint");
    void *late = tracker_site_match(64);
    CHECK_EQ_U64(before, tracker_live_count(), "an allocation after the checkpoint is not recorded");
    /* A free after the checkpoint does not change the frozen table either. */
    struct block *b = NULL;
    for (int i = 0; i < THREADS && !b; i++)
        for (int k = 0; k < SLOTS && !b; k++)
            if (states[i].blocks[k].p && states[i].blocks[k].tracked) b = &states[i].blocks[k];
    if (b) {
        front_free(b->p);
        b->p = NULL;
        CHECK_EQ_U64(before, tracker_live_count(), "a free after the checkpoint does not change the table");
    }
    front_free(late);
    struct nnl_file f;
    if (open_own_file(&f, getpid())) {
        CHECK_EQ_U64(NNL_STATE_CHECKPOINTED, f.h->state, "state after the checkpoint");
        CHECK(f.h->checkpoint_ns >= f.h->measure_start_ns && f.h->measure_start_ns > 0, "checkpoint time");
        CHECK_EQ_U64(before, f.entry_count, "entries after the checkpoint");
        CHECK(f.h->timeline_count > 0, "the timeline has points");
        nnlf_close(&f);
    }
}

/* A live entry holds 48-bit addresses and sizes exactly, and sites of 24 bits split over its two words;
 * a block beyond that is not tracked but lost, with its reason, never stored wrong. */
static void check_entry_range(void) {
    const struct stack *stack = tracker_direct_match();
    uint64_t biggest = NNL_ENTRY_FIELD_MASK, fits = fake_address(THREADS, 1), beyond = fake_address(THREADS, 2);
    tracker_record((void *)fits, biggest, stack);
    tracker_record((void *)beyond, biggest + 1, stack);
    tracker_record((void *)(uintptr_t)(1ull << NNL_ENTRY_FIELD_BITS), 16, stack);
    struct nnl_file f;
    if (open_own_file(&f, getpid())) {
        const struct nnlf_entry *e = nnlf_find_entry(&f, fits);
        CHECK(e && e->size == biggest, "a block of 2^48 - 1 bytes: its size exact in the file");
        CHECK(!nnlf_find_entry(&f, beyond), "a block of 2^48 bytes: not in the table");
        const struct nnl_resources *r = (const struct nnl_resources *)(f.map + NNL_RESOURCES_OFFSET);
        CHECK_EQ_U64(2, r->lost[NNL_LOSS_ENTRY_RANGE], "blocks beyond an entry's range: counted lost");
        CHECK_EQ_U64(NNL_LOSS_ENTRY_RANGE, r->incomplete_reason, "and the run incomplete for that reason");
        CHECK_EQ_U64(2, f.h->dropped_count, "and dropped");
        nnlf_close(&f);
    }
    size_t size = 0;
    CHECK(tracker_forget((void *)fits, &size) && size == biggest, "the biggest block forgotten with its size");
    uint32_t site = (1u << NNL_ENTRY_SITE_BITS) - 2;
    uint64_t key = nnl_entry_key(fits, site, NNL_MAX_RUNS), value = nnl_entry_value(biggest, site);
    CHECK(nnl_entry_address(key) == fits && nnl_entry_run(key) == NNL_MAX_RUNS && nnl_entry_site(key, value) == site &&
              nnl_entry_size(value) == biggest, "a site above 2^16, the last run and the biggest size: read back as written");
    CHECK(!nnl_entry_fits(16, 16, 1u << NNL_ENTRY_SITE_BITS, 1), "a site of 2^24 does not fit");
}

/* Threads that each make thousands of sites (a new thread name each time) write a log of several
 * MiB at once, while the pages behind the records being written leave the process (output.c): every
 * record must still be in the file, whole. */
#define LOG_SITES 9000
static void *make_sites(void *arg) {
    int thread = (int)(intptr_t)arg;
    const struct stack *stack = tracker_direct_match();
    for (int n = 0; n < LOG_SITES; n++) {
        char name[64];
        snprintf(name, sizeof name, "log-%d-%d-with-a-longer-name-for-a-bigger-record", thread, n);
        tracker_set_thread_name(name);
        uint64_t address = fake_address(THREADS + 1 + thread, (uint64_t)n + 1);
        tracker_record((void *)address, 16, stack);
        size_t size;
        tracker_forget((void *)address, &size);
    }
    return NULL;
}

static void check_log_behind(void) {
    struct nnl_file f;
    uint64_t sites_before = 0;
    if (open_own_file(&f, getpid())) {
        sites_before = f.site_count;
        nnlf_close(&f);
    }
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        REQUIRE(pthread_create(&threads[i], NULL, make_sites, (void *)(intptr_t)i) == 0, "pthread_create");
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    if (!open_own_file(&f, getpid())) return;
    /* Segments of 64 KiB to 1 MiB hold the first 1984 KiB; the log must be well into a 2 MiB one. */
    CHECK(f.h->log_used >= (3u << 20), "the log reached its 2 MiB segments: %lu bytes", (unsigned long)f.h->log_used);
    uint64_t named = 0;
    for (uint32_t i = (uint32_t)sites_before; i < f.site_count; i++)
        if (f.sites[i].present && strncmp(f.sites[i].thread, "log-", 4) == 0) named++;
    CHECK_EQ_U64((uint64_t)THREADS * LOG_SITES, named, "sites of the log-writing threads read back from the file");
    nnlf_close(&f);
}

static void remove_run_dir(void) {
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *scale = getenv("NNL_TRACKER_SCALE");
    if (scale && atol(scale) > 1) {
        front_ops /= atol(scale);
        churn_ops /= atol(scale);
    }
    char dir_template[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir_template, sizeof dir_template, "%s/nnl-tracker-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    dir = mkdtemp(dir_template);
    REQUIRE(dir, "mkdtemp %s", dir_template);

    front_init(dir);
    check_patterns();
    REQUIRE(tracker_start(dir, 1) == 0, "tracker_start on %s", dir);
    tracker_set_python_status(NNL_PYTHON_UNAVAILABLE, "no Python in this test");
    CHECK_EQ_U64(0, atomic_load(&tracker_recording), "recording before the run begins");
    void *early = tracker_site_match(10);
    CHECK_EQ_U64(0, tracker_live_count(), "nothing is recorded while waiting for the runner");
    front_free(early);
    CHECK(tracker_direct_other() == NULL, "a stack that matches no pattern");
    CHECK(tracker_direct_match() != NULL && tracker_direct_match()->verdict == 2, "tracker_direct_match matches pattern 2");
    struct nnl_file f;
    if (open_own_file(&f, getpid())) {
        CHECK_EQ_U64(NNL_STATE_WAITING, f.h->state, "state before the run");
        CHECK_EQ_U64(NNL_PYTHON_UNAVAILABLE, f.h->python_status, "python status");
        CHECK_EQ_STR("no Python in this test", f.h->python_reason, "python reason");
        nnlf_close(&f);
    }

    states = calloc(THREADS, sizeof *states);
    REQUIRE(states, "out of memory");
    pthread_barrier_init(&threads_done, NULL, THREADS + 1);
    for (int i = 0; i < THREADS; i++) {
        states[i].index = i;
        states[i].rng = 0x2545f4914f6cdd1dull * (uint64_t)(i + 1);
        REQUIRE(pthread_create(&states[i].thread, NULL, run_thread, &states[i]) == 0, "pthread_create");
    }
    atomic_store(&go, 1);
    tracker_begin_measuring(); /* while the threads are already polling */
    pthread_barrier_wait(&threads_done);
    check_threads_in_file("after the threads");

    check_fork();
    check_threads_in_file("after fork");
    check_log_behind();
    check_checkpoint();
    check_entry_range();

    tracker_record_end(NNL_END_EXIT, 7);
    if (open_own_file(&f, getpid())) {
        CHECK_EQ_U64(NNL_END_EXIT, f.h->end, "end");
        CHECK_EQ_U64(7, f.h->exit_status, "exit status");
        nnlf_close(&f);
    }
    CHECK_EQ_U64(2, nnlf_count_files(dir), "data files: this process and its child");

    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < SLOTS; k++) free(states[i].blocks[k].p);
    free(states);
    int failed = check_report("test_tracker");
    if (failed) fprintf(stderr, "test_tracker: the data files are in %s\n", dir);
    else remove_run_dir();
    return failed;
}
