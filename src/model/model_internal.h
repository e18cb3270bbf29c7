/* The opaque el_model (a front end over the shared transformer) and el_state
 * (one caller's working memory). Shared by model.c (loading, states, the
 * common checks), model_vision.c (profiles) and model_text.c (generation). */
#ifndef EL_MODEL_INTERNAL_H
#define EL_MODEL_INTERNAL_H

#include "entropy_lens.h"
#include "model/decoder.h"
#include "model/lens.h"
#include "model/transformer.h"
#include "tokenizer/tokenizer.h"
#include "vit/vit.h"
#include "weights/text_load.h"
#include "weights/vit_load.h"

/* Image front end: patches, class tokens, positions; class names. */
typedef struct {
    el_vit vit;
    el_vit_meta meta;
} el_vision_front;

/* Text front end: token embeddings, positions, KV caches; the tokenizer. */
typedef struct {
    el_text text;
    el_text_meta meta;
    el_tokenizer *tok; /* NULL: ids only (meta.no_tokenizer says why) */
} el_text_front;

typedef enum { EL_FRONT_VISION, EL_FRONT_TEXT } el_front_kind;

/* Read-only once loaded. */
struct el_model {
    char name[256];
    el_model_info info;
    const el_transformer *tf; /* the front end's block stack and lens */
    el_vision_front *vision;  /* exactly one front end; the other is NULL */
    el_text_front *text;
};

struct el_state {
    const el_model *model;
    int n_threads;
    el_block_work blocks;      /* activations of the block stack */
    el_buf cols;               /* images: im2col patches */
    el_buf rows, rows2;        /* residual rows kept for the lens, [layers][n][D] */
    el_buf pooled;             /* pooled heads: mean patch rows [layers][n][D], then scratch */
    el_buf head_rows;          /* DINOv2: [norm(CLS) | pooled] rows, [layers][n][2D] */
    el_buf row_entropy;        /* images: every token's lens entropy, per layer */
    el_buf logits;
    el_lens_work lens_work;
    el_lens_out *louts;
    size_t louts_cap;
};

/* The one check of every modality-specific call: EL_OK, or EL_ERR_ARG naming
 * the model and the call to use instead. */
el_status el_model_expect(const el_model *m, el_front_kind kind);
/* A state's call starts here: its thread count applied to this thread. */
void el_state_enter(el_state *s);
/* Room for n lens outputs in the state, or NULL when out of memory. */
el_lens_out *el_state_lens_outs(el_state *s, size_t n);

el_status el_model_load_vision(el_model *m, const char *path, const el_model_params *params);
void el_model_free_vision(el_model *m);
el_status el_model_load_text(el_model *m, const char *path, const el_model_params *params);
void el_model_free_text(el_model *m);
const char *el_model_token_name(const el_model *m, int id);
/* Generate for n prompts given as ids (model_text.c's public calls). */
el_status el_text_run(el_state *s, int *const *ids, const int *n_ids, int n, const el_text_params *p,
                      el_text_result *out);
/* Prompt tokens per batched prefill pass (default 2048; tests set 1 so that
 * every prompt of a batch is prefilled in a pass of its own). */
void el_text_set_prefill_rows(int rows);

/* The info every model has: its loader's names and its blocks' shape. */
void el_info_set_common(el_model_info *I, const char *const names[4], int n_shards, size_t n_params,
                        const el_transformer *tf);

#endif
