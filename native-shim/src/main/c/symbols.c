#include "symbols.h"

#include <elf.h>
#include <fcntl.h>
#include <libunwind.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "common.h"
#include "itab.h"
#include "pattern.h"

enum { SYMTAB_UNLOADED = 0, SYMTAB_LOADING = 1, SYMTAB_READY = 2, SYMTAB_NONE = 3 };

/* 16 bytes: a C++ library has hundreds of thousands of functions. */
struct symtab_entry {
    uint64_t start; /* ELF address (before the load bias) */
    uint32_t size;  /* functions are smaller than 4 GiB */
    uint32_t name;  /* offset into strtab, binding rank in the top two bits */
};

#define NAME_OFFSET(e) ((e)->name & 0x3fffffffu)
#define BIND_RANK(e) ((e)->name >> 30)

struct symtab {
    uint64_t demangler; /* ELF address of the file's own __cxa_demangle, 0 when it has none */
    uint64_t count;
    struct symtab_entry *entries;
    const char *strtab;
    uint64_t strtab_size;
};

struct module_list {
    int count;
    struct module *modules[];
};

static _Atomic(struct module_list *) modules;
static _Atomic(struct module *) created_modules;
/* The list replaced by the last symbols_invalidate: modules still loaded are taken over from it. */
static _Atomic(struct module_list *) retired_modules;

/* One symbol table per file, whatever path or load address it is reached by: a library loaded
 * and unloaded in a loop is read once (the table and its mapping live as long as the process). */
struct elf_file {
    dev_t device;
    ino_t inode;
    off_t size;
    struct timespec modified;
    unsigned char build_id[20];
    unsigned build_id_size;
    struct symtab *symtab;
    struct elf_file *next;
};
static _Atomic(struct elf_file *) elf_files;
static struct itab frame_cache;
atomic_uint symbols_generation_counter;
static uintptr_t shim_start, shim_end;

/* CPython's raw-allocator wrappers, skipped before frame 0 is counted (docs/patterns.md, fixed per release). */
static const char *const wrapper_names[] = {
    "PyMem_RawMalloc", "PyMem_RawCalloc", "PyMem_RawRealloc",
    "_PyMem_RawMalloc", "_PyMem_RawCalloc", "_PyMem_RawRealloc",
};
static const char *const wrapper_prefixes[] = {"_PyMem_DebugRaw", "tracemalloc_raw_"};

int symbols_is_wrapper(const char *name) {
    if (!name) return 0;
    for (size_t i = 0; i < sizeof wrapper_names / sizeof *wrapper_names; i++)
        if (strcmp(name, wrapper_names[i]) == 0) return 1;
    for (size_t i = 0; i < sizeof wrapper_prefixes / sizeof *wrapper_prefixes; i++)
        if (strncmp(name, wrapper_prefixes[i], strlen(wrapper_prefixes[i])) == 0) return 1;
    return 0;
}

/* ---- modules ---- */

struct scan {
    struct module_list *previous;
    struct module_list *result;
    int capacity;
};

static const char *basename_of(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The GNU build-id in a PT_NOTE segment's notes[0..size), copied to out; its length, or 0. */
static unsigned build_id_in_notes(const unsigned char *note, uint64_t size, unsigned char *out) {
    const unsigned char *end = note + size;
    while (note + sizeof(ElfW(Nhdr)) <= end) {
        const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)note;
        const unsigned char *name = note + sizeof *nh, *desc = name + ((nh->n_namesz + 3) & ~3u);
        if (desc + nh->n_descsz > end) break;
        if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 && nh->n_descsz <= 20) {
            memcpy(out, desc, nh->n_descsz);
            return nh->n_descsz;
        }
        note = desc + ((nh->n_descsz + 3) & ~3u);
    }
    return 0;
}

/* The build-id of a mapped image, read from memory: no file involved. */
static unsigned build_id_of(const struct dl_phdr_info *info, unsigned char *out) {
    unsigned found = 0;
    for (int i = 0; !found && i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_NOTE)
            found = build_id_in_notes((const unsigned char *)(info->dlpi_addr + ph->p_vaddr), ph->p_memsz, out);
    }
    return found;
}

/* A module of the previous list is the same one when it is at the same place from the same path
 * with the same build-id (a library unloaded and another loaded there is a new module). */
