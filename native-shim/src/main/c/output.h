/* The per-process data file: what the Java side reads after the process has ended, however it ended.
 *
 * Each process image under the shim owns one file, <run dir>/proc-<pid>-<n>.nnl, created with
 * O_EXCL (no process can overwrite another's) and mapped MAP_SHARED. The live-allocation table and
 * the site log are kept *in* that mapping, so the file is current at every instant: a process
 * killed by SIGKILL leaves exactly what it had recorded. The layout below is the contract with
 * io.nonativeleak.shim.ProcessDataReader; every field is little-endian at a fixed offset. */
#ifndef NNL_OUTPUT_H
#define NNL_OUTPUT_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define NNL_FILE_MAGIC "NNLPROC1"
#define NNL_SHARDS 64
#define NNL_TIMELINE_POINTS 512
#define NNL_HEADER_SIZE (64u << 10)
#define NNL_TABLE_REGION_SIZE (1ull << 30)
#define NNL_LOG_REGION_SIZE (256ull << 20)

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
    uint64_t table_region_offset;
    uint64_t table_region_size;
    uint64_t log_region_offset;
    uint64_t log_region_size;
    _Atomic uint64_t log_used;
    _Atomic uint32_t timeline_count;
    _Atomic uint32_t timeline_interval_millis;
    char executable[512];
    char python_reason[256];
    struct nnl_shard_header shards[NNL_SHARDS];
    struct nnl_timeline_point timeline[NNL_TIMELINE_POINTS];
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
 * CHECKPOINT: u32 run, u32 n, then n x {u32 site, u32 0, u64 count, u64 bytes}: the run's
 *             allocations live at its checkpoint, per site.
 * PHASE:      u32 kind (enum nnl_phase), u32 index (1-based warm-up or run), u64 t_millis on the
 *             timeline's clock: a phase of the runner began. */
enum nnl_record_type {
    NNL_RECORD_SITE = 1, NNL_RECORD_FRAME = 2, NNL_RECORD_PYTHON_FRAME = 3,
    NNL_RECORD_CHECKPOINT = 4, NNL_RECORD_PHASE = 5,
};

enum nnl_phase { NNL_PHASE_IMPORT = 1, NNL_PHASE_WARMUP = 2, NNL_PHASE_RUN = 3, NNL_PHASE_CHECKPOINT = 4, NNL_PHASE_END = 5 };

struct nnl_record_header {
    _Atomic uint32_t type;
    uint32_t length; /* header included, a multiple of 8 */
};

/* Creates and maps this process's file in dir; 0 on success. */
int output_open(const char *dir, int parent_pid);
/* The mapped header, or NULL when no file is open. */
struct nnl_file_header *output_header(void);
/* The header page's runs block, or NULL when no file is open. */
struct nnl_runs_block *output_runs(void);
/* Zeroed space for a table of bytes in the table region: its address, its file offset in *offset. */
void *output_table_alloc(uint64_t bytes, uint64_t *offset);
/* Gives the pages of a table that is no longer used back to the system. */
void output_table_release(void *table, uint64_t bytes);
/* Space for a log record with a payload of payload_bytes; fill it, then output_commit_record. */
void *output_reserve_record(uint32_t payload_bytes, struct nnl_record_header **header);
void output_commit_record(struct nnl_record_header *header, uint32_t type);
/* Appends a timeline point with the process's RSS now, thinning the timeline when it is full. */
void output_timeline_add(uint64_t t_millis, uint64_t live_bytes);
/* The file stays mapped in the parent; the child forgets it (it opens its own). */
void output_forget_after_fork(void);
void output_register_fork_locks(void);
#endif
