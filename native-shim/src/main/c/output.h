/* The per-process data file: what the Java side reads after the process has ended, however it ended.
 *
 * Each process image under the shim owns one file, <run dir>/proc-<pid>-<n>.nnl, created with
 * O_EXCL (no process can overwrite another's) and mapped MAP_SHARED. The live-allocation table and
 * the site log are kept *in* that mapping, so the file is current at every instant: a process
 * killed by SIGKILL leaves exactly what it had recorded. The layout below is the contract with
 * io.nonativeleak.shim.ProcessDataReader; every field is little-endian at a fixed offset.
 *
 * The file grows as it is used: after the header come extents (live tables, log segments), each
 * allocated on disk (fallocate) before it is mapped, and never past RLIMIT_FSIZE. A write into the
 * mapping therefore never meets a full disk (SIGBUS), a file-size limit (SIGXFSZ) or a mapping the
 * process could not afford (RLIMIT_AS): where the file cannot grow, what could not be recorded is
 * counted in struct nnl_resources and the verdict is INCOMPLETE. */
#ifndef NNL_OUTPUT_H
#define NNL_OUTPUT_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define NNL_FILE_MAGIC "NNLPROC1"
#define NNL_SHARDS 64
#define NNL_TIMELINE_POINTS 512
#define NNL_HEADER_SIZE (64u << 10)
/* At most this much of the file holds live tables; the log holds at most NNL_LOG_SEGMENTS segments. */
#define NNL_TABLE_REGION_SIZE (1ull << 30)
/* Log segment k holds NNL_LOG_SEGMENT_SIZE << min(k, NNL_LOG_SEGMENT_DOUBLINGS) bytes: a process
 * that logs little uses little of the file (64 KiB), one that logs much gets 2 MiB at a time. */
#define NNL_LOG_SEGMENT_SIZE (64u << 10)
#define NNL_LOG_SEGMENT_DOUBLINGS 5
#define NNL_LOG_SEGMENTS 128
#define NNL_LOG_REGION_SIZE nnl_log_segment_start(NNL_LOG_SEGMENTS)
#define NNL_RESOURCES_OFFSET 0x4000

enum nnl_state {
    NNL_STATE_WAITING = 1,      /* the runner has not begun the measured run */
    NNL_STATE_TRACKING = 2,     /* matching allocations are being recorded */
    NNL_STATE_CHECKPOINTED = 3, /* the runner took the checkpoint; the table is frozen */
};

enum nnl_end {
    NNL_END_NONE = 0,  /* still running, killed, or replaced by exec */
    NNL_END_EXIT = 1,  /* exit() or return from main */
    NNL_END_UNDERSCORE_EXIT = 2, /* _exit() / os._exit() */
};

enum nnl_python_status {
    NNL_PYTHON_UNKNOWN = 0,
    NNL_PYTHON_ENABLED = 1,
    NNL_PYTHON_UNAVAILABLE = 2, /* reason in python_reason */
};

struct nnl_shard_header {
    _Atomic uint64_t table_offset; /* file offset of the shard's current table (0: none yet) */
    uint64_t reserved;
};

/* A shard's table: this header, then capacity entries. A table is complete before its offset is
 * published, and its capacity travels with it, so a reader never pairs a table with a wrong size. */
struct nnl_table_header {
    uint64_t capacity; /* a power of two */
    uint64_t reserved;
};

struct nnl_timeline_point {
    uint64_t t_millis;   /* since this process image started being tracked (start_ns) */
    uint64_t live_bytes; /* matched bytes live at that time */
};

struct nnl_file_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    int32_t pid;
    int32_t parent_pid;
    uint64_t start_ns;      /* CLOCK_MONOTONIC when this process image started being tracked */
    _Atomic uint32_t state; /* enum nnl_state */
    _Atomic uint32_t end;   /* enum nnl_end */
    _Atomic int32_t exit_status;
    _Atomic uint32_t python_status; /* enum nnl_python_status */
    _Atomic uint64_t measure_start_ns;
    _Atomic uint64_t checkpoint_ns;
    _Atomic uint64_t matched_count; /* allocations that matched, made while tracking */
    _Atomic uint64_t matched_bytes;
    _Atomic uint64_t dropped_count; /* matched, but not recorded: the file was full */
    uint64_t table_region_offset; /* where the extents begin (the header's end) */
    uint64_t table_region_size;   /* what the live tables may use */
    uint64_t log_region_offset;   /* 0: the log lies in segments (struct nnl_resources) */
    uint64_t log_region_size;     /* the log's capacity: NNL_LOG_SEGMENTS segments */
    _Atomic uint64_t log_used;    /* bytes of the log handed out; position p lies in segment p / segment size */
    _Atomic uint32_t timeline_count;
    _Atomic uint32_t timeline_interval_millis;
    char executable[512];
    char python_reason[256];
    struct nnl_shard_header shards[NNL_SHARDS];
    struct nnl_timeline_point timeline[NNL_TIMELINE_POINTS];
};

