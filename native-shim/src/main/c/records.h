/* The site log's records (output.h): a site with the frame and Python frame records it refers to,
 * a run's checkpoint, a phase of the runner. */
#ifndef NNL_RECORDS_H
#define NNL_RECORDS_H
#include <stdint.h>

#include "pystack.h"
#include "unwind.h"

/* Writes the site to the log: frame and Python frame records first (once per process), then the
 * site referring to them, while the code is mapped and the Python code objects are alive. py is
 * innermost first. */
void records_site(uint32_t site_id, const struct stack *stack, const char *thread, int py_status, int py_truncated,
                  const struct py_ref *py, int py_count);
void records_checkpoint(uint32_t run, const uint64_t *sums, uint32_t with_leaks);
void records_phase(uint32_t kind, uint32_t index, uint64_t t_millis);
/* Frame and Python frame ids number records in the parent's file: the child starts its own. */
void records_forget_after_fork(void);
void records_register_fork_locks(void);
#endif
