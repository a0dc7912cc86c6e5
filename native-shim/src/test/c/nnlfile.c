#include "nnlfile.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int error(struct nnl_file *f, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = snprintf(f->error, sizeof f->error, "%s: ", f->path);
    vsnprintf(f->error + n, sizeof f->error - (size_t)n, format, args);
    va_end(args);
    return -1;
}

/* The fixed part of a record's payload, when the payload holds it. */
#define FIXED(type, out, p, payload) ((payload) >= sizeof(type) && (memcpy(&(out), (p), sizeof(type)), 1))

static int grow(void **array, uint32_t *count, uint32_t need, size_t element) {
    if (need <= *count) return 0;
    uint32_t n = *count ? *count : 64;
    while (n < need) n *= 2;
    void *grown = realloc(*array, element * n);
    if (!grown) return -1;
    memset((char *)grown + element * *count, 0, element * (n - *count));
    *array = grown;
    *count = n;
    return 0;
}

static void free_parsed(struct nnl_file *f) {
    for (uint32_t i = 0; i < f->site_count; i++) free(f->sites[i].frames);
    free(f->sites);
    free(f->frames);
    free(f->entries);
    f->sites = NULL;
    f->frames = NULL;
    f->entries = NULL;
    f->site_count = f->frame_count = 0;
    f->entry_count = 0;
    f->records = 0;
}

static void copy_text(char *out, size_t cap, const char *text, size_t len) {
    if (len >= cap) len = cap - 1;
    memcpy(out, text, len);
    out[len] = '\0';
}

