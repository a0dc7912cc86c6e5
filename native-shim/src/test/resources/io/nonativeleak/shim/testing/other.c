/* A second library, loaded where an unloaded libleaky.so was: caches keyed by address must not
 * call its blocks leak_block. */
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) void *other_block(size_t size) {
    void *p = malloc(size);
    if (p) memset(p, 0xcd, size);
    return p;
}
