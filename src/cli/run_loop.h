/* The run skeleton `profile` and `text` share: inputs in, one record per
 * input out, in input order. It opens and locks the output, reads back what
 * --resume keeps, shares the input list with every MPI rank, handles Ctrl-C,
 * draws the progress bar, writes each unit's records in order, adds up the
 * counts over the ranks and turns them into the exit code. The command
 * supplies the inputs, the unit function (a batch in, its records out) and
 * the summary line. */
#ifndef EL_CLI_RUN_LOOP_H
#define EL_CLI_RUN_LOOP_H

#include <stddef.h>

#include "cli/dist.h"
#include "cli/progress.h"
#include "cli/resume.h"
#include "cli/summary.h"
#include "records/records.h"

typedef struct {
    const char *cmd;        /* "profile": messages start "entropy-lens profile: " */
    const char *noun;       /* "images": the progress bar's unit */
    const char *output;     /* -o FILE (NULL or "-": stdout) */
    el_format format;
    int resume, quiet;
    const char *resume_key; /* the field each kept record must have ("file"), or NULL */
    size_t per_unit;        /* inputs per unit (the batch) */
} el_run_params;

typedef struct {
    el_run_params p;
    int fd;               /* the output (-1: not open) */
    el_resume_state rs;   /* what --resume found (rank 0) */
    el_progress bar;
    el_run_counts counts; /* ok, failed, ...: the unit function updates them */
    el_summary sum;       /* mean profile per label (set sum.depth first) */
    size_t n_todo;        /* inputs this run does (after --resume) */
    double secs;          /* el_run_go's wall time */
} el_run;

/* Every rank, first: the run's parameters, nothing open yet. */
void el_run_init(el_run *r, const el_run_params *p);
/* Rank 0 (other ranks: nothing): refuses an output that is one of the
 * inputs, opens and locks it (before --resume reads it, so a concurrent
 * writer is never cut) and reads back the records --resume keeps. 0, or -1
 * after a message. */
int el_run_open(el_run *r, const char *const *inputs, size_t n_inputs);
/* 1 when --resume continues a file that already has records or a header. */
int el_run_continues(const el_run *r);
/* Rank 0: writes bytes (a CSV header) to the output; 0, or -1 after a message. */
int el_run_write(el_run *r, const char *data, size_t len);
/* One input failed: counted, and printed below the progress bar unless quiet. */
void el_run_failed(el_run *r, const char *message);
/* Rank 0 ships its input list to the other ranks: put serialises it on rank
 * 0, take rebuilds it on the others. 0 or -1. */
int el_run_share(void *list, void (*put)(const void *list, el_strbuf *sb),
                 int (*take)(void *list, const char *buf, size_t len));
/* Runs n_todo inputs as units of p.per_unit (unit u = inputs u*per_unit..)
 * with Ctrl-C stopping after the current unit, the progress bar and ordered
 * writes; then every rank's counts and summary meet at rank 0. 0, or -1 when
 * a unit or a write failed. */
int el_run_go(el_run *r, size_t n_todo, el_unit_fn unit, void *ctx);
/* The exit code at rank 0: rc when it is already an error, else 130 when
 * interrupted, 1 when an input failed, 0. */
int el_run_exit_code(const el_run *r, int rc);
/* Closes the output (a failed close turns success into EL_EXIT_FATAL) and
 * frees r; returns the final exit code. */
int el_run_close(el_run *r, int rc);
/* "(interrupted: ...)" / " (all ranks)" tails of the summary line. */
const char *el_run_ranks_note(void);
const char *el_run_interrupted_note(const el_run *r);

#endif
