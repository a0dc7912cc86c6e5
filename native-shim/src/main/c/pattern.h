/* The stack pattern language of docs/patterns.md: one parser, one matcher, used for patterns, ignore
 * patterns and the Java side's validation (through nnl_pattern_check). */
#ifndef NNL_PATTERN_H
#define NNL_PATTERN_H
#include <stddef.h>

/* One frame as the matcher sees it: its symbol (NULL when no symbol honestly covers the address),
 * the basename of its module file (NULL when the address is in no known module), and the other
 * names of the symbol's address (aliases such as __strdup for strdup): a name or glob matcher
 * accepts the frame when the symbol or any alias matches. */
struct frame_view {
    const char *symbol;
    const char *module;
    const char *const *aliases;
    int alias_count;
};

struct pattern;

struct pattern_error {
    int position; /* 1-based character position in the pattern text */
    char reason[160];
};

/* Compiles text into the arena; NULL with *error filled in when it is malformed (or memory ran out). */
struct pattern *pattern_compile(const char *text, struct pattern_error *error);

/* The same into memory[0, size), 16-byte aligned, which the caller may drop once done with the pattern:
 * pattern_memory_bound(strlen(text)) bytes always suffice. */
struct pattern *pattern_compile_into(const char *text, struct pattern_error *error, void *memory, size_t size);
size_t pattern_memory_bound(size_t length);

/* Does the stack (frame 0 first, n frames) match? The pattern is anchored at frame 0 and ends
 * with an implicit "...". */
int pattern_matches(const struct pattern *pattern, const struct frame_view *frames, int n);

/* Can this frame be frame 0 of a match? True when the first matcher accepts it, or is "*" or "...". */
int pattern_may_start_with(const struct pattern *pattern, const struct frame_view *frame);

/* True when the first matcher is "*" or "...": then frame 0 alone never rules a stack out. */
int pattern_starts_with_wildcard(const struct pattern *pattern);

/* The named frames of a pattern, for explaining a pattern that matched nothing: calls visit once per
 * alternative of each frame matcher that names something (module: an obj: glob; glob: a symbol glob;
 * else an exact symbol name). Matchers that accept any frame ("*", "...", an alternative "*") are skipped. */
void pattern_named_frames(const struct pattern *pattern,
                          void (*visit)(void *context, int matcher, const char *text, int glob, int module),
                          void *context);

/* glob: '*' any run, '?' one character, '\' escapes the next character. */
int glob_matches(const char *glob, const char *text);
#endif
