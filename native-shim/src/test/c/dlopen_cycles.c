/* Issue 11 item 4: plugin-style code loads and unloads a library in a loop (ctypes does). Run under
 * the shim with the pattern "cycle_alloc": 300 dlopen/dlclose cycles, each allocating from the
 * library (tracked) and freeing. Every dlclose makes the shim forget what it cached by address; it
 * used to rebuild every module and map each one's ELF file again, never unmapped: about 4 mappings
 * and 290 KiB per cycle. After a warm-up of 20 cycles the mapping count and RSS must stay flat. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define WARMUP 20
#define CYCLES 300

static int mappings(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    int n = 0, c;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) v = atol(line + 6);
    fclose(f);
    return v;
}

int main(int argc, char **argv) {
    uint64_t (*live_count)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    REQUIRE(live_count && argc == 2, "usage: dlopen_cycles LIBRARY, under the shim");
    int maps_before = 0;
    long rss_before = 0;
    for (int i = 0; i < CYCLES; i++) {
        if (i == WARMUP) {
            maps_before = mappings();
            rss_before = rss_kib();
        }
        void *h = dlopen(argv[1], RTLD_NOW);
        REQUIRE(h, "cycle %d: dlopen failed: %s", i, dlerror());
        void *(*cycle_alloc)(size_t) = (void *(*)(size_t))dlsym(h, "cycle_alloc");
        uint64_t before = live_count();
        void *p = cycle_alloc(32);
        CHECK_EQ_U64(before + 1, live_count(), "the library's allocation is tracked");
        free(p);
        dlclose(h);
        if (check_failures) break;
    }
    int maps_after = mappings();
    long rss_after = rss_kib();
    printf("dlopen_cycles: %d cycles after warm-up: mappings %d -> %d, RSS %ld -> %ld KiB\n", CYCLES - WARMUP,
           maps_before, maps_after, rss_before, rss_after);
    CHECK(maps_after <= maps_before + 2, "mappings grew from %d to %d", maps_before, maps_after);
    CHECK(rss_after <= rss_before + 2048, "RSS grew from %ld to %ld KiB", rss_before, rss_after);
    return check_report("dlopen_cycles") != 0;
}