/* Header block 0x8000-0x8fff: what explains a measured run in which nothing matched (SPEC §4 noMatch).
 * Kept apart from struct nnl_file_header, whose fixed offsets the Java reader relies on. */
#define NNL_NOMATCH_OFFSET 0x8000u
#define NNL_NOMATCH_SIZE 0x1000u

enum nnl_numpy_cache {
    NNL_NUMPY_NOT_LOADED = 0,
    NNL_NUMPY_CACHE_READ = 1,       /* numpy's datacache was found, validated and read at the checkpoint */
    NNL_NUMPY_CACHE_UNREADABLE = 2, /* numpy is loaded, but its datacache could not be validated */
};

struct nnl_nomatch_block {
    _Atomic uint32_t interposed;     /* 1: the process's malloc is the shim's (it was preloaded) */
    _Atomic uint32_t frames_checked; /* 1: the patterns' named frames were looked up (FRAME_CHECK records) */
    _Atomic uint64_t warmup_matched_count; /* matches during warm-up (counted only, never tracked) */
    _Atomic uint64_t warmup_matched_bytes;
    _Atomic uint32_t numpy_cache;    /* enum nnl_numpy_cache, at the checkpoint */
    _Atomic uint32_t numpy_anchored; /* 1: some pattern can start at numpy's data allocator (default_malloc) */
    _Atomic uint64_t numpy_cached_blocks;  /* blocks numpy's datacache held at the checkpoint */
    _Atomic uint64_t numpy_excluded_count; /* tracked blocks the cache held: not leaks, removed from the table */
    _Atomic uint64_t numpy_excluded_bytes;
    char numpy_module[256];
    /* 1: a data buffer reached malloc from PyDataMem_UserNEW, which a pattern anchored at default_malloc
     * cannot match (default_malloc tail-calls malloc for sizes its cache serves: no frame of its own) */
    _Atomic uint32_t numpy_user_new_seen;
};
_Static_assert(sizeof(struct nnl_file_header) <= 0x4000, "the main header must stay below the helpers' blocks");
_Static_assert(sizeof(struct nnl_nomatch_block) <= NNL_NOMATCH_SIZE, "the no-match block must fit 0x8000-0x8fff");
_Static_assert(NNL_NOMATCH_OFFSET + NNL_NOMATCH_SIZE <= NNL_HEADER_SIZE, "the no-match block lies in the header page");
static inline uint64_t nnl_log_segment_start(uint64_t k) {
    const uint64_t d = NNL_LOG_SEGMENT_DOUBLINGS;
    return k <= d ? (uint64_t)NNL_LOG_SEGMENT_SIZE * ((1ull << k) - 1)
                  : (uint64_t)NNL_LOG_SEGMENT_SIZE * (((1ull << d) - 1) + (k - d) * (1ull << d));
}

static inline uint64_t nnl_log_segment_size(uint64_t k) {
    return (uint64_t)NNL_LOG_SEGMENT_SIZE << (k < NNL_LOG_SEGMENT_DOUBLINGS ? k : NNL_LOG_SEGMENT_DOUBLINGS);
}

/* The segment that holds log position p. */
static inline uint64_t nnl_log_segment_of(uint64_t p) {
    uint64_t k = 0;
    while (k < NNL_LOG_SEGMENT_DOUBLINGS && p >= nnl_log_segment_start(k + 1)) k++;
    if (k < NNL_LOG_SEGMENT_DOUBLINGS) return k;
    return NNL_LOG_SEGMENT_DOUBLINGS + (p - nnl_log_segment_start(NNL_LOG_SEGMENT_DOUBLINGS)) / nnl_log_segment_size(NNL_LOG_SEGMENT_DOUBLINGS);
}

