/* Mean profile per label, printed on stderr at the end of a run. */
#ifndef EL_CLI_SUMMARY_H
#define EL_CLI_SUMMARY_H

#include <stddef.h>

#include "base/strbuf.h"

typedef struct {
    char *label;
    size_t count;
    double *sum;
} el_label_stats;

typedef struct {
    el_label_stats *items;
    size_t n, cap;
    int depth; /* numbers per profile; set before the first add */
} el_summary;

void el_summary_add(el_summary *s, const char *label, const float *profile);
void el_summary_print(const el_summary *s, const char *title, const char *units, int first_layer);
void el_summary_free(el_summary *s);
/* Text form for gathering over MPI ranks: one "label\tcount\tsum,sum,...\n"
 * line per label; merge adds such text into s. */
void el_summary_serialize(const el_summary *s, el_strbuf *out);
void el_summary_merge(el_summary *s, const char *text);

typedef struct {
    size_t ok, failed, tokens;
    size_t labelled, right; /* profile: records with a known class, top-1 right */
    int interrupted;
} el_run_counts;

/* Collective: every rank's counts and summary are added up at rank 0, which
 * gets the totals in place (other ranks keep their own). */
void el_summary_gather(el_summary *s, el_run_counts *c);

#endif
