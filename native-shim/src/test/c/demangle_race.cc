/* Item 3 of issue 11: the first C++ frames are demangled by many threads at once. Eight threads
 * released together each make 100 `new` allocations; with the pattern "operator\ new(unsigned\ long)"
 * every one of the 800 must be tracked. The shim used to look the demangler up with dlsym from inside
 * malloc; while the first thread waited for the loader (slow_dlsym.c makes it wait), the others
 * found no demangler and cached the mangled name `_Znwm` for good: the pattern matched nothing.
 * Run under the shim. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 8
#define PER_THREAD 100

static pthread_barrier_t barrier;
/* No vector: no `new` before the threads' own. Visible outside, so the `new`s cannot be elided. */
char *keep[THREADS][PER_THREAD];

static void *allocate(void *arg) {
    long i = (long)arg;
    pthread_barrier_wait(&barrier);
    for (int k = 0; k < PER_THREAD; k++) keep[i][k] = new char[64 + i];
    return nullptr;
}

int main() {
    auto live_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    if (!live_count) {
        fprintf(stderr, "demangle_race: run this under the shim\n");
        return 2;
    }
    pthread_barrier_init(&barrier, nullptr, THREADS);
    pthread_t threads[THREADS];
    uint64_t before = live_count();
    for (long i = 0; i < THREADS; i++) pthread_create(&threads[i], nullptr, allocate, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], nullptr);
    uint64_t tracked = live_count() - before;
    if (tracked != THREADS * PER_THREAD) {
        printf("demangle_race: FAILED: %llu of %d `new` allocations tracked\n", (unsigned long long)tracked, THREADS * PER_THREAD);
        return 1;
    }
    return 0;
}
