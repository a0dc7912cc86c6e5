#include "pattern.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "common.h"

enum alternative_kind {
    ALT_ANY,         /* "*" as an alternative: any frame */
    ALT_SYMBOL,      /* exact symbol name */
    ALT_SYMBOL_GLOB, /* symbol glob */
    ALT_MODULE_GLOB, /* obj:glob on the module's file name */
};

struct alternative {
    enum alternative_kind kind;
    const char *text; /* unescaped for ALT_SYMBOL, escapes kept for globs */
};

enum matcher_kind {
    MATCH_FRAME,    /* one frame accepted by one of the alternatives */
    MATCH_ANY_ONE,  /* "*" */
    MATCH_ANY_RUN,  /* "..." */
};

struct matcher {
    enum matcher_kind kind;
    int alternative_count;
    struct alternative *alternatives;
};

struct pattern {
    int matcher_count;
    struct matcher *matchers;
};

int glob_matches(const char *glob, const char *text) {
    const char *star_glob = NULL, *star_text = NULL;
    while (*text) {
        if (*glob == '*') {
            star_glob = ++glob;
            star_text = text;
            continue;
        }
        if (*glob == '?' || (*glob == '\\' && glob[1] == *text) || (*glob != '\\' && *glob == *text)) {
            glob += *glob == '\\' ? 2 : 1;
            text++;
            continue;
        }
        if (!star_glob) return 0;
        glob = star_glob;
        text = ++star_text;
    }
    while (*glob == '*') glob++;
    return *glob == '\0';
}

static int name_accepts(const struct alternative *alt, const char *name) {
    return alt->kind == ALT_SYMBOL ? strcmp(alt->text, name) == 0 : glob_matches(alt->text, name);
}

static int alternative_accepts(const struct alternative *alt, const struct frame_view *frame) {
    switch (alt->kind) {
    case ALT_ANY: return 1;
    case ALT_SYMBOL:
    case ALT_SYMBOL_GLOB:
        if (!frame->symbol) return 0;
        if (name_accepts(alt, frame->symbol)) return 1;
        for (int i = 0; i < frame->alias_count; i++)
            if (name_accepts(alt, frame->aliases[i])) return 1;
        return 0;
    case ALT_MODULE_GLOB: return frame->module && glob_matches(alt->text, frame->module);
    }
    return 0;
}

static int matcher_accepts(const struct matcher *m, const struct frame_view *frame) {
    if (m->kind != MATCH_FRAME) return 1;
    for (int i = 0; i < m->alternative_count; i++) {
        if (alternative_accepts(&m->alternatives[i], frame)) return 1;
    }
    return 0;
}

int pattern_matches(const struct pattern *p, const struct frame_view *frames, int n) {
    /* Glob matching over frames: "..." is the star. One backtracking point suffices, as for '*'. */
    int frame = 0, matcher = 0, run_matcher = -1, run_frame = 0;
    while (matcher < p->matcher_count) {
        const struct matcher *m = &p->matchers[matcher];
        if (m->kind == MATCH_ANY_RUN) {
            run_matcher = matcher++;
            run_frame = frame;
            continue;
        }
        if (frame < n && matcher_accepts(m, &frames[frame])) {
            frame++;
            matcher++;
            continue;
        }
        if (run_matcher < 0 || run_frame >= n) return 0;
        frame = ++run_frame;
        matcher = run_matcher + 1;
    }
    return 1; /* the implicit trailing "..." accepts whatever frames remain */
}

int pattern_starts_with_wildcard(const struct pattern *p) {
    return p->matcher_count == 0 || p->matchers[0].kind != MATCH_FRAME;
}

int pattern_may_start_with(const struct pattern *p, const struct frame_view *frame) {
    return pattern_starts_with_wildcard(p) || matcher_accepts(&p->matchers[0], frame);
}

