/* Signal handlers and the shim (docs/design.md, "Failure model").
 *
 * A handler that interrupts the shim on its own thread finds the shim busy: what it frees or
 * allocates passes untracked (nnl_in_shim), and a siglongjmp out of it would leave the shim's locks
 * held and the thread marked as inside the shim for good. So the handlers the program installs
 * through sigaction or signal are called through a trampoline: a signal that arrives while its
 * thread is inside the shim is put off, and raised again at that thread with its siginfo as the
 * shim leaves; the handler then runs with nothing of the shim on the stack. The kernel applies the
 * handler's mask and flags to the replay as it did to the first delivery.
 *
 * SA_RESETHAND is done here, not by the kernel: it would reset the handler at the first delivery,
 * and the replay would find none. Not put off: the signals faults raise (returning would fault
 * again), SIGABRT (an allocator that aborts inside the shim's realloc: abort() resets the default
 * when the handler returns and raises again, so a replay would never come), and handlers
 * installed before the shim started or by other means (sigset, the raw system call): they run as
 * before. */
#include "signals.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#define DEFERRED_MAX 4

/* The program's handler for each signal whose kernel handler is the trampoline, under a sequence
 * count (odd while written) so that the trampoline never reads a handler with another's flags. */
struct installed {
    _Atomic unsigned sequence;
    void *_Atomic handler;
    _Atomic int siginfo; /* SA_SIGINFO: called with three arguments */
    _Atomic int reset;   /* SA_RESETHAND: the default comes back as the handler is called */
};

static struct installed installed[_NSIG];
static nnl_lock install_lock;
static _Atomic pid_t owner; /* the process whose handlers these are; 0: do not wrap */
static int (*next_sigaction)(int, const struct sigaction *, struct sigaction *);

static __thread siginfo_t deferred[DEFERRED_MAX] __attribute__((tls_model("initial-exec")));
/* The process each was sent to: a forked child keeps those that arrived after the fork. */
static __thread pid_t deferred_to[DEFERRED_MAX] __attribute__((tls_model("initial-exec")));

static int raised_synchronously(int signal) {
    return signal == SIGABRT || signal == SIGSEGV || signal == SIGBUS || signal == SIGFPE || signal == SIGILL || signal == SIGTRAP ||
           signal == SIGSYS;
}

static void trampoline(int signal, siginfo_t *info, void *context) {
    if (nnl_in_shim && !raised_synchronously(signal)) {
        int n = nnl_signals_deferred;
        for (int i = 0; i < n; i++)
            if (signal < 32 && deferred[i].si_signo == signal) return; /* pending already: the kernel merges them too */
        if (n < DEFERRED_MAX) {
            deferred[n] = *info;
            deferred[n].si_signo = signal;
            deferred_to[n] = (pid_t)syscall(SYS_getpid);
            nnl_signals_deferred = n + 1;
            return;
        }
    }
    struct installed *in = &installed[signal];
    void *handler;
    int siginfo, reset;
    for (unsigned before;;) {
        before = atomic_load_explicit(&in->sequence, memory_order_acquire);
        handler = atomic_load_explicit(&in->handler, memory_order_relaxed);
        siginfo = atomic_load_explicit(&in->siginfo, memory_order_relaxed);
        reset = atomic_load_explicit(&in->reset, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (!(before & 1) && atomic_load_explicit(&in->sequence, memory_order_relaxed) == before) break;
        __builtin_ia32_pause(); /* another thread is installing: its signals are blocked meanwhile */
    }
    if (reset) {
        struct sigaction default_action;
        memset(&default_action, 0, sizeof default_action);
        default_action.sa_handler = SIG_DFL;
        next_sigaction(signal, &default_action, NULL);
    }
    if (siginfo) ((void (*)(int, siginfo_t *, void *))handler)(signal, info, context);
    else ((void (*)(int))handler)(signal);
}

void nnl_signals_replay(void) {
    int saved = errno;
    siginfo_t pending[DEFERRED_MAX];
    int n = nnl_signals_deferred;
    memcpy(pending, deferred, sizeof(siginfo_t) * (size_t)n);
    nnl_signals_deferred = 0; /* outside the shim now: later signals run their handler at once */
    pid_t pid = (pid_t)syscall(SYS_getpid), tid = (pid_t)syscall(SYS_gettid);
    /* All queued before any is handled, as pending signals are: a handler that siglongjmps must not
     * take the others with it. */
    sigset_t all, mask;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &mask);
    for (int i = 0; i < n; i++)
        if (syscall(SYS_rt_tgsigqueueinfo, pid, tid, pending[i].si_signo, &pending[i]) != 0)
            syscall(SYS_tgkill, pid, tid, pending[i].si_signo); /* the queue is full: the signal without its siginfo */
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    errno = saved;
}