/* Why part of a process's run could not be tracked (the first one is kept with its time). */
enum nnl_loss {
    NNL_LOSS_FILE_GROW = 1,      /* the data file could not grow (errno: ENOSPC, EMFILE, ...) */
    NNL_LOSS_FILE_SIZE_LIMIT = 2, /* growing it would pass RLIMIT_FSIZE (ulimit -f) */
    NNL_LOSS_ADDRESS_SPACE = 3,  /* its next extent could not be mapped (RLIMIT_AS, ulimit -v) */
    NNL_LOSS_TABLE_LIMIT = 4,    /* the live tables reached NNL_TABLE_REGION_SIZE */
    NNL_LOSS_LOG_LIMIT = 5,      /* the log reached NNL_LOG_REGION_SIZE */
    NNL_LOSS_MEMORY = 6,         /* the shim's own memory could not grow */
    NNL_LOSS_SMALL_STACK = 7,    /* a thread's stack had too little room left to track on */
    NNL_LOSS_MAPPINGS = 8,       /* the file reached NNL_MAX_EXTENTS extents */
    NNL_LOSS_UNTRACKED_CHILD = 9, /* a child no fork handler announced (raw clone) let go of this file */
    NNL_LOSS_REASONS = 16
};

/* h11-resources' block of the header (CONTRACTS.md: 0x4000-0x4fff): the file's growth and what
 * could not be tracked. */
struct nnl_resources {
    _Atomic uint64_t space_used;          /* bytes of extents after the header */
    _Atomic uint64_t incomplete_since_ns; /* CLOCK_MONOTONIC of the first loss; 0: nothing lost */
    _Atomic uint32_t incomplete_reason;   /* enum nnl_loss of the first loss */
    _Atomic int32_t incomplete_errno;     /* its errno, 0 when none applies */
    uint32_t log_segment_size; /* of segment 0 */
    uint32_t log_segment_count;
    _Atomic uint64_t lost[NNL_LOSS_REASONS]; /* allocations (or log records) not recorded, per reason */
    _Atomic uint64_t log_segments[NNL_LOG_SEGMENTS]; /* file offset of each log segment; 0: none yet */
};

/* One live allocation. address 0 = empty slot, 1 = deleted slot. */
struct nnl_live_entry {
    _Atomic uint64_t address;
    uint64_t size;
    uint32_t site;
    uint32_t reserved;
};

/* Repeated measured runs (SPEC §4 `runs`) and the timeline's RSS: a block of the header page of its
 * own (the fields of nnl_file_header stay where the reader expects them). */
#define NNL_RUNS_BLOCK_OFFSET 0x5000
#define NNL_MAX_RUNS 100

struct nnl_run_counts {
    _Atomic uint64_t matched_count; /* allocations that matched, made during this measured run */
    _Atomic uint64_t matched_bytes;
    uint64_t leaked_count; /* of this run's allocations, those live at its checkpoint */
    uint64_t leaked_bytes;
    _Atomic uint64_t checkpoint_ns; /* CLOCK_MONOTONIC; 0: its checkpoint was not taken */
};

struct nnl_runs_block {
    _Atomic uint32_t current_run; /* 1-based index of the measured run being recorded; 0: none (a child) */
    _Atomic uint32_t checkpoints; /* checkpoints taken */
    struct nnl_run_counts runs[NNL_MAX_RUNS]; /* runs[k - 1]: measured run k */
    uint64_t timeline_rss[NNL_TIMELINE_POINTS]; /* the process's RSS in bytes at timeline[i]; 0: unread */
};

/* Log records: a header, then the payload. type is stored last, so a record cut short by a crash
 * has type 0 and ends the log.
 * CHECKPOINT: u32 run, u32 n, then n x {u32 site, u32 0, u64 count, u64 bytes}: of the run's
 *             allocations live at its checkpoint, per site (several records per run, each of at most
 *             NNL_CHECKPOINT_RECORD_SITES sites).
 * PHASE:      u32 kind (enum nnl_phase), u32 index (1-based warm-up or run), u64 t_millis on the
 *             timeline's clock: a phase of the runner began. */
