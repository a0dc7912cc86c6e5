/* Stacks deeper than the frames a stack keeps of its own (STACK_HEAD): run under the real shim with
 * the pattern "deep_site ... deep_outer_counted".
 *
 * Two paths reach the allocation through the same DEPTH recursive frames and differ only in the
 * outermost of them, far beyond the head, in a link of frames that the two stacks do not share: deep_outer_counted -> recurse^DEPTH -> deep_site -> malloc
 * (matches) and deep_outer_other -> recurse^DEPTH -> deep_site -> malloc (matches nothing). Both
 * frames are the same size, so the two stacks also lie in the same slots: once the counted stack
 * has a shape, only the comparison of a frame in its shared tail tells the other path apart. The
 * live count must follow exactly, and the counted site's record must name every frame, the
 * outermost ones included. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "nnlfile.h"

#define DEPTH 40
#define ROUNDS 2000

__attribute__((noipa)) void *deep_site(size_t size) {
    void *p = malloc(size);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noipa)) void *recurse(int n) {
    void *p = n ? recurse(n - 1) : deep_site(64);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noipa)) void *deep_outer_counted(void) {
    void *p = recurse(DEPTH);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noipa)) void *deep_outer_other(void) {
    void *p = recurse(DEPTH);
    __asm__ volatile("" ::: "memory");
    return p;
}

/* One call site for both paths, chosen through memory: everything above the outer frames is the same. */
static volatile int take_counted;
__attribute__((noipa)) void *take(void) {
    void *(*volatile path)(void) = take_counted ? deep_outer_counted : deep_outer_other;
    void *p = path();
    __asm__ volatile("" ::: "memory");
    return p;
}

int main(void) {
    uint64_t (*live_count)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    uint64_t (*shapes_confirmed)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_thread_shapes_confirmed");
    int (*active)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "nnl_active");
    const char *dir = getenv("NONATIVELEAK_RUN_DIR");
    REQUIRE(live_count && shapes_confirmed && active && active() && dir,
            "run this under the shim: LD_PRELOAD=libnonativeleak.so NONATIVELEAK_RUN_DIR=dir");

    static void *kept[ROUNDS];
    uint64_t counted = 0, confirmed_before = shapes_confirmed();
    for (int round = 0; round < ROUNDS; round++) {
        /* Mostly the counted path, so that its stack gets a shape; the other one first, so that
         * the frames they share are first kept for a stack that goes on elsewhere. */
        take_counted = round % 4 != 0;
        counted += take_counted;
        kept[round] = take();
        CHECK_EQ_U64(counted, live_count(), take_counted ? "live count after a counted allocation" : "live count after an allocation matching nothing");
        if (check_failures > 10) break;
    }
    uint64_t confirmed = shapes_confirmed() - confirmed_before;
    CHECK(confirmed >= ROUNDS - 8, "allocations confirmed from a stack shape: %lu of %d", (unsigned long)confirmed, ROUNDS);

    char path[4096];
    nnlf_path(path, sizeof path, dir, getpid(), 0);
    struct nnl_file f;
    REQUIRE(nnlf_open(&f, path) == 0, "the data file %s: %s", path, f.error);
    nnlf_sort_entries(&f);
    const struct nnlf_entry *e = nnlf_find_entry(&f, (uint64_t)(uintptr_t)kept[1]);
    REQUIRE(e != NULL, "the first counted block has a live entry");
    const char *expected[DEPTH + 3];
    expected[0] = "deep_site";
    for (int i = 1; i <= DEPTH + 1; i++) expected[i] = "recurse";
    expected[DEPTH + 2] = "deep_outer_counted";
    for (int i = 0; i < DEPTH + 3; i++) {
        char what[64];
        snprintf(what, sizeof what, "frame %d of the counted site", i);
        CHECK_EQ_STR(expected[i], nnlf_site_symbol(&f, e->site, i), what);
    }
    CHECK_EQ_STR("take", nnlf_site_symbol(&f, e->site, DEPTH + 3), "the frame beyond the outer one");
    nnlf_close(&f);
    for (int round = 0; round < ROUNDS; round++) free(kept[round]);
    CHECK_EQ_U64(0, live_count(), "live count after every block was freed");
    return check_report("deep_stacks");
}
