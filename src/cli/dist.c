#include "cli/dist.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "cli/dist_watchdog.h"

#ifdef EL_HAVE_MPI
#include <mpi.h>
#endif

static int rank = 0, size = 1;
#ifdef EL_HAVE_MPI
static int mpi_on = 0;
#endif

int el_dist_rank(void) { return rank; }
int el_dist_size(void) { return size; }

void el_dist_init(int *argc, char ***argv) {
#ifdef EL_HAVE_MPI
    /* Only join MPI when a starter launched us: a plain run stays a plain
     * process (no singleton start-up cost, no warnings). */
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_STEP_NUM_TASKS"};
    int launched = 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) launched |= getenv(vars[i]) != NULL;
    if (!launched) return;
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return;
    mpi_on = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    el_watchdog_start(rank, size);
#else
    (void)argc;
    (void)argv;
#endif
}

void el_dist_finalize(void) {
#ifdef EL_HAVE_MPI
    if (mpi_on && size > 1) el_watchdog_disarm();
    if (mpi_on) MPI_Finalize();
    mpi_on = 0;
#endif
}

void el_dist_abort(int code) {
#ifdef EL_HAVE_MPI
    if (mpi_on && size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
    exit(code);
}

int el_dist_all_ok(int ok) {
#ifdef EL_HAVE_MPI
    if (mpi_on && size > 1) {
        int all;
        MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
        return all;
    }
#endif
    return ok != 0;
}

int el_dist_bcast(char **buf, size_t *len) {
#ifdef EL_HAVE_MPI
    if (mpi_on && size > 1) {
        uint64_t n = rank == 0 ? *len : 0;
        MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        if (rank != 0) {
            *buf = malloc(n + 1);
            if (!*buf) el_dist_abort(3);
            *len = n;
        }
        /* MPI counts are int: send in chunks. */
        for (uint64_t off = 0; off < n; off += 1u << 30) {
            int c = (int)(n - off < (1u << 30) ? n - off : (1u << 30));
            MPI_Bcast(*buf + off, c, MPI_CHAR, 0, MPI_COMM_WORLD);
        }
        (*buf)[n] = '\0';
    }
#else
    (void)buf;
    (void)len;
#endif
    return 0;
}

int el_dist_gather(const char *mine, size_t len, char **all, size_t *all_len) {
#ifdef EL_HAVE_MPI
    if (mpi_on && size > 1) {
        int n = (int)len, *counts = NULL, *displs = NULL;
        if (rank == 0) {
            counts = calloc((size_t)size, sizeof(int));
            displs = calloc((size_t)size, sizeof(int));
        }
        MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
        size_t total = 0;
        if (rank == 0)
            for (int i = 0; i < size; i++) displs[i] = (int)total, total += (size_t)counts[i];
        char *out = rank == 0 ? malloc(total + 1) : NULL;
        MPI_Gatherv(mine, n, MPI_CHAR, out, counts, displs, MPI_CHAR, 0, MPI_COMM_WORLD);
        if (rank == 0) {
            out[total] = '\0';
            *all = out;
            *all_len = total;
        }
        free(counts);
        free(displs);
        return 0;
    }
#endif
    *all = malloc(len + 1);
    if (!*all) return -1;
    memcpy(*all, mine, len);
    (*all)[len] = '\0';
    *all_len = len;
    return 0;
}

/* Rank 0 writes under the watchdog's lock: a rank 0 stopped by it finishes
 * the record it is writing and starts no other. */
static int write_unit(el_write_fn write, void *ctx, size_t u, const char *data, size_t len) {
    el_watchdog_lock_writes();
    int rc = write(ctx, u, data, len);
    el_watchdog_unlock_writes();
    return rc;
}

/* A unit one of whose file reads Ctrl-C cut short holds error records that
 * are not its inputs' fault: *keep = 0 and it is neither written nor sent
 * (the run is stopping anyway; --resume runs it again). */
static int run_unit(el_unit_fn work, void *ctx, size_t u, el_strbuf *out, int *keep) {
    const unsigned long cut = el_file_cut_reads();
    int rc = work(ctx, u, out);
    *keep = el_file_cut_reads() == cut;
    return rc;
}

static int run_serial(size_t n, el_unit_fn work, el_write_fn write, void *ctx, volatile sig_atomic_t *stop) {
    el_strbuf sb = {0};
    int rc = 0;
    for (size_t u = 0; u < n && !*stop && !rc; u++) {
        el_sb_reset(&sb);
        int keep;
        rc = run_unit(work, ctx, u, &sb, &keep);
        if (!rc && keep) rc = write_unit(write, ctx, u, sb.data ? sb.data : "", sb.len);
    }
    el_sb_free(&sb);
    return rc;
}

#ifdef EL_HAVE_MPI
enum { TAG_UNIT = 1, TAG_DONE = 2 };

/* Rank 0 keeps finished units until every earlier one is written. */
typedef struct {
    char **data;
    size_t *len;
    unsigned char *have;
    size_t next, n;
} pending;

static int flush_ready(pending *p, el_write_fn write, void *ctx) {
    while (p->next < p->n && p->have[p->next]) {
        int rc = write_unit(write, ctx, p->next, p->data[p->next] ? p->data[p->next] : "", p->len[p->next]);
        free(p->data[p->next]);
        p->data[p->next] = NULL;
        p->next++;
        if (rc) return rc;
    }
    return 0;
}

/* Receive one message (blocking); returns 1 for a DONE message. */
static int receive(pending *p) {
    MPI_Status st;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
    int count;
    MPI_Get_count(&st, MPI_CHAR, &count);
    char *buf = malloc((size_t)count + 1);
    if (!buf) el_dist_abort(3);
    MPI_Recv(buf, count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == TAG_DONE) {
        free(buf);
        return 1;
    }
    uint64_t u;
    memcpy(&u, buf, 8);
    if (u < p->n) {
        p->len[u] = (size_t)count - 8;
        memmove(buf, buf + 8, p->len[u]);
        p->data[u] = buf;
        p->have[u] = 1;
    } else {
        free(buf);
    }
    return 0;
}

static int run_mpi(size_t n, el_unit_fn work, el_write_fn write, void *ctx, volatile sig_atomic_t *stop) {
    el_strbuf sb = {0};
    int rc = 0;
    if (rank != 0) {
        for (size_t u = (size_t)rank; u < n && !*stop && !rc; u += (size_t)size) {
            el_sb_reset(&sb);
            el_sb_write(&sb, (const char *)&(uint64_t){u}, 8);
            int keep;
            rc = run_unit(work, ctx, u, &sb, &keep);
            if (!rc && keep && !sb.oom) MPI_Send(sb.data, (int)sb.len, MPI_CHAR, 0, TAG_UNIT, MPI_COMM_WORLD);
        }
        MPI_Send("", 0, MPI_CHAR, 0, TAG_DONE, MPI_COMM_WORLD);
        el_sb_free(&sb);
        return rc;
    }
    pending p = {.n = n};
    p.data = calloc(n ? n : 1, sizeof(char *));
    p.len = calloc(n ? n : 1, sizeof(size_t));
    p.have = calloc(n ? n : 1, 1);
    if (!p.data || !p.len || !p.have) el_dist_abort(3);
    int done = 0;
    for (size_t u = 0; u < n && !*stop && !rc; u += (size_t)size) {
        el_sb_reset(&sb);
        int keep;
        rc = run_unit(work, ctx, u, &sb, &keep);
        if (rc || !keep) break;
        p.data[u] = malloc(sb.len + 1);
        if (!p.data[u]) el_dist_abort(3);
        memcpy(p.data[u], sb.data ? sb.data : "", sb.len);
        p.len[u] = sb.len;
        p.have[u] = 1;
        /* Take in what the other ranks have finished meanwhile. */
        int flag;
        MPI_Status st;
        while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) == MPI_SUCCESS && flag)
            done += receive(&p);
        rc = flush_ready(&p, write, ctx);
    }
    while (done < size - 1) {
        done += receive(&p);
        if (!rc) rc = flush_ready(&p, write, ctx);
    }
    if (!rc) rc = flush_ready(&p, write, ctx);
    /* Units after a gap (a rank stopped early) are not written: the file
     * stays an in-order prefix, which --resume completes. */
    for (size_t u = 0; u < n; u++) free(p.data[u]);
    free(p.data);
    free(p.len);
    free(p.have);
    el_sb_free(&sb);
    return rc;
}
#endif

int el_dist_run(size_t n, el_unit_fn work, el_write_fn write, void *ctx, volatile sig_atomic_t *stop) {
    el_file_set_stop_flag(stop); /* a read Ctrl-C interrupts fails instead of waiting on */
    int rc;
#ifdef EL_HAVE_MPI
    if (mpi_on && size > 1) rc = run_mpi(n, work, write, ctx, stop);
    else
#endif
        rc = run_serial(n, work, write, ctx, stop);
    el_file_set_stop_flag(NULL);
    return rc;
}

void el_dist_put_field(el_strbuf *sb, const char *s) {
    el_sb_puts(sb, s ? s : "\x01");
    el_sb_putc(sb, '\0');
}

char *el_dist_take_field(const char **p, const char *end) {
    const char *s = *p;
    if (s >= end) return NULL;
    size_t n = strnlen(s, (size_t)(end - s));
    *p = s + n + 1;
    if (n == 1 && s[0] == '\x01') return NULL;
    return strndup(s, n);
}
