/* The per-process data file's layout: every block of its header and every log record, the one
 * declaration of the format. The shim writes it (output.c, records.c, ...), the C tests read it
 * (src/test/c/nnlfile.c), and io.nonativeleak.shim.FileLayout holds the Java reader's copy of these
 * offsets, checked against this file by FileLayoutTest (through src/test/c/layout.c): a change here
 * that the Java side does not follow fails the build. Change NNL_FILE_VERSION with the layout.
 *
 * Every field is little-endian at a fixed offset. The header page (NNL_HEADER_SIZE):
 *   0x0000  struct nnl_file_header     the process, its state and counters, shards, timeline
 *   0x4000  struct nnl_resources       the file's growth, what could not be tracked, log segments
 *   0x5000  struct nnl_runs_block      repeated measured runs, the timeline's RSS (to 0x7fff)
 *   0x8000  struct nnl_nomatch_block   what explains a measured run in which nothing matched
 *   0xa000  struct nnl_process_block   how the image was replaced (exec), whose malloc it calls
 *   0xb000  struct nnl_sampling_block  discover's sampling by bytes
 * After the header come extents: live tables (struct nnl_table_header, then entries) and log
 * segments holding records (struct nnl_record_header, then a payload declared below). */
#ifndef NNL_FORMAT_H
#define NNL_FORMAT_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define NNL_FILE_MAGIC "NNLPROC1"
/* 2: SITE records without the index of frame 0, the no-match block without its malloc flag.
 * 3: 16-byte live entries (struct nnl_live_entry). */
#define NNL_FILE_VERSION 3
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

/* ---- 0x0000: the main header ---- */

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
/* exit_status of a process that ended without telling its status (exit, seen from a destructor). */
#define NNL_EXIT_STATUS_UNKNOWN INT32_MIN

enum nnl_python_status {
    NNL_PYTHON_UNKNOWN = 0,
    NNL_PYTHON_ENABLED = 1,
    NNL_PYTHON_UNAVAILABLE = 2, /* reason in python_reason */
};

struct nnl_shard_header {
    _Atomic uint64_t table_offset; /* file offset of the shard's current table (0: none yet) */
    uint64_t reserved;
};

struct nnl_timeline_point {
    uint64_t t_millis;   /* since this process image started being tracked (start_ns) */
    uint64_t live_bytes; /* matched bytes live at that time */
};

/* magic, version, header_size, pid, parent_pid and start_ns keep their offsets in every version: a
 * reader tells by them whose file it is, and that it cannot read the rest. */
struct nnl_file_header {
    char magic[8];
    uint32_t version;       /* NNL_FILE_VERSION */
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

/* A shard's table: this header, then capacity entries. A table is complete before its offset is
 * published, and its capacity travels with it, so a reader never pairs a table with a wrong size. */
struct nnl_table_header {
    uint64_t capacity; /* a power of two */
    uint64_t reserved;
};

/* One live allocation in 16 bytes, two words:
 *   key   = address (bits 0-47) | run (bits 48-55) | site >> 16 (bits 56-63)
 *   value = size (bits 0-47) | site & 0xffff (bits 48-63)
 * key 0 = empty slot, 1 = deleted slot; run is the measured run (1-based) the block was made in, 0
 * outside them. 48 bits hold every address and size of a 48-bit address space (x86-64 and arm64
 * user space without an explicit hint above it); a block that does not fit, or a site id of 2^24 or
 * more (the log holds far fewer SITE records), is not tracked but lost (NNL_LOSS_ENTRY_RANGE). */
#define NNL_ENTRY_FIELD_BITS 48
#define NNL_ENTRY_SITE_BITS 24
#define NNL_ENTRY_FIELD_MASK ((1ull << NNL_ENTRY_FIELD_BITS) - 1)
struct nnl_live_entry {
    _Atomic uint64_t key;
    uint64_t value;
};

static inline int nnl_entry_fits(uint64_t address, uint64_t size, uint32_t site, uint32_t run) {
    return address <= NNL_ENTRY_FIELD_MASK && size <= NNL_ENTRY_FIELD_MASK && site < (1u << NNL_ENTRY_SITE_BITS) && run < 256;
}
static inline uint64_t nnl_entry_key(uint64_t address, uint32_t site, uint32_t run) {
    return address | (uint64_t)run << 48 | (uint64_t)(site >> 16) << 56;
}
static inline uint64_t nnl_entry_value(uint64_t size, uint32_t site) { return size | (uint64_t)(site & 0xffff) << 48; }
static inline uint64_t nnl_entry_address(uint64_t key) { return key & NNL_ENTRY_FIELD_MASK; }
static inline uint32_t nnl_entry_run(uint64_t key) { return (uint32_t)(key >> 48) & 0xff; }
static inline uint64_t nnl_entry_size(uint64_t value) { return value & NNL_ENTRY_FIELD_MASK; }
static inline uint32_t nnl_entry_site(uint64_t key, uint64_t value) { return (uint32_t)(key >> 56) << 16 | (uint32_t)(value >> 48); }

/* ---- 0x4000: resources ---- */
#define NNL_RESOURCES_OFFSET 0x4000u

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
    NNL_LOSS_ENTRY_RANGE = 10,   /* a block a live entry cannot hold (struct nnl_live_entry) */
    NNL_LOSS_REASONS = 16
};

