/* Interposition: the allocator family, dlclose, exit paths and fork, and nothing else.
 *
 * Each wrapper calls the next definition (libc's, or another preloaded allocator's) and, only
 * while a measured run is recording, hands the block to the tracking core. Calls that arrive
 * before the real functions are known (dlsym itself allocates) are served from a static pool.
 * Calls made by the shim's own callees pass straight through (nnl_in_shim). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arena.h"
#include "common.h"
#include "interpose.h"
#include "output.h"
#include "pystack.h"
#include "sampling.h"
#include "signals.h"
#include "symbols.h"
#include "tracker.h"
#include "unwind.h"

#define CALLER() ((uintptr_t)__builtin_return_address(0))
/* Where CALLER() lies on the stack: built with frame pointers, just above the saved rbp. */
#define CALLER_SLOT() ((uintptr_t)__builtin_frame_address(0) + sizeof(void *))
#define RECORDING() unlikely(atomic_load_explicit(&tracker_recording, memory_order_relaxed))

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
/* Entry points that reach the allocator without its standard names: glibc's own (a program may
 * call them directly), C23's sized frees (glibc 2.41+), jemalloc's and tcmalloc's. NULL when the
 * next library has none: the standard function then does the same. */
static void *(*real_libc_malloc)(size_t);
static void *(*real_libc_calloc)(size_t, size_t);
static void *(*real_libc_realloc)(void *, size_t);
static void *(*real_libc_memalign)(size_t, size_t);
static void (*real_libc_free)(void *);
static void (*real_free_sized)(void *, size_t);
static void (*real_free_aligned_sized)(void *, size_t, size_t);
static void (*real_sdallocx)(void *, size_t, int);
static void (*real_dallocx)(void *, int);
static int (*real_dlclose)(void *);
static void (*real_exit)(int) __attribute__((noreturn));
static void (*real_underscore_exit)(int) __attribute__((noreturn));
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execv)(const char *, char *const[]);
static int (*real_execvp)(const char *, char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static int (*real_fexecve)(int, char *const[], char *const[]);

static int active;
static int interposed; /* the process's malloc is ours: the shim was preloaded, not just loaded */
static char run_dir[4096];
static char shim_file_name[256]; /* this library's file name, as LD_PRELOAD names it */

/* ---- the static pool for calls made before dlsym has answered ---- */

static char bootstrap_pool[256 << 10] __attribute__((aligned(64)));
static atomic_size_t bootstrap_used;

static void *bootstrap_alloc(size_t size, size_t alignment) {
    /* Each block is preceded by its size, for realloc. */
    if (alignment < 16) alignment = 16;
    size_t need = (size + alignment + 15) & ~(size_t)15;
    size_t start = atomic_fetch_add(&bootstrap_used, need);
    if (start + need > sizeof bootstrap_pool) return NULL;
    uintptr_t block = ((uintptr_t)bootstrap_pool + start + sizeof(size_t) + alignment - 1) & ~(uintptr_t)(alignment - 1);
    ((size_t *)block)[-1] = size;
    return (void *)block;
}

static int from_bootstrap(const void *p) {
    return (const char *)p >= bootstrap_pool && (const char *)p < bootstrap_pool + sizeof bootstrap_pool;
}

static void resolve_real_functions(void) {
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_valloc = dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
    real_libc_malloc = dlsym(RTLD_NEXT, "__libc_malloc");
    real_libc_calloc = dlsym(RTLD_NEXT, "__libc_calloc");
    real_libc_realloc = dlsym(RTLD_NEXT, "__libc_realloc");
    real_libc_memalign = dlsym(RTLD_NEXT, "__libc_memalign");
    real_libc_free = dlsym(RTLD_NEXT, "__libc_free");
    real_free_sized = dlsym(RTLD_NEXT, "free_sized");
    real_free_aligned_sized = dlsym(RTLD_NEXT, "free_aligned_sized");
    real_sdallocx = dlsym(RTLD_NEXT, "sdallocx");
    real_dallocx = dlsym(RTLD_NEXT, "dallocx");
    real_dlclose = dlsym(RTLD_NEXT, "dlclose");
    real_exit = dlsym(RTLD_NEXT, "exit");
    real_underscore_exit = dlsym(RTLD_NEXT, "_exit");
    real_execve = dlsym(RTLD_NEXT, "execve");
    real_execv = dlsym(RTLD_NEXT, "execv");
    real_execvp = dlsym(RTLD_NEXT, "execvp");
    real_execvpe = dlsym(RTLD_NEXT, "execvpe");
    real_fexecve = dlsym(RTLD_NEXT, "fexecve");
}

static inline int resolved(void) {
    if (likely(real_free != NULL)) return 1;
    static atomic_int resolving;
    if (!atomic_exchange(&resolving, 1)) resolve_real_functions();
    return real_free != NULL;
}

/* ---- room on the thread's stack ----
 *
 * Tracking an allocation (unwinding, symbol lookup, writing a site) needs some 10 KiB of stack on
 * top of the caller's; a thread created with a small stack may not have it. Before that work the
 * shim checks that the STACK_NEEDED bytes below the current frame are mapped and readable, with one
 * process_vm_readv (which fails instead of faulting), and caches the range found good per thread:
 * afterwards the check is two compares. Where the room is missing the allocation is not tracked
 * and the loss counted (INCOMPLETE) rather than the thread crashed. */
#define STACK_NEEDED (24u << 10)
static __thread uintptr_t stack_good_low __attribute__((tls_model("initial-exec")));
static __thread uintptr_t stack_good_high __attribute__((tls_model("initial-exec")));
static int stack_probe_unavailable; /* process_vm_readv refused (seccomp): assume there is room */

static __attribute__((noinline)) int probe_stack(uintptr_t sp) {
    if (stack_probe_unavailable) return 1;
    static char scratch[4096]; /* what is read is not looked at: threads may share it */
    struct iovec local[STACK_NEEDED / 4096], remote = {(void *)(sp - STACK_NEEDED), STACK_NEEDED};
    for (unsigned i = 0; i < STACK_NEEDED / 4096; i++) local[i] = (struct iovec){scratch, sizeof scratch};
    ssize_t n = process_vm_readv(getpid(), local, STACK_NEEDED / 4096, &remote, 1, 0);
    if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
        stack_probe_unavailable = 1;
        return 1;
    }
    if (n != (ssize_t)STACK_NEEDED) return 0;
    if (sp >= stack_good_low && sp - STACK_NEEDED <= stack_good_high) { /* touches the good range: extend it */
        if (sp - STACK_NEEDED < stack_good_low) stack_good_low = sp - STACK_NEEDED;
        if (sp > stack_good_high) stack_good_high = sp;
    } else { /* another stack, or the first check */
        stack_good_low = sp - STACK_NEEDED;
        stack_good_high = sp;
    }
    return 1;
}

