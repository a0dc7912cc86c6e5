/* check-sampling: discover's Poisson sampling by bytes, under the real shim, estimates what it did not
 * track. The program knows what it allocated; the shim's scaled-up totals in its own data file must come
 * within a few standard deviations of that, including for blocks that grow by realloc (which are sampled
 * once, at their first allocation, not again at every realloc). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "output.h"
#include "sampling.h"

#define BLOCKS 50000
#define BIG 4096
#define SMALL 64

static volatile uintptr_t sink;

int main(void) {
    for (int i = 0; i < BLOCKS; i++) {
        void *p = malloc(BIG);
        sink = (uintptr_t)p;
        free(p);
    }
    for (int i = 0; i < BLOCKS; i++) { /* 64 bytes allocated, then grown: 64 bytes count */
        void *p = malloc(SMALL);
        p = realloc(p, BIG);
        sink = (uintptr_t)p;
        free(p);
    }
    const char *dir = getenv("NONATIVELEAK_RUN_DIR");
    char prefix[64], path[4400] = "";
    snprintf(prefix, sizeof prefix, "proc-%d-", getpid());
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (d) closedir(d);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "no data file %s", path);
    if (fd < 0) return 1;
    const char *h = mmap(NULL, NNL_HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    const struct nnl_sampling_block *s = (const void *)(h + NNL_SAMPLING_BLOCK_OFFSET);
    const struct nnl_file_header *header = (const void *)h;
    double truth = (double)BLOCKS * (BIG + SMALL), estimate = (double)s->estimated_bytes;
    uint64_t tracked = header->matched_count;
    printf("check-sampling: 1 sample per %llu bytes: %llu tracked of %d; bytes estimated %.0f, allocated %.0f (%+.1f%%)\n",
           (unsigned long long)s->mean_bytes, (unsigned long long)tracked, 2 * BLOCKS, estimate, truth,
           100 * (estimate / truth - 1));
    CHECK(s->mean_bytes > 0, "the shim did not sample");
    /* ~3200 samples: one standard deviation is under 2%; the program's own stdio adds a little. */
    CHECK(estimate > 0.9 * truth && estimate < 1.1 * truth, "estimated %.0f bytes, allocated %.0f", estimate, truth);
    CHECK(tracked < BLOCKS / 5, "%llu of %d allocations tracked: not sampled", (unsigned long long)tracked, 2 * BLOCKS);
    return check_report("check-sampling");
}
