/* N threads alive at once, each having allocated from one stack (redteam manythreads.c):
 *   manythreads N   prints "N threads: RSS KIB" while all of them are alive. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_barrier_t allocated, done;

__attribute__((noinline)) static void *allocate(size_t n) {
    void *p = malloc(n);
    __asm__ volatile("" ::: "memory");
    return p;
}

static void *thread(void *arg) {
    void *p = allocate(32);
    free(allocate(32));
    pthread_barrier_wait(&allocated);
    pthread_barrier_wait(&done);
    (void)arg;
    return p;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) v = atol(line + 6);
    if (f) fclose(f);
    return v;
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    int n = atoi(argv[1]);
    pthread_barrier_init(&allocated, NULL, n + 1);
    pthread_barrier_init(&done, NULL, n + 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 << 10);
    pthread_t *t = calloc(n, sizeof *t);
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], &attr, thread, NULL) != 0) return 3;
    pthread_barrier_wait(&allocated);
    printf("%d threads: RSS %ld\n", n, rss_kib());
    pthread_barrier_wait(&done);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    return 0;
}