static inline int stack_has_room(void) {
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    if (likely(sp - STACK_NEEDED >= stack_good_low && sp <= stack_good_high)) return 1;
    return probe_stack(sp);
}

/* ---- the hooks into the tracking core ---- */

static __attribute__((noinline)) void after_alloc(void *p, size_t size, uintptr_t caller, uintptr_t caller_slot) {
    if (nnl_in_shim || !p || !sampling_takes(size)) return;
    int saved = errno;
    nnl_in_shim++;
    if (likely(stack_has_room())) {
        const struct stack *stack = unwind_matching_stack(caller, caller_slot);
        if (stack) tracker_record(p, size, stack);
    } else {
        output_note_loss(NNL_LOSS_SMALL_STACK, 0);
    }
    nnl_shim_leave();
    errno = saved;
}

static __attribute__((noinline)) void before_free(void *p) {
    if (nnl_in_shim || !tracker_recorded_any()) return;
    int saved = errno;
    nnl_in_shim++;
    size_t size;
    tracker_forget(p, &size);
    nnl_shim_leave();
    errno = saved;
}

static __attribute__((noinline)) void *tracked_realloc(void *(*next)(void *, size_t), void *p, size_t size,
                                                       uintptr_t caller, uintptr_t caller_slot) {
    if (nnl_in_shim) return next(p, size);
    int saved = errno;
    nnl_in_shim++;
    size_t old_size = 0;
    /* Forget the old block first: once realloc returns it may already belong to another thread. */
    uint32_t site = p && tracker_recorded_any() ? tracker_forget(p, &old_size) : 0;
    errno = saved;
    void *q = next(p, size);
    saved = errno;
    if (q && site) tracker_moved(q, size, site);
    /* Sampling decides once per block, at its first allocation: a block that was not sampled stays
     * untracked when it grows, or every realloc would roll the dice again. */
    else if (q && (p ? !sampling_mean_bytes : sampling_takes(size))) {
        if (likely(stack_has_room())) {
            const struct stack *stack = unwind_matching_stack(caller, caller_slot);
            if (stack) tracker_record(q, size, stack);
        } else {
            output_note_loss(NNL_LOSS_SMALL_STACK, 0);
        }
    } else if (site && size) {
        tracker_moved(p, old_size, site); /* realloc failed: the old block is still there */
    }
    nnl_shim_leave();
    errno = saved;
    return q;
}