static struct module *reuse_or_create(struct module_list *previous, uintptr_t base, const char *path,
                                      const unsigned char *build_id, unsigned build_id_size) {
    for (int i = 0; previous && i < previous->count; i++) {
        struct module *m = previous->modules[i];
        if (m->base == base && strcmp(m->path, path) == 0 && m->build_id_size == build_id_size &&
            memcmp(m->build_id, build_id, build_id_size) == 0)
            return m;
    }
    struct module *m = arena_alloc(sizeof *m);
    char *copy = m ? arena_strndup(path, strlen(path)) : NULL;
    if (!copy) return NULL;
    m->base = base;
    m->path = copy;
    m->name = basename_of(copy);
    memcpy(m->build_id, build_id, build_id_size);
    m->build_id_size = build_id_size;
    m->next_created = atomic_load(&created_modules);
    while (!atomic_compare_exchange_weak(&created_modules, &m->next_created, m)) {}
    return m;
}

static int scan_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct scan *scan = data;
    if (!scan->result) {
        scan->capacity++;
        return 0;
    }
    if (scan->result->count == scan->capacity) return 1;
    uintptr_t low = UINTPTR_MAX, high = 0, first_end = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) continue;
        if (ph->p_vaddr < low) {
            low = ph->p_vaddr;
            first_end = (ph->p_vaddr + ph->p_filesz + 4095) & ~(uintptr_t)4095;
        }
        if (ph->p_vaddr + ph->p_memsz > high) high = ph->p_vaddr + ph->p_memsz;
    }
    if (high == 0) return 0;
    char exe[4096];
    const char *path = info->dlpi_name;
    if (!path || !*path) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        path = exe;
    }
    unsigned char build_id[20];
    unsigned build_id_size = build_id_of(info, build_id);
    struct module *m = reuse_or_create(scan->previous, info->dlpi_addr, path, build_id, build_id_size);
    if (!m) return 1;
    m->start = info->dlpi_addr + low;
    m->end = info->dlpi_addr + high;
    m->first_map_start = (info->dlpi_addr + low) & ~(uintptr_t)4095;
    m->first_map_end = info->dlpi_addr + first_end;
    scan->result->modules[scan->result->count++] = m;
    return 0;
}

/* Reads the loaded modules afresh. Takes the loader's lock, so never called under one of ours. */
static struct module_list *rescan_modules(void) {
    struct module_list *current = atomic_load(&modules);
    struct scan scan = {current ? current : atomic_load(&retired_modules), NULL, 0};
    dl_iterate_phdr(scan_object, &scan);
    scan.capacity += 8; /* room for libraries loaded between the two passes */
    scan.result = arena_alloc(sizeof(struct module_list) + sizeof(struct module *) * scan.capacity);
    if (!scan.result) return NULL;
    dl_iterate_phdr(scan_object, &scan);
    atomic_store(&modules, scan.result);
    return scan.result;
}

static struct module *module_in(struct module_list *list, uintptr_t address) {
    for (int i = 0; list && i < list->count; i++) {
        struct module *m = list->modules[i];
        if (address >= m->start && address < m->end) return m;
    }
    return NULL;
}

static struct module *module_for(uintptr_t address) {
    struct module *m = module_in(atomic_load(&modules), address);
    return m ? m : module_in(rescan_modules(), address);
}

/* ---- ELF symbol tables ---- */

/* Which of two names of one address a report shows: an exported name over a local one, then the
 * one with fewer leading underscores (strdup over __strdup), then a global over a weak one. */
static int preference(const struct symtab_entry *e, const char *names) {
    int underscores = 0;
    while (underscores < 8 && names[NAME_OFFSET(e) + underscores] == '_') underscores++;
    return (BIND_RANK(e) == 2) << 8 | underscores << 1 | (BIND_RANK(e) == 1);
}

/* By start, and the preferred name first among the names of one start. */
static int sorts_after(const struct symtab_entry *a, const struct symtab_entry *b, const char *names) {
    if (a->start != b->start) return a->start > b->start;
    return preference(a, names) > preference(b, names);
}

static void sift_down(struct symtab_entry *a, uint64_t root, uint64_t n, const char *names) {
    for (;;) {
        uint64_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && sorts_after(&a[child + 1], &a[child], names)) child++;
        if (!sorts_after(&a[child], &a[root], names)) return;
        struct symtab_entry t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
    }
}

