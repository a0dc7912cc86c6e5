/* Unit tests of the pattern language (docs/patterns.md): the parser's verdict, position and reason on every
 * malformed form, and the matcher on hand-built stacks. Linked with pattern.c, arena.c and locks.c
 * only: no unwinding, no process-wide state. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "common.h"
#include "pattern.h"

/* The parser's reasons, word for word: they are what a user sees next to the position. */
#define R_EMPTY "pattern is empty: give at least one frame matcher, e.g. 'malloc_caller ... outer_function'"
#define R_EMPTY_ALT "empty alternative: '|' needs a matcher on both sides"
#define R_DOTS_ALT "'...' stands for any number of frames and cannot be an alternative"
#define R_OBJ "'obj:' needs a module file name glob, e.g. obj:libfoo*.so"
#define R_DOTS "a run of dots must be exactly '...' (any number of frames)"
#define R_BACKSLASH "'\\' must be followed by the character it escapes"
#define R_CONTROL "control character in pattern"
#define R_TOO_MANY "more than 64 frame matchers: patterns are matched against at most 64 frames"

struct stack_text;
static void check_bounded_at(int line, const char *text, const struct pattern *arena, const struct pattern_error *arena_error,
                             const struct stack_text *st);

/* ---- parser ---- */

static void printable(const char *text, char *out, size_t cap) {
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && o + 5 < cap; p++) {
        if (*p < 0x20 || *p == 0x7f) o += (size_t)snprintf(out + o, cap - o, "\\x%02x", *p);
        else out[o++] = (char)*p;
    }
    out[o] = '\0';
}

static void expect_error_at(int line, const char *text, int position, const char *reason) {
    char shown[512];
    printable(text, shown, sizeof shown);
    struct pattern_error error;
    memset(&error, 0x55, sizeof error);
    struct pattern *p = pattern_compile(text, &error);
    check_count++;
    check_bounded_at(line, text, p, &error, NULL);
    if (p) {
        CHECK_FAIL("line %d: pattern \"%s\": expected an error at %d (%s), but it compiled", line, shown, position, reason);
        return;
    }
    if (error.position != position || strcmp(error.reason, reason) != 0)
        CHECK_FAIL("line %d: pattern \"%s\": expected error at %d \"%s\", actual at %d \"%.160s\"", line, shown, position,
                   reason, error.position, error.reason);
}
#define expect_error(text, position, reason) expect_error_at(__LINE__, text, position, reason)

static struct pattern *compile_ok_at(int line, const char *text) {
    char shown[512];
    printable(text, shown, sizeof shown);
    struct pattern_error error;
    struct pattern *p = pattern_compile(text, &error);
    check_bounded_at(line, text, p, &error, NULL);
    check_count++;
    if (!p) CHECK_FAIL("line %d: pattern \"%s\": expected it to compile, actual error at %d \"%.160s\"", line, shown,
                       error.position, error.reason);
    return p;
}
#define compile_ok(text) compile_ok_at(__LINE__, text)

