/* Signal handlers that run while the shim works on their thread (issue 11, suspected). Run under
 * the shim with the pattern "signal_alloc_site". The moment is made exact: this program defines
 * clock_gettime and pwritev (exported with -rdynamic, so the shim's calls bind to them), and when
 * armed they raise SIGUSR1 at the thread that called them, the way a timer or another thread's
 * kill would have. The shim calls clock_gettime inside every tracked malloc and free (the
 * timeline), and pwritev while it grows its file, with a live table's lock and the file's lock
 * held. argv[1]:
 *   free     the handler frees a tracked block, 200 times, and every other time allocates one under
 *            the pattern: every free must end its block's tracking (a skipped one is a false leak)
 *            and every allocation must be tracked; the handler gets the siginfo that was sent, and
 *            sigaction reports the handler the program installed
 *   resethand  a handler installed with SA_RESETHAND frees a tracked block: the free must end its
 *            tracking, and the default action must be back afterwards
 *   longjmp  the handler siglongjmps out of a tracked malloc: the thread's next allocations must
 *            still be tracked
 *   longjmp-locked  the same, out of the file growth: other threads' allocations must not hang
 *   longjmp-two  SIGUSR1 and SIGUSR2 arrive inside one tracked malloc; SIGUSR1's handler siglongjmps:
 *            SIGUSR2's handler must still run (it would have, pending, without the shim)
 *   cancel   a thread cancelled (deferred) before it allocates: the shim's file growth (open,
 *            close) has cancellation points; the thread must die at its own pthread_testcancel,
 *            never inside the shim with its locks held
 *   fork     a signal sent to a forked child while the shim's fork handler sets the child up (it
 *            opens the child's file): the child's handler must run, before the child goes on
 *   restore  the handler as sigset (not wrapped) reports it, installed again with signal(): the
 *            program's handler must run once per signal, not the trampoline calling itself
 *   abort    realloc of a pointer the allocator rejects aborts inside the shim's realloc: the
 *            program's SIGABRT handler must run (faulthandler's traceback), not the default action
 * A watchdog alarm fails a hang. */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

static uint64_t (*live_count)(void);
static int (*next_clock_gettime)(clockid_t, struct timespec *);
static ssize_t (*next_pwritev)(int, const struct iovec *, int, off_t);

/* The thread that arms a hook is the one it interrupts. */
static _Atomic pid_t armed_clock, armed_growth;
/* The thread that gets SIGUSR2 right after SIGUSR1 from the next clock_gettime. */
static _Atomic pid_t armed_clock_two;
static _Atomic int raised;
/* Armed with a process's pid: a child of it raises the signal in its first file growth. */
static _Atomic pid_t armed_in_child_of;

static void raise_if_armed(_Atomic pid_t *armed) {
    pid_t self = (pid_t)syscall(SYS_gettid);
    pid_t expected = self;
    if (atomic_load_explicit(armed, memory_order_relaxed) == self && atomic_compare_exchange_strong(armed, &expected, 0)) {
        /* With a siginfo of its own: the handler checks it arrives as sent, put off or not. */
        siginfo_t info;
        memset(&info, 0, sizeof info);
        info.si_signo = SIGUSR1;
        info.si_value.sival_int = ++raised;
        info.si_code = raised % 2 ? SI_QUEUE : SI_KERNEL; /* SI_KERNEL: as a timer's (setitimer) */
        info.si_pid = getpid();
        syscall(SYS_rt_tgsigqueueinfo, getpid(), self, SIGUSR1, &info);
    }
}

/* The shim calls these from its constructor already, before main. */
int clock_gettime(clockid_t clock, struct timespec *ts) {
    if (!next_clock_gettime) next_clock_gettime = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    raise_if_armed(&armed_clock);
    pid_t two = atomic_load(&armed_clock_two);
    if (two && two == (pid_t)syscall(SYS_gettid) && atomic_compare_exchange_strong(&armed_clock_two, &two, 0)) {
        syscall(SYS_tgkill, getpid(), two, SIGUSR1);
        syscall(SYS_tgkill, getpid(), two, SIGUSR2);
    }
    return next_clock_gettime(clock, ts);
}