/* Heapsort: qsort may call malloc, and we are malloc. */
static void sort_entries(struct symtab_entry *a, uint64_t n, const char *names) {
    for (uint64_t i = n / 2; i-- > 0;) sift_down(a, i, n, names);
    for (uint64_t end = n; end-- > 1;) {
        struct symtab_entry t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down(a, 0, end, names);
    }
}

static uint32_t bind_rank(unsigned bind) { return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2; }

static int is_function(const ElfW(Sym) *sym) {
    int type = ELF64_ST_TYPE(sym->st_info);
    return (type == STT_FUNC || type == STT_GNU_IFUNC) && sym->st_shndx != SHN_UNDEF && sym->st_value != 0 &&
           sym->st_size <= UINT32_MAX && sym->st_name < (1u << 30);
}

/* Drops the whole pages of [offset, offset + size) of a private file mapping from the process. */
static void drop_pages(const void *image, uint64_t offset, uint64_t size) {
    uintptr_t first = ((uintptr_t)image + offset + 4095) & ~(uintptr_t)4095;
    uintptr_t end = ((uintptr_t)image + offset + size) & ~(uintptr_t)4095;
    if (end > first) madvise((void *)first, end - first, MADV_DONTNEED);
}

static struct symtab *parse_elf(const unsigned char *image, uint64_t size) {
    if (size < sizeof(ElfW(Ehdr)) || memcmp(image, ELFMAG, SELFMAG) != 0 || image[EI_CLASS] != ELFCLASS64)
        return NULL;
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)image;
    if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(ElfW(Shdr)) ||
        eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(ElfW(Shdr)) > size)
        return NULL;
    const ElfW(Shdr) *sections = (const ElfW(Shdr) *)(image + eh->e_shoff);
    /* The full .symtab names static functions too; a stripped file only has .dynsym. */
    const ElfW(Shdr) *table = NULL, *dynamic = NULL;
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sections[i].sh_type == SHT_SYMTAB) table = &sections[i];
        else if (sections[i].sh_type == SHT_DYNSYM) dynamic = &sections[i];
    }
    if (!table) table = dynamic;
    if (!table || table->sh_link >= eh->e_shnum || table->sh_entsize != sizeof(ElfW(Sym))) return NULL;
    const ElfW(Shdr) *strings = &sections[table->sh_link];
    if (table->sh_offset + table->sh_size > size || strings->sh_offset + strings->sh_size > size) return NULL;

    const ElfW(Sym) *syms = (const ElfW(Sym) *)(image + table->sh_offset);
    uint64_t total = table->sh_size / sizeof(ElfW(Sym)), functions = 0;
    for (uint64_t i = 0; i < total; i++) functions += is_function(&syms[i]) && syms[i].st_name < strings->sh_size;
    struct symtab *st = arena_alloc(sizeof *st);
    struct symtab_entry *entries = functions ? arena_alloc(sizeof *entries * functions) : NULL;
    if (!st || (functions && !entries)) return NULL;
    uint64_t n = 0;
    const char *names = (const char *)image + strings->sh_offset;
    for (uint64_t i = 0; i < total; i++) {
        if (!is_function(&syms[i]) || syms[i].st_name >= strings->sh_size) continue;
        if (strncmp(names + syms[i].st_name, "__cxa_demangle", strings->sh_size - syms[i].st_name) == 0)
            st->demangler = syms[i].st_value;
        entries[n].start = syms[i].st_value;
        entries[n].size = (uint32_t)syms[i].st_size;
        entries[n].name = syms[i].st_name | bind_rank(ELF64_ST_BIND(syms[i].st_info)) << 30;
        n++;
    }
    sort_entries(entries, n, names);
    /* Aliases share a start and are all kept (a pattern may name any of them); each gets the
     * largest size any of them has, so that a size-less alias does not hide the extent. */
    for (uint64_t first = 0, i = 0; i <= n; i++) {
        if (i < n && entries[i].start == entries[first].start) continue;
        uint32_t size = 0;
        for (uint64_t k = first; k < i; k++) size = entries[k].size > size ? entries[k].size : size;
        for (uint64_t k = first; k < i; k++) entries[k].size = size;
        first = i;
    }
    uint64_t kept = n;
    st->count = kept;
    st->entries = entries;
    st->strtab = (const char *)image + strings->sh_offset;
    st->strtab_size = strings->sh_size;
    /* The symbols are copied and the names were read in full to sort them: neither need stay
     * resident (a name looked up later is read back from the page cache). */
    drop_pages(image, table->sh_offset, table->sh_size);
    drop_pages(image, strings->sh_offset, strings->sh_size);
    return st;
}