static void test_parser_errors(void) {
    expect_error("", 1, R_EMPTY);
    expect_error("   \t\n ", 1, R_EMPTY);

    expect_error("a||b", 3, R_EMPTY_ALT);
    expect_error("|a", 1, R_EMPTY_ALT);
    expect_error("a|", 3, R_EMPTY_ALT);
    expect_error("a|b|", 5, R_EMPTY_ALT);
    expect_error("|", 1, R_EMPTY_ALT);
    expect_error("x  a|", 6, R_EMPTY_ALT);
    expect_error("first ...  a||b", 14, R_EMPTY_ALT);
    expect_error("a\\|b||c", 6, R_EMPTY_ALT); /* the escaped '|' is part of the first alternative */

    expect_error("...|a", 1, R_DOTS_ALT);
    expect_error("a|...", 3, R_DOTS_ALT);
    expect_error("foo a|...|b", 7, R_DOTS_ALT);

    expect_error("obj:", 1, R_OBJ);
    expect_error("a|obj:", 3, R_OBJ);
    expect_error("x obj:|y", 3, R_OBJ);

    expect_error(".", 1, R_DOTS);
    expect_error("..", 1, R_DOTS);
    expect_error("....", 1, R_DOTS);
    expect_error("a .. b", 3, R_DOTS);
    expect_error("a ..... b", 3, R_DOTS);
    expect_error("a ... b ..", 9, R_DOTS);

    expect_error("\\", 1, R_BACKSLASH);
    expect_error("abc\\", 4, R_BACKSLASH);
    compile_ok("a\\ b");         /* an escaped space belongs to the name: C++ "f(int, char)" */
    expect_error("a|..", 3, R_DOTS);
    expect_error("a\\\tb", 2, R_BACKSLASH);
    expect_error("a b\\\n", 4, R_BACKSLASH);

    expect_error("a\x01" "b", 2, R_CONTROL);
    expect_error("ok \x1b[0m", 4, R_CONTROL);
    expect_error("a\x7f", 2, R_CONTROL);       /* DEL is a control character too */
    expect_error("a\\\x01", 3, R_CONTROL);     /* escaping one does not make it printable */
    expect_error("a|b\x1f", 4, R_CONTROL);

    char many[4 * 70];
    many[0] = '\0';
    for (int i = 0; i < 64; i++) strcat(many, i ? " f" : "f");
    compile_ok(many); /* exactly 64 is allowed */
    strcat(many, " f");
    expect_error(many, 129, R_TOO_MANY); /* points at the 65th matcher */
    many[0] = '\0';
    for (int i = 0; i < 65; i++) strcat(many, "* ");
    expect_error(many, 129, R_TOO_MANY);

    /* Well-formed look-alikes of the malformed ones. */
    compile_ok("...");
    compile_ok("*");
    compile_ok("a|*");            /* '*' is a valid alternative: any frame */
    compile_ok("\\.\\.");         /* escaped dots name a symbol ".." */
    compile_ok("a...b");          /* dots inside a name */
    compile_ok("obj:x");
    compile_ok("a\\\\");          /* an escaped backslash at the end */
    compile_ok("a\tb\nc\r d");  /* tab, newline and CR separate matchers */
    compile_ok("  leading and trailing  ");
}

/* ---- matching ---- */

/* A stack from text: frames separated by spaces, each "symbol", "symbol@module", "-@module" (no
 * symbol) or "-" (no symbol, no module). */
struct stack_text {
    char buffer[1024];
    struct frame_view frames[NNL_MAX_FRAMES + 8];
    int n;
};

