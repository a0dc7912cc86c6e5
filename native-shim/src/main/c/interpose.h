/* What the interposition layer tells the rest of the shim. */
#ifndef NNL_INTERPOSE_H
#define NNL_INTERPOSE_H
/* True in a process started under a run (NONATIVELEAK_RUN_DIR) whose data file is open. */
int shim_active(void);
/* Why the shim is not active in this process (empty while it is). */
const char *shim_inactive_reason(void);
#endif
