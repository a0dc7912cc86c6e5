/* What a live table's fresh pages cost, apart from the shim: a new file of SIZE MiB (default 64) in
 * DIR is allocated one way, mapped shared, and every page read and then written, as insert and a
 * rebuild first touch them. docs/benchmarks.md quotes it ("The live table's floor").
 *
 *   cc -O2 -o page_cost bench/page_cost.c && ./page_cost DIR [SIZE]
 *
 * Ways: pwritev of zeros (the shim's allocate_on_disk); fallocate; each followed by
 * MADV_POPULATE_WRITE or not. Times are the process's CPU time, in ms. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

static double cpu_ms(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

static int write_zeros(int fd, size_t size) {
    static char zeros[4096];
    struct iovec pieces[64];
    for (int i = 0; i < 64; i++) pieces[i] = (struct iovec){zeros, sizeof zeros};
    for (size_t at = 0; at < size; at += sizeof pieces / sizeof pieces[0] * sizeof zeros)
        if (pwritev(fd, pieces, 64, (off_t)at) <= 0) return -1;
    return 0;
}

static void one(const char *dir, size_t size, int use_fallocate, int populate) {
    char path[4096];
    snprintf(path, sizeof path, "%s/page_cost.%d", dir, getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(path);
        exit(1);
    }
    double start = cpu_ms();
    if ((use_fallocate ? fallocate(fd, 0, 0, (off_t)size) : write_zeros(fd, size)) != 0) {
        perror("allocating");
        exit(1);
    }
    double allocated = cpu_ms();
    volatile char *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    if (populate && madvise((void *)map, size, MADV_POPULATE_WRITE) != 0) perror("MADV_POPULATE_WRITE");
    double populated = cpu_ms();
    for (size_t at = 0; at < size; at += 4096) map[at] = (char)(map[at] + 1);
    double touched = cpu_ms();
    printf("%-9s %-22s allocate %6.1f  populate %6.1f  touch %6.1f  total %6.1f\n", use_fallocate ? "fallocate" : "pwritev",
           populate ? "+ MADV_POPULATE_WRITE" : "", allocated - start, populated - allocated, touched - populated,
           touched - start);
    munmap((void *)map, size);
    close(fd);
    unlink(path);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [SIZE_MIB]\n", argv[0]);
        return 2;
    }
    size_t size = (size_t)(argc > 2 ? atoi(argv[2]) : 64) << 20;
    for (int round = 0; round < 3; round++)
        for (int way = 0; way < 4; way++) one(argv[1], size, way >= 2, way % 2);
    return 0;
}
