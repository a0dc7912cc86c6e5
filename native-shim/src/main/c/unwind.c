#include "unwind.h"

#include <libunwind.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "arena.h"
#include "common.h"
#include "itab.h"
#include "output.h"
#include "symbols.h"
#include "tracker.h"

/* Room for the shim's own frames and the allocator wrappers above the 64 matched frames. */
#define RAW_DEPTH STACK_MAX_FRAMES
#define PREFILTER_SLOTS 8192
enum { PREFILTER_REJECT = 1, PREFILTER_UNWIND = 2 };

/* Grown in the arena as patterns are added (at start-up only): there is no limit on their number. */
static struct pattern **patterns;
static int pattern_count, pattern_capacity;
static struct pattern **ignores;
static int ignore_count, ignore_capacity;
/* True when every pattern names its frame 0: then the caller's address alone can rule a stack out. */
static int prefilter_enabled;
static struct itab stacks;
static struct itab links;
/* Direct-mapped cache of the verdict on a return address as frame 0:
 * (address << 16) | (generation << 2) | PREFILTER_*. */
static _Atomic uint64_t prefilter[PREFILTER_SLOTS];

/* ---- stack shapes: a recurring stack confirmed by reading its return addresses ----
 *
 * A thread that allocates again from the same caller at the same stack address is usually on the
 * same stack as last time. When each frame's size is fixed by its return address (no stack
 * realignment, no signal frame) or by its frame pointer (which is checked too), the return
 * addresses lie in the same stack slots as last time: reading those slots and comparing confirms
 * the whole stack at a load or two per frame, where unwinding costs an order of magnitude more.
 * Every read is of the live stack: the slots of frame i lie inside frames 0..i-1 once those are
 * confirmed. Shapes are per thread, so a slot is never read on another thread's stack. */
/* A thread starts with SHAPE_MIN_SETS sets; one whose recordings keep evicting current shapes (more
 * recurring stacks than fit) doubles them, up to SHAPE_MAX_SETS. */
#define SHAPE_MIN_SETS 8
#define SHAPE_MAX_SETS 64
#define SHAPE_WAYS 2
/* A thread may record this many shapes, and one more per SHAPE_EARN unwinds: recording walks the
 * stack with unw_step, which is slow, and a stack that recurs at ever new depths never pays back. */
#define SHAPE_FREE_RECORDINGS 64
#define SHAPE_EARN 256

struct shape {
    uintptr_t return_slot; /* where the allocation function's return address (frame 0) lies */
    const struct stack *stack;
    unsigned generation;
    /* Frame i's return address lies at return_slot + 8 * return_words[i]. */
    uint16_t return_words[RAW_DEPTH];
    /* Frame i keeps a frame pointer: 0, or 1 + where (in words above return_slot - 8) a callee
     * saved it; it must still point frame_pointer_gap[i] words below frame i's return address
     * (1 for a classic frame pointer, more for a frame that moved its frame pointer, as libffi's
     * ffi_call_unix64 does). */
    uint16_t frame_pointer_words[RAW_DEPTH];
    uint8_t frame_pointer_gap[RAW_DEPTH];
};

struct shape_table {
    uint64_t unwinds, recordings, confirmed, evictions;
    unsigned next_way, sets;
    struct shape shapes[]; /* sets * SHAPE_WAYS */
};

static size_t shape_table_bytes(unsigned sets) {
    return sizeof(struct shape_table) + sizeof(struct shape) * SHAPE_WAYS * sets;
}

static __thread struct shape_table *shape_table __attribute__((tls_model("initial-exec")));
static __thread int shape_table_retired __attribute__((tls_model("initial-exec")));
static pthread_key_t shape_table_key;
static int shapes_enabled; /* a thread-exit destructor could be registered */

static void retire_shape_table(void *table) {
    shape_table = NULL;
    shape_table_retired = 1; /* destructors running after this one may still allocate */
    munmap(table, shape_table_bytes(((struct shape_table *)table)->sets));
}

