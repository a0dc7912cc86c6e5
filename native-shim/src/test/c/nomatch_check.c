/* check-nomatch: under the real shim, a process whose measured run matched nothing says why in its data
 * file (format.h's no-match block and FRAME_CHECK records): its malloc is the shim's, the matches of the
 * warm-up are counted (and not tracked), and at the checkpoint a misspelt frame is reported missing with
 * the nearest loaded name, a frame that exists as found, with its module. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nnlfile.h"

#define WARMUP_BLOCKS 3
#define BLOCK 100

static volatile uintptr_t sink;

__attribute__((noinline)) void nomatch_warm_site(void) {
    void *p = malloc(BLOCK);
    sink = (uintptr_t)p;
    free(p);
    __asm__ volatile("");
}

static void call(const char *name) {
    void (*fn)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, name);
    CHECK(fn != NULL, "the shim exports no %s", name);
    if (fn) fn();
}

static const struct nnlf_frame_check *check_of(const struct nnl_file *f, const char *text) {
    for (int i = 0; i < f->frame_check_count; i++)
        if (strcmp(f->frame_checks[i].text, text) == 0) return &f->frame_checks[i];
    return NULL;
}

int main(void) {
    call("nnl_begin_warmup");
    for (int i = 0; i < WARMUP_BLOCKS; i++) nomatch_warm_site();
    call("nnl_begin_measuring");
    call("nnl_checkpoint");

    char path[4400];
    nnlf_path(path, sizeof path, getenv("NONATIVELEAK_RUN_DIR"), getpid(), 0);
    struct nnl_file f;
    CHECK(nnlf_open(&f, path) == 0, "%s: %s", path, f.error);
    const struct nnl_nomatch_block *b = (const void *)(f.map + NNL_NOMATCH_OFFSET);
    const struct nnl_process_block *process = (const void *)(f.map + NNL_PROCESS_BLOCK_OFFSET);
    CHECK_EQ_U64(0, process->malloc_elsewhere, "the shim's malloc is the process's");
    CHECK_EQ_U64(WARMUP_BLOCKS, b->warmup_matched_count, "warm-up matches counted");
    CHECK_EQ_U64(WARMUP_BLOCKS * BLOCK, b->warmup_matched_bytes, "warm-up bytes counted");
    CHECK_EQ_U64(0, f.h->matched_count, "matches of the measured run");
    CHECK_EQ_U64(0, f.entry_count, "blocks tracked (warm-up matches are never tracked)");
    CHECK_EQ_U64(1, b->frames_checked, "frames looked up at the checkpoint");
    const struct nnlf_frame_check *misspelt = check_of(&f, "nomatch_warm_sitE");
    CHECK(misspelt && !(misspelt->flags & 1), "the misspelt frame is missing");
    CHECK(misspelt && strcmp(misspelt->near_name, "nomatch_warm_site") == 0, "near name '%s'", misspelt ? misspelt->near_name : "?");
    CHECK(misspelt && strstr(misspelt->near_module, "nomatch") != NULL, "near module '%s'", misspelt ? misspelt->near_module : "?");
    const struct nnlf_frame_check *exact = check_of(&f, "nomatch_warm_site");
    CHECK(exact && (exact->flags & 1) && strstr(exact->module, "nomatch") != NULL, "the real frame is found in this program");
    const struct nnlf_frame_check *module = check_of(&f, "LIBC.so*");
    CHECK(module && !(module->flags & 1) && (module->flags & 4) && strncmp(module->near_name, "libc.so", 7) == 0,
          "an obj: glob in the wrong case is missing, with libc's file name as its near name");
    const struct nnlf_frame_check *cxx = check_of(&f, "ns::fn(*");
    CHECK(cxx && (cxx->flags & 8), "a C++ name is not looked up (the tables hold it mangled)");
    nnlf_close(&f);
    return check_report("check-nomatch");
}