/* h13-nomatch: one named frame of a pattern, looked up among the loaded modules at the checkpoint. */
enum { NNL_RECORD_FRAME_CHECK = 6 };
enum nnl_record_type {
    NNL_RECORD_SITE = 1,
    NNL_RECORD_FRAME = 2,
    NNL_RECORD_PYTHON_FRAME = 3,
    NNL_RECORD_CHECKPOINT = 4,
    NNL_RECORD_PHASE = 5,
    NNL_RECORD_PADDING = 8, /* the unused end of a segment, or the part of a record that crossed into the next */
};
#define NNL_CHECKPOINT_RECORD_SITES 128

enum nnl_phase { NNL_PHASE_IMPORT = 1, NNL_PHASE_WARMUP = 2, NNL_PHASE_RUN = 3, NNL_PHASE_CHECKPOINT = 4, NNL_PHASE_END = 5 };

struct nnl_record_header {
    _Atomic uint32_t type;
    uint32_t length; /* header included, a multiple of 8; written first, so a record in flight can be stepped over */
};

/* This process's no-match block, or NULL when no file is open. */
struct nnl_nomatch_block *output_nomatch(void);
/* 0xa000-0xafff of the header page: how this process image was replaced, and whose malloc it calls. */
#define NNL_PROCESS_BLOCK_OFFSET 0xa000u

enum nnl_exec_state {
    NNL_EXEC_NONE = 0,
    NNL_EXEC_IN_PROGRESS = 1, /* from just before an exec call until it returns: it failed, and is cleared */
};

enum nnl_exec_kind {
    NNL_EXEC_KIND_UNKNOWN = 0, /* not readable as given (execvp's PATH search, no permission) */
    NNL_EXEC_KIND_DYNAMIC = 1, /* an ELF program with an interpreter: LD_PRELOAD applies */
    NNL_EXEC_KIND_STATIC = 2,  /* an ELF program without one: nothing can be preloaded into it */
    NNL_EXEC_KIND_SCRIPT = 3,  /* #!: the interpreter named there is what runs */
};

struct nnl_process_block {
    _Atomic uint32_t exec_state; /* enum nnl_exec_state */
    uint32_t exec_kind;          /* enum nnl_exec_kind */
    uint32_t exec_keeps_shim;    /* the new program's environment preloads the shim into this run */
    /* Set when the process's malloc is not the shim's (another preloaded allocator or a sanitizer
     * runtime comes first): the shim then sees no allocation at all. */
    uint32_t malloc_elsewhere;
    char exec_path[1024];
    char malloc_module[512]; /* the module whose malloc the process calls */
};
_Static_assert(NNL_PROCESS_BLOCK_OFFSET + sizeof(struct nnl_process_block) <= 0xb000u, "file layout");
_Static_assert(NNL_PROCESS_BLOCK_OFFSET >= sizeof(struct nnl_file_header), "file layout");

/* Creates and maps this process's file in dir; 0 on success. */
int output_open(const char *dir, int parent_pid);
/* Why output_open failed (for the runner's error). */
const char *output_open_error(void);
/* The mapped header, or NULL when no file is open. */
struct nnl_file_header *output_header(void);
/* The header page's runs block, or NULL when no file is open. */
struct nnl_runs_block *output_runs(void);
/* Zeroed space for a table of bytes: its address, its file offset in *offset; NULL (the loss
 * counted) when the file cannot grow. */
void *output_table_alloc(uint64_t bytes, uint64_t *offset);
/* Gives the pages of a table that is no longer used back to the system. */
void output_table_release(void *table, uint64_t bytes);
/* Allocates a released table's disk space again before it is reused; 0 on success (else the loss is counted). */
int output_table_reuse(uint64_t offset, uint64_t bytes);
/* Counts one allocation (or record) that could not be recorded, and why. */
void output_note_loss(enum nnl_loss reason, int error);
/* Space for a log record with a payload of payload_bytes; fill it, then output_commit_record. */
void *output_reserve_record(uint32_t payload_bytes, struct nnl_record_header **header);
void output_commit_record(struct nnl_record_header *header, uint32_t type);
/* Appends a timeline point with the process's RSS now, thinning the timeline when it is full. */
void output_timeline_add(uint64_t t_millis, uint64_t live_bytes);
/* The file stays mapped in the parent; the child forgets it (it opens its own). */
void output_forget_after_fork(void);
void output_register_fork_locks(void);
#endif