static int parse_log(struct nnl_file *f) {
    const struct nnl_file_header *h = f->h;
    const struct nnl_resources *res = (const struct nnl_resources *)(f->map + NNL_RESOURCES_OFFSET);
    uint64_t used = atomic_load(&((struct nnl_file_header *)h)->log_used);
    if (used > h->log_region_size) used = h->log_region_size; /* claims past the end are counted losses */
    uint32_t frames_cap = 0, sites_cap = 0;
    for (uint64_t at = 0; at + sizeof(struct nnl_record_header) <= used;) {
        uint64_t k = nnl_log_segment_of(at), base = nnl_log_segment_start(k), seg = nnl_log_segment_size(k);
        uint64_t offset = res->log_segments[k];
        if (!offset) { /* never allocated: the file could not grow */
            at = base + seg;
            continue;
        }
        if (offset % 4096 || offset + seg > f->size) return error(f, "log segment %lu outside the file", (unsigned long)k);
        const struct nnl_record_header *r = (const struct nnl_record_header *)(f->map + offset + (at - base));
        uint32_t type = atomic_load_explicit(&((struct nnl_record_header *)r)->type, memory_order_acquire);
        uint32_t length = r->length;
        if (type == 0) { /* a record not committed (yet): step over it, or to the next segment */
            at = length >= 8 && length % 8 == 0 && at - base + length <= seg ? at + length : base + seg;
            continue;
        }
        if (length < 8 || length % 8 || at + length > used || at - base + length > seg)
            return error(f, "record at log offset %lu has a bad length %u", (unsigned long)at, length);
        if (type == NNL_RECORD_PADDING) {
            at += length;
            continue;
        }
        if (length < 16) return error(f, "record at log offset %lu has a bad length %u", (unsigned long)at, length);
        const char *p = (const char *)(r + 1);
        uint32_t payload = length - (uint32_t)sizeof *r;
        if (type == NNL_RECORD_FRAME) {
            struct nnl_frame_record r;
            if (!FIXED(struct nnl_frame_record, r, p, payload)) return error(f, "frame record too short");
            uint32_t id = r.id;
            uint16_t module_len = r.module_len, symbol_len = r.symbol_len;
            if (sizeof r + module_len + symbol_len > payload) return error(f, "frame record %u overruns its length", id);
            if (id == UINT32_MAX || grow((void **)&f->frames, &frames_cap, id + 1, sizeof *f->frames))
                return error(f, "frame id %u", id);
            struct nnlf_frame *fr = &f->frames[id];
            if (fr->present) return error(f, "frame id %u recorded twice", id);
            fr->present = 1;
            fr->address = r.address;
            fr->offset = r.offset;
            fr->flags = r.flags;
            if (module_len && !(fr->flags & NNL_FRAME_HAS_MODULE))
                return error(f, "frame %u: module flag and length disagree", id);
            if (((fr->flags & NNL_FRAME_HAS_SYMBOL) != 0) != (symbol_len != 0))
                return error(f, "frame %u: symbol flag and length disagree", id);
            copy_text(fr->module, sizeof fr->module, p + sizeof r, module_len);
            copy_text(fr->symbol, sizeof fr->symbol, p + sizeof r + module_len, symbol_len);
            if (id + 1 > f->frame_count) f->frame_count = id + 1;
        } else if (type == NNL_RECORD_SITE) {
            struct nnl_site_record r;
            if (!FIXED(struct nnl_site_record, r, p, payload)) return error(f, "site record too short");
            uint32_t id = r.id;
            uint16_t count = r.frame_count, py_count = r.python_count, thread_len = r.thread_len;
            if (sizeof r + thread_len + 4u * (count + py_count) > payload) return error(f, "site record %u overruns its length", id);
            if (id == UINT32_MAX || grow((void **)&f->sites, &sites_cap, id + 1, sizeof *f->sites))
                return error(f, "site id %u", id);
            struct nnlf_site *s = &f->sites[id];
            if (s->present) return error(f, "site id %u recorded twice", id);
            s->present = 1;
            s->pattern = r.pattern;
            s->status = r.python_status;
            s->count = count;
            s->py_count = py_count;
            copy_text(s->thread, sizeof s->thread, p + sizeof r, thread_len);
            s->frames = calloc(count ? count : 1, sizeof(uint32_t));
            if (!s->frames) return error(f, "out of memory");
            memcpy(s->frames, p + sizeof r + thread_len, 4u * count);
            if (id + 1 > f->site_count) f->site_count = id + 1;
        } else if (type == NNL_RECORD_PYTHON_FRAME) {
            struct nnl_python_frame_record r;
            if (!FIXED(struct nnl_python_frame_record, r, p, payload) || sizeof r + r.file_len + r.function_len > payload)
                return error(f, "python frame record overruns");
        } else if (type == NNL_RECORD_CHECKPOINT) {
            struct nnl_checkpoint_record r;
            if (!FIXED(struct nnl_checkpoint_record, r, p, payload) || sizeof r + sizeof(struct nnl_checkpoint_site) * r.count > payload)
                return error(f, "checkpoint record overruns");
        } else if (type == NNL_RECORD_PHASE) {
            if (payload < sizeof(struct nnl_phase_record)) return error(f, "phase record too short");
        } else if (type == NNL_RECORD_FRAME_CHECK) {
            struct nnl_frame_check_record r;
            if (!FIXED(struct nnl_frame_check_record, r, p, payload)) return error(f, "frame check record too short");
            if (sizeof r + r.lengths[0] + r.lengths[1] + r.lengths[2] + r.lengths[3] > payload) return error(f, "frame check record overruns");
            if (f->frame_check_count < NNLF_MAX_FRAME_CHECKS) {
                struct nnlf_frame_check *c = &f->frame_checks[f->frame_check_count++];
                c->pattern = r.pattern;
                c->matcher = r.matcher;
                c->flags = r.flags;
                const char *text = p + sizeof r;
                char *out[4] = {c->text, c->module, c->near_name, c->near_module};
                for (int i = 0; i < 4; i++) {
                    copy_text(out[i], sizeof c->text, text, r.lengths[i]);
                    text += r.lengths[i];
                }
            }
        } else {
            return error(f, "unknown record type %u at log offset %lu", type, (unsigned long)at);
        }
        f->records++;
        at += length;
    }
    /* Every frame a site names was written before it. */
    for (uint32_t i = 0; i < f->site_count; i++) {
        const struct nnlf_site *s = &f->sites[i];
        for (uint32_t k = 0; s->present && k < s->count; k++)
            if (s->frames[k] != UINT32_MAX && (s->frames[k] >= f->frame_count || !f->frames[s->frames[k]].present))
                return error(f, "site %u names frame %u, which is not in the log", i, s->frames[k]);
    }
    return 0;
}

static int parse_tables(struct nnl_file *f) {
    const struct nnl_file_header *h = f->h;
    uint64_t cap = 0;
    for (int shard = 0; shard < NNL_SHARDS; shard++) {
        uint64_t offset = atomic_load(&((struct nnl_file_header *)h)->shards[shard].table_offset);
        if (!offset) continue;
        if (offset < h->table_region_offset || offset % 4096 || offset + sizeof(struct nnl_table_header) > f->size)
            return error(f, "shard %d: table offset %lu outside the file", shard, (unsigned long)offset);
        const struct nnl_table_header *t = (const struct nnl_table_header *)(f->map + offset);
        uint64_t capacity = t->capacity;
        if (capacity == 0 || (capacity & (capacity - 1)) || offset + sizeof *t + capacity * sizeof(struct nnl_live_entry) > f->size)
            return error(f, "shard %d: bad table capacity %lu", shard, (unsigned long)capacity);
        const struct nnl_live_entry *e = (const struct nnl_live_entry *)(t + 1);
        for (uint64_t i = 0; i < capacity; i++) {
            uint64_t key = atomic_load_explicit(&((struct nnl_live_entry *)e)[i].key, memory_order_acquire);
            if (key <= 1) continue;
            if (f->entry_count == cap) {
                cap = cap ? cap * 2 : 1024;
                struct nnlf_entry *grown = realloc(f->entries, cap * sizeof *grown);
                if (!grown) return error(f, "out of memory");
                f->entries = grown;
            }
            f->entries[f->entry_count].address = nnl_entry_address(key);
            f->entries[f->entry_count].size = nnl_entry_size(e[i].value);
            f->entries[f->entry_count].site = nnl_entry_site(key, e[i].value);
            f->entry_count++;
        }
    }
    return 0;
}