void pattern_named_frames(const struct pattern *p,
                          void (*visit)(void *context, int matcher, const char *text, int glob, int module),
                          void *context) {
    for (int i = 0; i < p->matcher_count; i++) {
        const struct matcher *m = &p->matchers[i];
        int any = m->kind != MATCH_FRAME;
        for (int a = 0; !any && a < m->alternative_count; a++) any = m->alternatives[a].kind == ALT_ANY;
        for (int a = 0; !any && a < m->alternative_count; a++) {
            const struct alternative *alt = &m->alternatives[a];
            visit(context, i, alt->text, alt->kind != ALT_SYMBOL, alt->kind == ALT_MODULE_GLOB);
        }
    }
}

/* ---- parsing ---- */

/* Where a compiled pattern lives: the arena (memory NULL), or a caller's buffer that it may drop. */
struct pattern_memory {
    char *cursor;
    char *end;
};

static void *pattern_alloc(struct pattern_memory *memory, size_t size) {
    if (!memory) return arena_alloc(size);
    size = (size + 15) & ~(size_t)15;
    if ((size_t)(memory->end - memory->cursor) < size) return NULL;
    void *p = memory->cursor;
    memory->cursor += size;
    memset(p, 0, size);
    return p;
}

static char *pattern_strndup(struct pattern_memory *memory, const char *s, size_t len) {
    char *copy = pattern_alloc(memory, len + 1);
    if (copy) memcpy(copy, s, len);
    return copy;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int fail(struct pattern_error *error, int position, const char *reason) {
    error->position = position;
    snprintf(error->reason, sizeof error->reason, "%s", reason);
    return 0;
}

static int has_wildcard(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\') i++;
        else if (s[i] == '*' || s[i] == '?') return 1;
    }
    return 0;
}

static char *unescape(struct pattern_memory *memory, const char *s, size_t len) {
    char *out = pattern_alloc(memory, len + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) out[o++] = s[i] == '\\' ? s[++i] : s[i];
    return out;
}

/* Parses one alternative s[0..len) found at 1-based position pos. */
static int parse_alternative(struct pattern_memory *memory, const char *s, size_t len, int pos,
                             struct alternative *alt, struct pattern_error *error) {
    if (len == 0) return fail(error, pos, "empty alternative: '|' needs a matcher on both sides");
    if (len == 3 && memcmp(s, "...", 3) == 0)
        return fail(error, pos, "'...' stands for any number of frames and cannot be an alternative");
    if (strspn(s, ".") >= len) return fail(error, pos, "a run of dots must be exactly '...' (any number of frames)");
    if (len == 1 && s[0] == '*') {
        alt->kind = ALT_ANY;
        alt->text = "*";
        return 1;
    }
    if (len >= 4 && memcmp(s, "obj:", 4) == 0) {
        if (len == 4) return fail(error, pos, "'obj:' needs a module file name glob, e.g. obj:libfoo*.so");
        alt->kind = ALT_MODULE_GLOB;
        alt->text = pattern_strndup(memory, s + 4, len - 4);
    } else if (has_wildcard(s, len)) {
        alt->kind = ALT_SYMBOL_GLOB;
        alt->text = pattern_strndup(memory, s, len);
    } else {
        alt->kind = ALT_SYMBOL;
        alt->text = unescape(memory, s, len);
    }
    return alt->text ? 1 : fail(error, pos, "out of memory");
}

