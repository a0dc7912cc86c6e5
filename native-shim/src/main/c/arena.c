#include "arena.h"

#include <string.h>
#include <sys/mman.h>

#include "common.h"

#define CHUNK_SIZE (1u << 20)

static nnl_lock arena_lock;
static char *chunk_cursor;
static char *chunk_end;

static void *map_anonymous(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* 8: the 84,000 sites of import numpy are 24 bytes each, not 32. */
static size_t rounded(size_t size) { return (size + 7) & ~(size_t)7; }

/* A block this big gets a mapping of its own rather than a piece of a chunk. */
static int mapped_alone(size_t rounded_size) { return rounded_size > CHUNK_SIZE / 4; }

void *arena_alloc(size_t size) {
    size = rounded(size);
    nnl_lock_acquire(&arena_lock);
    void *result;
    if (mapped_alone(size)) {
        result = map_anonymous(size);
    } else {
        if ((size_t)(chunk_end - chunk_cursor) < size) {
            char *chunk = map_anonymous(CHUNK_SIZE);
            if (chunk) {
                chunk_cursor = chunk;
                chunk_end = chunk + CHUNK_SIZE;
            }
        }
        result = (size_t)(chunk_end - chunk_cursor) >= size ? chunk_cursor : NULL;
        if (result) chunk_cursor += size;
    }
    nnl_lock_release(&arena_lock);
    return result;
}

void arena_release(void *block, size_t size) {
    size = rounded(size);
    if (mapped_alone(size)) madvise(block, size, MADV_DONTNEED);
}

char *arena_strndup(const char *s, size_t len) {
    char *copy = arena_alloc(len + 1);
    if (copy) memcpy(copy, s, len);
    return copy;
}

void arena_register_fork_lock(void) { nnl_register_fork_lock(&arena_lock); }