/* ---- the allocator family ----
 *
 * The bodies are shared by the standard names and glibc's own (__libc_malloc is a malloc under
 * another name): macros, so that the hot path reads the return address only when recording and
 * the next definition only once it is resolved. */

#define MALLOC_BODY(next, size)                                 \
    if (unlikely(!resolved())) return bootstrap_alloc(size, 16); \
    void *p = (next ? next : real_malloc)(size);                \
    if (RECORDING()) after_alloc(p, size, CALLER(), CALLER_SLOT()); \
    return p

#define CALLOC_BODY(next, count, size)                                                            \
    if (unlikely(!resolved())) {                                                                  \
        size_t total;                                                                             \
        return __builtin_mul_overflow(count, size, &total) ? NULL : bootstrap_alloc(total, 16); /* zeroed: static */ \
    }                                                                                             \
    void *p = (next ? next : real_calloc)(count, size);                                           \
    if (RECORDING()) after_alloc(p, count * size, CALLER(), CALLER_SLOT());                       \
    return p

/* Every free: the block's tracking ends before the next free may hand it to another thread. */
#define FREE_BODY(p, call_next)                       \
    if (unlikely(!(p) || from_bootstrap(p))) return;  \
    if (RECORDING()) before_free(p);                  \
    if (likely(resolved())) call_next

NNL_EXPORT void *malloc(size_t size) { MALLOC_BODY(real_malloc, size); }

NNL_EXPORT void *__libc_malloc(size_t size) { MALLOC_BODY(real_libc_malloc, size); }

NNL_EXPORT void *calloc(size_t count, size_t size) { CALLOC_BODY(real_calloc, count, size); }

NNL_EXPORT void *__libc_calloc(size_t count, size_t size) { CALLOC_BODY(real_libc_calloc, count, size); }

NNL_EXPORT void free(void *p) { FREE_BODY(p, real_free(p)); }

NNL_EXPORT void __libc_free(void *p) { FREE_BODY(p, (real_libc_free ? real_libc_free : real_free)(p)); }

/* C23 (glibc 2.41+): exported whatever this C library has, so a program built against a newer one
 * is caught; without a next definition, free does the same. */
NNL_EXPORT void free_sized(void *p, size_t size) {
    FREE_BODY(p, real_free_sized ? real_free_sized(p, size) : real_free(p));
}

NNL_EXPORT void free_aligned_sized(void *p, size_t alignment, size_t size) {
    FREE_BODY(p, real_free_aligned_sized ? real_free_aligned_sized(p, alignment, size) : real_free(p));
}

/* jemalloc's and tcmalloc's frees with a size and flags; with neither loaded the block is the C
 * library's. */
NNL_EXPORT void sdallocx(void *p, size_t size, int flags) {
    FREE_BODY(p, real_sdallocx ? real_sdallocx(p, size, flags) : real_free(p));
}

NNL_EXPORT void dallocx(void *p, int flags) { FREE_BODY(p, real_dallocx ? real_dallocx(p, flags) : real_free(p)); }

