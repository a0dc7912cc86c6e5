/* A reader of the per-process data file (format.h), for the C tests: maps a file, checks its
 * structure, and gives its live entries, frames and sites. Independent of the shim's writer code:
 * only the layout declared in format.h is shared. */
#ifndef NNL_TEST_NNLFILE_H
#define NNL_TEST_NNLFILE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "output.h"

struct nnlf_frame {
    int present;
    uint64_t address, offset;
    uint8_t flags; /* 1: allocator wrapper, 2: has a module, 4: has a symbol */
    char module[256];
    char symbol[1025];
};

struct nnlf_site {
    int present;
    int32_t pattern;
    uint32_t status;
    uint16_t count, py_count;
    char thread[256];
    uint32_t *frames; /* count frame ids */
};

struct nnlf_entry {
    uint64_t address, size;
    uint32_t site;
};

/* A FRAME_CHECK record: one named frame of a pattern, looked up at the checkpoint. */
struct nnlf_frame_check {
    uint16_t pattern, matcher;
    uint8_t flags; /* 1: found, 2: glob, 4: obj: module glob, 8: not checked */
    char text[256], module[256], near_name[256], near_module[256];
};
#define NNLF_MAX_FRAME_CHECKS 64

struct nnl_file {
    char path[4096];
    const char *map;
    size_t size;
    const struct nnl_file_header *h;
    struct nnlf_frame *frames;
    uint32_t frame_count; /* highest frame id + 1 */
    struct nnlf_site *sites;
    uint32_t site_count;  /* highest site id + 1 */
    struct nnlf_entry *entries;
    uint64_t entry_count;
    struct nnlf_frame_check frame_checks[NNLF_MAX_FRAME_CHECKS];
    int frame_check_count;
    uint64_t records;
    char error[512];
};

/* Maps and parses path; 0 on success, else f->error says why (the file is malformed). */
int nnlf_open(struct nnl_file *f, const char *path);
void nnlf_close(struct nnl_file *f);
/* Re-reads the live table and the log of an open file (its writer may still be running). */
int nnlf_reload(struct nnl_file *f);
/* The path of pid's n-th data file in dir ("<dir>/proc-<pid>-<n>.nnl"). */
void nnlf_path(char *out, size_t cap, const char *dir, pid_t pid, int n);
/* Number of proc-*.nnl files in dir. */
int nnlf_count_files(const char *dir);
/* The symbol of frame index (counted from the site's frame 0, i.e. after the skipped wrappers), or
 * NULL when that frame has none or does not exist. */
const char *nnlf_site_symbol(const struct nnl_file *f, uint32_t site, int index);
/* File bytes taken by the log segments allocated so far (extents share the file with the tables). */
uint64_t nnlf_log_bytes(const struct nnl_file *f);
/* Sorts entries by address, for nnlf_find_entry. */
void nnlf_sort_entries(struct nnl_file *f);
const struct nnlf_entry *nnlf_find_entry(const struct nnl_file *f, uint64_t address);
#endif
