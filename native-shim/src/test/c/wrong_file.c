/* Issue 11 item 10: symbols must come from the file the process mapped, not from whatever the
 * module's path names when the symbols are read. Run under the shim with the patterns
 * "leaky_alloc" and "innocent_helper", in a directory holding A/libx.so (swap_a.c) and B/libx.so
 * (swap_b.c, the same layout with innocent_helper where A has leaky_alloc); argv[1]:
 *   chdir    dlopen("./libx.so") in A, then chdir to B (the path now names B's file)
 *   replace  dlopen("./libx.so") in A, then B's file is renamed over it (a rebuild in place)
 * Then the first allocation from A's leaky_alloc: its frame 0 must be named leaky_alloc, or stay
 * unnamed (module+offset) where the mapped file cannot be read; never innocent_helper. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nnlfile.h"

int main(int argc, char **argv) {
    uint64_t (*live_count)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    const char *dir = getenv("NONATIVELEAK_RUN_DIR");
    REQUIRE(live_count && dir && argc == 2, "usage: wrong_file chdir|replace, under the shim");
    REQUIRE(chdir("A") == 0, "no directory A");
    void *h = dlopen("./libx.so", RTLD_NOW);
    REQUIRE(h, "dlopen: %s", dlerror());
    void *(*leaky_alloc)(size_t) = (void *(*)(size_t))dlsym(h, "leaky_alloc");
    if (strcmp(argv[1], "chdir") == 0) REQUIRE(chdir("../B") == 0, "no directory B");
    else REQUIRE(rename("../B/libx.so", "libx.so") == 0, "rename failed");

    uint64_t before = live_count();
    void *p = leaky_alloc(40);
    uint64_t tracked = live_count() - before;
    char path[4200];
    nnlf_path(path, sizeof path, dir, getpid(), 0);
    struct nnl_file f;
    REQUIRE(nnlf_open(&f, path) == 0, "%s", f.error);
    nnlf_sort_entries(&f);
    const struct nnlf_entry *e = nnlf_find_entry(&f, (uint64_t)(uintptr_t)p);
    const char *name = e ? nnlf_site_symbol(&f, e->site, 0) : NULL;
    CHECK(tracked == (e != NULL), "the live count and the data file agree");
    CHECK(!name || strcmp(name, "leaky_alloc") == 0, "frame 0 of leaky_alloc's allocation is named %s", name);
    /* Where the kernel lets the process open the file it mapped (/proc/self/map_files), the name is known. */
    char self_map[64];
    snprintf(self_map, sizeof self_map, "/proc/%d/map_files", getpid());
    if (access(self_map, R_OK) == 0 && geteuid() == 0) CHECK(name != NULL, "frame 0 is named from the mapped file");
    nnlf_close(&f);
    free(p);
    return check_report("wrong_file") != 0;
}
