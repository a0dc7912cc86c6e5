/* A library with a huge symbol table (linked with 200,000 generated functions, like libLLVM):
 * loading its symbols takes the shim tens of milliseconds, long enough to fork, cancel or signal
 * the thread that is loading them. */
#include <stdlib.h>

__attribute__((noinline, visibility("default"))) void *big_first_alloc(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noinline, visibility("default"))) void *big_second_alloc(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}