static void parse_stack(const char *text, struct stack_text *st) {
    snprintf(st->buffer, sizeof st->buffer, "%s", text);
    st->n = 0;
    for (char *save = NULL, *tok = strtok_r(st->buffer, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *at = strchr(tok, '@');
        if (at) *at = '\0';
        st->frames[st->n].symbol = strcmp(tok, "-") == 0 ? NULL : tok;
        st->frames[st->n].module = at ? at + 1 : NULL;
        st->frames[st->n].aliases = NULL;
        st->frames[st->n].alias_count = 0;
        st->n++;
    }
}

static void expect_match_at(int line, const char *pattern_text, const char *stack, int expected) {
    struct pattern_error error;
    struct pattern *p = pattern_compile(pattern_text, &error);
    check_count++;
    if (!p) {
        CHECK_FAIL("line %d: pattern \"%s\" did not compile: %d %s", line, pattern_text, error.position, error.reason);
        return;
    }
    struct stack_text st;
    parse_stack(stack, &st);
    check_bounded_at(line, pattern_text, p, &error, &st);
    int actual = pattern_matches(p, st.frames, st.n);
    if (actual != expected)
        CHECK_FAIL("line %d: pattern \"%s\" on stack [%s]: expected %s, actual %s", line, pattern_text, stack,
                   expected ? "match" : "no match", actual ? "match" : "no match");
}
/* Every pattern of these tests is also compiled into exactly the memory pattern_memory_bound promises
 * (from malloc, so that ASan sees its end), as the Java side's calls do: nothing may change. */
static void check_bounded_at(int line, const char *text, const struct pattern *arena, const struct pattern_error *arena_error,
                             const struct stack_text *st) {
    size_t size = pattern_memory_bound(strlen(text));
    void *memory = aligned_alloc(16, (size + 15) & ~(size_t)15);
    REQUIRE(memory, "memory for pattern_compile_into");
    struct pattern_error error;
    struct pattern *p = pattern_compile_into(text, &error, memory, size);
    check_count++;
    if (!p != !arena)
        CHECK_FAIL("line %d: pattern \"%s\" %s in the arena but %s into %zu bytes (%s)", line, text, arena ? "compiles" : "fails",
                   p ? "compiles" : "fails", size, p ? "" : error.reason);
    else if (!p && (error.position != arena_error->position || strcmp(error.reason, arena_error->reason) != 0))
        CHECK_FAIL("line %d: pattern \"%s\": error at %d \"%s\" into a buffer, at %d \"%s\" in the arena", line, text,
                   error.position, error.reason, arena_error->position, arena_error->reason);
    else if (p && st && pattern_matches(p, st->frames, st->n) != pattern_matches(arena, st->frames, st->n))
        CHECK_FAIL("line %d: pattern \"%s\" matches differently compiled into a buffer", line, text);
    free(memory);
}

#define MATCH(pattern, stack) expect_match_at(__LINE__, pattern, stack, 1)
#define NO_MATCH(pattern, stack) expect_match_at(__LINE__, pattern, stack, 0)

static void test_exact_names(void) {
    MATCH("foo", "foo");
    NO_MATCH("foo", "foobar");
    NO_MATCH("foo", "fo");
    NO_MATCH("foo", "Foo");
    MATCH("foo bar", "foo bar");
    NO_MATCH("foo bar", "foo");          /* too few frames */
    NO_MATCH("foo bar", "foo baz bar");  /* no gap without '...' */
    NO_MATCH("foo", "");
}

static void test_globs(void) {
    MATCH("npy_*", "npy_alloc_cache");
    MATCH("npy_*", "npy_");
    NO_MATCH("npy_*", "xnpy_alloc");
    MATCH("*cache", "npy_alloc_cache");
    NO_MATCH("*cache", "npy_alloc_cache2");
    MATCH("*alloc*", "npy_alloc_cache");
    MATCH("*alloc*", "alloc");
    MATCH("a?c", "abc");
    NO_MATCH("a?c", "ac");
    NO_MATCH("a?c", "abbc");
    MATCH("???", "xyz");
    NO_MATCH("???", "xy");
    MATCH("*a*b*", "xaybz");
    NO_MATCH("*a*b*", "xbya");
    MATCH("*aab", "aaab");                /* needs backtracking inside the glob */
    MATCH("a*b*c", "abxbc");
    NO_MATCH("a*b*c", "abxbcx");
    MATCH("PyArray_New*", "PyArray_NewFromDescr_int");
    MATCH("** x", "a x");                 /* a glob of stars still needs a symbol */

    CHECK(glob_matches("*", ""), "glob '*' on the empty string");
    CHECK(!glob_matches("?", ""), "glob '?' on the empty string");
    CHECK(glob_matches("", ""), "empty glob on the empty string");
    CHECK(!glob_matches("", "a"), "empty glob on 'a'");
    CHECK(glob_matches("a\\*", "a*"), "escaped star matches a star");
    CHECK(!glob_matches("a\\*", "ab"), "escaped star matches only a star");
}

static void test_escapes(void) {
    MATCH("foo\\*", "foo*");
    NO_MATCH("foo\\*", "foobar");
    NO_MATCH("foo\\*", "foo");
    MATCH("a\\?c", "a?c");
    NO_MATCH("a\\?c", "abc");
    MATCH("a\\|b", "a|b");        /* one alternative named "a|b" */
    NO_MATCH("a\\|b", "a");
    NO_MATCH("a\\|b", "b");
    MATCH("\\*", "*");            /* an escaped star is a name, not "any frame" */
    NO_MATCH("\\*", "anything");
    NO_MATCH("\\*", "-@libx.so");
    MATCH("\\.\\.\\.", "...");    /* escaped dots are a name, not a run of frames */
    NO_MATCH("\\.\\.\\.", "foo");
    MATCH("*\\**", "operator*");  /* a glob with an escaped star in it */
    NO_MATCH("*\\**", "operator");
    MATCH("a\\\\b", "a\\b");
    MATCH("x\\\\*", "x\\yz");     /* escaped backslash, then a real star */
    NO_MATCH("x\\\\*", "xyz");
}

static void test_alternatives(void) {
    MATCH("a|b|c", "a");
    MATCH("a|b|c", "b");
    MATCH("a|b|c", "c");
    NO_MATCH("a|b|c", "d");
    NO_MATCH("a|b|c", "abc");
    MATCH("x*|y?", "xylophone");
    MATCH("x*|y?", "yz");
    NO_MATCH("x*|y?", "yzz");
    MATCH("default_malloc|obj:libfoo*", "-@libfoo.so.1");
    MATCH("default_malloc|obj:libfoo*", "default_malloc@libbar.so");
    NO_MATCH("default_malloc|obj:libfoo*", "other@libbar.so");
    MATCH("nothing|*", "-");      /* '*' as an alternative accepts any frame, even one without a name */
    MATCH("a|b c|d", "b c");
    NO_MATCH("a|b c|d", "b a");
}

static void test_obj(void) {
    MATCH("obj:libfoo*.so", "f@libfoo-1.2.so");
    MATCH("obj:libfoo*.so", "-@libfoo.so");
    NO_MATCH("obj:libfoo*.so", "f@libbar.so");
    NO_MATCH("obj:libfoo*.so", "f@libfoo.so.1");
    NO_MATCH("obj:libfoo*.so", "libfoo.so");          /* the symbol is not the module */
    NO_MATCH("obj:libfoo.so", "-");                    /* no module at all (JIT code) */
    MATCH("obj:_multiarray_umath.cpython-311-x86_64-linux-gnu.so",
          "PyArray_NewFromDescr@_multiarray_umath.cpython-311-x86_64-linux-gnu.so");
    MATCH("obj:_multiarray_umath.*", "-@_multiarray_umath.cpython-313-x86_64-linux-gnu.so");
    /* The module is its basename: a directory in the glob never matches. */
    NO_MATCH("obj:/usr/lib/libfoo.so", "f@libfoo.so");
    NO_MATCH("obj:*/libfoo.so", "f@libfoo.so");
    MATCH("obj:*", "-@anything.so");
    NO_MATCH("obj:*", "-");
    MATCH("obj:libc.so.? obj:libpython*", "malloc@libc.so.6 -@libpython3.11.so.1.0");
}

static void test_any_one(void) {
    MATCH("*", "a");
    MATCH("*", "-");
    NO_MATCH("*", "");
    MATCH("* b", "a b");
    NO_MATCH("* b", "b");
    NO_MATCH("* b", "a x b");
    MATCH("* *", "a b");
    NO_MATCH("* *", "a");
    MATCH("a * c", "a - c");
    MATCH("* * *", "- -@x.so y");
}

static void test_any_run(void) {
    MATCH("...", "");
    MATCH("...", "a b c");
    MATCH("a ... b", "a b");          /* zero frames */
    MATCH("a ... b", "a x b");
    MATCH("a ... b", "a x y z b");
    NO_MATCH("a ... b", "a x y");
    NO_MATCH("a ... b", "x a b");     /* anchored at frame 0 */
    MATCH("... b", "b");
    MATCH("... b", "x y b z");
    NO_MATCH("... b", "x y z");
    MATCH("... b c", "b x b c");      /* retries after a partial match */
    MATCH("... a * c", "a a b c");
    NO_MATCH("... a * c", "a a b b");
    MATCH("a ... ... b", "a b");
    MATCH("... ...", "");
    MATCH("a ...", "a");
    MATCH("a ...", "a b c");
    MATCH("... -x|obj:m.so", "p q -@m.so");
    /* several runs */
    MATCH("a ... b ... c", "a b c");
    MATCH("a ... b ... c", "a x b y c");
    MATCH("a ... b ... c", "a b x b c");
    MATCH("a ... b ... c", "a x x b b x c z");
    NO_MATCH("a ... b ... c", "a c b");
    NO_MATCH("a ... b ... c", "a x c y b");
    MATCH("... b ... d ...", "a b c d e");
    NO_MATCH("... b ... d ...", "a d c b e");
    MATCH("a ... * c", "a c c");
    NO_MATCH("a ... * c", "a c");     /* '*' still needs its own frame */
}

static void test_anchoring_and_trailing(void) {
    NO_MATCH("b", "a b");
    MATCH("... b", "a b");
    MATCH("a", "a b c d");            /* the implicit trailing '...' */
    MATCH("a b", "a b c");
    NO_MATCH("a c", "a b c");
    MATCH("a b c", "a b c");
    NO_MATCH("a b c d", "a b c");
}

static void test_unnamed_frames(void) {
    /* A frame with no honest symbol ("libfoo.so+0x1234") is matched by '*', '...' and obj: only. */
    NO_MATCH("foo", "-@libstripped.so");
    NO_MATCH("f*", "-@libstripped.so");
    NO_MATCH("*f*", "-@libstripped.so");
    NO_MATCH("?*", "-@libstripped.so");
    NO_MATCH("**", "-@libstripped.so");
    NO_MATCH("libstripped*", "-@libstripped.so");  /* not even by the module's name as a symbol glob */
    MATCH("*", "-@libstripped.so");
    MATCH("... x", "-@libstripped.so - x");
    MATCH("obj:libstripped*", "-@libstripped.so");
    MATCH("foo|obj:libstripped*", "-@libstripped.so");
    MATCH("* ... target", "- -@l.so target");
    NO_MATCH("- x", "- x");                        /* '-' is an ordinary name in a pattern */
}

static void test_spec_examples(void) {
    const char *numpy2 = "default_malloc PyDataMem_UserNEW PyArray_NewFromDescr_int PyArray_NewFromDescr "
                         "array_boolean_subscript array_subscript";
    const char *numpy1 = "npy_alloc_cache x y array_boolean_subscript";
    const char *recipe = "npy_alloc_cache * * array_boolean_subscript";
    const char *durable = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript";

    MATCH(recipe, numpy1);
    NO_MATCH(recipe, numpy2);
    MATCH(durable, numpy1);
    MATCH(durable, numpy2);
    /* One of the frames in between inlined away: the seed's recipe breaks, the durable one holds. */
    NO_MATCH(recipe, "npy_alloc_cache y array_boolean_subscript");
    MATCH(durable, "npy_alloc_cache y array_boolean_subscript");
    MATCH(durable, "npy_alloc_cache array_boolean_subscript array_subscript");
    /* A static clone of npy_alloc_cache still matches the glob. */
    MATCH(durable, "npy_alloc_cache.constprop.0 x array_boolean_subscript");
    /* Not every allocation of numpy is the leak. */
    NO_MATCH(durable, "default_malloc PyDataMem_UserNEW PyArray_NewFromDescr_int PyArray_Empty array_empty");
    NO_MATCH(durable, "PyDataMem_UserNEW default_malloc array_boolean_subscript");
    NO_MATCH(recipe, "npy_alloc_cache x y z array_boolean_subscript");
    /* Real stacks carry module names: they change nothing for symbol matchers. */
    MATCH(durable, "default_malloc@_multiarray_umath.cpython-312-x86_64-linux-gnu.so "
                   "-@_multiarray_umath.cpython-312-x86_64-linux-gnu.so "
                   "array_boolean_subscript@_multiarray_umath.cpython-312-x86_64-linux-gnu.so");
}

static void test_limits(void) {
    /* 64 '*' need 64 frames; a match at frame 63 through '...' is found. */
    char pattern[4 * 70] = "", stack[8 * 70] = "";
    for (int i = 0; i < 64; i++) strcat(pattern, "* ");
    for (int i = 0; i < 63; i++) strcat(stack, "f ");
    NO_MATCH(pattern, stack);
    strcat(stack, "g");
    MATCH(pattern, stack);
    MATCH("f ... g", stack);
    MATCH("... g", stack);
    NO_MATCH("... h", stack);
}

/* The patterns that take the most memory per character still fit pattern_memory_bound: 64 matchers
 * of one-character alternatives, the longest alternatives, and a failure after the arrays are taken. */
static void test_memory_bound(void) {
    static char text[64 * 32];
    text[0] = '\0';
    for (int i = 0; i < 64; i++) strcat(text, i ? " a|b|c|d|e|f|g|h|i|j|k|l|m|n|o" : "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o");
    static char stack[64 * 2 + 1];
    stack[0] = '\0';
    for (int i = 0; i < 64; i++) strcat(stack, i % 2 ? "o " : "a ");
    MATCH(text, stack);
    compile_ok("x|y|z|obj:a|obj:b|* ... \\*\\?|q?*|r* s");
    text[0] = '\0';
    for (int i = 0; i < 64; i++) strcat(text, "|||| ");
    expect_error(text, 1, R_EMPTY_ALT);
    static char name[1000];
    memset(name, 'n', sizeof name - 1);
    MATCH(name, name);
}

static void test_frame0_helpers(void) {
    struct pattern_error error;
    struct frame_view foo = {"foo", "a.so", NULL, 0}, bar = {"bar", "a.so", NULL, 0}, unnamed = {NULL, "libx.so", NULL, 0},
                      nothing = {NULL, NULL, NULL, 0};

    struct pattern *p = pattern_compile("foo bar", &error);
    REQUIRE(p, "'foo bar' compiles");
    CHECK(!pattern_starts_with_wildcard(p), "'foo bar' names its frame 0");
    CHECK(pattern_may_start_with(p, &foo), "'foo bar' may start at foo");
    CHECK(!pattern_may_start_with(p, &bar), "'foo bar' cannot start at bar");
    CHECK(!pattern_may_start_with(p, &unnamed), "'foo bar' cannot start at an unnamed frame");

    p = pattern_compile("fo?|obj:libx*", &error);
    REQUIRE(p, "alternatives compile");
    CHECK(!pattern_starts_with_wildcard(p), "alternatives name frame 0");
    CHECK(pattern_may_start_with(p, &foo), "glob alternative accepts foo");
    CHECK(pattern_may_start_with(p, &unnamed), "obj: alternative accepts an unnamed frame of libx.so");
    CHECK(!pattern_may_start_with(p, &nothing), "no alternative accepts a frame in no module");

    p = pattern_compile("* foo", &error);
    REQUIRE(p, "'* foo' compiles");
    CHECK(pattern_starts_with_wildcard(p), "'* foo' starts with a wildcard");
    CHECK(pattern_may_start_with(p, &nothing), "'* foo' may start anywhere");

    p = pattern_compile("... foo", &error);
    REQUIRE(p, "'... foo' compiles");
    CHECK(pattern_starts_with_wildcard(p), "'... foo' starts with a wildcard");
    CHECK(pattern_may_start_with(p, &bar), "'... foo' may start anywhere");

    p = pattern_compile("nothing|* foo", &error);
    REQUIRE(p, "'nothing|* foo' compiles");
    CHECK(pattern_may_start_with(p, &nothing), "an '*' alternative accepts any frame 0");
}

/* Demangled C++ names hold spaces: an escaped space keeps them in one matcher. */
static void test_escaped_space(void) {
    struct pattern_error error;
    struct pattern *p = pattern_compile("ns::f(int,\\ char) ... g", &error);
    struct frame_view frames[] = {{"ns::f(int, char)", "libx.so", NULL, 0}, {"h", "libx.so", NULL, 0}, {"g", "libx.so", NULL, 0}};
    check_count++;
    if (!p) CHECK_FAIL("escaped space: did not compile: %d %s", error.position, error.reason);
    else if (!pattern_matches(p, frames, 3)) CHECK_FAIL("escaped space: \"ns::f(int,\\ char) ... g\" should match");
}

/* A frame whose address has several names matches a name or glob matcher through any of them. */
static void test_aliases(void) {
    struct pattern_error error;
    const char *const aliases[] = {"__strdup"};
    struct frame_view frames[] = {{"strdup", "libc.so.6", aliases, 1}, {"main", "prog", NULL, 0}};
    const char *matching[] = {"strdup", "__strdup", "__str*", "asprintf|__strdup main", "strdup|nothing", "obj:libc* main"};
    const char *not_matching[] = {"strndup", "__strndup", "main", "x*|y"};
    for (size_t i = 0; i < sizeof matching / sizeof *matching; i++) {
        struct pattern *p = pattern_compile(matching[i], &error);
        CHECK(p && pattern_matches(p, frames, 2), "aliases: '%s' should match strdup (alias __strdup)", matching[i]);
        CHECK(p && pattern_may_start_with(p, &frames[0]), "aliases: '%s' may start at strdup", matching[i]);
    }
    for (size_t i = 0; i < sizeof not_matching / sizeof *not_matching; i++) {
        struct pattern *p = pattern_compile(not_matching[i], &error);
        CHECK(p && !pattern_matches(p, frames, 2), "aliases: '%s' should not match", not_matching[i]);
    }
}

int main(void) {
    test_aliases();
    test_parser_errors();
    test_exact_names();
    test_globs();
    test_escapes();
    test_alternatives();
    test_obj();
    test_any_one();
    test_any_run();
    test_anchoring_and_trailing();
    test_unnamed_frames();
    test_spec_examples();
    test_limits();
    test_memory_bound();
    test_frame0_helpers();
    test_escaped_space();
    return check_report("test_pattern");
}
