/* The project's own native library: every block it leaks has frame 0 = leak_block. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) void *leak_block(size_t size) {
    void *p = malloc(size);
    if (p) memset(p, 0xab, size);
    return p;
}

void free_block(void *p) { free(p); }
