/* Honest symbolisation: which module and which function an address lies in.
 *
 * A frame is named only when its address lies inside the extent of a symbol: the symbol's size
 * from the ELF symbol table, or (for symbols without a size) the function bounds from the unwind
 * information. A stripped library therefore yields "module+0xOFFSET", never the nearest exported
 * name. Results are cached by address; dlclose() invalidates the cache. */
#ifndef NNL_SYMBOLS_H
#define NNL_SYMBOLS_H
#include <stdatomic.h>
#include <stdint.h>

struct module {
    uintptr_t base;       /* load bias: ELF addresses + base = run-time addresses */
    uintptr_t start, end; /* run-time range of its loaded segments */
    const char *path;
    const char *name;     /* basename of path */
    _Atomic int symtab_state;
    struct symtab *symtab;
    struct module *next_created; /* every module ever created, for the fork child */
    unsigned char build_id[20];  /* from the mapped image's PT_NOTE; build_id_size 0: none */
    unsigned build_id_size;
    uintptr_t first_map_start, first_map_end; /* its first mapping: /proc/self/map_files/START-END */
};

struct frame_symbol {
    uint64_t hash; /* first: cached in an itab */
    uintptr_t address;
    const struct module *module; /* NULL: the address is in no loaded module (JIT code) */
    const char *symbol;          /* NULL: no symbol honestly covers the address; else its preferred name */
    const char *const *aliases;  /* the other names of the symbol's address */
    int alias_count;
    int wrapper;                 /* one of CPython's raw-allocator wrappers (docs/patterns.md) */
    _Atomic uint64_t written;    /* (process epoch << 32) | (frame id + 1) once in this process's data file */
};

void symbols_init(void);
/* The symbol for a return address (looked up at address - 1, the call instruction). */
const struct frame_symbol *symbols_lookup(uintptr_t return_address);
/* Is the address inside the shim's own code? */
int symbols_in_shim(uintptr_t address);
/* Forget everything cached by address (a library was unloaded); returns the new generation. */
unsigned symbols_invalidate(void);
/* Bumped by symbols_invalidate: caches keyed by address keep it with their entries. Read on every
 * candidate allocation, so inline. */
extern atomic_uint symbols_generation_counter;
static inline unsigned symbols_generation(void) {
    return atomic_load_explicit(&symbols_generation_counter, memory_order_relaxed);
}
/* Is name one of the allocator wrappers skipped before frame 0? */
int symbols_is_wrapper(const char *name);
void symbols_register_fork_locks(void);
/* In a fork child: loads of symbol tables that other threads of the parent had begun are undone
 * (those threads do not exist here), so the child loads them itself instead of waiting forever. */
void symbols_after_fork_child(void);

/* ---- by name: explaining a pattern that matched nothing (off the hot path: reads every loaded
 * module's symbol table; never called from inside an allocation) ---- */
struct symbols_name_search {
    const char *module;      /* found: a module that has it */
    const char *near_name;   /* not found: the nearest function name of a loaded module, or NULL */
    const char *near_module; /* the module that near name lives in */
};
/* Does a loaded module have a function this name (glob: this symbol glob) names? 1 yes, 0 no (with the
 * nearest name: equal but for case, or up to two edits away), -1 not checked (a C++ name: the tables
 * hold mangled names). */
int symbols_find_function(const char *text, int glob, struct symbols_name_search *out);
/* A loaded module whose file name matches the glob, or NULL; *near set to one equal but for case. */
const struct module *symbols_find_module(const char *glob, const struct module **near);
/* The run-time address and size of a data object of module m from its full symbol table; 0 on success.
 * The object must lie inside the module's loaded range. */
int symbols_find_object(const struct module *m, const char *name, uintptr_t *address, uint64_t *size);
#endif