static struct elf_file *known_file(const struct stat *st) {
    for (struct elf_file *f = atomic_load(&elf_files); f; f = f->next)
        if (f->device == st->st_dev && f->inode == st->st_ino && f->size == st->st_size &&
            f->modified.tv_sec == st->st_mtim.tv_sec && f->modified.tv_nsec == st->st_mtim.tv_nsec)
            return f;
    return NULL;
}

/* The build-id of an ELF file's image, through its program headers as in memory. */
static unsigned file_build_id(const unsigned char *image, uint64_t size, unsigned char *out) {
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)image;
    if (size < sizeof *eh || memcmp(image, ELFMAG, SELFMAG) != 0 || eh->e_phentsize != sizeof(ElfW(Phdr)) ||
        eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(ElfW(Phdr)) > size)
        return 0;
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(image + eh->e_phoff);
    unsigned found = 0;
    for (int i = 0; !found && i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_NOTE && ph[i].p_offset + ph[i].p_filesz <= size)
            found = build_id_in_notes(image + ph[i].p_offset, ph[i].p_filesz, out);
    return found;
}

/* Writes value in lower-case hex, then end; returns where the next character goes (no stdio: we
 * may be inside malloc). */
static char *put_hex(char *at, uintptr_t value, char end) {
    int digits = 1;
    while (digits < 16 && value >> (4 * digits)) digits++;
    for (int i = digits; i-- > 0; value >>= 4) at[i] = "0123456789abcdef"[value & 15];
    at[digits] = end;
    return at + digits + 1;
}

static int same_build_id(const struct module *m, const unsigned char *id, unsigned size) {
    return m->build_id_size == size && memcmp(m->build_id, id, size) == 0;
}

/* The file the process mapped: /proc/self/map_files where the kernel allows it, else the path,
 * which may name another file by now (a relative path after chdir, a library replaced on disk):
 * then the build-id of the image in memory must be the file's. Without a build-id in memory the
 * path is trusted. NULL when no file can be read or the file is not the one mapped: the frames
 * stay module+offset rather than be named after another file's functions. */
static struct symtab *load_symtab(const struct module *m) {
    char mapped[64] = "/proc/self/map_files/";
    put_hex(put_hex(mapped + strlen(mapped), m->first_map_start, '-'), m->first_map_end, '\0');
    int fd = open(mapped, O_RDONLY | O_CLOEXEC);
    int verify = fd < 0 && m->build_id_size > 0;
    if (fd < 0) fd = open(m->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    void *image = MAP_FAILED;
    struct elf_file *known = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && !(known = known_file(&st)))
        image = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (known) return !verify || same_build_id(m, known->build_id, known->build_id_size) ? known->symtab : NULL;
    if (image == MAP_FAILED) return NULL;
    unsigned char build_id[20];
    unsigned build_id_size = file_build_id(image, (uint64_t)st.st_size, build_id);
    if (verify && !same_build_id(m, build_id, build_id_size)) {
        munmap(image, (size_t)st.st_size);
        return NULL;
    }
    /* The mapping stays: symbol names point into it. Only touched pages cost memory. */
    struct symtab *table = parse_elf(image, (uint64_t)st.st_size);
    struct elf_file *f = table ? arena_alloc(sizeof *f) : NULL;
    if (!table) munmap(image, (size_t)st.st_size);
    if (f) { /* two threads may read one new file at once: then it is known twice, harmlessly */
        f->device = st.st_dev;
        f->inode = st.st_ino;
        f->size = st.st_size;
        f->modified = st.st_mtim;
        memcpy(f->build_id, build_id, build_id_size);
        f->build_id_size = build_id_size;
        f->symtab = table;
        f->next = atomic_load(&elf_files);
        while (!atomic_compare_exchange_weak(&elf_files, &f->next, f)) {}
    }
    return table;
}

