/* The output contract: one JSONL object or CSV row per image (see README,
 * "Output"). Records are formatted into a buffer and written whole. */
#ifndef EL_RECORDS_H
#define EL_RECORDS_H

#include "base/strbuf.h"
#include "entropy_lens.h"

typedef enum { EL_FORMAT_JSONL = 0, EL_FORMAT_CSV } el_format;

typedef struct {
    el_format format;
    const char *model;         /* model name written into every record */
    const el_model *m;         /* class names */
    const el_lens_params *lp;
    int n_layers;              /* L of the model (CSV header) */
} el_record_ctx;

typedef struct {
    const char *file;
    const char *label;         /* NULL: unlabelled */
    int label_index;           /* -1: unknown */
    const char *error;         /* non-NULL: the image failed, profile unused */
    const el_profile *profile;
    const double *view;        /* {x, y, w, h}: the image region the model saw
                                * (el_preprocess_view), or NULL */
} el_image_record;

const char *el_units_name(el_units u);
void el_record_header(el_strbuf *sb, const el_record_ctx *ctx); /* CSV only; nothing for JSONL */
void el_record_format(el_strbuf *sb, const el_record_ctx *ctx, const el_image_record *r);
/* write() all of buf, retrying on EINTR and short writes; 0 or -1. */
int el_write_all(int fd, const char *buf, size_t len);

#endif