/* This library's own malloc, whichever malloc the process's symbol lookup finds first. */
extern __typeof__(malloc) nnl_own_malloc __attribute__((alias("malloc"), copy(malloc)));

static void *realloc_from_bootstrap(void *p, size_t size) {
    void *q = malloc(size);
    size_t old = ((size_t *)p)[-1];
    if (q) memcpy(q, p, old < size ? old : size);
    return q;
}

#define REALLOC_BODY(next, p, size)                                                                \
    if (unlikely(!resolved())) {                                                                   \
        void *q = bootstrap_alloc(size, 16);                                                       \
        if (q && p) memcpy(q, p, ((size_t *)p)[-1] < size ? ((size_t *)p)[-1] : size);             \
        return q;                                                                                  \
    }                                                                                              \
    if (unlikely(p && from_bootstrap(p))) return realloc_from_bootstrap(p, size);                  \
    if (RECORDING()) return tracked_realloc(next ? next : real_realloc, p, size, CALLER(), CALLER_SLOT()); \
    return (next ? next : real_realloc)(p, size)

NNL_EXPORT void *realloc(void *p, size_t size) { REALLOC_BODY(real_realloc, p, size); }

NNL_EXPORT void *__libc_realloc(void *p, size_t size) { REALLOC_BODY(real_libc_realloc, p, size); }

NNL_EXPORT void *reallocarray(void *p, size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (unlikely(!resolved() || (p && from_bootstrap(p)))) return realloc(p, total);
    if (RECORDING()) return tracked_realloc(real_realloc, p, total, CALLER(), CALLER_SLOT());
    return real_realloc(p, total);
}

NNL_EXPORT int posix_memalign(void **out, size_t alignment, size_t size) {
    if (unlikely(!resolved())) {
        *out = bootstrap_alloc(size, alignment);
        return *out ? 0 : ENOMEM;
    }
    int result = real_posix_memalign(out, alignment, size);
    if (RECORDING() && result == 0) after_alloc(*out, size, CALLER(), CALLER_SLOT());
    return result;
}

NNL_EXPORT void *aligned_alloc(size_t alignment, size_t size) {
    if (unlikely(!resolved())) return bootstrap_alloc(size, alignment);
    void *p = real_aligned_alloc(alignment, size);
    if (RECORDING()) after_alloc(p, size, CALLER(), CALLER_SLOT());
    return p;
}

#define MEMALIGN_BODY(next, alignment, size)                              \
    if (unlikely(!resolved())) return bootstrap_alloc(size, alignment);    \
    void *p = (next ? next : real_memalign)(alignment, size);              \
    if (RECORDING()) after_alloc(p, size, CALLER(), CALLER_SLOT());        \
    return p

NNL_EXPORT void *memalign(size_t alignment, size_t size) { MEMALIGN_BODY(real_memalign, alignment, size); }

NNL_EXPORT void *__libc_memalign(size_t alignment, size_t size) { MEMALIGN_BODY(real_libc_memalign, alignment, size); }

NNL_EXPORT void *valloc(size_t size) {
    if (unlikely(!resolved())) return bootstrap_alloc(size, 4096);
    void *p = real_valloc(size);
    if (RECORDING()) after_alloc(p, size, CALLER(), CALLER_SLOT());
    return p;
}

NNL_EXPORT void *pvalloc(size_t size) {
    if (unlikely(!resolved())) return bootstrap_alloc((size + 4095) & ~(size_t)4095, 4096);
    void *p = real_pvalloc(size);
    if (RECORDING()) after_alloc(p, (size + 4095) & ~(size_t)4095, CALLER(), CALLER_SLOT());
    return p;
}

/* ---- libraries, exits, forks ---- */

NNL_EXPORT int dlclose(void *handle) {
    if (unlikely(!resolved())) return -1;
    int result = real_dlclose(handle);
    if (active) {
        /* Addresses of the unloaded library may be reused by the next one loaded. */
        nnl_in_shim++;
        unwind_invalidate();
        nnl_shim_leave();
    }
    return result;
}

