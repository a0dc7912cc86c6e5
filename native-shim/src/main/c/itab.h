/* An insert-only hash set whose lookups take no lock. Entries are immutable records that start
 * with their 64-bit hash; once published they are never moved or freed, so a reader that raced
 * with a resize still holds valid data. An outgrown array reads as empty once given back: a lookup
 * may then miss an entry that is there, never find a wrong one, and an insert finds it under the
 * lock. Used for the stack, site and symbol caches. */
#ifndef NNL_ITAB_H
#define NNL_ITAB_H
#include <stdatomic.h>
#include <stdint.h>

#include "common.h"

struct itab_slots;

struct itab {
    _Atomic(struct itab_slots *) slots;
    nnl_lock lock;
    uint64_t count;
    struct itab_slots *spare; /* the array dropped by the last clear, reused by the next insert */
};

typedef int (*itab_equals)(const void *entry, const void *key);

/* The entry with this hash for which equals(entry, key) holds, or NULL. */
void *itab_find(struct itab *table, uint64_t hash, itab_equals equals, const void *key);
/* Publishes entry (whose first field is its hash) unless an equal one exists; returns the one in
 * the table, or NULL when memory ran out. */
void *itab_insert(struct itab *table, void *entry, itab_equals equals, const void *key);
/* Forgets every entry (they stay valid for readers still holding them). A table cleared again and
 * again (after each dlclose) reuses its array instead of taking a new one each time. */
void itab_clear(struct itab *table);
void itab_register_fork_lock(struct itab *table);
#endif
