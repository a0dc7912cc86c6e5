/* The per-process data file: what the Java side reads after the process has ended, however it ended.
 *
 * Each process image under the shim owns one file, <run dir>/proc-<pid>-<n>.nnl, created with
 * O_EXCL (no process can overwrite another's) and mapped MAP_SHARED. The live-allocation table and
 * the site log are kept *in* that mapping, so the file is current at every instant: a process
 * killed by SIGKILL leaves exactly what it had recorded. Its layout is declared in format.h.
 *
 * The file grows as it is used: after the header come extents (live tables, log segments), each
 * allocated on disk (zeros written) before it is mapped, and never past RLIMIT_FSIZE. A write into the
 * mapping therefore never meets a full disk (SIGBUS), a file-size limit (SIGXFSZ) or a mapping the
 * process could not afford (RLIMIT_AS): where the file cannot grow, what could not be recorded is
 * counted in struct nnl_resources and the verdict is INCOMPLETE. */
#ifndef NNL_OUTPUT_H
#define NNL_OUTPUT_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

/* Creates and maps this process's file in dir; 0 on success. */
int output_open(const char *dir, int parent_pid);
/* Why output_open failed (for the runner's error). */
const char *output_open_error(void);
/* The mapped header, or NULL when no file is open. */
struct nnl_file_header *output_header(void);
/* The header page's runs block, or NULL when no file is open. */
struct nnl_runs_block *output_runs(void);
/* This process's no-match block, or NULL when no file is open. */
struct nnl_nomatch_block *output_nomatch(void);
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