static struct symtab *symtab_of(struct module *m) {
    int expected = SYMTAB_UNLOADED;
    if (atomic_compare_exchange_strong(&m->symtab_state, &expected, SYMTAB_LOADING)) {
        /* Nothing may end this thread's part in the load half-way, or the others wait forever:
         * no cancellation (open and close are cancellation points), no handler that could
         * siglongjmp out (faults still arrive: blocking them would kill the process). */
        sigset_t all, saved;
        sigfillset(&all);
        sigdelset(&all, SIGSEGV);
        sigdelset(&all, SIGBUS);
        sigdelset(&all, SIGFPE);
        sigdelset(&all, SIGILL);
        sigdelset(&all, SIGTRAP);
        sigdelset(&all, SIGSYS);
        int cancel_state;
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
        pthread_sigmask(SIG_BLOCK, &all, &saved);
        m->symtab = load_symtab(m);
        atomic_store(&m->symtab_state, m->symtab ? SYMTAB_READY : SYMTAB_NONE);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        pthread_setcancelstate(cancel_state, NULL);
    }
    /* Another thread is loading it: it takes no lock of ours, so it finishes. */
    while (atomic_load(&m->symtab_state) == SYMTAB_LOADING) sched_yield();
    return atomic_load(&m->symtab_state) == SYMTAB_READY ? m->symtab : NULL;
}

/* ---- demangling ---- */

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);
/* Found in a symbol table, never through the loader: we may be inside malloc, under its locks. */
static _Atomic(demangle_fn) demangler;

static int is_libstdcxx(const struct module *m) { return strncmp(m->name, "libstdc++.so", 12) == 0; }

/* The __cxa_demangle of the module itself (a statically linked C++ runtime), else of a loaded
 * libstdc++: C++ frames mean C++ code, and C++ code means one of the two is mapped. */
static demangle_fn find_demangler(struct module *frame_module) {
    demangle_fn fn = atomic_load(&demangler);
    if (fn) return fn;
    struct module_list *list = atomic_load(&modules);
    for (int i = -1; !fn && list && i < list->count; i++) {
        struct module *m = i < 0 ? frame_module : list->modules[i];
        if (i >= 0 && (m == frame_module || !is_libstdcxx(m))) continue;
        struct symtab *st = symtab_of(m);
        if (st && st->demangler) fn = (demangle_fn)(m->base + st->demangler);
    }
    if (fn) atomic_store(&demangler, fn);
    return fn;
}

static const char *demangled(struct module *m, const char *name) {
    if (name[0] != '_' || name[1] != 'Z') return name;
    demangle_fn fn = find_demangler(m);
    int status = -1;
    char *plain = fn ? fn(name, NULL, NULL, &status) : NULL;
    if (!plain || status != 0) return name;
    const char *copy = arena_strndup(plain, strlen(plain));
    free(plain); /* our own free(): on this thread it passes straight through */
    return copy ? copy : name;
}

/* ---- lookup ---- */

/* Names fs after the symbol whose extent holds pc: its preferred name and its aliases. */
static void name_frame(struct frame_symbol *fs, struct module *m, uintptr_t pc) {
    struct symtab *st = symtab_of(m);
    if (!st || st->count == 0) return;
    uint64_t rel = pc - m->base, lo = 0, hi = st->count;
    while (lo < hi) { /* first entry starting after rel */
        uint64_t mid = (lo + hi) / 2;
        if (st->entries[mid].start <= rel) lo = mid + 1; else hi = mid;
    }
    if (lo == 0) return;
    uint64_t first = lo - 1; /* the preferred name comes first among those of one start */
    while (first > 0 && st->entries[first - 1].start == st->entries[lo - 1].start) first--;
    const struct symtab_entry *e = &st->entries[first];
    int inside;
    if (e->size) {
        inside = rel < e->start + e->size;
    } else {
        unw_proc_info_t pi;
        inside = unw_get_proc_info_by_ip(unw_local_addr_space, pc, &pi, NULL) == 0 &&
                 pi.start_ip == e->start + m->base && pc < pi.end_ip;
    }
    if (!inside) return;
    fs->symbol = demangled(m, st->strtab + NAME_OFFSET(e));
    uint64_t aliases = lo - 1 - first;
    const char **names = aliases ? arena_alloc(sizeof *names * aliases) : NULL;
    for (uint64_t k = 0; names && k < aliases; k++) names[k] = demangled(m, st->strtab + NAME_OFFSET(&st->entries[first + 1 + k]));
    fs->aliases = names;
    fs->alias_count = names ? (int)aliases : 0;
}