ssize_t pwritev(int fd, const struct iovec *pieces, int count, off_t offset) {
    if (!next_pwritev) next_pwritev = (ssize_t (*)(int, const struct iovec *, int, off_t))dlsym(RTLD_NEXT, "pwritev");
    raise_if_armed(&armed_growth);
    pid_t parent = atomic_load(&armed_in_child_of);
    if (parent && getpid() != parent) {
        atomic_store(&armed_in_child_of, 0);
        syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR1);
    }
    return next_pwritev(fd, pieces, count, offset);
}

__attribute__((noinline)) static void *signal_alloc_site(size_t size) {
    void *p = malloc(size);
    __asm__ volatile("" : : "r"(p) : "memory");
    return p;
}

/* ---- free: the handler frees and allocates ---- */

#define HANDLED 200
static void *to_free[HANDLED], *from_handler[HANDLED];
static _Atomic int handled;

static _Atomic int siginfo_wrong;

static void free_and_allocate(int signal, siginfo_t *info, void *context) {
    (void)signal;
    (void)context;
    int i = handled++;
    if (info->si_code != (raised % 2 ? SI_QUEUE : SI_KERNEL) || info->si_value.sival_int != raised) siginfo_wrong++;
    free(to_free[i]);
    if (i % 2 == 0) from_handler[i] = signal_alloc_site(24);
}

static void handler_frees_and_allocates(void) {
    struct sigaction sa, installed;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = free_and_allocate;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
    REQUIRE(sigaction(SIGUSR1, NULL, &installed) == 0, "sigaction");
    CHECK(installed.sa_sigaction == free_and_allocate && (installed.sa_flags & SA_SIGINFO), "sigaction reports the handler installed");
    for (int i = 0; i < HANDLED; i++) to_free[i] = signal_alloc_site(40);
    uint64_t before = live_count();
    CHECK_EQ_U64(HANDLED, before, "live blocks before the handlers ran");
    pid_t self = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < HANDLED; i++) {
        atomic_store(&armed_clock, self);
        free(signal_alloc_site(64)); /* inside this malloc or free the handler runs */
        atomic_store(&armed_clock, 0);
    }
    CHECK_EQ_U64(HANDLED, handled, "handlers run");
    CHECK_EQ_U64(0, siginfo_wrong, "handlers that got another siginfo than was sent");
    CHECK_EQ_U64(HANDLED / 2, live_count(), "live blocks after the handlers freed 200 and allocated 100");
    for (int i = 0; i < handled; i++) free(from_handler[i]);
    CHECK_EQ_U64(0, live_count(), "live blocks after the handlers' own blocks were freed");
}

/* ---- resethand: a one-shot handler ---- */

static void *one_shot_block;

static void free_once(int signal) {
    (void)signal;
    free(one_shot_block);
    one_shot_block = NULL;
}

static void one_shot_handler_frees(void) {
    struct sigaction sa, now;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = free_once;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
    REQUIRE(sigaction(SIGUSR1, NULL, &now) == 0 && now.sa_handler == free_once && (now.sa_flags & SA_RESETHAND),
            "sigaction reports the one-shot handler installed");
    one_shot_block = signal_alloc_site(40);
    CHECK_EQ_U64(1, live_count(), "live before the handler ran");
    atomic_store(&armed_clock, (pid_t)syscall(SYS_gettid));
    free(signal_alloc_site(64)); /* inside this malloc the handler runs */
    atomic_store(&armed_clock, 0);
    CHECK(raised == 1 && !one_shot_block, "the one-shot handler ran");
    CHECK_EQ_U64(0, live_count(), "live after the one-shot handler freed its block");
    REQUIRE(sigaction(SIGUSR1, NULL, &now) == 0, "sigaction");
    CHECK(now.sa_handler == SIG_DFL, "the default action is back after the one-shot handler ran");
}