NNL_EXPORT void exit(int status) {
    if (active) tracker_record_end(NNL_END_EXIT, status);
    resolved();
    real_exit(status);
}

NNL_EXPORT void _exit(int status) {
    if (active) tracker_record_end(NNL_END_UNDERSCORE_EXIT, status);
    resolved();
    real_underscore_exit(status);
}

NNL_EXPORT void _Exit(int status) { _exit(status); }

/* ---- exec: the image ends; a new one is tracked only when the shim can be preloaded into it ---- */

static int kind_of_program(int fd) {
    unsigned char elf[64];
    if (fd < 0) return NNL_EXEC_KIND_UNKNOWN;
    ssize_t n = pread(fd, elf, sizeof elf, 0);
    if (n >= 2 && elf[0] == '#' && elf[1] == '!') return NNL_EXEC_KIND_SCRIPT;
    if (n < (ssize_t)sizeof elf || memcmp(elf, "\177ELF", 4) != 0 || elf[4] != 2) return NNL_EXEC_KIND_UNKNOWN;
    uint64_t phoff;
    uint16_t phentsize, phnum;
    memcpy(&phoff, elf + 32, 8);
    memcpy(&phentsize, elf + 54, 2);
    memcpy(&phnum, elf + 56, 2);
    for (uint16_t i = 0; i < phnum && phentsize >= 4; i++) {
        uint32_t type;
        if (pread(fd, &type, 4, (off_t)(phoff + (uint64_t)i * phentsize)) != 4) return NNL_EXEC_KIND_UNKNOWN;
        if (type == 3 /* PT_INTERP */) return NNL_EXEC_KIND_DYNAMIC;
    }
    return NNL_EXEC_KIND_STATIC;
}

static int kind_of_path(const char *path, int search) {
    if (!path) return NNL_EXEC_KIND_UNKNOWN;
    if (!search || strchr(path, '/')) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        int kind = kind_of_program(fd);
        if (fd >= 0) close(fd);
        return kind;
    }
    const char *dirs = getenv("PATH");
    for (const char *d = dirs ? dirs : "/bin:/usr/bin"; *d;) { /* as execvp searches */
        const char *end = strchr(d, ':');
        size_t len = end ? (size_t)(end - d) : strlen(d);
        char candidate[4096];
        if (len + strlen(path) + 2 < sizeof candidate) {
            memcpy(candidate, d, len);
            candidate[len] = '/';
            strcpy(candidate + len + 1, path);
            if (access(candidate, X_OK) == 0) return kind_of_path(candidate, 0);
        }
        if (!end) break;
        d = end + 1;
    }
    return NNL_EXEC_KIND_UNKNOWN;
}

/* Whether the new program's environment still preloads the shim into this run. */
static int keeps_shim(char *const envp[]) {
    int preload = 0, dir = 0;
    size_t dir_len = strlen(run_dir);
    for (char *const *e = envp; e && *e; e++) {
        if (strncmp(*e, "LD_PRELOAD=", 11) == 0) preload = shim_file_name[0] && strstr(*e + 11, shim_file_name);
        if (strncmp(*e, "NONATIVELEAK_RUN_DIR=", 21) == 0) dir = strncmp(*e + 21, run_dir, dir_len) == 0 && (*e)[21 + dir_len] == '\0';
    }
    return preload && dir;
}

static void before_exec(const char *path, int search, int fd, char *const envp[]) {
    if (!active) return;
    int saved = errno, cancel_state;
    nnl_in_shim++;
    /* open and pread are cancellation points; exec is not: a pending cancel must not end the thread here. */
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    tracker_exec_attempt(path, fd >= 0 ? kind_of_program(fd) : kind_of_path(path, search), keeps_shim(envp));
    pthread_setcancelstate(cancel_state, NULL);
    nnl_shim_leave();
    errno = saved;
}

static int after_exec(int result) { /* exec returned: it failed, and this image goes on */
    int saved = errno;
    if (active) tracker_exec_failed();
    errno = saved;
    return result;
}

NNL_EXPORT int execve(const char *path, char *const argv[], char *const envp[]) {
    resolved();
    before_exec(path, 0, -1, envp);
    return after_exec(real_execve(path, argv, envp));
}