static int resolved(void) {
    if (!next_sigaction) next_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
    return next_sigaction != NULL;
}

static int wrapped(int signal, const struct sigaction *act) {
    return act && signal > 0 && signal < _NSIG && !raised_synchronously(signal) && signal != SIGKILL && signal != SIGSTOP &&
           act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN &&
           atomic_load(&owner) == (pid_t)syscall(SYS_getpid); /* never a vfork child's, in its parent's memory */
}

NNL_EXPORT int sigaction(int signal, const struct sigaction *act, struct sigaction *old) {
    if (!resolved()) {
        errno = ENOSYS;
        return -1;
    }
    if (signal <= 0 || signal >= _NSIG) return next_sigaction(signal, act, old);
    struct sigaction through;
    int wrap = wrapped(signal, act);
    if (wrap) {
        through = *act;
        through.sa_sigaction = trampoline;
        through.sa_flags = (through.sa_flags | SA_SIGINFO) & ~SA_RESETHAND;
    }
    /* Blocked: a handler of this thread's must not find the record half written. */
    sigset_t all, mask;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &mask);
    nnl_lock_acquire(&install_lock);
    struct installed *in = &installed[signal];
    void *previous = atomic_load(&in->handler);
    int previous_siginfo = atomic_load(&in->siginfo), previous_reset = atomic_load(&in->reset);
    /* The trampoline itself, as sigset or the raw system call reported it: it calls what it called. */
    if (wrap && act->sa_sigaction != trampoline) {
        atomic_fetch_add_explicit(&in->sequence, 1, memory_order_relaxed);
        atomic_thread_fence(memory_order_release);
        atomic_store_explicit(&in->handler, (void *)act->sa_sigaction, memory_order_relaxed);
        atomic_store_explicit(&in->siginfo, (act->sa_flags & SA_SIGINFO) != 0, memory_order_relaxed);
        atomic_store_explicit(&in->reset, (act->sa_flags & SA_RESETHAND) != 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&in->sequence, 1, memory_order_release);
    }
    int result = next_sigaction(signal, wrap ? &through : act, old);
    int error = errno;
    if (result == 0 && old && old->sa_sigaction == trampoline) { /* the program sees its own handler */
        old->sa_sigaction = (void (*)(int, siginfo_t *, void *))previous;
        if (!previous_siginfo) old->sa_flags &= ~SA_SIGINFO;
        if (previous_reset) old->sa_flags |= SA_RESETHAND;
    }
    nnl_lock_release(&install_lock);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    errno = error;
    return result;
}

/* glibc's signal() sets the flags (BSD semantics, siginterrupt's choice); the handler it installed
 * is then wrapped with those flags. */
NNL_EXPORT sighandler_t signal(int signal, sighandler_t handler) {
    static sighandler_t (*next_signal)(int, sighandler_t);
    if (!next_signal) next_signal = (sighandler_t(*)(int, sighandler_t))dlsym(RTLD_NEXT, "signal");
    if (!next_signal || !resolved()) {
        errno = ENOSYS;
        return SIG_ERR;
    }
    void *before = signal > 0 && signal < _NSIG ? atomic_load(&installed[signal].handler) : NULL;
    sighandler_t previous = next_signal(signal, handler);
    if (previous == SIG_ERR) return SIG_ERR;
    if ((void *)previous == (void *)trampoline) previous = (sighandler_t)before;
    struct sigaction now;
    if (next_sigaction(signal, NULL, &now) == 0 && now.sa_handler == handler && wrapped(signal, &now)) {
        int saved = errno;
        sigaction(signal, &now, NULL);
        errno = saved;
    }
    return previous;
}

extern __typeof__(signal) bsd_signal __attribute__((alias("signal"), copy(signal), visibility("default")));

void signals_start(void) {
    atomic_store(&owner, (pid_t)syscall(SYS_getpid));
}

void signals_after_fork_child(void) {
    /* A child inherits no pending signal, but one sent to it since the fork is its own: it is
     * raised as the fork handlers leave the shim. Blocked meanwhile: the trampoline appends. */
    sigset_t all, mask;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &mask);
    pid_t self = (pid_t)syscall(SYS_getpid);
    int kept = 0;
    for (int i = 0; i < nnl_signals_deferred; i++)
        if (deferred_to[i] == self) deferred_to[kept] = self, deferred[kept++] = deferred[i];
    nnl_signals_deferred = kept;
    atomic_store(&owner, self);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
}

void signals_register_fork_lock(void) { nnl_register_fork_lock(&install_lock); }
