#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* Every extent of the file this process mapped, so that a forked child can unmap its parent's. */
#define NNL_MAX_EXTENTS 4096

struct extent {
    void *address;
    uint64_t bytes;
};

static struct nnl_file_header *header;
static struct nnl_resources *resources;
static char path[4096];
static char open_error[4608];
static struct extent extents[NNL_MAX_EXTENTS];
static unsigned extent_count;
static char *log_segment[NNL_LOG_SEGMENTS]; /* where each segment is mapped; NULL: not yet */
static uint64_t table_bytes;
/* Held while the file grows: extents are handed out in file order. Registered after the tracker's
 * shard locks (rehash grows the file with a shard lock held). */
static nnl_lock space_lock;
static nnl_lock segment_lock; /* taken before space_lock: two threads do not both allocate a segment */
static nnl_lock timeline_lock;
/* /proc/self/statm, opened with the file: the timeline reads RSS with one pread, never allocating. */
static int statm_fd = -1;
static uint64_t page_size;

static uint64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void output_note_loss(enum nnl_loss reason, int error) {
    if (!resources) return;
    uint64_t none = 0;
    if (atomic_compare_exchange_strong(&resources->incomplete_since_ns, &none, monotonic_ns())) {
        atomic_store(&resources->incomplete_errno, error);
        atomic_store(&resources->incomplete_reason, (uint32_t)reason);
    }
    atomic_fetch_add_explicit(&resources->lost[reason], 1, memory_order_relaxed);
}

/* Would a file of end bytes pass RLIMIT_FSIZE? Checked before every growth: the kernel answers
 * with SIGXFSZ, which kills the process even when blocked (it stays pending). */
static int beyond_size_limit(uint64_t end) {
    struct rlimit limit;
    return getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && end > limit.rlim_cur;
}

/* Allocates [offset, offset + bytes) of the file on disk by writing zeros: afterwards no write into
 * it can fault (the file system reserved the blocks, or refused with ENOSPC here). Writing creates
 * the page cache pages without a fault each: fallocate's unwritten extents cost a read fault (to
 * zero the page) and a write fault per page at their first touch through the mapping, a fifth of
 * discover's time with a million blocks live. 256 KiB per call, from one page of zeros. */
static int allocate_on_disk(int fd, uint64_t offset, uint64_t bytes) {
    static const char zeros[4096];
    struct iovec pieces[64]; /* 1 KiB of stack */
    for (uint64_t at = offset, end = offset + bytes; at < end;) {
        int n = 0;
        for (uint64_t left = end - at; n < 64 && left; n++) {
            pieces[n] = (struct iovec){(void *)zeros, left < sizeof zeros ? left : sizeof zeros};
            left -= pieces[n].iov_len;
        }
        ssize_t written = pwritev(fd, pieces, n, (off_t)at);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return -1;
        at += (uint64_t)written;
    }
    return 0;
}

/* The file, opened by path with [offset, offset + bytes) allocated on disk: its descriptor, or -1
 * with errno set. Reopened each time: the process may close or reuse any descriptor we kept. */
static int open_allocated(uint64_t offset, uint64_t bytes) {
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0 && allocate_on_disk(fd, offset, bytes) != 0) {
        int error = errno;
        close(fd);
        errno = error;
        fd = -1;
    }
    return fd;
}

/* Grows the file by bytes (a multiple of the page size) at offset and maps them; NULL on failure,
 * with the reason in *reason and *error. */
static void *grow_and_map_file(uint64_t offset, uint64_t bytes, enum nnl_loss *reason, int *error) {
    *error = 0;
    if (extent_count == NNL_MAX_EXTENTS) {
        *reason = NNL_LOSS_MAPPINGS;
        return NULL;
    }
    if (beyond_size_limit(offset + bytes)) {
        *reason = NNL_LOSS_FILE_SIZE_LIMIT;
        return NULL;
    }
    int fd = open_allocated(offset, bytes);
    if (fd < 0) {
        *reason = NNL_LOSS_FILE_GROW;
        *error = errno;
        return NULL;
    }
    void *map = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
    *error = errno;
    close(fd);
    if (map == MAP_FAILED) {
        *reason = NNL_LOSS_ADDRESS_SPACE;
        return NULL;
    }
    extents[extent_count].address = map;
    extents[extent_count].bytes = bytes;
    extent_count++;
    return map;
}

/* open, pwritev and close are cancellation points: a thread cancelled there would die holding
 * the file's lock and a live table's. */
static void *grow_and_map(uint64_t offset, uint64_t bytes, enum nnl_loss *reason, int *error) {
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    void *map = grow_and_map_file(offset, bytes, reason, error);
    pthread_setcancelstate(cancel_state, NULL);
    return map;
}

