/* The arena (arena.h) for fuzzing: each block from calloc, so that the sanitizers see its bounds,
 * and all of them freed after each input (the shim's arena never frees). */
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define MAX_BLOCKS 65536
static void *blocks[MAX_BLOCKS];
static size_t block_count;

void *arena_alloc(size_t size) {
    if (block_count == MAX_BLOCKS) return NULL;
    void *p = calloc(1, size ? size : 1);
    if (p) blocks[block_count++] = p;
    return p;
}

char *arena_strndup(const char *s, size_t len) {
    char *copy = arena_alloc(len + 1);
    if (copy) memcpy(copy, s, len);
    return copy;
}

void arena_register_fork_lock(void) {}

void fuzz_arena_reset(void) {
    while (block_count) free(blocks[--block_count]);
}
