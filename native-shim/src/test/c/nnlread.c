/* Reads data files after their processes ended, as the Java side does.
 *   nnlread expect DIR   checks every line "pid live end status" of DIR/stress-expected against
 *                        DIR/proc-<pid>-0.nnl, and that DIR holds no other data file
 *   nnlread show FILE    prints a summary of one data file
 *   nnlread lost DIR R   checks that every data file in DIR is readable and that one of them counts
 *                        losses of reason R (enum nnl_loss), or with R = 0 that none counts any */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnlfile.h"

static int show(const char *path) {
    struct nnl_file f;
    if (nnlf_open(&f, path) != 0) {
        fprintf(stderr, "%s\n", f.error);
        return 1;
    }
    const struct nnl_file_header *h = f.h;
    printf("%s: pid %d parent %d state %u end %u status %d executable %s\n", path, h->pid, h->parent_pid,
           (unsigned)h->state, (unsigned)h->end, (int)h->exit_status, h->executable);
    printf("  matched %" PRIu64 " (%" PRIu64 " bytes), dropped %" PRIu64 ", live entries %" PRIu64
           ", log records %" PRIu64 ", sites %u, frames %u, timeline points %u\n",
           (uint64_t)h->matched_count, (uint64_t)h->matched_bytes, (uint64_t)h->dropped_count, f.entry_count, f.records,
           f.site_count, f.frame_count, (unsigned)h->timeline_count);
    uint64_t highest = 0;
    for (int s = 0; s < NNL_SHARDS; s++) {
        uint64_t offset = h->shards[s].table_offset;
        if (offset > highest) highest = offset;
    }
    printf("  highest table offset %" PRIu64 " MiB of %" PRIu64 " MiB\n", highest >> 20,
           (uint64_t)(h->table_region_offset + h->table_region_size) >> 20);
    for (uint32_t i = 0; i < f.site_count; i++) {
        if (!f.sites[i].present) continue;
        printf("  site %u pattern %d thread %s:", i, f.sites[i].pattern, f.sites[i].thread);
        for (int k = 0; k < 4; k++) {
            const char *s = nnlf_site_symbol(&f, i, k);
            printf(" %s", s ? s : "?");
        }
        printf("\n");
    }
    nnlf_close(&f);
    return 0;
}

static int expect(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/stress-expected", dir);
    FILE *in = fopen(path, "r");
    REQUIRE(in, "cannot read %s", path);
    int pid, end, status, lines = 0;
    unsigned long live;
    while (fscanf(in, "%d %lu %d %d", &pid, &live, &end, &status) == 4) {
        lines++;
        char file[4200];
        nnlf_path(file, sizeof file, dir, pid, 0);
        struct nnl_file f;
        if (nnlf_open(&f, file) != 0) {
            CHECK_FAIL("%s", f.error);
            continue;
        }
        char what[4300];
        snprintf(what, sizeof what, "%s: live entries after the process ended", file);
        CHECK_EQ_U64(live, f.entry_count, what);
        snprintf(what, sizeof what, "%s: how the process ended", file);
        CHECK_EQ_U64(end, f.h->end, what);
        snprintf(what, sizeof what, "%s: exit status", file);
        CHECK_EQ_U64((uint32_t)status, (uint32_t)f.h->exit_status, what);
        snprintf(what, sizeof what, "%s: pid", file);
        CHECK_EQ_U64((uint32_t)pid, (uint32_t)f.h->pid, what);
        snprintf(what, sizeof what, "%s: dropped allocations", file);
        CHECK_EQ_U64(0, f.h->dropped_count, what);
        nnlf_close(&f);
    }
    fclose(in);
    CHECK(lines > 0, "%s lists no process", path);
    CHECK_EQ_U64(lines, nnlf_count_files(dir), "data files in the run directory");
    return check_report("nnlread");
}

static int lost(const char *dir, unsigned reason) {
    DIR *d = opendir(dir);
    REQUIRE(d, "cannot read %s", dir);
    int files = 0, with_reason = 0;
    uint64_t any = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, "proc-", 5) != 0) continue;
        char file[4400];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        struct nnl_file f;
        files++;
        if (nnlf_open(&f, file) != 0) {
            CHECK_FAIL("%s: %s", file, f.error);
            continue;
        }
        const struct nnl_resources *r = (const struct nnl_resources *)(f.map + NNL_RESOURCES_OFFSET);
        for (int i = 0; i < NNL_LOSS_REASONS; i++) any += r->lost[i];
        if (r->incomplete_since_ns)
            printf("%s: pid %d lost tracking: first reason %u (errno %d); counts:", file, f.h->pid,
                   (unsigned)r->incomplete_reason, (int)r->incomplete_errno);
        for (int i = 0; r->incomplete_since_ns && i < NNL_LOSS_REASONS; i++)
            if (r->lost[i]) printf(" [%d] %" PRIu64, i, (uint64_t)r->lost[i]);
        if (r->incomplete_since_ns) printf("\n");
        if (reason && r->lost[reason] && r->incomplete_since_ns) with_reason++;
        nnlf_close(&f);
    }
    closedir(d);
    CHECK(files > 0, "%s holds no data file", dir);
    if (reason) CHECK(with_reason > 0, "no data file in %s counts a loss of reason %u", dir, reason);
    else CHECK_EQ_U64(0, any, "losses counted");
    return check_report("nnlread");
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "lost") == 0) return lost(argv[2], (unsigned)atoi(argv[3]));
    if (argc == 3 && strcmp(argv[1], "show") == 0) return show(argv[2]);
    if (argc == 3 && strcmp(argv[1], "expect") == 0) return expect(argv[2]);
    fprintf(stderr, "usage: nnlread show FILE | nnlread expect DIR | nnlread lost DIR REASON\n");
    return 2;
}