static int same_address(const void *entry, const void *key) {
    return ((const struct frame_symbol *)entry)->address == *(const uintptr_t *)key;
}

const struct frame_symbol *symbols_lookup(uintptr_t return_address) {
    uint64_t hash = nnl_mix64(return_address);
    const struct frame_symbol *hit = itab_find(&frame_cache, hash, same_address, &return_address);
    if (hit) return hit;
    struct frame_symbol *fs = arena_alloc(sizeof *fs);
    if (!fs) return NULL;
    uintptr_t pc = return_address - 1; /* the call instruction, not what follows it */
    struct module *m = module_for(pc);
    fs->hash = hash;
    fs->address = return_address;
    fs->module = m;
    if (m) name_frame(fs, m, pc);
    fs->wrapper = symbols_is_wrapper(fs->symbol);
    const struct frame_symbol *kept = itab_insert(&frame_cache, fs, same_address, &return_address);
    return kept ? kept : fs;
}

int symbols_in_shim(uintptr_t address) { return address >= shim_start && address < shim_end; }

unsigned symbols_invalidate(void) {
    itab_clear(&frame_cache);
    struct module_list *list = atomic_exchange(&modules, NULL);
    if (list) atomic_store(&retired_modules, list);
    atomic_store(&demangler, NULL); /* it may have been in the library unloaded */
    return atomic_fetch_add(&symbols_generation_counter, 1) + 1;
}

void symbols_init(void) {
    struct module *self = module_for((uintptr_t)&symbols_init);
    if (self) {
        shim_start = self->start;
        shim_end = self->end;
    }
}

void symbols_after_fork_child(void) {
    for (struct module *m = atomic_load(&created_modules); m; m = m->next_created) {
        int loading = SYMTAB_LOADING;
        atomic_compare_exchange_strong(&m->symtab_state, &loading, SYMTAB_UNLOADED);
    }
}

void symbols_register_fork_locks(void) { itab_register_fork_lock(&frame_cache); }

/* ---- by name (h13-nomatch): explaining a pattern that matched nothing ---- */

#define NEAR_MAX_EDITS 2
#define NEAR_MAX_LENGTH 255

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static size_t lowered(const char *s, char *out) {
    size_t n = 0;
    for (; s[n] && n < NEAR_MAX_LENGTH; n++) out[n] = ascii_lower(s[n]);
    out[n] = '\0';
    return s[n] ? NEAR_MAX_LENGTH + 1 : n;
}

/* Levenshtein distance of a and b, or NEAR_MAX_EDITS + 1 when it is larger. */
static int bounded_edits(const char *a, size_t la, const char *b, size_t lb) {
    if ((la > lb ? la - lb : lb - la) > NEAR_MAX_EDITS) return NEAR_MAX_EDITS + 1;
    unsigned char row[NEAR_MAX_LENGTH + 1];
    for (size_t j = 0; j <= lb; j++) row[j] = (unsigned char)(j < 255 ? j : 255);
    for (size_t i = 1; i <= la; i++) {
        unsigned char diagonal = row[0], best = (unsigned char)(i < 255 ? i : 255);
        row[0] = best;
        for (size_t j = 1; j <= lb; j++) {
            unsigned char up = row[j];
            unsigned char v = (unsigned char)(diagonal + (a[i - 1] != b[j - 1]));
            if (up + 1 < v) v = (unsigned char)(up + 1);
            if (row[j - 1] + 1 < v) v = (unsigned char)(row[j - 1] + 1);
            row[j] = v;
            diagonal = up;
            if (v < best) best = v;
        }
        if (best > NEAR_MAX_EDITS) return NEAR_MAX_EDITS + 1;
    }
    return row[lb];
}

/* Is name in the string table as a whole string (an alias the function table folded away)? */
static int in_strtab(const struct symtab *st, const char *name, size_t len) {
    for (const char *at = st->strtab, *end = st->strtab + st->strtab_size; at + len < end;) {
        const char *hit = memmem(at, (size_t)(end - at), name, len + 1);
        if (!hit) return 0;
        if (hit == st->strtab || hit[-1] == '\0') return 1;
        at = hit + 1;
    }
    return 0;
}