void unwind_init(void) {
    /* Per-thread caches: unwinding never takes a lock shared with other threads. */
    unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
    shapes_enabled = pthread_key_create(&shape_table_key, retire_shape_table) == 0;
}

static int make_room(struct pattern ***list, int count, int *capacity) {
    if (count < *capacity) return 0;
    int grown = *capacity ? *capacity * 2 : 16;
    struct pattern **copy = arena_alloc(sizeof *copy * (size_t)grown);
    if (!copy) return -1;
    if (count) memcpy(copy, *list, sizeof *copy * (size_t)count);
    *list = copy; /* the old array stays in the arena: patterns are few and added once */
    *capacity = grown;
    return 0;
}

int unwind_add_pattern(const char *text, int ignore, struct pattern_error *error) {
    struct pattern *p = pattern_compile(text, error);
    if (!p) return -1;
    if (make_room(ignore ? &ignores : &patterns, ignore ? ignore_count : pattern_count,
                  ignore ? &ignore_capacity : &pattern_capacity) != 0) {
        error->position = 1;
        strcpy(error->reason, "out of memory for the patterns");
        return -1;
    }
    if (ignore) {
        ignores[ignore_count++] = p;
    } else {
        patterns[pattern_count++] = p;
        prefilter_enabled = 1;
        for (int i = 0; i < pattern_count; i++)
            if (pattern_starts_with_wildcard(patterns[i])) prefilter_enabled = 0;
    }
    return 0;
}

int unwind_pattern_count(void) { return pattern_count; }

const struct pattern *unwind_pattern(int index) { return patterns[index]; }

static struct frame_view view_of(const struct frame_symbol *fs) {
    struct frame_view view = {fs ? fs->symbol : NULL, fs && fs->module ? fs->module->name : NULL,
                              fs ? fs->aliases : NULL, fs ? fs->alias_count : 0};
    return view;
}

static int prefilter_rejects(uintptr_t address) {
    if (address >> 47) return 0; /* not a user-space code address we can key on */
    uint64_t generation = symbols_generation() & 0x3fff;
    _Atomic uint64_t *slot = &prefilter[nnl_mix64(address) & (PREFILTER_SLOTS - 1)];
    uint64_t cached = atomic_load_explicit(slot, memory_order_relaxed);
    if ((cached >> 16) == address && ((cached >> 2) & 0x3fff) == generation)
        return (cached & 3) == PREFILTER_REJECT;

    const struct frame_symbol *fs = symbols_lookup(address);
    int reject = fs && !fs->wrapper;
    struct frame_view view = view_of(fs);
    for (int i = 0; reject && i < pattern_count; i++)
        if (pattern_may_start_with(patterns[i], &view)) reject = 0;
    uint64_t entry = ((uint64_t)address << 16) | (generation << 2) | (reject ? PREFILTER_REJECT : PREFILTER_UNWIND);
    atomic_store_explicit(slot, entry, memory_order_relaxed);
    return reject;
}

struct stack_key {
    const uintptr_t *frames;
    int count;
};

/* One multiply per frame and a single final mix: this runs on every candidate allocation. */
static uint64_t frames_hash(const uintptr_t *frames, int count) {
    uint64_t hash = (uint64_t)count;
    for (int i = 0; i < count; i++) hash = (hash ^ frames[i]) * 0x100000001b3ULL;
    return nnl_mix64(hash);
}

/* STACK_LINK frames of a stack beyond its head, and the link with the frames beyond those. */
#define STACK_LINK 8

struct stack_link {
    uint64_t hash; /* first: cached in an itab */
    const struct stack_link *next; /* NULL at the stack's end */
    int count;                     /* STACK_LINK, or fewer in the last link */
    uintptr_t frames[];
};

