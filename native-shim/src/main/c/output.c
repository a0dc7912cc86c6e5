#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

_Static_assert(offsetof(struct nnl_file_header, state) == 32, "file layout");
_Static_assert(offsetof(struct nnl_file_header, measure_start_ns) == 48, "file layout");
_Static_assert(offsetof(struct nnl_file_header, matched_count) == 64, "file layout");
_Static_assert(offsetof(struct nnl_file_header, table_region_offset) == 88, "file layout");
_Static_assert(offsetof(struct nnl_file_header, log_used) == 120, "file layout");
_Static_assert(offsetof(struct nnl_file_header, timeline_count) == 128, "file layout");
_Static_assert(offsetof(struct nnl_file_header, executable) == 136, "file layout");
_Static_assert(offsetof(struct nnl_file_header, python_reason) == 648, "file layout");
_Static_assert(offsetof(struct nnl_file_header, shards) == 904, "file layout");
_Static_assert(offsetof(struct nnl_file_header, timeline) == 904 + 16 * NNL_SHARDS, "file layout");
_Static_assert(sizeof(struct nnl_file_header) <= NNL_HEADER_SIZE, "file layout");
_Static_assert(sizeof(struct nnl_live_entry) == 24, "file layout");
_Static_assert(sizeof(struct nnl_file_header) <= NNL_RUNS_BLOCK_OFFSET, "file layout");
_Static_assert(NNL_RUNS_BLOCK_OFFSET + sizeof(struct nnl_runs_block) <= 0x8000, "the runs block ends at 0x7fff");
_Static_assert(offsetof(struct nnl_runs_block, runs) == 8 && sizeof(struct nnl_run_counts) == 40, "file layout");
_Static_assert(offsetof(struct nnl_runs_block, timeline_rss) == 8 + 40 * NNL_MAX_RUNS, "file layout");

static struct nnl_file_header *header;
static char *mapping;
static _Atomic uint64_t table_used;
static nnl_lock timeline_lock;
/* /proc/self/statm, opened with the file: the timeline reads RSS with one pread, never allocating. */
static int statm_fd = -1;
static uint64_t page_size;

static uint64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int create_exclusive(const char *dir, char *path, size_t path_size) {
    int pid = getpid();
    for (int attempt = 0; attempt < 1000; attempt++) {
        snprintf(path, path_size, "%s/proc-%d-%d.nnl", dir, pid, attempt);
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) return fd;
    }
    return -1;
}

int output_open(const char *dir, int parent_pid) {
    char path[4096];
    int fd = create_exclusive(dir, path, sizeof path);
    if (fd < 0) return -1;
    uint64_t total = NNL_HEADER_SIZE + NNL_TABLE_REGION_SIZE + NNL_LOG_REGION_SIZE;
    /* A sparse file: only the pages the process touches take memory or disk. */
    if (ftruncate(fd, (off_t)total) != 0) {
        close(fd);
        unlink(path);
        return -1;
    }
    void *map = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        unlink(path);
        return -1;
    }
    mapping = map;
    header = map;
    header->version = 1;
    header->header_size = NNL_HEADER_SIZE;
    header->pid = getpid();
    header->parent_pid = parent_pid;
    header->start_ns = monotonic_ns();
    header->table_region_offset = NNL_HEADER_SIZE;
    header->table_region_size = NNL_TABLE_REGION_SIZE;
    header->log_region_offset = NNL_HEADER_SIZE + NNL_TABLE_REGION_SIZE;
    header->log_region_size = NNL_LOG_REGION_SIZE;
    header->timeline_interval_millis = 10;
    ssize_t n = readlink("/proc/self/exe", header->executable, sizeof header->executable - 1);
    if (n < 0) header->executable[0] = '\0';
    atomic_store(&table_used, 0);
    statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    page_size = (uint64_t)sysconf(_SC_PAGESIZE);
    /* The magic goes last: a reader never sees a half-initialised header as valid. */
    atomic_thread_fence(memory_order_release);
    memcpy(header->magic, NNL_FILE_MAGIC, 8);
    return 0;
}

struct nnl_file_header *output_header(void) { return header; }