NNL_EXPORT int execv(const char *path, char *const argv[]) {
    resolved();
    before_exec(path, 0, -1, environ);
    return after_exec(real_execv(path, argv));
}

NNL_EXPORT int execvp(const char *file, char *const argv[]) {
    resolved();
    before_exec(file, 1, -1, environ);
    return after_exec(real_execvp(file, argv));
}

NNL_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[]) {
    resolved();
    before_exec(file, 1, -1, envp);
    return after_exec(real_execvpe(file, argv, envp));
}

NNL_EXPORT int fexecve(int fd, char *const argv[], char *const envp[]) {
    resolved();
    before_exec("(file descriptor)", 0, fd, envp);
    return after_exec(real_fexecve(fd, argv, envp));
}

/* execl and co. take their arguments inline: collected here (on the stack, like glibc does). */
#define COLLECT_ARGS(first, last_named, argv, extra)                    \
    size_t count_ = 1;                                                  \
    va_list ap_;                                                        \
    va_start(ap_, last_named);                                          \
    while (va_arg(ap_, char *)) count_++;                               \
    va_end(ap_);                                                        \
    char *argv[count_ + 1];                                             \
    argv[0] = (char *)(first);                                          \
    va_start(ap_, last_named);                                          \
    for (size_t i_ = 1; i_ <= count_; i_++) argv[i_] = va_arg(ap_, char *); \
    extra;                                                              \
    va_end(ap_)

NNL_EXPORT int execl(const char *path, const char *arg, ...) {
    COLLECT_ARGS(arg, arg, argv, (void)0);
    return execv(path, argv);
}

NNL_EXPORT int execlp(const char *file, const char *arg, ...) {
    COLLECT_ARGS(arg, arg, argv, (void)0);
    return execvp(file, argv);
}

NNL_EXPORT int execle(const char *path, const char *arg, ...) {
    char **envp;
    COLLECT_ARGS(arg, arg, argv, envp = va_arg(ap_, char **));
    return execve(path, argv, envp);
}

static void fork_prepare(void) {
    /* Handlers that run between ours and fork() may allocate: let them pass straight through. */
    nnl_in_shim++;
    unwind_fork_prepare();
    nnl_fork_lock_all();
}

static void fork_parent(void) {
    nnl_fork_unlock_all();
    unwind_fork_parent();
    nnl_shim_leave();
}

static void fork_child(void) {
    nnl_fork_unlock_all();
    unwind_fork_child();
    signals_after_fork_child();
    symbols_after_fork_child();
    tracker_after_fork_child(run_dir);
    nnl_shim_leave();
}

static void register_fork_locks(void) {
    /* In nesting order: the caches' locks are held around arena_alloc, so the arena comes last. */
    signals_register_fork_lock();
    unwind_register_fork_locks();
    symbols_register_fork_locks();
    tracker_register_fork_locks();
    output_register_fork_locks();
    arena_register_fork_lock();
}

/* Why the shim is not active in this process (empty while it is). */
static char inactive_reason[4608] = "LD_PRELOAD did not load it";

/* The whole file at path, NUL-terminated, in fresh anonymous memory (no malloc, no size limit);
 * NULL when it cannot be read. */