/* The file's growth and what could not be tracked. */
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

/* ---- 0x5000-0x7fff: repeated measured runs and the timeline's RSS ---- */
#define NNL_RUNS_BLOCK_OFFSET 0x5000u
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

/* ---- 0x8000-0x8fff: what explains a measured run in which nothing matched (docs/reports.md) ---- */
#define NNL_NOMATCH_OFFSET 0x8000u
#define NNL_NOMATCH_SIZE 0x1000u

enum nnl_numpy_cache {
    NNL_NUMPY_NOT_LOADED = 0,
    NNL_NUMPY_CACHE_READ = 1,       /* numpy's datacache was found, validated and read at the checkpoint */
    NNL_NUMPY_CACHE_UNREADABLE = 2, /* numpy is loaded, but its datacache could not be validated */
};

struct nnl_nomatch_block {
    _Atomic uint32_t frames_checked; /* 1: the patterns' named frames were looked up (FRAME_CHECK records) */
    _Atomic uint32_t numpy_cache;    /* enum nnl_numpy_cache, at the checkpoint */
    _Atomic uint64_t warmup_matched_count; /* matches during warm-up (counted only, never tracked) */
    _Atomic uint64_t warmup_matched_bytes;
    _Atomic uint32_t numpy_anchored; /* 1: some pattern can start at numpy's data allocator (default_malloc) */
    /* 1: a data buffer reached malloc from PyDataMem_UserNEW, which a pattern anchored at default_malloc
     * cannot match (default_malloc tail-calls malloc for sizes its cache serves: no frame of its own) */
    _Atomic uint32_t numpy_user_new_seen;
    _Atomic uint64_t numpy_cached_blocks;  /* blocks numpy's datacache held at the checkpoint */
    _Atomic uint64_t numpy_excluded_count; /* tracked blocks the cache held: not leaks, removed from the table */
    _Atomic uint64_t numpy_excluded_bytes;
    char numpy_module[256];
};

/* ---- 0xa000-0xafff: how this process image was replaced, and whose malloc it calls ---- */
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
    /* Set at start-up when the process's malloc is not the shim's (another preloaded allocator or a
     * sanitizer runtime comes first, or the executable's own PLT entry): allocations then may not
     * reach the shim at all. */
    uint32_t malloc_elsewhere;
    char exec_path[1024];
    char malloc_module[512]; /* the module whose malloc the process calls, when malloc_elsewhere */
};

/* ---- 0xb000: sampling by bytes (sampling.h) ---- */
#define NNL_SAMPLING_BLOCK_OFFSET 0xb000u
#define NNL_SAMPLING_FIXED_POINT 1024u

struct nnl_sampling_block {
    uint64_t mean_bytes;                /* N, 0 when the process did not sample */
    _Atomic uint64_t estimated_count;   /* matched allocations, scaled back up, in 1/1024ths */
    _Atomic uint64_t estimated_bytes;   /* their bytes, scaled back up */
};

