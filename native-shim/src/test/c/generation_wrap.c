/* The suspected prefilter fault of issue 11: unwind.c's prefilter caches, per return address, whether
 * it can be frame 0 of a pattern, tagged with the low 14 bits of the dlclose generation. Run under
 * the shim with the pattern "wrap_b_site": library A's wrap_a_site allocates (rejected: cached),
 * A is unloaded, 16,383 more dlclose calls bring the tag's 14 bits round again, and library B (the
 * same layout, wrap_b_site where A had wrap_a_site) is loaded at A's address: its allocation must
 * be tracked, not rejected by A's stale entry. argv[1], argv[2]: the two libraries. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define WRAP 16384

int main(int argc, char **argv) {
    uint64_t (*live_count)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    REQUIRE(live_count && argc == 3, "usage: generation_wrap LIBA LIBB, under the shim");
    void *a = dlopen(argv[1], RTLD_NOW);
    REQUIRE(a, "dlopen: %s", dlerror());
    void *(*a_site)(size_t) = (void *(*)(size_t))dlsym(a, "wrap_a_site");
    uint64_t before = live_count();
    free(a_site(16));
    CHECK_EQ_U64(before, live_count(), "A's allocation matches nothing");
    dlclose(a);
    for (int i = 1; i < WRAP; i++) dlclose(dlopen("libc.so.6", RTLD_NOW)); /* loaded already: cheap */
    void *b = dlopen(argv[2], RTLD_NOW);
    REQUIRE(b, "dlopen: %s", dlerror());
    void *(*b_site)(size_t) = (void *(*)(size_t))dlsym(b, "wrap_b_site");
    REQUIRE((uintptr_t)b_site == (uintptr_t)a_site, "B is loaded where A was (%p, %p): the test's premise", (void *)b_site, (void *)a_site);
    void *p = b_site(16);
    CHECK_EQ_U64(before + 1, live_count(), "B's allocation from wrap_b_site is tracked");
    free(p);
    return check_report("generation_wrap") != 0;
}
