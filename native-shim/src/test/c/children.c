/* Children that fork() does not announce (run under the real shim: LD_PRELOAD and NONATIVELEAK_RUN_DIR,
 * pattern "child_alloc_site"). No pthread_atfork handler runs for them, so they inherit the parent's
 * mapping of its data file:
 * - a vfork child (what _posixsubprocess uses) whose exec fails and that calls _exit(255): the parent's
 *   record must still say it has not ended;
 * - a child of a raw fork (clone without CLONE_VM): it frees one of the parent's tracked blocks,
 *   allocates a matching block of its own and calls exit(3): none of it may reach the parent's file.
 * A vfork child shares the parent's memory, so what it allocates is the parent's; not tested here. */
#include <dlfcn.h>
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

static void raw_fork_child_stays_out_of_the_parents_file(const char *dir) {
    void *kept = child_alloc_site(111);
    uint64_t live_before = live_count();
    CHECK_EQ_U64(1, live_before, "live before the raw fork");
    pid_t child = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
    if (child == 0) {
        free(kept);
        child_alloc_site(222);
        exit(3);
    }
    REQUIRE(child > 0, "clone");
    wait_for(child, 3);
    CHECK_EQ_U64(live_before, live_count(), "parent's live count after its raw-fork child ran");
    struct nnl_file f;
    struct nnl_file_header *h = my_header(dir, &f);
    CHECK_EQ_U64(1, f.entry_count, "live entries in the parent's file");
    CHECK(f.entry_count == 1 && f.entries[0].address == (uint64_t)(uintptr_t)kept && f.entries[0].size == 111,
          "the parent's tracked block is still the one live entry");
    CHECK_EQ_U64(1, atomic_load(&h->matched_count), "parent's matched count");
    CHECK_EQ_U64(NNL_END_NONE, atomic_load(&h->end), "parent's end after its raw-fork child's exit(3)");
    nnlf_close(&f);
    free(kept);
}

int main(void) {
    const char *dir = getenv("NONATIVELEAK_RUN_DIR");
    live_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    int (*active)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "nnl_active");
    REQUIRE(dir && live_count && active && active(), "run this under the shim: LD_PRELOAD=libnonativeleak.so NONATIVELEAK_RUN_DIR=dir");
    failed_exec_in_a_vfork_child(dir);
    raw_fork_child_stays_out_of_the_parents_file(dir);
    exit(check_report("children"));
}