/* Parses the token s[0..len) found at 1-based position pos into m. */
static int parse_matcher(struct pattern_memory *memory, const char *s, size_t len, int pos, struct matcher *m,
                         struct pattern_error *error) {
    if (len == 3 && memcmp(s, "...", 3) == 0) {
        m->kind = MATCH_ANY_RUN;
        return 1;
    }
    if (len == 1 && s[0] == '*') {
        m->kind = MATCH_ANY_ONE;
        return 1;
    }
    size_t dots = 0;
    while (dots < len && s[dots] == '.') dots++;
    if (dots == len) return fail(error, pos, "a run of dots must be exactly '...' (any number of frames)");

    int count = 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\') i++;
        else if (s[i] == '|') count++;
    }
    m->kind = MATCH_FRAME;
    m->alternative_count = count;
    m->alternatives = pattern_alloc(memory, sizeof(struct alternative) * count);
    if (!m->alternatives) return fail(error, pos, "out of memory");
    size_t start = 0;
    int index = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] == '\\') {
            i++;
            continue;
        }
        if (i == len || s[i] == '|') {
            if (!parse_alternative(memory, s + start, i - start, pos + (int)start, &m->alternatives[index++], error))
                return 0;
            start = i + 1;
        }
    }
    return 1;
}

/* Where the matcher of this index (0-based) starts in text. */
static size_t matcher_start(const char *text, size_t len, int index) {
    size_t i = 0;
    for (int seen = 0;; seen++) {
        while (i < len && is_space(text[i])) i++;
        if (seen == index || i == len) return i;
        while (i < len && !is_space(text[i])) i += text[i] == '\\' ? 2 : 1;
    }
}

static struct pattern *compile(const char *text, struct pattern_error *error, struct pattern_memory *memory) {
    error->position = 0;
    error->reason[0] = '\0';
    size_t len = strlen(text);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\\' && (i + 1 == len || (is_space(text[i + 1]) && text[i + 1] != ' '))) {
            fail(error, (int)i + 1, "'\\' must be followed by the character it escapes");
            return NULL;
        }
        if (c == '\\') c = (unsigned char)text[++i]; /* an escaped character is checked too */
        if ((c < 0x20 && !is_space((char)c)) || c == 0x7f) {
            fail(error, (int)i + 1, "control character in pattern");
            return NULL;
        }
    }

    int count = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && is_space(text[i])) i++;
        if (i == len) break;
        count++;
        while (i < len && !is_space(text[i])) i += text[i] == '\\' ? 2 : 1;
    }
    if (count == 0) {
        fail(error, 1, "pattern is empty: give at least one frame matcher, e.g. 'malloc_caller ... outer_function'");
        return NULL;
    }
    if (count > NNL_MAX_FRAMES) {
        fail(error, (int)matcher_start(text, len, NNL_MAX_FRAMES) + 1,
             "more than 64 frame matchers: patterns are matched against at most 64 frames");
        return NULL;
    }

    struct pattern *p = pattern_alloc(memory, sizeof *p);
    struct matcher *matchers = pattern_alloc(memory, sizeof(struct matcher) * count);
    if (!p || !matchers) {
        fail(error, 1, "out of memory");
        return NULL;
    }
    p->matcher_count = count;
    p->matchers = matchers;
    int index = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && is_space(text[i])) i++;
        if (i == len) break;
        size_t start = i;
        while (i < len && !is_space(text[i])) i += text[i] == '\\' ? 2 : 1;
        if (!parse_matcher(memory, text + start, i - start, (int)start + 1, &matchers[index++], error)) return NULL;
    }
    return p;
}

struct pattern *pattern_compile(const char *text, struct pattern_error *error) { return compile(text, error, NULL); }

/* What compile takes at most, each block rounded up to 16 bytes: the pattern, at most 64 matchers, one
 * array per matcher of its alternatives (at most length + 64 of them in all, counted before they are
 * parsed), and a copy of each alternative's text (together no longer than the pattern). */
size_t pattern_memory_bound(size_t length) {
    size_t alternatives = length + NNL_MAX_FRAMES;
    return sizeof(struct pattern) + 15 + NNL_MAX_FRAMES * (sizeof(struct matcher) + 15) + 15 +
           alternatives * (sizeof(struct alternative) + 16) + length;
}

struct pattern *pattern_compile_into(const char *text, struct pattern_error *error, void *memory, size_t size) {
    struct pattern_memory buffer = {memory, (char *)memory + size};
    return compile(text, error, &buffer);
}
