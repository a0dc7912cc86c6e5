/* Issue 11 item 1 and the suspected LOADING faults: a thread is interrupted while the shim loads the
 * symbol table of a big library (biglib.c) for that thread's first allocation from it. The moment is
 * caught with inotify: the shim opening the library file is the start of the load. Run under the
 * shim with the pattern "big_*_alloc"; argv[1] says what interrupts the load:
 *   fork     the main thread forks; the child allocates from the library and must finish, with
 *            its allocation tracked (it used to spin forever on a load of a thread it does not have)
 *   cancel   the loading thread was cancelled (deferred) before it allocated: open() and close()
 *            are cancellation points, and it used to die inside the load, leaving it unfinished
 *   longjmp  a signal handler siglongjmps out of the loading thread's allocation
 * In every case the main thread then allocates from the library: it must not hang (a watchdog
 * alarm fails the test) and its allocation must be tracked. */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

void *big_first_alloc(size_t n);
void *big_second_alloc(size_t n);

static uint64_t (*live_count)(void);
static const char *mode;
static sigjmp_buf escape;
static void *kept[4];

static void jump_out(int signal) {
    (void)signal;
    siglongjmp(escape, 1);
}

static void *first_allocation(void *arg) {
    (void)arg;
    if (strcmp(mode, "cancel") == 0) pthread_cancel(pthread_self()); /* pending until a cancellation point */
    if (strcmp(mode, "longjmp") == 0 && sigsetjmp(escape, 1)) return NULL;
    kept[0] = big_first_alloc(32);
    pthread_testcancel();
    return NULL;
}

/* Where the shared library file lies, from the loader. */
static void library_path(char *out, size_t cap) {
    Dl_info info;
    REQUIRE(dladdr((void *)big_first_alloc, &info) && info.dli_fname, "dladdr(big_first_alloc) failed");
    snprintf(out, cap, "%s", info.dli_fname);
}

int main(int argc, char **argv) {
    live_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    REQUIRE(live_count && argc == 2, "usage: symbol_load fork|cancel|longjmp, under the shim");
    mode = argv[1];
    alarm(30); /* a hang fails the test (SIGALRM) instead of hanging the build */
    char path[4096];
    library_path(path, sizeof path);
    int watch = inotify_init1(IN_CLOEXEC);
    REQUIRE(watch >= 0 && inotify_add_watch(watch, path, IN_OPEN) >= 0, "inotify on %s failed", path);
    struct sigaction jump = {.sa_handler = jump_out};
    sigaction(SIGUSR1, &jump, NULL);

    uint64_t before = live_count();
    pthread_t loader;
    pthread_create(&loader, NULL, first_allocation, NULL);
    char event[sizeof(struct inotify_event) + 4096];
    REQUIRE(read(watch, event, sizeof event) > 0, "no inotify event");
    /* The shim has just opened the library: its symbols are loading now. */
    if (strcmp(mode, "fork") == 0) {
        pid_t child = fork();
        if (child == 0) {
            uint64_t inherited = live_count();
            kept[1] = big_second_alloc(64);
            _exit(live_count() == inherited + 1 ? 0 : 3);
        }
        int status = 0, waited = 0;
        while (waitpid(child, &status, WNOHANG) == 0 && waited++ < 1000) usleep(10000);
        if (waited > 1000) {
            kill(child, SIGKILL); /* it hangs: no process is left behind */
            waitpid(child, &status, 0);
            CHECK_FAIL("the child still ran after 10 s: it hung in its first allocation from the library");
        } else {
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the child's allocation from the library was not tracked (status %#x)", status);
        }
    } else if (strcmp(mode, "longjmp") == 0) {
        pthread_kill(loader, SIGUSR1);
    }
    pthread_join(loader, NULL);
    uint64_t after_first = live_count();
    kept[2] = big_second_alloc(64);
    CHECK_EQ_U64(after_first + 1, live_count(), "allocations tracked by the main thread's call into the library");
    CHECK(after_first <= before + 1, "the first allocation was tracked at most once");
    return check_report("symbol_load") != 0;
}