static int same_stack(const void *entry, const void *key) {
    const struct stack *s = entry;
    const struct stack_key *k = key;
    if (s->count != k->count) return 0;
    int head = k->count < STACK_HEAD ? k->count : STACK_HEAD;
    if (memcmp(s->head, k->frames, sizeof(uintptr_t) * head) != 0) return 0;
    int at = head;
    for (const struct stack_link *l = s->tail; l; at += l->count, l = l->next)
        if (memcmp(l->frames, k->frames + at, sizeof(uintptr_t) * l->count) != 0) return 0;
    return 1;
}

int stack_frames(const struct stack *s, uintptr_t *out) {
    int n = s->count < STACK_HEAD ? s->count : STACK_HEAD;
    memcpy(out, s->head, sizeof(uintptr_t) * n);
    for (const struct stack_link *l = s->tail; l; l = l->next) {
        memcpy(out + n, l->frames, sizeof(uintptr_t) * l->count);
        n += l->count;
    }
    return n;
}

struct link_key {
    const uintptr_t *frames;
    int count;
    const struct stack_link *next;
};

static int same_link(const void *entry, const void *key) {
    const struct stack_link *l = entry;
    const struct link_key *k = key;
    return l->next == k->next && l->count == k->count && memcmp(l->frames, k->frames, sizeof(uintptr_t) * k->count) == 0;
}

/* The chain of shared links that holds these frames, built from the outermost; NULL when memory
 * ran out. Only addresses: links stay right across dlclose, when the stacks (their verdicts) do not. */
static const struct stack_link *shared_links(const uintptr_t *frames, int count) {
    const struct stack_link *next = NULL;
    for (int start = (count - 1) / STACK_LINK * STACK_LINK; start >= 0; start -= STACK_LINK) {
        int n = count - start < STACK_LINK ? count - start : STACK_LINK;
        uint64_t hash = nnl_mix64(frames_hash(frames + start, n) ^ (next ? next->hash : 0));
        struct link_key key = {frames + start, n, next};
        const struct stack_link *l = itab_find(&links, hash, same_link, &key);
        if (!l) {
            struct stack_link *fresh = arena_alloc(sizeof *fresh + sizeof(uintptr_t) * n);
            if (!fresh) return NULL;
            fresh->hash = hash;
            fresh->next = next;
            fresh->count = n;
            memcpy(fresh->frames, frames + start, sizeof(uintptr_t) * n);
            if (!(l = itab_insert(&links, fresh, same_link, &key))) return NULL;
        }
        next = l;
    }
    return next;
}

static int verdict_for(const struct frame_view *views, int n) {
    int verdict = pattern_count == 0 ? 0 : VERDICT_NO_MATCH; /* no pattern: every allocation matches */
    for (int i = 0; verdict == VERDICT_NO_MATCH && i < pattern_count; i++)
        if (pattern_matches(patterns[i], views, n)) verdict = i;
    for (int j = 0; verdict >= 0 && j < ignore_count; j++)
        if (pattern_matches(ignores[j], views, n)) verdict = VERDICT_IGNORED;
    return verdict;
}

static const struct stack *classify(const uintptr_t *frames, int count, uint64_t hash) {
    int head = count < STACK_HEAD ? count : STACK_HEAD;
    const struct stack_link *tail = count > head ? shared_links(frames + head, count - head) : NULL;
    struct stack *s = count > head && !tail ? NULL : arena_alloc(sizeof *s + sizeof(uintptr_t) * head);
    if (!s) {
        output_note_loss(NNL_LOSS_MEMORY, 0); /* whether it matches is unknown */
        return NULL;
    }
    s->hash = hash;
    s->count = count;
    s->tail = tail;
    memcpy(s->head, frames, sizeof(uintptr_t) * head);
    const struct frame_symbol *fs = NULL;
    while (s->first < count && (fs = symbols_lookup(frames[s->first])) && fs->wrapper) s->first++;
    struct frame_view views[NNL_MAX_FRAMES];
    int n = 0;
    for (int i = s->first; i < count && n < NNL_MAX_FRAMES; i++) views[n++] = view_of(symbols_lookup(frames[i]));
    s->verdict = verdict_for(views, n);
    struct stack_key key = {frames, count};
    const struct stack *kept = itab_insert(&stacks, s, same_stack, &key);
    return kept ? kept : s;
}

