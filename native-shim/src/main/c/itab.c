#include "itab.h"

#include "arena.h"

struct itab_slots {
    uint64_t mask;
    _Atomic(void *) entry[];
};

static uint64_t entry_hash(const void *entry) { return *(const uint64_t *)entry; }

static struct itab_slots *new_slots(uint64_t capacity) {
    struct itab_slots *slots = arena_alloc(sizeof *slots + capacity * sizeof(void *));
    if (slots) slots->mask = capacity - 1;
    return slots;
}

static void *find_in(struct itab_slots *slots, uint64_t hash, itab_equals equals, const void *key) {
    if (!slots) return NULL;
    for (uint64_t i = hash & slots->mask;; i = (i + 1) & slots->mask) {
        void *entry = atomic_load_explicit(&slots->entry[i], memory_order_acquire);
        if (!entry) return NULL;
        if (entry_hash(entry) == hash && equals(entry, key)) return entry;
    }
}

void *itab_find(struct itab *table, uint64_t hash, itab_equals equals, const void *key) {
    return find_in(atomic_load_explicit(&table->slots, memory_order_acquire), hash, equals, key);
}

static void place(struct itab_slots *slots, void *entry) {
    uint64_t i = entry_hash(entry) & slots->mask;
    while (atomic_load_explicit(&slots->entry[i], memory_order_relaxed)) i = (i + 1) & slots->mask;
    atomic_store_explicit(&slots->entry[i], entry, memory_order_release);
}

void *itab_insert(struct itab *table, void *entry, itab_equals equals, const void *key) {
    nnl_lock_acquire(&table->lock);
    struct itab_slots *slots = atomic_load_explicit(&table->slots, memory_order_relaxed);
    void *existing = find_in(slots, entry_hash(entry), equals, key);
    if (existing) {
        nnl_lock_release(&table->lock);
        return existing;
    }
    if (!slots || (table->count + 1) * 2 > slots->mask + 1) {
        /* Grow into a fresh array; readers of the old one still see every entry it had. */
        struct itab_slots *grown;
        if (!slots && table->spare) {
            /* A reader still scanning the dropped array finds empty slots or new entries: both
             * are answers it could have got anyway, and the mask it read stays right. */
            grown = table->spare;
            table->spare = NULL;
            for (uint64_t i = 0; i <= grown->mask; i++) atomic_store_explicit(&grown->entry[i], NULL, memory_order_relaxed);
        } else {
            grown = new_slots(slots ? (slots->mask + 1) * 2 : 256);
        }
        if (!grown) {
            nnl_lock_release(&table->lock);
            return NULL;
        }
        for (uint64_t i = 0; slots && i <= slots->mask; i++) {
            void *old = atomic_load_explicit(&slots->entry[i], memory_order_relaxed);
            if (old) place(grown, old);
        }
        atomic_store_explicit(&table->slots, grown, memory_order_release);
        /* A reader still scanning the old array then finds empty slots: a miss, after which its
         * insert finds the entry here, under the lock. */
        if (slots) arena_release(slots, sizeof *slots + (slots->mask + 1) * sizeof(void *));
        slots = grown;
    }
    place(slots, entry);
    table->count++;
    nnl_lock_release(&table->lock);
    return entry;
}

void itab_clear(struct itab *table) {
    nnl_lock_acquire(&table->lock);
    struct itab_slots *dropped = atomic_exchange_explicit(&table->slots, NULL, memory_order_acq_rel);
    if (dropped) table->spare = dropped;
    table->count = 0;
    nnl_lock_release(&table->lock);
}

void itab_register_fork_lock(struct itab *table) { nnl_register_fork_lock(&table->lock); }
