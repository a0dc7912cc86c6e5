/* Why a measured run matched nothing (docs/patterns.md, Reading NO_MATCH), and numpy's small-buffer cache at the
 * checkpoint. Written into the data file's no-match block and FRAME_CHECK records (output.h). */
#ifndef NNL_NOMATCH_H
#define NNL_NOMATCH_H
#include <stdatomic.h>
#include <stddef.h>

/* Set by nomatch_begin_warmup until the measured run begins: matches are then only counted. */
extern atomic_int nomatch_counting_warmup;

/* The runner starts its warm-ups: count what matches (only called when warmup > 0). */
void nomatch_begin_warmup(void);
/* A match during warm-up (hot path: two relaxed additions). */
void nomatch_count_warmup(size_t size);
/* At the checkpoint, with recording stopped: removes the blocks numpy's cache holds from the live
 * table (they are not leaks), and, when the measured run matched nothing, looks every named frame
 * of the patterns up among the loaded modules. */
void nomatch_at_checkpoint(int nothing_matched);
#endif
