/* The other libx.so (see wrong_file.c): same layout as swap_a.c, other names. */
#include <stdlib.h>

__attribute__((noinline, visibility("default"))) void *innocent_helper(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noinline, visibility("default"))) void *leaky_alloc(size_t n) { return calloc(1, n + 1); }