static struct shape *shape_set(const struct shape_table *table, uintptr_t return_slot, uintptr_t return_address) {
    return (struct shape *)&table->shapes[(nnl_mix64(return_slot ^ return_address) & (table->sets - 1)) * SHAPE_WAYS];
}

static inline uintptr_t word_at(uintptr_t address) { return *(const uintptr_t *)address; }

static const struct stack *shape_confirm(uintptr_t return_slot, uintptr_t return_address) {
    if (!shape_table || !return_slot || word_at(return_slot) != return_address) return NULL;
    unsigned generation = symbols_generation();
    const struct shape *set = shape_set(shape_table, return_slot, return_address);
    for (int w = 0; w < SHAPE_WAYS; w++) {
        const struct shape *shape = &set[w];
        const struct stack *s = shape->stack;
        if (shape->return_slot != return_slot || !s || shape->generation != generation || s->head[0] != return_address)
            continue;
        const uintptr_t *expected = s->head; /* frame i is expected[j] */
        const struct stack_link *link = s->tail;
        int i = 1;
        for (int j = 1, end = STACK_HEAD; i < s->count; i++, j++) {
            if (i == end) { /* into the next link */
                expected = link->frames;
                end += link->count;
                link = link->next;
                j = 0;
            }
            uintptr_t slot = return_slot + 8 * (uintptr_t)shape->return_words[i];
            unsigned saved_at = shape->frame_pointer_words[i - 1];
            if (saved_at && word_at(return_slot - 8 + 8 * (uintptr_t)(saved_at - 1)) != slot - 8 * (uintptr_t)shape->frame_pointer_gap[i - 1])
                break;
            if (word_at(slot) != expected[j]) break;
        }
        if (i == s->count) {
            shape_table->confirmed++;
            return s;
        }
    }
    return NULL;
}

/* This thread's shape table with room for sets sets, the shapes of the old one kept where they fit. */
static void resize_shape_table(unsigned sets) {
    struct shape_table *table = mmap(NULL, shape_table_bytes(sets), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED) return;
    struct shape_table *old = shape_table;
    if (pthread_setspecific(shape_table_key, table) != 0) {
        munmap(table, shape_table_bytes(sets));
        return;
    }
    table->sets = sets;
    if (old) {
        table->unwinds = old->unwinds;
        table->recordings = old->recordings;
        table->confirmed = old->confirmed;
        for (unsigned i = 0; i < old->sets * SHAPE_WAYS; i++) {
            const struct shape *shape = &old->shapes[i];
            if (!shape->stack) continue;
            struct shape *set = shape_set(table, shape->return_slot, shape->stack->head[0]);
            set[set[0].stack ? 1 : 0] = *shape;
        }
    }
    shape_table = table;
    if (old) munmap(old, shape_table_bytes(old->sets));
}

static int may_record_shape(void) {
    if (!shape_table && !shape_table_retired && shapes_enabled) resize_shape_table(SHAPE_MIN_SETS);
    return shape_table && shape_table->recordings < SHAPE_FREE_RECORDINGS + shape_table->unwinds / SHAPE_EARN;
}

/* Did the frame below the cursor's save the cursor frame's rbp (its caller's) at address at? */
static int caller_rbp_saved_at(unw_cursor_t *cursor, uintptr_t at) {
    unw_save_loc_t loc;
    return unw_get_save_loc(cursor, UNW_X86_64_RBP, &loc) == 0 && loc.type == UNW_SLT_MEMORY && (uintptr_t)loc.u.addr == at;
}