struct nnl_runs_block *output_runs(void) { return header ? (struct nnl_runs_block *)(mapping + NNL_RUNS_BLOCK_OFFSET) : NULL; }

/* Resident bytes from statm's second field; 0 when it cannot be read. Called inside malloc: errno kept. */
static uint64_t rss_bytes(void) {
    if (statm_fd < 0) return 0;
    int saved = errno;
    char text[128];
    ssize_t n = pread(statm_fd, text, sizeof text - 1, 0);
    errno = saved;
    if (n <= 0) return 0;
    text[n] = '\0';
    const char *at = text;
    while (*at && *at != ' ') at++;
    uint64_t pages = 0;
    for (at++; *at >= '0' && *at <= '9'; at++) pages = pages * 10 + (uint64_t)(*at - '0');
    return pages * page_size;
}

void *output_table_alloc(uint64_t bytes, uint64_t *offset) {
    bytes = (bytes + 4095) & ~4095ull;
    uint64_t start = atomic_fetch_add(&table_used, bytes);
    if (!header || start + bytes > NNL_TABLE_REGION_SIZE) return NULL;
    *offset = NNL_HEADER_SIZE + start;
    return mapping + *offset;
}

void output_table_release(void *table, uint64_t bytes) {
    bytes = (bytes + 4095) & ~4095ull;
    madvise(table, bytes, MADV_REMOVE); /* best effort: a file system without hole punching keeps them */
}

void *output_reserve_record(uint32_t payload_bytes, struct nnl_record_header **record) {
    if (!header) return NULL;
    uint64_t length = (sizeof(struct nnl_record_header) + payload_bytes + 7) & ~7ull;
    uint64_t start = atomic_fetch_add(&header->log_used, length);
    if (start + length + sizeof(struct nnl_record_header) > NNL_LOG_REGION_SIZE) return NULL;
    *record = (struct nnl_record_header *)(mapping + header->log_region_offset + start);
    (*record)->length = (uint32_t)length;
    return *record + 1;
}

void output_commit_record(struct nnl_record_header *record, uint32_t type) {
    atomic_store_explicit(&record->type, type, memory_order_release);
}

void output_timeline_add(uint64_t t_millis, uint64_t live_bytes) {
    if (!header) return;
    uint64_t rss = rss_bytes(); /* outside the lock: a system call */
    uint64_t *rss_at = output_runs()->timeline_rss;
    nnl_lock_acquire(&timeline_lock);
    uint32_t count = atomic_load(&header->timeline_count);
    uint64_t interval = header->timeline_interval_millis;
    /* One point per sampling interval: a later sample in the same interval replaces the last point. */
    if (count > 0 && header->timeline[count - 1].t_millis / interval == t_millis / interval) {
        header->timeline[count - 1].t_millis = t_millis;
        header->timeline[count - 1].live_bytes = live_bytes;
        rss_at[count - 1] = rss;
    } else {
        if (count == NNL_TIMELINE_POINTS) {
            /* Keep every other point and sample half as often: the chart keeps its whole span. */
            for (uint32_t i = 0; i < count / 2; i++) {
                header->timeline[i] = header->timeline[2 * i + 1];
                rss_at[i] = rss_at[2 * i + 1];
            }
            count /= 2;
            atomic_store(&header->timeline_interval_millis, header->timeline_interval_millis * 2);
        }
        header->timeline[count].t_millis = t_millis;
        header->timeline[count].live_bytes = live_bytes;
        rss_at[count] = rss;
        atomic_store_explicit(&header->timeline_count, count + 1, memory_order_release);
    }
    nnl_lock_release(&timeline_lock);
}

void output_forget_after_fork(void) {
    /* The parent's mapping stays valid in the child, but it is the parent's record: drop it
     * without touching its contents. */
    if (mapping) munmap(mapping, NNL_HEADER_SIZE + NNL_TABLE_REGION_SIZE + NNL_LOG_REGION_SIZE);
    mapping = NULL;
    header = NULL;
    if (statm_fd >= 0) close(statm_fd); /* it is the parent's /proc entry */
    statm_fd = -1;
}

void output_register_fork_locks(void) { nnl_register_fork_lock(&timeline_lock); }
