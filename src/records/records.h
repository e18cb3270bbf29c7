/* The output contract: one JSONL object or CSV row per image or prompt (see
 * README, "Output"). Records are formatted into a buffer and written whole.
 * Reading them back is records/record_read.h. */
#ifndef EL_RECORDS_H
#define EL_RECORDS_H

#include <stdint.h>

#include "base/strbuf.h"
#include "entropy_lens.h"

typedef enum { EL_FORMAT_JSONL = 0, EL_FORMAT_CSV } el_format;

typedef struct {
    el_format format;
    const char *model;         /* model name written into every record */
    const char *const *class_names; /* n_classes names (top1_label) */
    int n_classes;
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
/* Text records: one per prompt. */
typedef struct {
    el_format format;
    const char *model;
    const el_text_params *tp; /* n_tokens (S), units, Renyi orders */
    int n_layers;             /* L */
    int windows;              /* W: the S steps averaged in W contiguous windows */
    int per_step;             /* also every step's profile (entropy_steps) */
    int samples;              /* --samples: records carry `sample` and `seed` */
} el_text_record_ctx;

typedef struct {
    const char *prompt;           /* NULL: the prompts line was unreadable */
    const char *label;            /* NULL: none */
    const char *extra;            /* the prompts line's other members, `"k":v,` each, or NULL */
    const char *error;            /* non-NULL: failed, result unused */
    const el_text_result *result;
    int sample;                   /* with ctx->samples: the sample number and its seed */
    uint64_t seed;
    int has_answer;               /* the prompt has an "answer": write `correct` and `extracted` */
    int correct;                  /* 1, 0, or -1 (null: nothing extracted) */
    const char *extracted;        /* the extracted answer, or NULL */
} el_text_record;

void el_text_record_header(el_strbuf *sb, const el_text_record_ctx *ctx); /* CSV only */
void el_text_record_format(el_strbuf *sb, const el_text_record_ctx *ctx, const el_text_record *r);
/* Mean over the steps of each of W windows: steps S x L -> out W x L. */
void el_window_means(const float *steps, int S, int L, int W, float *out);

/* write() all of buf, retrying on EINTR and short writes; 0 or -1. */
int el_write_all(int fd, const char *buf, size_t len);

#endif