static int get_registers(unw_cursor_t *cursor, unw_word_t *ip, unw_word_t *sp, unw_word_t *rbp) {
    return unw_get_reg(cursor, UNW_REG_IP, ip) == 0 && unw_get_reg(cursor, UNW_REG_SP, sp) == 0 &&
           unw_get_reg(cursor, UNW_X86_64_RBP, rbp) == 0;
}

/* Walks the stack s again with unw_step and keeps where each return address lies, unless a frame
 * could change size unchecked: then this stack has no fixed shape and nothing is kept. */
static void shape_record(const struct stack *s, uintptr_t return_slot, unsigned generation) {
    uintptr_t frames[STACK_MAX_FRAMES];
    stack_frames(s, frames);
    shape_table->recordings++;
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return;
    unw_word_t ip, sp, rbp;
    do { /* out of the shim's own frames, to the frame whose callee returns through return_slot */
        if (unw_step(&cursor) <= 0 || !get_registers(&cursor, &ip, &sp, &rbp) || sp > return_slot + 8) return;
    } while (sp != return_slot + 8);
    if (ip != s->head[0]) return;
    struct shape shape = {.return_slot = return_slot, .stack = s, .generation = generation};
    for (int i = 1; i < s->count; i++) {
        unw_word_t frame_sp = sp, frame_rbp = rbp;
        unw_save_loc_t saved, return_saved;
        if (unw_is_signal_frame(&cursor) > 0 || unw_get_save_loc(&cursor, UNW_X86_64_RBP, &saved) != 0 ||
            unw_step(&cursor) <= 0 || !get_registers(&cursor, &ip, &sp, &rbp) ||
            unw_get_save_loc(&cursor, UNW_REG_IP, &return_saved) != 0)
            return;
        /* libunwind itself must have read the return address from just below the CFA. */
        uintptr_t slot = sp - 8;
        if (return_saved.type != UNW_SLT_MEMORY || (uintptr_t)return_saved.u.addr != slot) return;
        if (ip != frames[i] || slot < return_slot || (slot - return_slot) / 8 >= UINT16_MAX || word_at(slot) != ip) return;
        shape.return_words[i] = (uint16_t)((slot - return_slot) / 8);
        if (frame_rbp == slot - 8) {
            /* A frame pointer: the frame's size is fixed once the saved value is checked, which
             * must lie in the frames already confirmed (or in the shim's frame below them). */
            uintptr_t at = saved.type == UNW_SLT_MEMORY ? (uintptr_t)saved.u.addr : 0;
            if (at < return_slot - 8 || at >= frame_sp - 8 || at % 8 || word_at(at) != frame_rbp) return;
            shape.frame_pointer_words[i - 1] = (uint16_t)((at - (return_slot - 8)) / 8 + 1);
            shape.frame_pointer_gap[i - 1] = 1;
        } else if (frame_rbp >= frame_sp && frame_rbp < slot - 8 && caller_rbp_saved_at(&cursor, slot - 8) &&
                   (slot - frame_rbp) / 8 <= UINT8_MAX) {
            /* A frame pointer moved down the frame (libffi's ffi_call_unix64 puts its frame below the
             * arguments it copies): the caller's rbp saved just below the return address, as a frame
             * pointer frame does, and rbp at a fixed distance below that. gcc's realignment saves the
             * caller's rbp below the realigned copy of the return address instead, so it stays out. */
            uintptr_t at = saved.type == UNW_SLT_MEMORY ? (uintptr_t)saved.u.addr : 0;
            if (frame_rbp % 8 || at < return_slot - 8 || at >= frame_sp - 8 || at % 8 || word_at(at) != frame_rbp) return;
            shape.frame_pointer_words[i - 1] = (uint16_t)((at - (return_slot - 8)) / 8 + 1);
            shape.frame_pointer_gap[i - 1] = (uint8_t)((slot - frame_rbp) / 8);
        } else if (frame_rbp >= frame_sp && frame_rbp < sp && frame_rbp % 8 == 0 &&
                   (word_at(frame_rbp) == rbp || word_at(frame_rbp + 8) == ip)) {
            /* rbp points into the frame as a frame pointer does whose CFA is found some other way:
             * gcc's realignment saves the caller's rbp at rbp and a copy of the return address above
             * it, and the frame's size then depends on the alignment it found. Otherwise rbp into
             * the frame is a general register holding a pointer to a local, in a frame of fixed size. */
            return;
        }
    }
    /* The stack must end at its last frame because that frame's unwind information says so (its
     * return address is undefined), not because of a value read from the stack. */
    unw_save_loc_t end;
    if (unw_step(&cursor) != 0 || unw_get_save_loc(&cursor, UNW_REG_IP, &end) != 0 || end.type != UNW_SLT_NONE) return;
    struct shape *set = shape_set(shape_table, return_slot, s->head[0]);
    struct shape *way = &set[shape_table->next_way++ % SHAPE_WAYS];
    if (way->stack && way->generation == generation && ++shape_table->evictions > shape_table->sets * SHAPE_WAYS &&
        shape_table->sets < SHAPE_MAX_SETS) {
        shape_table->evictions = 0;
        resize_shape_table(shape_table->sets * 2);
        set = shape_set(shape_table, return_slot, s->head[0]);
        way = &set[set[0].stack ? 1 : 0];
    }
    *way = shape;
}

