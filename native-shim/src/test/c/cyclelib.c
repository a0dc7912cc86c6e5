/* The library dlopen_cycles loads and unloads. */
#include <stdlib.h>

__attribute__((noinline, visibility("default"))) void *cycle_alloc(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}