/* ---- longjmp: the handler leaves the shim for good ---- */

static sigjmp_buf escape;

static void jump_out(int signal) {
    (void)signal;
    siglongjmp(escape, 1);
}

static void *allocate_many(void *arg) {
    void **blocks = arg;
    for (int i = 0; i < 20000; i++) blocks[i] = signal_alloc_site(16 + i % 64);
    return NULL;
}

static void handler_jumps_out(_Atomic pid_t *hook, const char *where) {
    REQUIRE(signal(SIGUSR1, jump_out) != SIG_ERR, "signal"); /* signal(), where free mode uses sigaction */
    CHECK(signal(SIGUSR1, jump_out) == jump_out, "signal() returns the handler the program installed");
    static void *blocks[20000];
    void *escaped = NULL;
    if (!sigsetjmp(escape, 1)) {
        atomic_store(hook, (pid_t)syscall(SYS_gettid));
        for (int i = 0; i < 20000 && atomic_load(hook); i++) blocks[i] = signal_alloc_site(32);
        CHECK(!atomic_load(hook), "the hook in %s never ran", where);
        atomic_store(hook, 0);
    } else {
        escaped = blocks; /* the jump left the allocation */
    }
    CHECK(escaped && raised == 1, "the handler jumped out of %s", where);
    /* Another thread allocates into every shard and grows the file: it must not hang on a lock the
     * jump left held. */
    pthread_t other;
    static void *others[20000];
    REQUIRE(pthread_create(&other, NULL, allocate_many, others) == 0, "pthread_create");
    pthread_join(other, NULL);
    uint64_t before = live_count();
    void *after = signal_alloc_site(48);
    CHECK_EQ_U64(before + 1, live_count(), "this thread's allocations are tracked after the jump");
    free(after);
}

/* Each mode runs in a process of its own: one counting handler serves them all. */
static _Atomic int counted;

static void count_signal(int signal) {
    (void)signal;
    counted++;
}

static void handler_jumps_out_of_two(void) {
    REQUIRE(signal(SIGUSR1, jump_out) != SIG_ERR && signal(SIGUSR2, count_signal) != SIG_ERR, "signal");
    int jumped = 0;
    if (!sigsetjmp(escape, 1)) {
        atomic_store(&armed_clock_two, (pid_t)syscall(SYS_gettid));
        free(signal_alloc_site(32)); /* inside this malloc both signals arrive */
        CHECK(!atomic_load(&armed_clock_two), "the hook never ran");
    } else {
        jumped = 1;
    }
    CHECK(jumped, "SIGUSR1's handler jumped out");
    CHECK_EQ_U64(1, counted, "SIGUSR2's handler runs");
    uint64_t before = live_count();
    void *after = signal_alloc_site(48);
    CHECK_EQ_U64(before + 1, live_count(), "this thread's allocations are tracked after the jump");
    free(after);
}

/* ---- cancel: a cancellation point inside the shim ---- */

static void *cancelled_allocator(void *arg) {
    void **blocks = arg;
    pthread_cancel(pthread_self()); /* pending until a cancellation point */
    for (int i = 0; i < 20000; i++) blocks[i] = signal_alloc_site(16 + i % 64);
    atomic_store(&raised, 1); /* the loop ran to its end */
    pthread_testcancel();
    return NULL;
}

static void cancelled_in_the_shim(void) {
    static void *blocks[20000], *others[20000];
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, cancelled_allocator, blocks) == 0, "pthread_create");
    void *result;
    pthread_join(t, &result);
    CHECK(result == PTHREAD_CANCELED, "the thread was cancelled");
    CHECK(raised == 1, "the thread was cancelled at its own pthread_testcancel, not inside an allocation");
    pthread_t other;
    REQUIRE(pthread_create(&other, NULL, allocate_many, others) == 0, "pthread_create");
    pthread_join(other, NULL);
    uint64_t before = live_count();
    void *after = signal_alloc_site(48);
    CHECK_EQ_U64(before + 1, live_count(), "allocations are tracked after the cancel");
    free(after);
}

