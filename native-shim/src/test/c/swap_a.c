/* libx.so as loaded (see wrong_file.c): leaky_alloc is where swap_b.c has innocent_helper. */
#include <stdlib.h>

__attribute__((noinline, visibility("default"))) void *leaky_alloc(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noinline, visibility("default"))) void *leaky_other(size_t n) { return calloc(1, n + 1); }
