/* Issue 11 item 12: glibc's strdup and strndup are weak aliases of __strdup and __strndup (one
 * address, several names). Run under the shim with the patterns "strdup" and "asprintf|strndup":
 * a frame matches a name when any alias of its symbol does, so both allocations are tracked, and
 * the data file names each frame by its preferred public name (no leading underscores). */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nnlfile.h"

char *kept[2]; /* visible outside: the calls cannot be dropped */

int main(void) {
    uint64_t (*live_count)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    const char *dir = getenv("NONATIVELEAK_RUN_DIR");
    REQUIRE(live_count && dir, "run this under the shim");
    uint64_t before = live_count();
    kept[0] = strdup("hello");
    CHECK_EQ_U64(before + 1, live_count(), "allocations tracked after strdup (pattern strdup)");
    kept[1] = strndup("abcdef", 3);
    CHECK_EQ_U64(before + 2, live_count(), "allocations tracked after strndup (pattern asprintf|strndup)");

    char path[4200];
    nnlf_path(path, sizeof path, dir, getpid(), 0);
    struct nnl_file f;
    REQUIRE(nnlf_open(&f, path) == 0, "%s", f.error);
    nnlf_sort_entries(&f);
    const char *expected[2] = {"strdup", "strndup"};
    for (int i = 0; i < 2; i++) {
        const struct nnlf_entry *e = nnlf_find_entry(&f, (uint64_t)(uintptr_t)kept[i]);
        CHECK(e != NULL, "the %s block is in the data file", expected[i]);
        if (e) CHECK_EQ_STR(expected[i], nnlf_site_symbol(&f, e->site, 0), "frame 0 as the report names it");
    }
    nnlf_close(&f);
    return check_report("symbol_aliases") != 0;
}
