/* generation_wrap.c: library A. */
#include <stdlib.h>

__attribute__((noinline, visibility("default"))) void *wrap_a_site(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}
