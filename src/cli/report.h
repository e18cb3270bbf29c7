/* Pieces of `entropy-lens report` shared by its section files. */
#ifndef EL_CLI_REPORT_H
#define EL_CLI_REPORT_H

#include "analysis/analysis.h"
#include "analysis/dataset.h"
#include "base/strbuf.h"
#include "plot/canvas.h"

typedef struct {
    const char **files;
    int n_files;
    const char *output, *by, *title, *root;
    const char *model; /* the model whose sections are being written (NULL: every record) */
    el_cv_params cv;
    int top, tsne;
    char *units;
} report_args;

/* A <p class="note"> with fmt's one %s filled by arg (HTML-escaped). */
void report_note(el_strbuf *b, const char *fmt, const char *arg);
/* The figure inline, or a note saying why it was not drawn. */
void report_fig_or_note(el_strbuf *b, el_canvas *c, const char *alt);
/* The report's input files as a dataset, grouped by `by` (NULL: none). */
el_status report_load(const report_args *a, const char *by, int patches, int features, el_dataset *ds);
/* The "most and least certain images" section. */
void report_section_extremes(el_strbuf *b, const report_args *a);

#endif
