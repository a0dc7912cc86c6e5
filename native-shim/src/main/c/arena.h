/* Internal memory for the shim's caches. It never comes from malloc (the shim *is* malloc) and is
 * never freed: what it holds (symbols, stacks, sites) lives as long as the process. */
#ifndef NNL_ARENA_H
#define NNL_ARENA_H
#include <stddef.h>

/* Zeroed, 8-byte aligned memory, or NULL when the system refuses more. */
void *arena_alloc(size_t size);
/* Gives back the pages of a block of size bytes that nothing will look up again but a reader may
 * still be scanning: a block mapped on its own then reads as zeros. Blocks that share a chunk stay. */
void arena_release(void *block, size_t size);
/* A copy of the first len bytes of s, NUL-terminated. */
char *arena_strndup(const char *s, size_t len);
/* Registers the arena's lock for fork(); call after every lock that may be held around arena_alloc. */
void arena_register_fork_lock(void);
#endif
