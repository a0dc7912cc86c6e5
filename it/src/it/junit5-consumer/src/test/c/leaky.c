/* A tiny native library whose allocation stacks are known exactly: the tests' stand-in for numpy. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Frame 0 of every block below: tests use the pattern "leak_block". */
__attribute__((noinline)) void *leak_block(size_t size) {
    void *p = malloc(size);
    if (p) memset(p, 0xab, size);
    return p;
}

void free_block(void *p) { free(p); }

static void *cached;

/* Allocates once per process, like a library's lazily initialised cache. */
void *cache_once(size_t size) {
    if (!cached) cached = leak_block(size);
    return cached;
}

struct job {
    int count;
    size_t size;
};

static void *native_worker(void *arg) {
    const struct job *job = arg;
    for (int i = 0; i < job->count; i++) leak_block(job->size);
    return NULL;
}

/* Leaks from a thread that never runs Python. */
int leak_from_native_thread(int count, size_t size) {
    pthread_t thread;
    struct job job = {count, size};
    if (pthread_create(&thread, NULL, native_worker, &job) != 0) return -1;
    return pthread_join(thread, NULL);
}