int nnlf_reload(struct nnl_file *f) {
    free_parsed(f);
    f->frame_check_count = 0;
    if (parse_log(f) || parse_tables(f)) return -1;
    for (uint64_t i = 0; i < f->entry_count; i++) {
        uint32_t site = f->entries[i].site;
        if (site >= f->site_count || !f->sites[site].present)
            return error(f, "live entry %#lx refers to site %u, which is not in the log",
                         (unsigned long)f->entries[i].address, site);
    }
    nnlf_sort_entries(f);
    for (uint64_t i = 1; i < f->entry_count; i++)
        if (f->entries[i].address == f->entries[i - 1].address)
            return error(f, "address %#lx is live twice", (unsigned long)f->entries[i].address);
    return 0;
}

int nnlf_open(struct nnl_file *f, const char *path) {
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error(f, "cannot open");
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < NNL_HEADER_SIZE) {
        close(fd);
        return error(f, "too short to be a data file");
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return error(f, "cannot map");
    f->map = map;
    f->size = (size_t)st.st_size;
    f->h = map;
    const struct nnl_file_header *h = f->h;
    if (memcmp(h->magic, NNL_FILE_MAGIC, 8) != 0) return error(f, "bad magic");
    if (h->version != NNL_FILE_VERSION || h->header_size != NNL_HEADER_SIZE) return error(f, "version %u, header size %u", h->version, h->header_size);
    const struct nnl_resources *res = (const struct nnl_resources *)(f->map + NNL_RESOURCES_OFFSET);
    if (h->table_region_offset != NNL_HEADER_SIZE || h->table_region_size != NNL_TABLE_REGION_SIZE ||
        h->log_region_offset != 0 || h->log_region_size != NNL_LOG_REGION_SIZE ||
        res->log_segment_size != NNL_LOG_SEGMENT_SIZE || NNL_HEADER_SIZE + res->space_used > f->size)
        return error(f, "regions do not fit the file");
    return nnlf_reload(f);
}

uint64_t nnlf_log_bytes(const struct nnl_file *f) {
    const struct nnl_resources *res = (const struct nnl_resources *)(f->map + NNL_RESOURCES_OFFSET);
    uint64_t bytes = 0;
    for (int i = 0; i < NNL_LOG_SEGMENTS; i++)
        if (res->log_segments[i]) bytes += nnl_log_segment_size((uint64_t)i);
    return bytes;
}

void nnlf_close(struct nnl_file *f) {
    free_parsed(f);
    if (f->map) munmap((void *)f->map, f->size);
    f->map = NULL;
    f->h = NULL;
}

void nnlf_path(char *out, size_t cap, const char *dir, pid_t pid, int n) {
    snprintf(out, cap, "%s/proc-%d-%d.nnl", dir, (int)pid, n);
}

int nnlf_count_files(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "proc-", 5) == 0 && len > 4 && strcmp(e->d_name + len - 4, ".nnl") == 0) n++;
    }
    closedir(d);
    return n;
}

const char *nnlf_site_symbol(const struct nnl_file *f, uint32_t site, int index) {
    if (site >= f->site_count || !f->sites[site].present) return NULL;
    const struct nnlf_site *s = &f->sites[site];
    uint32_t first = 0; /* frame 0: after the allocator wrappers, as the report counts */
    while (first < s->count && s->frames[first] < f->frame_count && (f->frames[s->frames[first]].flags & NNL_FRAME_WRAPPER)) first++;
    uint32_t k = first + (uint32_t)index;
    if (index < 0 || k >= s->count || s->frames[k] >= f->frame_count) return NULL;
    const struct nnlf_frame *fr = &f->frames[s->frames[k]];
    return (fr->flags & 4) ? fr->symbol : NULL;
}

static int by_address(const void *a, const void *b) {
    uint64_t x = ((const struct nnlf_entry *)a)->address, y = ((const struct nnlf_entry *)b)->address;
    return x < y ? -1 : x > y;
}

void nnlf_sort_entries(struct nnl_file *f) {
    if (f->entry_count) qsort(f->entries, f->entry_count, sizeof *f->entries, by_address);
}

const struct nnlf_entry *nnlf_find_entry(const struct nnl_file *f, uint64_t address) {
    struct nnlf_entry key = {address, 0, 0};
    return f->entry_count ? bsearch(&key, f->entries, f->entry_count, sizeof key, by_address) : NULL;
}
