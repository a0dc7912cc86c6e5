/* The stack-shape cache of unwind.c against the case that could fool it (run under the real shim,
 * with the pattern "shape_site ... shape_outer_counted").
 *
 * Two callers of different frame sizes reach the same allocation call through a frame whose size
 * varies (alloca), sized so that the call happens at the same stack address on both paths:
 *   counted: shape_outer_counted -> shape_alloca -> shape_site -> malloc   (matches)
 *   other:   shape_outer_other   -> shape_alloca -> shape_site -> malloc   (matches nothing)
 * Frames 0 and 1 and the slot of the allocation's return address are then the same on both paths,
 * and the other path's caller fills its own frame with what the counted path left on the stack, as
 * a stale stack could: every slot where the counted path kept a return address holds that address
 * again. The live count must follow exactly. Built without frame pointers, where only the check of
 * the varying frame's frame pointer tells the paths apart, and with them, where every frame has one.
 *
 * A second pass allocates through moved_fp_call instead (pattern "moved_fp_call shape_site ...
 * shape_outer_counted"), a frame laid out like libffi's ffi_call_unix64: its rbp points three words
 * below its return address, the caller's rbp saved just below that address, and the space between
 * its calls and rbp varies (libffi copies the arguments there). ctypes calls malloc from such a
 * frame, so its stacks must get shapes; the two paths pass different sizes for that space, each
 * compensated in shape_alloca, so the allocation is again made at the same stack address while
 * everything from moved_fp_call's rbp up lies elsewhere.
 *
 * A third pass allocates through local_rbp_call: a frame of fixed size that uses rbp as a general
 * register pointing at one of its locals (as PyUFunc_GenericReduction does), which must not cost it
 * its shape. */
#include <alloca.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define ROUNDS 2000
#define SNAPSHOT 12288

static uintptr_t call_level;  /* the stack address every allocation call is made from */
static uintptr_t call_seen;   /* where this round's alloca buffer began */
static unsigned char snapshot[SNAPSHOT]; /* the stack above call_level, as the counted path left it */
static uintptr_t snapshot_base, snapshot_size;
static int moved;                  /* the second pass: allocate through moved_fp_call; the third: local_rbp_call */
static const size_t moved_space[2] = {48, 0}; /* its variable space on the other and the counted path */

/* void *moved_fp_call(size_t size, size_t space, void *(*allocate)(size_t)): space a multiple of 16. */
void *moved_fp_call(size_t size, size_t space, void *(*allocate)(size_t));
__asm__(".text\n"
        ".globl moved_fp_call\n"
        ".type moved_fp_call, @function\n"
        "moved_fp_call:\n"
        ".cfi_startproc\n"
        "    movq %rbp, -8(%rsp)\n"   /* the caller's rbp just below the return address */
        ".cfi_offset %rbp, -16\n"
        "    leaq -24(%rsp), %rbp\n"  /* rbp three words below the return address */
        ".cfi_def_cfa %rbp, 32\n"
        "    leaq -40(%rsp), %rsp\n"
        "    subq %rsi, %rsp\n"       /* the variable space */
        "    call *%rdx\n"
        "    leaq 24(%rbp), %rsp\n"
        ".cfi_def_cfa %rsp, 8\n"
        "    movq -8(%rsp), %rbp\n"
        ".cfi_restore %rbp\n"
        "    ret\n"
        ".cfi_endproc\n"
        ".size moved_fp_call, .-moved_fp_call\n");

/* void *local_rbp_call(size_t size, size_t unused, void *(*allocate)(size_t)): rbp points at a local. */
void *local_rbp_call(size_t size, size_t unused, void *(*allocate)(size_t));
__asm__(".text\n"
        ".globl local_rbp_call\n"
        ".type local_rbp_call, @function\n"
        "local_rbp_call:\n"
        ".cfi_startproc\n"
        "    pushq %rbx\n"            /* rbp saved second, not just below the return address */
        ".cfi_adjust_cfa_offset 8\n"
        ".cfi_offset %rbx, -16\n"
        "    pushq %rbp\n"
        ".cfi_adjust_cfa_offset 8\n"
        ".cfi_offset %rbp, -24\n"
        "    subq $24, %rsp\n"
        ".cfi_adjust_cfa_offset 24\n"
        "    leaq 8(%rsp), %rbp\n"    /* a pointer to a local */
        "    movq $0, (%rbp)\n"
        "    call *%rdx\n"
        "    addq $24, %rsp\n"
        ".cfi_adjust_cfa_offset -24\n"
        "    popq %rbp\n"
        ".cfi_adjust_cfa_offset -8\n"
        ".cfi_restore %rbp\n"
        "    popq %rbx\n"
        ".cfi_adjust_cfa_offset -8\n"
        ".cfi_restore %rbx\n"
        "    ret\n"
        ".cfi_endproc\n"
        ".size local_rbp_call, .-local_rbp_call\n");

