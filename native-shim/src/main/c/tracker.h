/* Tracking: which matched allocations are live, at which site (C stack + Python stack + thread),
 * and the counters and timeline of the measured run. All of it lives in the process's data file
 * (format.h), so it survives the process however it ends. */
#ifndef NNL_TRACKER_H
#define NNL_TRACKER_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind.h"

/* Hot flag: allocations are recorded only while it is set. */
extern atomic_int tracker_recording;

/* Opens this process's data file in dir. waiting: the runner will call tracker_begin_measuring;
 * otherwise (a child process) tracking starts now. 0 on success. */
int tracker_start(const char *dir, int waiting);
void tracker_begin_measuring(void);
/* Checkpoint of a measured run that is not the last: its leaks are written, recording goes on
 * for the next run. */
void tracker_checkpoint_run(void);
/* The last checkpoint: its run's leaks are written and the table is frozen. */
void tracker_checkpoint(void);
/* The runner began a phase (enum nnl_phase): recorded on the timeline's clock, with a sample. */
void tracker_phase(uint32_t kind, uint32_t index);
/* Records a live allocation made from a matching stack. */
void tracker_record(void *address, size_t size, const struct stack *stack);
/* Ends tracking of a block if it is tracked; returns its site + 1 (0: it was not tracked) and
 * its size in *size. */
uint32_t tracker_forget(void *address, size_t *size);
/* Tracking moves to the block realloc returned (site + 1 from tracker_forget). */
void tracker_moved(void *address, size_t size, uint32_t site_plus_one);
/* Names the calling thread in the sites it allocates from (the runner passes Python's name). */
void tracker_set_thread_name(const char *name);
/* How this process image ended, recorded before it goes. */
void tracker_record_end(int end, int status);
void tracker_set_python_status(int status, const char *reason);
/* Around an exec call of this process image: what it runs next (enum nnl_exec_kind), and whether its
 * environment keeps the shim; tracker_exec_failed when the call returned. */
void tracker_exec_attempt(const char *path, int kind, int keeps_shim);
void tracker_exec_failed(void);
/* The process calls another module's malloc, not the shim's: it is blind, and the report says so. */
void tracker_set_malloc_elsewhere(const char *module);
/* In a child after fork(): a fresh data file, nothing inherited. */
void tracker_after_fork_child(const char *dir);
/* Blocks live now, summed over the shards (exact when no thread allocates meanwhile). */
uint64_t tracker_live_count(void);
/* Whether any block was recorded yet: until then a free has nothing to look up. */
int tracker_recorded_any(void);
/* 0 in a child that no fork handler announced (a raw clone): it lets go of the parent's file. */
int tracker_file_is_mine(void);
void tracker_register_fork_locks(void);
#endif
