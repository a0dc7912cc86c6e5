/* Fault injection for check-demangle-race: a loader that is slow to answer dlsym("__cxa_demangle")
 * (as when another thread holds the loader's lock inside a long dlopen). Preloaded ahead of the
 * shim. Every other lookup is a tail call, so the real dlsym sees its caller's return address
 * (RTLD_NEXT depends on it). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
#include <time.h>

__attribute__((visibility("default"))) void *dlsym(void *handle, const char *name) {
    static void *(*real)(void *, const char *);
    if (!real) real = (void *(*)(void *, const char *))dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.34");
    if (strcmp(name, "__cxa_demangle") == 0) {
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return real(handle, name);
}