__attribute__((noipa)) void *shape_site(size_t size, int keep_stack) {
    void *p = moved == 1 ? moved_fp_call(size, moved_space[keep_stack], malloc)
            : moved == 2 ? local_rbp_call(size, 0, malloc) : malloc(size);
    if (keep_stack) memcpy(snapshot, (const void *)snapshot_base, snapshot_size);
    __asm__ volatile("" ::: "memory");
    return p;
}

/* Pads the stack down to call_level, then allocates. The buffer is left as it is: stale. */
__attribute__((noipa)) void *shape_alloca(int counted) {
    char probe;
    /* Through moved_fp_call, a path with more space there starts that much higher. */
    uintptr_t level = call_level + (moved == 1 ? moved_space[counted] : 0);
    uintptr_t pad = ((uintptr_t)&probe - level) & ~(uintptr_t)15;
    char *buffer = alloca(pad);
    __asm__ volatile("" : : "r"(buffer) : "memory");
    call_seen = (uintptr_t)buffer - (moved == 1 ? moved_space[counted] : 0);
    void *p = shape_site(64, counted);
    __asm__ volatile("" ::: "memory");
    return p;
}

__attribute__((noipa)) void *shape_outer_counted(void) {
    void *p = shape_alloca(1);
    __asm__ volatile("" ::: "memory");
    return p;
}

/* A bigger frame than shape_outer_counted's (shape_alloca then pads less), holding the counted
 * path's stack wherever the two overlap. */
__attribute__((noipa)) void *shape_outer_other(void) {
    unsigned char room[1024];
    for (size_t i = 0; i < sizeof room; i++) {
        uintptr_t at = (uintptr_t)&room[i];
        room[i] = at >= snapshot_base && at < snapshot_base + snapshot_size ? snapshot[at - snapshot_base] : 0;
    }
    __asm__ volatile("" : : "r"(room) : "memory");
    void *p = shape_alloca(0);
    __asm__ volatile("" : : "r"(room) : "memory");
    return p;
}

/* One call site for both paths, chosen through memory: the return addresses into take and into
 * main are the same on both. */
static volatile int take_counted;
__attribute__((noipa)) void *take(void) {
    void *(*volatile path)(void) = take_counted ? shape_outer_counted : shape_outer_other;
    void *p = path();
    __asm__ volatile("" ::: "memory");
    return p;
}

/* Both paths, mostly the counted one; the live count follows exactly, and recurring stacks are
 * confirmed from shapes. */
static void run_paths(const char *what, uint64_t (*live_count)(void), uint64_t (*shapes_confirmed)(void)) {
    uint64_t confirmed_before = shapes_confirmed();
    uintptr_t counted_level = 0, other_level = 0;
    for (int round = 0; round < ROUNDS; round++) {
        /* Mostly the counted path, so that its stack recurs and gets a shape, then the other one. */
        int counted = round % 4 != 3;
        uint64_t before = live_count();
        take_counted = counted;
        void *p = take();
        *(counted ? &counted_level : &other_level) = call_seen;
        CHECK_EQ_U64(before + (counted ? 1 : 0), live_count(), counted ? "live count after a counted allocation" : "live count after an allocation matching nothing");
        free(p);
        CHECK_EQ_U64(before, live_count(), "live count after free");
        if (check_failures > 10) break;
    }
    CHECK(counted_level == other_level, "%s: both paths allocate from the same stack address (%#lx, %#lx): the test's premise",
          what, (unsigned long)counted_level, (unsigned long)other_level);
    /* Each path recurs, so after its first two allocations the rest are confirmed from a shape. */
    uint64_t confirmed = shapes_confirmed() - confirmed_before;
    CHECK(confirmed >= ROUNDS - 8, "%s: allocations confirmed from a stack shape: %lu of %d", what,
          (unsigned long)confirmed, ROUNDS);
}

int main(void) {
    uint64_t (*live_count)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    uint64_t (*shapes_confirmed)(void) = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_thread_shapes_confirmed");
    int (*active)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "nnl_active");
    REQUIRE(live_count && shapes_confirmed && active && active(), "run this under the shim: LD_PRELOAD=libnonativeleak.so NONATIVELEAK_RUN_DIR=dir");
    char here;
    call_level = ((uintptr_t)&here - 8192) & ~(uintptr_t)15;
    snapshot_base = call_level - 1024;
    snapshot_size = (uintptr_t)&here + 64 - snapshot_base; /* up to main's frame, not past the stack's end */
    REQUIRE(snapshot_size <= SNAPSHOT, "main's frame is too far from the allocation calls");

    run_paths("direct", live_count, shapes_confirmed);
    moved = 1;
    run_paths("through a moved frame pointer", live_count, shapes_confirmed);
    moved = 2;
    run_paths("through rbp pointing at a local", live_count, shapes_confirmed);
    printf("shapes: %d of %d checks passed\n", check_count - check_failures, check_count);
    return check_failures ? 1 : 0;
}
