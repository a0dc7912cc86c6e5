/* A tiny assertion kit for the C tests: each failed check prints where, what was expected and what
 * was found, and is counted; a test binary exits non-zero when any check failed. */
#ifndef NNL_TEST_CHECK_H
#define NNL_TEST_CHECK_H
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int check_failures;
static _Atomic int check_count;

#define CHECK_FAIL(...)                                                \
    do {                                                               \
        check_failures++;                                              \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);           \
        fprintf(stderr, __VA_ARGS__);                                  \
        fputc('\n', stderr);                                           \
    } while (0)

#define CHECK(cond, ...)                                               \
    do {                                                               \
        check_count++;                                                 \
        if (!(cond)) CHECK_FAIL(__VA_ARGS__);                          \
    } while (0)

#define CHECK_EQ_U64(expected, actual, what)                                               \
    do {                                                                                   \
        uint64_t e_ = (uint64_t)(expected), a_ = (uint64_t)(actual);                       \
        check_count++;                                                                     \
        if (e_ != a_) CHECK_FAIL("%s: expected %" PRIu64 ", actual %" PRIu64, what, e_, a_); \
    } while (0)

#define CHECK_EQ_STR(expected, actual, what)                                                           \
    do {                                                                                               \
        const char *e_ = (expected), *a_ = (actual);                                                   \
        check_count++;                                                                                 \
        if (!a_ || strcmp(e_, a_) != 0) CHECK_FAIL("%s: expected \"%s\", actual \"%s\"", what, e_, a_ ? a_ : "(null)"); \
    } while (0)

/* Stops at once: for failures after which nothing else can be checked meaningfully. */
#define REQUIRE(cond, ...)                                             \
    do {                                                               \
        check_count++;                                                 \
        if (!(cond)) {                                                 \
            CHECK_FAIL(__VA_ARGS__);                                   \
            exit(1);                                                   \
        }                                                              \
    } while (0)

static inline int check_report(const char *name) {
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks FAILED\n", name, check_failures, check_count);
        return 1;
    }
    printf("%s: all %d checks passed\n", name, check_count);
    return 0;
}
#endif
