/* Signals that arrive while the shim works on their thread are put off until it leaves (signals.c). */
#ifndef NNL_SIGNALS_H
#define NNL_SIGNALS_H
/* From now on the handlers the program installs are called through the trampoline. */
void signals_start(void);
void signals_after_fork_child(void);
void signals_register_fork_lock(void);
#endif
