/* generation_wrap.c: library B (the layout of A). */
#include <stdlib.h>

__attribute__((noinline, visibility("default"))) void *wrap_b_site(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}
