/* libunwind's own locks across fork (issue 11, suspected): libunwind has no fork handlers, so a
 * child forked while another thread holds one of its mutexes would hang in its first tracked
 * allocation, if that needs the same mutex. Run under the shim with the pattern "unwind_alloc_site".
 *
 * The moment is made exact: this program defines pthread_mutex_lock (exported with -rdynamic, so
 * libunwind's calls bind to it). A worker thread allocates under the pattern through ever new
 * stacks (recursion of varying depth under qsort, whose frames libunwind must interpret); the first
 * time libunwind takes a mutex on that thread, the hook holds the thread there for 500 ms, inside
 * libunwind with the mutex taken, while the main thread calls fork(). The child then allocates under the pattern
 * through new stacks too, through the same frames, and must end (a watchdog kills a hang and fails
 * the test); its allocations must be tracked. When libunwind takes no mutex at all while the shim
 * unwinds, the fork happens anyway, mid-unwind, and the same is required; the output says which. */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static uint64_t (*live_count)(void);
static int (*next_lock)(pthread_mutex_t *);
static uintptr_t libunwind_start, libunwind_end;
static _Atomic pid_t hold_thread; /* the thread the hook holds, once */
static _Atomic int held, forked, unwinding;
static pthread_mutex_t *_Atomic held_mutex;

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int pthread_mutex_lock(pthread_mutex_t *mutex) {
    if (!next_lock) next_lock = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_lock");
    int result = next_lock(mutex);
    uintptr_t caller = (uintptr_t)__builtin_return_address(0);
    pid_t self = (pid_t)syscall(SYS_gettid);
    if (caller >= libunwind_start && caller < libunwind_end && atomic_load(&hold_thread) == self) {
        atomic_store(&hold_thread, 0);
        atomic_store(&held_mutex, mutex);
        atomic_store(&held, 1);
        /* The main thread calls fork() now; a shim that waits for this thread to leave libunwind
         * waits these 500 ms. */
        for (int i = 0; i < 500 && !atomic_load(&forked); i++) sleep_ms(1);
    }
    return result;
}

static int find_libunwind(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (!strstr(info->dlpi_name, "libunwind")) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
        if (!libunwind_start || start < libunwind_start) libunwind_start = start;
        if (end > libunwind_end) libunwind_end = end;
    }
    return 1;
}

__attribute__((noinline)) static void *unwind_alloc_site(size_t size) {
    void *p = malloc(size);
    __asm__ volatile("" : : "r"(p) : "memory");
    return p;
}

/* New stacks: a recursion of varying depth, and under it qsort, whose comparator allocates (libc's
 * frames, which libunwind interprets from their unwind tables). */
static _Atomic int sorted_allocations;

static int compare(const void *a, const void *b) {
    free(unwind_alloc_site(16));
    sorted_allocations++;
    return *(const int *)a - *(const int *)b;
}

__attribute__((noinline)) static void *descend(int depth) {
    void *p = depth > 0 ? descend(depth - 1) : unwind_alloc_site(24);
    if (depth == 1) {
        int values[16];
        for (int i = 0; i < 16; i++) values[i] = (i * 7) % 16;
        qsort(values, 16, sizeof values[0], compare);
    }
    __asm__ volatile("" : : "r"(p) : "memory");
    return p;
}

static void *worker(void *arg) {
    (void)arg;
    atomic_store(&hold_thread, (pid_t)syscall(SYS_gettid));
    atomic_store(&unwinding, 1);
    for (int i = 0; i < 2000 && !atomic_load(&held); i++) free(descend(2 + i % 97));
    atomic_store(&unwinding, 0);
    return NULL;
}

static int child_allocates(void) {
    uint64_t before = live_count();
    void *blocks[50];
    for (int i = 0; i < 50; i++) blocks[i] = descend(100 + i);
    int tracked = live_count() == before + 50;
    for (int i = 0; i < 50; i++) free(blocks[i]);
    return tracked ? 0 : 2;
}

int main(void) {
    live_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    REQUIRE(live_count, "run this under the shim: LD_PRELOAD=libnonativeleak.so NONATIVELEAK_RUN_DIR=dir");
    dl_iterate_phdr(find_libunwind, NULL);
    REQUIRE(libunwind_end, "libunwind is not loaded");
    free(descend(5)); /* libunwind's one-time set-up, before any fork */
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, worker, NULL) == 0, "pthread_create");
    for (int i = 0; i < 5000 && !atomic_load(&held) && !atomic_load(&unwinding); i++) sleep_ms(1);
    for (int i = 0; i < 2000 && !atomic_load(&held); i++) sleep_ms(1);
    int was_held = atomic_load(&held);
    pid_t child = fork();
    if (child == 0) _exit(child_allocates());
    REQUIRE(child > 0, "fork");
    atomic_store(&forked, 1);
    int status = 0, ended = 0;
    for (int i = 0; i < 20000 && !ended; i++) {
        if (waitpid(child, &status, WNOHANG) == child) ended = 1;
        else sleep_ms(1);
    }
    if (!ended) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
    }
    pthread_join(t, NULL);
    if (was_held) printf("fork-during-unwind: fork() called while libunwind held mutex %p on another thread\n", (void *)held_mutex);
    else printf("fork-during-unwind: libunwind took no mutex while the shim unwound; forked mid-unwind\n");
    CHECK(ended, "the child hung in its first tracked allocations (20 s)");
    CHECK(ended && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's allocations were tracked (status %#x)", status);
    return check_report("fork-during-unwind");
}
