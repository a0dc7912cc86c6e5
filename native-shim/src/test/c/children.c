/* Children that fork() does not announce (run under the real shim: LD_PRELOAD and NONATIVELEAK_RUN_DIR,
 * pattern "child_alloc_site"). No pthread_atfork handler runs for them, so they inherit the parent's
 * mapping of its data file:
 * - a vfork child (what _posixsubprocess uses) whose exec fails and that calls _exit(255): the parent's
 *   record must still say it has not ended;
 * - a child of a raw fork (clone, and clone3, without CLONE_VM): it frees one of the parent's tracked
 *   blocks, allocates a matching block of its own and calls exit(3): none of it may reach the parent's
 *   table, and since the child is not tracked, the parent's file must say so (a loss: INCOMPLETE);
 * - a raw clone(CLONE_VM | CLONE_VFORK) child, on a stack of its own: it shares the parent's heap, so
 *   what it allocates is the parent's (a block it keeps is live in the parent) and what it frees
 *   ends the parent's tracking; its _exit(4) is not the parent's.
 * A CLONE_VM child that runs beside its parent without CLONE_VFORK shares the parent's thread
 * variables as well; glibc's malloc itself cannot serve it, so it is not tested here. */
#include <dlfcn.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "nnlfile.h"

static uint64_t (*live_count)(void);

__attribute__((noinline)) static void *child_alloc_site(size_t size) {
    void *p = malloc(size);
    __asm__ volatile("" : : "r"(p) : "memory");
    return p;
}

static struct nnl_file_header *my_header(const char *dir, struct nnl_file *f) {
    char path[4200];
    nnlf_path(path, sizeof path, dir, getpid(), 0);
    REQUIRE(nnlf_open(f, path) == 0, "%s", f->error);
    return (struct nnl_file_header *)f->h;
}

static void wait_for(pid_t child, int expected_status) {
    int status;
    REQUIRE(waitpid(child, &status, 0) == child, "waitpid");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == expected_status, "child status %#x, expected exit %d", status, expected_status);
}

static void failed_exec_in_a_vfork_child(const char *dir) {
    pid_t child = vfork();
    if (child == 0) {
        char *argv[] = {"/nonexistent/binary", NULL};
        execv(argv[0], argv);
        _exit(255);
    }
    REQUIRE(child > 0, "vfork");
    wait_for(child, 255);
    struct nnl_file f;
    struct nnl_file_header *h = my_header(dir, &f);
    CHECK_EQ_U64(NNL_END_NONE, atomic_load(&h->end), "parent's end after its vfork child's _exit(255)");
    CHECK_EQ_U64(0, (uint32_t)atomic_load(&h->exit_status), "parent's exit status after its vfork child's _exit(255)");
    nnlf_close(&f);
}

static pid_t raw_fork(int with_clone3) {
    if (!with_clone3) return (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

static void raw_fork_child_stays_out_of_the_parents_file(const char *dir, int with_clone3) {
    const char *how = with_clone3 ? "clone3" : "clone";
    void *kept = child_alloc_site(111);
    uint64_t live_before = live_count();
    CHECK_EQ_U64(1, live_before, "live before the raw fork");
    struct nnl_file f;
    struct nnl_file_header *h = my_header(dir, &f);
    const struct nnl_resources *r = (const struct nnl_resources *)(f.map + NNL_RESOURCES_OFFSET);
    uint64_t untracked_before = r->lost[NNL_LOSS_UNTRACKED_CHILD], matched_before = atomic_load(&h->matched_count);
    nnlf_close(&f);
    pid_t child = raw_fork(with_clone3);
    if (child == 0) {
        free(kept);
        child_alloc_site(222);
        exit(3);
    }
    REQUIRE(child > 0, "%s", how);
    wait_for(child, 3);
    CHECK_EQ_U64(live_before, live_count(), "parent's live count after its raw-fork child ran");
    h = my_header(dir, &f);
    r = (const struct nnl_resources *)(f.map + NNL_RESOURCES_OFFSET);
    CHECK_EQ_U64(1, f.entry_count, "live entries in the parent's file");
    CHECK(f.entry_count == 1 && f.entries[0].address == (uint64_t)(uintptr_t)kept && f.entries[0].size == 111,
          "the parent's tracked block is still the one live entry");
    CHECK_EQ_U64(matched_before, atomic_load(&h->matched_count), "parent's matched count");
    CHECK_EQ_U64(NNL_END_NONE, atomic_load(&h->end), "parent's end after its raw-fork child's exit(3)");
    CHECK_EQ_U64(untracked_before + 1, r->lost[NNL_LOSS_UNTRACKED_CHILD], "untracked children counted in the parent's file");
    CHECK_EQ_U64(NNL_LOSS_UNTRACKED_CHILD, r->incomplete_reason, "the parent's first loss: an untracked child");
    nnlf_close(&f);
    free(kept);
}

/* ---- clone(CLONE_VM | CLONE_VFORK): the parent's heap ---- */

static void *shared_kept, *shared_made;

static int vm_child(void *arg) {
    (void)arg;
    free(shared_kept);
    shared_made = child_alloc_site(333);
    _exit(4);
}

static void clone_vm_child_allocates_into_the_parent(const char *dir) {
    static char stack[256 << 10] __attribute__((aligned(16)));
    shared_kept = child_alloc_site(444);
    uint64_t live_before = live_count();
    pid_t child = clone(vm_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    REQUIRE(child > 0, "clone(CLONE_VM | CLONE_VFORK)");
    wait_for(child, 4);
    CHECK(shared_made != NULL, "the CLONE_VM child allocated");
    CHECK_EQ_U64(live_before, live_count(), "parent's live count: one block freed, one allocated by its CLONE_VM child");
    struct nnl_file f;
    struct nnl_file_header *h = my_header(dir, &f);
    int found_made = 0, found_kept = 0;
    for (uint64_t i = 0; i < f.entry_count; i++) {
        found_made |= f.entries[i].address == (uint64_t)(uintptr_t)shared_made && f.entries[i].size == 333;
        found_kept |= f.entries[i].address == (uint64_t)(uintptr_t)shared_kept;
    }
    CHECK(found_made, "the CLONE_VM child's block is live in the parent's table");
    CHECK(!found_kept || shared_made == shared_kept, "the block the CLONE_VM child freed is not");
    CHECK_EQ_U64(NNL_END_NONE, atomic_load(&h->end), "parent's end after its CLONE_VM child's _exit(4)");
    nnlf_close(&f);
    free(shared_made);
}

int main(void) {
    const char *dir = getenv("NONATIVELEAK_RUN_DIR");
    live_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    int (*active)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "nnl_active");
    REQUIRE(dir && live_count && active && active(), "run this under the shim: LD_PRELOAD=libnonativeleak.so NONATIVELEAK_RUN_DIR=dir");
    failed_exec_in_a_vfork_child(dir);
    raw_fork_child_stays_out_of_the_parents_file(dir, 0);
    raw_fork_child_stays_out_of_the_parents_file(dir, 1);
    clone_vm_child_allocates_into_the_parent(dir);
    exit(check_report("children"));
}
