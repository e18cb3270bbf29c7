/* Reading back the records `profile` and `text` write (records.h): one
 * JSONL line into an el_record (identity, prediction, raw profile, patch
 * map), and the line loop every reader shares (size limits, blank lines,
 * \udcXX escapes, text after the object). Analysis (analysis/dataset.h)
 * builds its data sets on it. */
#ifndef EL_RECORDS_RECORD_READ_H
#define EL_RECORDS_RECORD_READ_H

#include <cjson/cJSON.h>

#include "base/status.h"

typedef struct {
    /* Identity */
    const char *source;  /* the JSONL file it came from (as given to el_dataset_load) */
    int line;            /* 1-based line number in source */
    const char *file;    /* image records: `file`; text records: `prompt` */
    int is_text;         /* 1 when the record has `prompt` (a text record) */
    const char *model;   /* `model`, or "" */
    const char *label;   /* `label` stringified like groups, or NULL when null/absent */
    const char *group;   /* the `by` value stringified ("" when by == NULL) */
    int group_index;     /* index into el_dataset.groups */

    /* Prediction (image records; text records get -1/NaN/-1) */
    int top1;            /* `top1`, or -1 when absent/null */
    const char *top1_label; /* `top1_label`, or NULL */
    double prob;         /* `prob`, or NaN */
    int correct;         /* `correct`: 1 true, 0 false, -1 null or absent */

    /* Raw profile, exactly as written (no alignment) */
    int first_layer;     /* `first_layer` (1, or 0 with --include-embeddings); 1 if absent */
    int n_layers;        /* L: layers per profile row */
    int n_windows;       /* W: rows of `entropy` (1 unless text --windows W > 1) */
    double *entropy;     /* W x L, row-major: entropy[w * L + l] is layer first_layer + l */

    /* patch_entropy (only when opts.keep_patches and the record has it) */
    int n_patches;       /* P, 0 when absent */
    double *patch;       /* L x P, row-major: patch[l * P + p], patches in row-major grid order */
    int has_view;        /* 1 when the record has `input_view` */
    double view[4];      /* `input_view`: {x, y, w, h} of the image the patch grid covers */
} el_record;

/* A number array (rows = 1) or an array of equal-length number arrays, as
 * doubles (JSON null -> NaN). 0, -1 wrong shape or type, -2 no memory. */
typedef struct {
    double *v;      /* rows x cols, row-major (malloc'd) */
    int rows, cols;
} el_json_matrix;
int el_json_read_matrix(const cJSON *a, el_json_matrix *out);

/* A JSON value as a group string: strings as they are, booleans
 * "true"/"false", anything else its compact JSON text. malloc'd. */
char *el_json_stringify(const cJSON *it);

/* 1 when the record is an `error` record (error present and not null). */
int el_record_is_error(const cJSON *j);
/* One record object j (not an error record) of source:line into r: the
 * identity, prediction and raw profile, and with want_patches the
 * patch_entropy map (L arrays of P). EL_ERR_FORMAT "SOURCE:LINE: reason" when
 * a field is malformed; r is then empty. r->group is left NULL. */
el_status el_record_read(const cJSON *j, const char *source, int line, int want_patches, el_record *r);
void el_record_free(el_record *r);

/* Every non-blank line of path ("-": stdin, read up to the records size
 * limit) parsed as one JSON value and passed to fn with its 1-based line
 * number; stops at the first failure (fn's status, or EL_ERR_FORMAT "PATH:LINE:
 * not valid JSON" / "text after the JSON value"). */
typedef el_status (*el_record_line_fn)(void *ctx, const cJSON *j, const char *path, int line);
el_status el_records_each(const char *path, el_record_line_fn fn, void *ctx);

#endif