/* ---- the log ---- */

/* A record: this header, then its payload, padded to a multiple of 8. type is stored last, so a
 * record cut short by a crash has type 0 and ends the log. */
struct nnl_record_header {
    _Atomic uint32_t type;
    uint32_t length; /* header included, a multiple of 8; written first, so a record in flight can be stepped over */
};

enum nnl_record_type {
    NNL_RECORD_SITE = 1,
    NNL_RECORD_FRAME = 2,
    NNL_RECORD_PYTHON_FRAME = 3,
    NNL_RECORD_CHECKPOINT = 4,
    NNL_RECORD_PHASE = 5,
    NNL_RECORD_FRAME_CHECK = 6,
    NNL_RECORD_PADDING = 8, /* the unused end of a segment, or the part of a record that crossed into the next */
};

/* Payloads: a fixed part, then the variable part its comment names. Packed: unaligned fields. */

/* FRAME: a C frame, written the first time a site of this process names it; then module_len bytes
 * of module name, symbol_len bytes of symbol. */
enum nnl_frame_flags { NNL_FRAME_WRAPPER = 1, NNL_FRAME_HAS_MODULE = 2, NNL_FRAME_HAS_SYMBOL = 4 };
struct __attribute__((packed)) nnl_frame_record {
    uint32_t id;
    uint64_t address;
    uint64_t offset; /* in its module; the address when it lies in none */
    uint8_t flags;   /* enum nnl_frame_flags */
    uint16_t module_len;
    uint16_t symbol_len;
};

/* PYTHON_FRAME: a Python frame; then file_len bytes of file name, function_len of function name. */
struct nnl_python_frame_record {
    uint32_t id;
    int32_t line;
    uint16_t file_len;
    uint16_t function_len;
};

/* SITE: then thread_len bytes of thread name, frame_count C frame ids (u32, innermost first, the
 * allocator wrappers included: their frames carry NNL_FRAME_WRAPPER), python_count Python frame ids
 * (outermost first). An id of UINT32_MAX: the frame's record could not be written. */
struct __attribute__((packed)) nnl_site_record {
    uint32_t id;
    int32_t pattern;        /* index of the first matching pattern, or a verdict (unwind.h) */
    uint32_t python_status; /* enum py_capture_status (pystack.h) */
    uint16_t frame_count;
    uint16_t python_count;
    uint16_t thread_len;
};

/* CHECKPOINT: of a run's allocations live at its checkpoint, per site: then count entries. A run
 * has several records of at most NNL_CHECKPOINT_RECORD_SITES entries, at least one. */
#define NNL_CHECKPOINT_RECORD_SITES 128
struct nnl_checkpoint_record {
    uint32_t run;
    uint32_t count;
};
struct nnl_checkpoint_site {
    uint32_t site;
    uint32_t reserved;
    uint64_t live_count;
    uint64_t live_bytes;
};

/* PHASE: a phase of the runner began. */
enum nnl_phase { NNL_PHASE_IMPORT = 1, NNL_PHASE_WARMUP = 2, NNL_PHASE_RUN = 3, NNL_PHASE_CHECKPOINT = 4, NNL_PHASE_END = 5 };
struct nnl_phase_record {
    uint32_t kind;  /* enum nnl_phase */
    uint32_t index; /* 1-based warm-up or run */
    uint64_t t_millis; /* on the timeline's clock */
};

/* FRAME_CHECK: one named frame of a pattern, looked up among the loaded modules at the checkpoint;
 * then the four strings lengths[] measures: the frame's text, the module it was found in, the
 * nearest name and its module. */
enum nnl_frame_check_flags {
    NNL_CHECK_FOUND = 1,
    NNL_CHECK_GLOB = 2,
    NNL_CHECK_MODULE = 4,    /* an obj: module glob */
    NNL_CHECK_UNCHECKED = 8, /* a C++ name: the symbol tables hold it mangled */
};
struct __attribute__((packed)) nnl_frame_check_record {
    uint16_t pattern;
    uint16_t matcher;
    uint8_t flags; /* enum nnl_frame_check_flags */
    uint8_t reserved;
    uint16_t lengths[4];
};

