/* The run skeleton shared by profile and text (see run_loop.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/run_loop.h"

static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C stops at once */
}

void el_run_init(el_run *r, const el_run_params *p) {
    memset(r, 0, sizeof *r);
    r->p = *p;
    r->fd = -1;
}

int el_run_open(el_run *r, const char *const *inputs, size_t n_inputs) {
    const el_run_params *p = &r->p;
    if (el_dist_rank() != 0) return 0;
    for (size_t i = 0; i < n_inputs; i++)
        if (el_output_is_input(p->cmd, p->output, inputs[i])) return -1;
    if ((r->fd = el_open_output(p->cmd, p->output, p->resume)) < 0) return -1;
    if (p->resume && el_resume_scan(p->output, p->format == EL_FORMAT_CSV, p->resume_key, &r->rs)) return -1;
    return 0;
}

int el_run_continues(const el_run *r) { return r->p.resume && (r->rs.n_records || r->rs.has_header); }

int el_run_write(el_run *r, const char *data, size_t len) {
    if (!len || el_write_all(r->fd, data, len) == 0) return 0;
    fprintf(stderr, "entropy-lens %s: %s: write failed: %s\n", r->p.cmd, r->p.output ? r->p.output : "stdout",
            strerror(errno));
    return -1;
}

void el_run_failed(el_run *r, const char *message) {
    r->counts.failed++;
    if (r->p.quiet) return;
    el_progress_finish(&r->bar);
    fprintf(stderr, "entropy-lens: error: %s\n", message);
}

int el_run_share(void *list, void (*put)(const void *list, el_strbuf *sb),
                 int (*take)(void *list, const char *buf, size_t len)) {
    if (el_dist_size() < 2) return 0;
    el_strbuf sb = {0};
    char *buf = NULL;
    size_t len = 0;
    if (el_dist_rank() == 0) {
        put(list, &sb);
        buf = sb.data;
        len = sb.len;
    }
    int rc = el_dist_bcast(&buf, &len);
    if (el_dist_rank() != 0) {
        if (!rc) rc = take(list, buf, len);
        free(buf);
    }
    el_sb_free(&sb);
    return rc;
}

/* Rank 0: one unit's records to the output, then the bar. */
static int write_unit(void *vr, size_t unit, const char *data, size_t len) {
    el_run *r = vr;
    if (el_run_write(r, data, len)) return -1;
    size_t done = (unit + 1) * r->p.per_unit;
    el_progress_update(&r->bar, done < r->n_todo ? done : r->n_todo, r->counts.failed);
    return 0;
}

typedef struct {
    el_run *r;
    el_unit_fn unit;
    void *ctx;
} unit_call;

static int run_unit(void *vc, size_t unit, el_strbuf *out) {
    unit_call *c = vc;
    return c->unit(c->ctx, unit, out);
}

/* el_dist_run takes one context for both callbacks: the writes go to the run. */
static int write_call(void *vc, size_t unit, const char *data, size_t len) {
    return write_unit(((unit_call *)vc)->r, unit, data, len);
}

int el_run_go(el_run *r, size_t n_todo, el_unit_fn unit, void *ctx) {
    r->n_todo = n_todo;
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    el_progress_start(&r->bar, n_todo, r->p.noun);
    if (r->p.quiet || el_dist_rank() != 0) r->bar.enabled = 0;
    const double t0 = el_now();
    const size_t per = r->p.per_unit ? r->p.per_unit : 1, units = (n_todo + per - 1) / per;
    unit_call call = {r, unit, ctx};
    int rc = el_dist_run(units, run_unit, write_call, &call, &interrupted);
    el_progress_finish(&r->bar);
    r->secs = el_now() - t0;
    r->counts.interrupted = interrupted;
    el_summary_gather(&r->sum, &r->counts);
    return rc;
}

int el_run_exit_code(const el_run *r, int rc) {
    if (rc != EL_EXIT_OK || el_dist_rank() != 0) return rc;
    return r->counts.interrupted ? EL_EXIT_INTERRUPTED : r->counts.failed ? EL_EXIT_PARTIAL : EL_EXIT_OK;
}

int el_run_close(el_run *r, int rc) {
    if (r->fd > STDOUT_FILENO && close(r->fd) != 0 && rc == EL_EXIT_OK) {
        fprintf(stderr, "entropy-lens %s: %s: close failed: %s\n", r->p.cmd, r->p.output, strerror(errno));
        rc = EL_EXIT_FATAL;
    }
    r->fd = -1;
    el_summary_free(&r->sum);
    el_resume_free(&r->rs);
    return rc;
}

const char *el_run_ranks_note(void) { return el_dist_size() > 1 ? " (all ranks)" : ""; }

const char *el_run_interrupted_note(const el_run *r) {
    return r->counts.interrupted ? " (interrupted: finished records are kept; --resume continues)" : "";
}