/* unw_backtrace's fast path gives each thread that uses it a trace cache of 2^14 frames, 256 KiB
 * filled in full (libunwind's x86_64/Gtrace.c), whatever the caching policy: 10,000 threads that
 * allocate once each would cost 2.5 GB. A thread walks with unw_step until it has unwound
 * TRACE_CACHE_AFTER times; only a thread that keeps unwinding new stacks pays for the fast path. */
#define TRACE_CACHE_AFTER 256
static __thread unsigned thread_unwinds __attribute__((tls_model("initial-exec")));

static __attribute__((noinline)) int step_backtrace(void **raw, int max) {
    unw_context_t context;
    unw_cursor_t cursor;
    if (unw_getcontext(&context) != 0 || unw_init_local(&cursor, &context) != 0) return 0;
    int n = 0;
    unw_word_t ip;
    while (n < max && unw_step(&cursor) > 0 && unw_get_reg(&cursor, UNW_REG_IP, &ip) == 0) raw[n++] = (void *)ip;
    return n;
}

/* The stack unwound with libunwind and classified, from the cache when it was seen before. */
static const struct stack *unwind_stack_walk(uintptr_t return_slot) {
    /* Read before unwinding: a dlclose() meanwhile makes a shape recorded from this stack stale. */
    unsigned generation = symbols_generation();
    void *raw[RAW_DEPTH];
    int n = thread_unwinds++ < TRACE_CACHE_AFTER ? step_backtrace(raw, RAW_DEPTH) : unw_backtrace(raw, RAW_DEPTH);
    int skip = 0;
    while (skip < n && symbols_in_shim((uintptr_t)raw[skip])) skip++;
    const uintptr_t *frames = (const uintptr_t *)raw + skip;
    int count = n - skip;
    /* Unwinding ended on its own, not at the buffer's end: only such a stack can get a shape. */
    int complete = n < RAW_DEPTH;
    /* The shim calls no user code, so a shim frame further down means the unwinder lost its way
     * (code without unwind information, such as JIT code): what follows is not the real stack. */
    for (int i = 0; i < count; i++)
        if (symbols_in_shim(frames[i])) count = i, complete = 0;
    uint64_t hash = frames_hash(frames, count);
    struct stack_key key = {frames, count};
    const struct stack *s = itab_find(&stacks, hash, same_stack, &key);
    if (shape_table) shape_table->unwinds++;
    if (!s) return classify(frames, count, hash);
    /* Seen before: a stack that recurs is worth a shape. */
    if (complete && count > 0 && return_slot && may_record_shape()) shape_record(s, return_slot, generation);
    return s;
}