/* ---- fork: a signal for the child while it is set up ---- */

static void signal_while_child_is_set_up(void) {
    REQUIRE(signal(SIGUSR1, count_signal) != SIG_ERR, "signal");
    atomic_store(&armed_in_child_of, getpid());
    pid_t child = fork();
    REQUIRE(child >= 0, "fork");
    if (child == 0) {
        int armed_still = atomic_load(&armed_in_child_of) != 0;
        _exit(armed_still ? 2 : counted == 1 ? 0 : 1);
    }
    atomic_store(&armed_in_child_of, 0);
    int status;
    REQUIRE(waitpid(child, &status, 0) == child, "waitpid");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 2, "the child grew no file (status %d): the test tests nothing", status);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 1, "the child's handler never ran for the signal sent to it");
    CHECK_EQ_U64(0, counted, "handlers run in the parent");
}

/* ---- restore: an old disposition taken from a function the shim does not wrap ---- */

static void handler_restored_from_sigset(void) {
    REQUIRE(signal(SIGUSR1, count_signal) != SIG_ERR, "signal");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    sighandler_t old = sigset(SIGUSR1, SIG_DFL); /* glibc's own sigaction: what the kernel has */
#pragma GCC diagnostic pop
    REQUIRE(old != SIG_ERR, "sigset");
    REQUIRE(signal(SIGUSR1, old) != SIG_ERR, "signal");
    raise(SIGUSR1);
    CHECK_EQ_U64(1, counted, "handlers run for one signal");
    struct sigaction now;
    REQUIRE(sigaction(SIGUSR1, NULL, &now) == 0, "sigaction");
    CHECK(now.sa_handler == count_signal, "sigaction reports the program's handler");
}

/* ---- abort: the allocator aborts while the shim works on the thread ---- */

static void abort_handler_ran(int signal) {
    (void)signal;
    static const char message[] = "abort: the SIGABRT handler ran\n";
    (void)!write(2, message, sizeof message - 1);
    _exit(check_report("abort"));
}

static void allocator_aborts(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = abort_handler_ran;
    sa.sa_flags = SA_NODEFER | SA_ONSTACK; /* as faulthandler installs it */
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGABRT, &sa, NULL) == 0, "sigaction");
    char *block = signal_alloc_site(64);
    char *volatile rejected = block + 1; /* misaligned: glibc's realloc reports it and aborts */
    rejected = realloc(rejected, 128);
    CHECK(0, "realloc of a misaligned pointer returned %p instead of aborting", (void *)rejected);
}

int main(int argc, char **argv) {
    live_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    REQUIRE(live_count && argc == 2,
            "usage: signal_in_shim free|resethand|longjmp|longjmp-two|longjmp-locked|cancel|fork|restore|abort, under the shim");
    alarm(60); /* a hang fails the test (SIGALRM) instead of hanging the build */
    const char *mode = argv[1];
    if (strcmp(mode, "free") == 0) handler_frees_and_allocates();
    else if (strcmp(mode, "resethand") == 0) one_shot_handler_frees();
    else if (strcmp(mode, "longjmp") == 0) handler_jumps_out(&armed_clock, "a tracked malloc");
    else if (strcmp(mode, "longjmp-two") == 0) handler_jumps_out_of_two();
    else if (strcmp(mode, "longjmp-locked") == 0) handler_jumps_out(&armed_growth, "the file's growth");
    else if (strcmp(mode, "cancel") == 0) cancelled_in_the_shim();
    else if (strcmp(mode, "fork") == 0) signal_while_child_is_set_up();
    else if (strcmp(mode, "restore") == 0) handler_restored_from_sigset();
    else if (strcmp(mode, "abort") == 0) allocator_aborts();
    else REQUIRE(0, "unknown mode %s", mode);
    return check_report(mode);
}
