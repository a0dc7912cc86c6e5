/* A thread with a small stack that allocates with little of it left (redteam smallstack.c):
 *   smallstack STACK_BYTES USED_BYTES   prints "ok STACK USED" and exits 0 when the thread ran through. */
#include <alloca.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *kept;
static size_t used;

__attribute__((noinline)) static void *allocate(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}

static void *thread(void *arg) {
    (void)arg;
    char *buffer = alloca(used);
    memset(buffer, 1, used);
    __asm__ volatile("" ::"r"(buffer) : "memory");
    kept = allocate(64);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    size_t stack = strtoul(argv[1], NULL, 0);
    used = strtoul(argv[2], NULL, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (pthread_attr_setstacksize(&attr, stack) != 0) return 3;
    pthread_t t;
    if (pthread_create(&t, &attr, thread, NULL) != 0) return 4;
    pthread_join(t, NULL);
    printf("ok %zu %zu\n", stack, used);
    return 0;
}