static char *read_file(const char *path, size_t *size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    char *text = MAP_FAILED;
    if (fstat(fd, &st) == 0)
        text = mmap(NULL, (size_t)st.st_size + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t used = 0;
    ssize_t n;
    while (text != MAP_FAILED && used < (size_t)st.st_size && (n = read(fd, text + used, (size_t)st.st_size - used)) > 0)
        used += (size_t)n;
    close(fd);
    if (text == MAP_FAILED) return NULL;
    text[used] = '\0';
    *size = (size_t)st.st_size + 1;
    return text;
}

/* <run dir>/patterns holds one pattern per line: "pattern <text>" or "ignore <text>". */
static int load_patterns(void) {
    char path[4200];
    strcpy(path, run_dir);
    strcat(path, "/patterns");
    size_t size;
    char *text = read_file(path, &size);
    if (!text) return access(path, F_OK) == 0 ? -1 : 0; /* no file: no pattern, track everything */
    int status = 0, number = 0;
    for (char *line = text, *next; status == 0 && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        number++;
        struct pattern_error error;
        int ignore = strncmp(line, "ignore ", 7) == 0;
        if ((ignore || strncmp(line, "pattern ", 8) == 0) && unwind_add_pattern(line + (ignore ? 7 : 8), ignore, &error) != 0) {
            snprintf(inactive_reason, sizeof inactive_reason, "line %d of %s, position %d: %s", number, path,
                     error.position, error.reason);
            status = -1;
        }
    }
    munmap(text, size);
    return status;
}

/* Names this library for exec's environment check, and says so when the process's malloc is not
 * this library's (a sanitizer runtime or another allocator comes first): the shim then sees nothing. */
static void note_whose_malloc(void *found) {
    Dl_info self, first;
    if (dladdr((void *)nnl_own_malloc, &self) && self.dli_fname) {
        const char *slash = strrchr(self.dli_fname, '/');
        strncpy(shim_file_name, slash ? slash + 1 : self.dli_fname, sizeof shim_file_name - 1);
    }
    if (found && !interposed)
        tracker_set_malloc_elsewhere(dladdr(found, &first) && first.dli_fname && *first.dli_fname ? first.dli_fname : "the main program");
}

__attribute__((constructor)) static void shim_start(void) {
    resolved();
    const char *dir = getenv("NONATIVELEAK_RUN_DIR");
    if (!dir || !*dir) return; /* not under a run: stay dormant */
    if (strlen(dir) >= sizeof run_dir) {
        strcpy(inactive_reason, "NONATIVELEAK_RUN_DIR is longer than 4095 bytes");
        return;
    }
    nnl_in_shim++;
    strcpy(run_dir, dir);
    /* Only the launched process waits for the runner, through every exec of its own (a wrapper script
     * that execs the interpreter): its first image marks the variable with its pid. The processes it
     * starts are tracked from their start. */
    const char *await = getenv("NONATIVELEAK_AWAIT_RUNNER");
    char self[24];
    snprintf(self, sizeof self, "%d", (int)getpid());
    int waiting = await && (strcmp(await, "1") == 0 || strcmp(await, self) == 0);
    if (waiting) setenv("NONATIVELEAK_AWAIT_RUNNER", self, 1);
    else unsetenv("NONATIVELEAK_AWAIT_RUNNER");
    const char *sample_bytes = getenv("NONATIVELEAK_SAMPLE_BYTES");
    if (sample_bytes) sampling_init(strtoull(sample_bytes, NULL, 10));
    register_fork_locks();
    symbols_init();
    unwind_init();
    char reason[256] = "";
    if (!waiting) pystack_enable_if_verified(getenv("NONATIVELEAK_PYTHON_VERIFIED"), reason, sizeof reason);
    if (load_patterns() != 0) {
        /* its reason is set */
    } else if (tracker_start(run_dir, waiting) != 0) {
        snprintf(inactive_reason, sizeof inactive_reason, "%s", output_open_error());
    } else {
        tracker_set_python_status(pystack_enabled() ? NNL_PYTHON_ENABLED : NNL_PYTHON_UNAVAILABLE, reason);
        /* One look-up answers both: whether allocations reach the shim, and whose malloc they reach otherwise. */
        void *first_malloc = dlsym(RTLD_DEFAULT, "malloc");
        interposed = symbols_in_shim((uintptr_t)first_malloc);
        pthread_atfork(fork_prepare, fork_parent, fork_child);
        signals_start();
        active = 1;
        inactive_reason[0] = '\0';
        note_whose_malloc(first_malloc);
    }
    nnl_shim_leave();
}

__attribute__((destructor)) static void shim_stop(void) {
    struct nnl_file_header *h = output_header();
    if (active && h && atomic_load(&h->end) == NNL_END_NONE) tracker_record_end(NNL_END_EXIT, NNL_EXIT_STATUS_UNKNOWN);
}

int shim_active(void) { return active; }

const char *shim_inactive_reason(void) { return inactive_reason; }
