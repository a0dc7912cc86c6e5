#include "itab.h"

#include "arena.h"

/* A slot holds an entry's address with the top 16 bits of its hash above it (user-space addresses
 * fit in 47 bits): a probe compares those first instead of reading every entry it passes, so the
 * array can be three quarters full. */
struct itab_slots {
    uint64_t mask;
    _Atomic uint64_t slot[];
};

#define TAG_SHIFT 48

static uint64_t entry_hash(const void *entry) { return *(const uint64_t *)entry; }

static uint64_t tagged(void *entry) { return (uint64_t)(uintptr_t)entry | (entry_hash(entry) >> TAG_SHIFT << TAG_SHIFT); }

static void *untagged(uint64_t slot) { return (void *)(uintptr_t)(slot & ((1ull << TAG_SHIFT) - 1)); }

static struct itab_slots *new_slots(uint64_t capacity) {
    struct itab_slots *slots = arena_alloc(sizeof *slots + capacity * sizeof(uint64_t));
    if (slots) slots->mask = capacity - 1;
    return slots;
}

static void *find_in(struct itab_slots *slots, uint64_t hash, itab_equals equals, const void *key) {
    if (!slots) return NULL;
    for (uint64_t i = hash & slots->mask;; i = (i + 1) & slots->mask) {
        uint64_t slot = atomic_load_explicit(&slots->slot[i], memory_order_acquire);
        if (!slot) return NULL;
        if ((slot ^ hash) >> TAG_SHIFT) continue;
        void *entry = untagged(slot);
        if (entry_hash(entry) == hash && equals(entry, key)) return entry;
    }
}

void *itab_find(struct itab *table, uint64_t hash, itab_equals equals, const void *key) {
    return find_in(atomic_load_explicit(&table->slots, memory_order_acquire), hash, equals, key);
}

static void place(struct itab_slots *slots, uint64_t slot) {
    uint64_t i = entry_hash(untagged(slot)) & slots->mask;
    while (atomic_load_explicit(&slots->slot[i], memory_order_relaxed)) i = (i + 1) & slots->mask;
    atomic_store_explicit(&slots->slot[i], slot, memory_order_release);
}

void *itab_insert(struct itab *table, void *entry, itab_equals equals, const void *key) {
    nnl_lock_acquire(&table->lock);
    struct itab_slots *slots = atomic_load_explicit(&table->slots, memory_order_relaxed);
    void *existing = find_in(slots, entry_hash(entry), equals, key);
    if (existing) {
        nnl_lock_release(&table->lock);
        return existing;
    }
    if (!slots || (table->count + 1) * 4 > (slots->mask + 1) * 3) {
        /* Grow into a fresh array; readers of the old one still see every entry it had. */
        struct itab_slots *grown;
        if (!slots && table->spare) {
            /* A reader still scanning the dropped array finds empty slots or new entries: both
             * are answers it could have got anyway, and the mask it read stays right. */
            grown = table->spare;
            table->spare = NULL;
            for (uint64_t i = 0; i <= grown->mask; i++) atomic_store_explicit(&grown->slot[i], 0, memory_order_relaxed);
        } else {
            grown = new_slots(slots ? (slots->mask + 1) * 2 : 256);
        }
        if (!grown) {
            nnl_lock_release(&table->lock);
            return NULL;
        }
        for (uint64_t i = 0; slots && i <= slots->mask; i++) {
            uint64_t old = atomic_load_explicit(&slots->slot[i], memory_order_relaxed);
            if (old) place(grown, old);
        }
        atomic_store_explicit(&table->slots, grown, memory_order_release);
        /* A reader still scanning the old array then finds empty slots: a miss, after which its
         * insert finds the entry here, under the lock. */
        if (slots) arena_release(slots, sizeof *slots + (slots->mask + 1) * sizeof(uint64_t));
        slots = grown;
    }
    place(slots, tagged(entry));
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