int symbols_find_function(const char *text, int glob, struct symbols_name_search *out) {
    out->module = out->near_name = out->near_module = NULL;
    if (strstr(text, "::") || strchr(text, '(')) return -1;
    char wanted[NEAR_MAX_LENGTH + 1], candidate[NEAR_MAX_LENGTH + 1];
    size_t wanted_len = lowered(text, wanted), text_len = strlen(text);
    int best = NEAR_MAX_EDITS + 1;
    struct module_list *list = rescan_modules();
    for (int i = 0; list && i < list->count; i++) {
        struct module *m = list->modules[i];
        struct symtab *st = symtab_of(m);
        if (!st) continue;
        for (uint64_t e = 0; e < st->count; e++) {
            const char *name = st->strtab + NAME_OFFSET(&st->entries[e]);
            if (glob ? glob_matches(text, name) : strcmp(text, name) == 0) {
                out->module = m->name;
                return 1;
            }
            if (best == 0) continue;
            size_t len = lowered(name, candidate);
            int edits = glob ? (glob_matches(wanted, candidate) ? 0 : NEAR_MAX_EDITS + 1)
                             : wanted_len <= NEAR_MAX_LENGTH && len <= NEAR_MAX_LENGTH ? bounded_edits(wanted, wanted_len, candidate, len)
                                                                                       : NEAR_MAX_EDITS + 1;
            if (edits < best) {
                best = edits;
                out->near_name = name;
                out->near_module = m->name;
            }
        }
        if (!glob && in_strtab(st, text, text_len)) {
            out->module = m->name;
            out->near_name = out->near_module = NULL;
            return 1;
        }
    }
    return 0;
}

const struct module *symbols_find_module(const char *glob, const struct module **near) {
    char wanted[NEAR_MAX_LENGTH + 1], candidate[NEAR_MAX_LENGTH + 1];
    lowered(glob, wanted);
    *near = NULL;
    struct module_list *list = rescan_modules();
    for (int i = 0; list && i < list->count; i++) {
        struct module *m = list->modules[i];
        if (glob_matches(glob, m->name)) return m;
        lowered(m->name, candidate);
        if (!*near && glob_matches(wanted, candidate)) *near = m;
    }
    return NULL;
}

int symbols_find_object(const struct module *m, const char *name, uintptr_t *address, uint64_t *size) {
    int fd = open(m->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    void *image = MAP_FAILED;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size >= sizeof(ElfW(Ehdr)))
        image = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (image == MAP_FAILED) return -1;
    int result = -1;
    const unsigned char *bytes = image;
    const ElfW(Ehdr) *eh = image;
    uint64_t file_size = (uint64_t)st.st_size;
    if (memcmp(bytes, ELFMAG, SELFMAG) == 0 && bytes[EI_CLASS] == ELFCLASS64 && eh->e_shentsize == sizeof(ElfW(Shdr)) &&
        eh->e_shoff && eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(ElfW(Shdr)) <= file_size) {
        const ElfW(Shdr) *sections = (const ElfW(Shdr) *)(bytes + eh->e_shoff);
        for (int i = 0; result != 0 && i < eh->e_shnum; i++) {
            const ElfW(Shdr) *table = &sections[i];
            if (table->sh_type != SHT_SYMTAB || table->sh_link >= eh->e_shnum || table->sh_entsize != sizeof(ElfW(Sym)))
                continue;
            const ElfW(Shdr) *strings = &sections[table->sh_link];
            if (table->sh_offset + table->sh_size > file_size || strings->sh_offset + strings->sh_size > file_size) continue;
            const ElfW(Sym) *syms = (const ElfW(Sym) *)(bytes + table->sh_offset);
            size_t name_len = strlen(name);
            for (uint64_t k = 0; k < table->sh_size / sizeof(ElfW(Sym)); k++) {
                const ElfW(Sym) *sym = &syms[k];
                if (ELF64_ST_TYPE(sym->st_info) != STT_OBJECT || sym->st_shndx == SHN_UNDEF ||
                    sym->st_name + name_len >= strings->sh_size ||
                    memcmp(bytes + strings->sh_offset + sym->st_name, name, name_len + 1) != 0)
                    continue;
                uintptr_t at = m->base + sym->st_value;
                if (at >= m->start && at + sym->st_size <= m->end) {
                    *address = at;
                    *size = sym->st_size;
                    result = 0;
                }
                break;
            }
        }
    }
    munmap(image, (size_t)st.st_size);
    return result;
}