/* ---- libunwind across fork ----
 *
 * libunwind has mutexes of its own and no fork handlers: a child forked while another thread held
 * one hangs in its first unwind (check-fork-during-unwind). fork() waits until no other thread is
 * inside libunwind, and holds back those that would enter meanwhile. */
static atomic_int unwinders, forks_waiting;
static __thread int unwinding_here __attribute__((tls_model("initial-exec")));

static void enter_libunwind(void) {
    for (;;) {
        atomic_fetch_add(&unwinders, 1);
        if (likely(!atomic_load(&forks_waiting))) break;
        atomic_fetch_sub(&unwinders, 1);
        while (atomic_load(&forks_waiting)) sched_yield();
    }
    unwinding_here = 1;
}

static void leave_libunwind(void) {
    unwinding_here = 0;
    atomic_fetch_sub(&unwinders, 1);
}

/* A handler that forks on a thread inside libunwind (a fault's) waits for the others only. */
void unwind_fork_prepare(void) {
    atomic_fetch_add(&forks_waiting, 1);
    while (atomic_load(&unwinders) > unwinding_here) sched_yield();
}

void unwind_fork_parent(void) { atomic_fetch_sub(&forks_waiting, 1); }

void unwind_fork_child(void) {
    atomic_store(&unwinders, unwinding_here);
    atomic_store(&forks_waiting, 0);
}

/* A child that no fork handler announced (a raw clone) is not tracked: it never unwinds, since
 * libunwind's mutexes may be held by threads it does not have. libunwind checks memory with a pipe
 * (read and write are cancellation points): cancellation is off, or a pending cancel would end the
 * thread inside its allocation instead of where the program lets it end. */
static const struct stack *unwind_stack(uintptr_t return_slot) {
    if (!tracker_file_is_mine()) return NULL;
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    enter_libunwind();
    const struct stack *s = unwind_stack_walk(return_slot);
    leave_libunwind();
    pthread_setcancelstate(cancel_state, NULL);
    return s;
}

const struct stack *unwind_matching_stack(uintptr_t return_address, uintptr_t return_slot) {
    if (prefilter_enabled && prefilter_rejects(return_address)) return NULL;
    const struct stack *s = shape_confirm(return_slot, return_address);
    if (!s) s = unwind_stack(return_slot);
    return s && s->verdict >= 0 ? s : NULL;
}

int unwind_rejected_caller(const char *symbol) {
    uint64_t generation = symbols_generation() & 0x3fff;
    for (int i = 0; i < PREFILTER_SLOTS; i++) {
        uint64_t cached = atomic_load_explicit(&prefilter[i], memory_order_relaxed);
        if ((cached & 3) != PREFILTER_REJECT || ((cached >> 2) & 0x3fff) != generation) continue;
        const struct frame_symbol *fs = symbols_lookup((uintptr_t)(cached >> 16));
        if (fs && fs->symbol && strcmp(fs->symbol, symbol) == 0) return 1;
    }
    return 0;
}

void unwind_invalidate(void) {
    /* Cleared before the generation moves on, so that no stack found after the new generation was
     * read can be one of the old ones. */
    itab_clear(&stacks);
    /* The prefilter's tag holds only 14 bits of the generation: after 16,384 dlclose calls an
     * entry left from a library unloaded long ago would look current again. Emptied here, an
     * entry can only be as old as the last dlclose (or, written late by a thread that read the
     * generation before it, one older: its tag then differs). */
    for (int i = 0; i < PREFILTER_SLOTS; i++) atomic_store_explicit(&prefilter[i], 0, memory_order_relaxed);
    symbols_invalidate();
    unw_flush_cache(unw_local_addr_space, 0, 0);
}

uint64_t unwind_thread_shapes_confirmed(void) { return shape_table ? shape_table->confirmed : 0; }

void unwind_register_fork_locks(void) {
    itab_register_fork_lock(&stacks);
    itab_register_fork_lock(&links);
}