/* ---- the layout, pinned ---- */
_Static_assert(offsetof(struct nnl_file_header, version) == 8 && offsetof(struct nnl_file_header, header_size) == 12, "file layout");
_Static_assert(offsetof(struct nnl_file_header, pid) == 16 && offsetof(struct nnl_file_header, parent_pid) == 20 &&
               offsetof(struct nnl_file_header, start_ns) == 24, "file layout");
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
_Static_assert(sizeof(struct nnl_file_header) <= NNL_RESOURCES_OFFSET, "the main header ends before the resources block");
_Static_assert(sizeof(struct nnl_table_header) == 16 && sizeof(struct nnl_live_entry) == 16, "file layout");
_Static_assert(offsetof(struct nnl_resources, lost) == 32, "file layout");
_Static_assert(offsetof(struct nnl_resources, log_segments) == 32 + 8 * NNL_LOSS_REASONS, "file layout");
_Static_assert(NNL_RESOURCES_OFFSET + sizeof(struct nnl_resources) <= NNL_RUNS_BLOCK_OFFSET, "resources: 0x4000-0x4fff");
_Static_assert(NNL_MAX_RUNS < 256, "a live entry holds the run in 8 bits");
_Static_assert(offsetof(struct nnl_runs_block, runs) == 8 && sizeof(struct nnl_run_counts) == 40, "file layout");
_Static_assert(offsetof(struct nnl_runs_block, timeline_rss) == 8 + 40 * NNL_MAX_RUNS, "file layout");
_Static_assert(NNL_RUNS_BLOCK_OFFSET + sizeof(struct nnl_runs_block) <= NNL_NOMATCH_OFFSET, "runs: 0x5000-0x7fff");
_Static_assert(offsetof(struct nnl_nomatch_block, warmup_matched_count) == 8, "file layout");
_Static_assert(offsetof(struct nnl_nomatch_block, numpy_cached_blocks) == 32, "file layout");
_Static_assert(offsetof(struct nnl_nomatch_block, numpy_module) == 56, "file layout");
_Static_assert(sizeof(struct nnl_nomatch_block) <= NNL_NOMATCH_SIZE, "no-match: 0x8000-0x8fff");
_Static_assert(offsetof(struct nnl_process_block, exec_path) == 16, "file layout");
_Static_assert(offsetof(struct nnl_process_block, malloc_module) == 16 + 1024, "file layout");
_Static_assert(NNL_PROCESS_BLOCK_OFFSET + sizeof(struct nnl_process_block) <= NNL_SAMPLING_BLOCK_OFFSET, "process: 0xa000-0xafff");
_Static_assert(sizeof(struct nnl_sampling_block) == 24, "file layout");
_Static_assert(NNL_SAMPLING_BLOCK_OFFSET + sizeof(struct nnl_sampling_block) <= NNL_HEADER_SIZE, "sampling: in the header page");
_Static_assert(sizeof(struct nnl_record_header) == 8, "file layout");
_Static_assert(sizeof(struct nnl_frame_record) == 25 && offsetof(struct nnl_frame_record, flags) == 20, "file layout");
_Static_assert(sizeof(struct nnl_python_frame_record) == 12, "file layout");
_Static_assert(sizeof(struct nnl_site_record) == 18 && offsetof(struct nnl_site_record, frame_count) == 12, "file layout");
_Static_assert(sizeof(struct nnl_checkpoint_record) == 8 && sizeof(struct nnl_checkpoint_site) == 24, "file layout");
_Static_assert(sizeof(struct nnl_phase_record) == 16, "file layout");
_Static_assert(sizeof(struct nnl_frame_check_record) == 14 && offsetof(struct nnl_frame_check_record, lengths) == 6, "file layout");
_Static_assert(NNL_LOG_SEGMENT_SIZE % 4096 == 0, "log segments are whole pages");
_Static_assert(NNL_LOG_SEGMENT_SIZE >= 4096 * 4, "a record (at most ~5 KiB) fits in any segment");

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
#endif
