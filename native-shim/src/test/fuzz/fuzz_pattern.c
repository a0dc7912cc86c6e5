/* libFuzzer target over the pattern language (pattern.c): the input is a pattern, a NUL byte, then
 * a stack as text ("symbol@module" frames separated by spaces, "-" for no symbol, extra names of a
 * frame's address after commas: "strdup,__strdup@libc.so.6"). Any pattern text must compile or be
 * rejected with a position inside it; a compiled pattern must match or not without fault; and the
 * prefilter's shortcut must be sound: a stack whose frame 0 the pattern cannot start with never
 * matches. Compiled into the memory pattern_memory_bound promises instead of the arena, as for the
 * Java side, the verdict and the match are the same. Built with fuzz_arena.c, which frees each input's memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "pattern.h"

void fuzz_arena_reset(void);

#define MAX_TEXT 4096
#define MAX_ALIASES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > MAX_TEXT) return 0;
    static char text[MAX_TEXT + 1], stack[MAX_TEXT + 1];
    size_t split = 0;
    while (split < size && data[split]) split++;
    memcpy(text, data, split);
    text[split] = '\0';
    size_t rest = split < size ? size - split - 1 : 0;
    memcpy(stack, data + split + (split < size), rest);
    stack[rest] = '\0';

    struct pattern_error error, bounded_error;
    struct pattern *p = pattern_compile(text, &error);
    size_t bound = pattern_memory_bound(split);
    void *memory = aligned_alloc(16, (bound + 15) & ~(size_t)15);
    if (!memory) __builtin_trap();
    struct pattern *bounded = pattern_compile_into(text, &bounded_error, memory, bound);
    if (!p != !bounded) __builtin_trap();
    if (!p) {
        if (error.position < 1 || (size_t)error.position > split + 1 || !error.reason[0]) __builtin_trap();
        if (bounded_error.position != error.position || strcmp(bounded_error.reason, error.reason) != 0) __builtin_trap();
        free(memory);
        fuzz_arena_reset();
        return 0;
    }
    struct frame_view frames[NNL_MAX_FRAMES];
    const char *aliases[NNL_MAX_FRAMES][MAX_ALIASES];
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(stack, " ", &save); tok && n < NNL_MAX_FRAMES; tok = strtok_r(NULL, " ", &save)) {
        char *at = strchr(tok, '@');
        if (at) *at++ = '\0';
        struct frame_view *f = &frames[n];
        f->module = at;
        f->alias_count = 0;
        f->aliases = aliases[n];
        char *names = tok, *comma;
        f->symbol = strcmp(names, "-") == 0 ? NULL : names;
        while ((comma = strchr(names, ',')) && f->alias_count < MAX_ALIASES) {
            *comma = '\0';
            names = comma + 1;
            aliases[n][f->alias_count++] = names;
        }
        if (!f->symbol) f->alias_count = 0;
        n++;
    }
    int matched = pattern_matches(p, frames, n);
    if (n > 0 && matched && !pattern_may_start_with(p, &frames[0])) __builtin_trap(); /* the prefilter would lose it */
    if (pattern_matches(bounded, frames, n) != matched) __builtin_trap();
    free(memory);
    fuzz_arena_reset();
    return 0;
}
