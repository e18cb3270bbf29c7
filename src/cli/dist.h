/* Units of work (a batch of images, a prompt) run in order in one process, or
 * shared out over MPI ranks: unit u runs on rank u % size, and rank 0 writes
 * every unit's records in unit order, so the output is byte-identical to a
 * single-process run whatever the number of ranks. Without MPI (or when not
 * launched by mpirun) there is one rank. */
#ifndef EL_CLI_DIST_H
#define EL_CLI_DIST_H

#include <signal.h>
#include <stddef.h>

#include "base/strbuf.h"

/* Produce the records of one unit into out. 0, or -1 on a fatal error. */
typedef int (*el_unit_fn)(void *ctx, size_t unit, el_strbuf *out);
/* Rank 0: write one unit's records (called in unit order). 0 or -1. */
typedef int (*el_write_fn)(void *ctx, size_t unit, const char *data, size_t len);

/* MPI_Init when launched by an MPI starter (mpirun, srun); harmless otherwise. */
void el_dist_init(int *argc, char ***argv);
void el_dist_finalize(void);
int el_dist_rank(void);
int el_dist_size(void);
/* Abort every rank (MPI) or exit (single process) with this code. */
void el_dist_abort(int code);
/* 1 if every rank passed ok != 0 (collective). */
int el_dist_all_ok(int ok);

/* Run units 0..n-1; stop early when *stop is set. Returns 0, or -1 if a unit
 * or a write failed (the message has been printed). */
int el_dist_run(size_t n, el_unit_fn work, el_write_fn write, void *ctx, volatile sig_atomic_t *stop);

/* Rank 0's bytes to every rank (*buf malloc'd on the others). 0 or -1. */
int el_dist_bcast(char **buf, size_t *len);
/* Every rank's bytes gathered at rank 0, concatenated in rank order (malloc'd). */
int el_dist_gather(const char *mine, size_t len, char **all, size_t *all_len);

/* Fields for shipping lists between ranks: NUL-terminated strings, NULL
 * travels as "\x01". take advances *p and returns a malloc'd copy or NULL. */
void el_dist_put_field(el_strbuf *sb, const char *s);
char *el_dist_take_field(const char **p, const char *end);

/* Counters and per-label sums of every rank, merged at rank 0: each rank
 * passes its own; rank 0 gets the totals back (other ranks: unchanged). */
#endif