/* The next bytes of the file, mapped; NULL with the loss counted. */
static void *space_alloc(uint64_t bytes, uint64_t *offset) {
    nnl_lock_acquire(&space_lock);
    uint64_t used = atomic_load_explicit(&resources->space_used, memory_order_relaxed);
    enum nnl_loss reason;
    int error;
    void *map = grow_and_map(NNL_HEADER_SIZE + used, bytes, &reason, &error);
    if (map) {
        *offset = NNL_HEADER_SIZE + used;
        atomic_store_explicit(&resources->space_used, used + bytes, memory_order_release);
    }
    nnl_lock_release(&space_lock);
    if (!map) output_note_loss(reason, error);
    return map;
}

static int create_exclusive(const char *dir) {
    int pid = getpid();
    for (int attempt = 0; attempt < 1000; attempt++) {
        snprintf(path, sizeof path, "%s/proc-%d-%d.nnl", dir, pid, attempt);
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

int output_open(const char *dir, int parent_pid) {
    int fd = create_exclusive(dir);
    if (fd < 0) {
        snprintf(open_error, sizeof open_error, "cannot create its data file in %s: %s", dir, strerror(errno));
        return -1;
    }
    close(fd);
    enum nnl_loss reason;
    int error;
    void *map = grow_and_map(0, NNL_HEADER_SIZE, &reason, &error);
    if (!map) {
        snprintf(open_error, sizeof open_error, "cannot allocate its data file %s: %s", path,
                 reason == NNL_LOSS_FILE_SIZE_LIMIT ? "the file-size limit (ulimit -f) is below 64 KiB" : strerror(error));
        unlink(path);
        return -1;
    }
    header = map;
    resources = (struct nnl_resources *)((char *)map + NNL_RESOURCES_OFFSET);
    header->version = NNL_FILE_VERSION;
    header->header_size = NNL_HEADER_SIZE;
    header->pid = getpid();
    header->parent_pid = parent_pid;
    header->start_ns = monotonic_ns();
    header->table_region_offset = NNL_HEADER_SIZE;
    header->table_region_size = NNL_TABLE_REGION_SIZE;
    header->log_region_offset = 0;
    header->log_region_size = NNL_LOG_REGION_SIZE;
    header->timeline_interval_millis = 10;
    resources->log_segment_size = NNL_LOG_SEGMENT_SIZE;
    resources->log_segment_count = NNL_LOG_SEGMENTS;
    ssize_t n = readlink("/proc/self/exe", header->executable, sizeof header->executable - 1);
    if (n < 0) header->executable[0] = '\0';
    table_bytes = 0;
    statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    page_size = (uint64_t)sysconf(_SC_PAGESIZE);
    /* The magic goes last: a reader never sees a half-initialised header as valid. */
    atomic_thread_fence(memory_order_release);
    memcpy(header->magic, NNL_FILE_MAGIC, 8);
    return 0;
}

const char *output_open_error(void) { return open_error; }

struct nnl_file_header *output_header(void) { return header; }

struct nnl_nomatch_block *output_nomatch(void) {
    return header ? (struct nnl_nomatch_block *)((char *)header + NNL_NOMATCH_OFFSET) : NULL;
}

struct nnl_runs_block *output_runs(void) { return header ? (struct nnl_runs_block *)((char *)header + NNL_RUNS_BLOCK_OFFSET) : NULL; }

/* Resident bytes from statm's second field; 0 when it cannot be read. Called inside malloc: errno
 * kept, and cancellation off (pread is a cancellation point). */
static uint64_t rss_bytes(void) {
    if (statm_fd < 0) return 0;
    int saved = errno, cancel_state;
    char text[128];
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    ssize_t n = pread(statm_fd, text, sizeof text - 1, 0);
    pthread_setcancelstate(cancel_state, NULL);
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
    if (!header) return NULL;
    bytes = (bytes + 4095) & ~4095ull;
    nnl_lock_acquire(&space_lock);
    int full = table_bytes + bytes > NNL_TABLE_REGION_SIZE;
    if (!full) table_bytes += bytes;
    nnl_lock_release(&space_lock);
    if (full) {
        output_note_loss(NNL_LOSS_TABLE_LIMIT, 0);
        return NULL;
    }
    void *table = space_alloc(bytes, offset);
    if (!table) {
        nnl_lock_acquire(&space_lock);
        table_bytes -= bytes;
        nnl_lock_release(&space_lock);
    }
    return table;
}

void output_table_release(void *table, uint64_t bytes) {
    bytes = (bytes + 4095) & ~4095ull;
    madvise(table, bytes, MADV_REMOVE); /* best effort: a file system without hole punching keeps them */
}

int output_table_reuse(uint64_t offset, uint64_t bytes) {
    bytes = (bytes + 4095) & ~4095ull;
    int cancel_state; /* as in grow_and_map: the caller holds a live table's lock */
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    int fd = open_allocated(offset, bytes);
    int error = errno;
    if (fd >= 0) close(fd);
    pthread_setcancelstate(cancel_state, NULL);
    if (fd >= 0) return 0;
    output_note_loss(NNL_LOSS_FILE_GROW, error);
    return -1;
}

/* The log is written once and never read back here: pages of it leave the process (they stay in
 * the page cache, dirty, and so in the file; a record still being written there faults its page
 * back in). Without this, every byte ever logged would count in the fixture's RSS. */
static void drop_logged(char *at, uint64_t bytes) {
    int saved = errno;
    madvise(at, bytes, MADV_DONTNEED);
    errno = saved;
}

/* Segment index of the log, mapped (allocated on first use); NULL when the file cannot grow. */
static char *segment(uint64_t index) {
    if (index >= NNL_LOG_SEGMENTS) return NULL;
    char *s = __atomic_load_n(&log_segment[index], __ATOMIC_ACQUIRE);
    if (s) return s;
    nnl_lock_acquire(&segment_lock);
    s = log_segment[index];
    uint64_t offset;
    int started = 0;
    if (!s && (s = space_alloc(nnl_log_segment_size(index), &offset))) {
        atomic_store_explicit(&resources->log_segments[index], offset, memory_order_release);
        __atomic_store_n(&log_segment[index], s, __ATOMIC_RELEASE);
        started = 1;
    }
    nnl_lock_release(&segment_lock);
    /* The segment before is finished: what drop_behind left of it goes too. */
    char *before = started && index > 0 ? __atomic_load_n(&log_segment[index - 1], __ATOMIC_ACQUIRE) : NULL;
    if (before) drop_logged(before, nnl_log_segment_size(index - 1));
    return s;
}

static void pad(uint64_t start, uint64_t length) {
    uint64_t k = nnl_log_segment_of(start);
    char *s = segment(k);
    if (!s) return;
    struct nnl_record_header *record = (struct nnl_record_header *)(s + (start - nnl_log_segment_start(k)));
    record->length = (uint32_t)length;
    atomic_store_explicit(&record->type, NNL_RECORD_PADDING, memory_order_release);
}

/* Within a segment, what was logged leaves the process a step behind the records being written
 * now: a 2 MiB segment is then not resident in full. */
#define LOG_DROP_STEP (256u << 10)

static void drop_behind(char *segment_start, uint64_t from, uint64_t to) {
    uint64_t step_from = from / LOG_DROP_STEP, step_to = to / LOG_DROP_STEP;
    if (step_from == step_to || step_to < 2) return;
    uint64_t begin = step_from ? (step_from - 1) * LOG_DROP_STEP : 0;
    drop_logged(segment_start + begin, (step_to - 1) * LOG_DROP_STEP - begin);
}

void *output_reserve_record(uint32_t payload_bytes, struct nnl_record_header **record) {
    if (!header) return NULL;
    uint64_t length = (sizeof(struct nnl_record_header) + payload_bytes + 7) & ~7ull;
    for (;;) {
        uint64_t start = atomic_fetch_add(&header->log_used, length);
        if (start + length > NNL_LOG_REGION_SIZE) {
            output_note_loss(NNL_LOSS_LOG_LIMIT, 0);
            return NULL;
        }
        uint64_t k = nnl_log_segment_of(start), boundary = nnl_log_segment_start(k + 1);
        if (start + length > boundary) { /* records never cross segments: pad both parts, try again */
            pad(start, boundary - start);
            pad(boundary, start + length - boundary);
            continue;
        }
        char *s = segment(k);
        if (!s) return NULL; /* the loss is counted */
        uint64_t at = start - nnl_log_segment_start(k);
        drop_behind(s, at, at + length);
        *record = (struct nnl_record_header *)(s + at);
        (*record)->length = (uint32_t)length;
        return *record + 1;
    }
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
    /* The parent's mappings stay valid in the child, but they are the parent's record: drop them
     * without touching their contents. */
    for (unsigned i = 0; i < extent_count; i++) munmap(extents[i].address, extents[i].bytes);
    extent_count = 0;
    memset(log_segment, 0, sizeof log_segment);
    header = NULL;
    resources = NULL;
    if (statm_fd >= 0) close(statm_fd); /* it is the parent's /proc entry */
    statm_fd = -1;
}

void output_register_fork_locks(void) {
    nnl_register_fork_lock(&timeline_lock);
    nnl_register_fork_lock(&segment_lock);
    nnl_register_fork_lock(&space_lock);
}
