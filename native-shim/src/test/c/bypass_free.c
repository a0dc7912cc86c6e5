/* Entry points into the allocator that skip malloc/free by name (issue 11, suspected): glibc's
 * __libc_malloc family, free_sized and free_aligned_sized (C23, glibc 2.41+; looked up with dlsym
 * because Debian 12's glibc 2.36 has neither), jemalloc's and tcmalloc's sdallocx and dallocx.
 * Run under the shim with the pattern "bypass_alloc_site". Each case allocates one way and frees
 * another; a block allocated under the pattern must be tracked, and freeing it any of these ways
 * must end its tracking: no stale entry (a false leak), no crash. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* glibc exports these (GLIBC_2.2.5) without declaring them. */
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
void __libc_free(void *);

static uint64_t (*live_count)(void);

enum how { WITH_MALLOC, WITH_LIBC_MALLOC, WITH_LIBC_CALLOC, WITH_LIBC_REALLOC, WITH_LIBC_MEMALIGN, WITH_ALIGNED_ALLOC };

__attribute__((noinline)) static void *bypass_alloc_site(enum how how, size_t size) {
    void *p = NULL;
    switch (how) {
    case WITH_MALLOC: p = malloc(size); break;
    case WITH_LIBC_MALLOC: p = __libc_malloc(size); break;
    case WITH_LIBC_CALLOC: p = __libc_calloc(1, size); break;
    case WITH_LIBC_REALLOC: p = __libc_realloc(NULL, size); break;
    case WITH_LIBC_MEMALIGN: p = __libc_memalign(64, size); break;
    case WITH_ALIGNED_ALLOC: p = aligned_alloc(64, size); break;
    }
    __asm__ volatile("" : : "r"(p) : "memory");
    return p;
}

static void *allocated(enum how how, size_t size, const char *what) {
    uint64_t before = live_count();
    void *p = bypass_alloc_site(how, size);
    REQUIRE(p, "%s returned NULL", what);
    memset(p, 0x5a, size);
    CHECK_EQ_U64(before + 1, live_count(), what);
    return p;
}

static void freed(uint64_t expected, const char *what) { CHECK_EQ_U64(expected, live_count(), what); }

int main(void) {
    live_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "nnl_live_count");
    REQUIRE(live_count, "run this under the shim: LD_PRELOAD=libnonativeleak.so NONATIVELEAK_RUN_DIR=dir");
    uint64_t base = live_count();

    free(allocated(WITH_LIBC_MALLOC, 48, "live after __libc_malloc"));
    freed(base, "live after free of a __libc_malloc block");
    free(allocated(WITH_LIBC_CALLOC, 48, "live after __libc_calloc"));
    freed(base, "live after free of a __libc_calloc block");
    free(allocated(WITH_LIBC_MEMALIGN, 48, "live after __libc_memalign"));
    freed(base, "live after free of a __libc_memalign block");

    __libc_free(allocated(WITH_MALLOC, 48, "live after malloc"));
    freed(base, "live after __libc_free of a malloc block");

    void *p = allocated(WITH_LIBC_REALLOC, 48, "live after __libc_realloc(NULL, 48)");
    p = __libc_realloc(p, 4096);
    REQUIRE(p, "__libc_realloc(p, 4096) returned NULL");
    CHECK_EQ_U64(base + 1, live_count(), "live after __libc_realloc grew the block");
    __libc_free(p);
    freed(base, "live after __libc_free of a __libc_realloc block");

    /* C23's sized frees: the shim exports them whatever the C library has, so a program that finds
     * them (linked against glibc 2.41+, or by dlsym as here) reaches the shim. */
    void (*free_sized)(void *, size_t) = (void (*)(void *, size_t))dlsym(RTLD_DEFAULT, "free_sized");
    void (*free_aligned_sized)(void *, size_t, size_t) =
        (void (*)(void *, size_t, size_t))dlsym(RTLD_DEFAULT, "free_aligned_sized");
    CHECK(free_sized, "free_sized is not interposed: dlsym(RTLD_DEFAULT, \"free_sized\") found nothing");
    CHECK(free_aligned_sized, "free_aligned_sized is not interposed: dlsym found nothing");
    if (free_sized) {
        free_sized(allocated(WITH_MALLOC, 80, "live after malloc"), 80);
        freed(base, "live after free_sized");
        free_sized(NULL, 0);
    }
    if (free_aligned_sized) {
        free_aligned_sized(allocated(WITH_ALIGNED_ALLOC, 128, "live after aligned_alloc"), 64, 128);
        freed(base, "live after free_aligned_sized");
    }

    /* jemalloc's and tcmalloc's sized and flagged frees: with neither loaded the shim's hand the
     * block to the C library's free. */
    void (*sdallocx)(void *, size_t, int) = (void (*)(void *, size_t, int))dlsym(RTLD_DEFAULT, "sdallocx");
    void (*dallocx)(void *, int) = (void (*)(void *, int))dlsym(RTLD_DEFAULT, "dallocx");
    CHECK(sdallocx, "sdallocx is not interposed: dlsym found nothing");
    CHECK(dallocx, "dallocx is not interposed: dlsym found nothing");
    if (sdallocx) {
        sdallocx(allocated(WITH_MALLOC, 96, "live after malloc"), 96, 0);
        freed(base, "live after sdallocx");
    }
    if (dallocx) {
        dallocx(allocated(WITH_MALLOC, 96, "live after malloc"), 0);
        freed(base, "live after dallocx");
    }
    return check_report("bypass-free");
}
