/* Shared by the text-model loaders: text_load.c (entry points, tokenizers),
 * llama2c_load.c and hf_text_load.c. */
#ifndef EL_TEXT_LOAD_INTERNAL_H
#define EL_TEXT_LOAD_INTERNAL_H

#include "weights/text_load.h"

#define EL_TEXT_MAX_DIM 65536
#define EL_TEXT_MAX_LAYERS 1024
#define EL_TEXT_MAX_VOCAB 10000000
#define EL_TEXT_MAX_CONTEXT (1 << 20)

/* Which optional parameters a checkpoint has, for the arena size. */
typedef struct {
    int norm_bias;   /* LayerNorms with bias (every norm, and the final one) */
    int qkv_bias;
    int linear_bias; /* output projection and MLP biases */
    int pos_emb;     /* learned positions [context][D] */
    int untied;      /* an output head apart from the embedding */
    int emb_norm;    /* a norm after the embeddings (BLOOM) */
    /* Phi-3, OPT */
    int fused;       /* Phi-3: qkv_proj and gate_up_proj, one tensor each */
    int pos_offset;  /* learned positions start at this row (OPT: 2), [context + offset][D] */
    int proj_dim;    /* > 0: embeddings [V][proj_dim], project_in / project_out (OPT-350m) */
    int no_final_norm; /* the lens has no final norm (post-LN OPT) */
    unsigned char sliding[EL_TEXT_MAX_LAYERS]; /* per layer: attends within cfg.sliding_window */
} el_text_extras;

/* Sizes in range and consistent; a message naming file otherwise. */
el_status el_text_check_sizes(const el_text *m, const char *file);
/* Floats of every parameter the struct will hold (products fit in 64 bits
 * given el_text_check_sizes). */
size_t el_text_param_floats(const el_text *m, const el_text_extras *x);

el_status el_load_llama2c(const char *path, el_text *m, el_text_meta *meta);
el_status el_load_hf_text(const char *dir, el_text *m, el_text_meta *meta);
/* A GGUF file (gguf_text_load.c); m->mapping is then the open el_gguf. */
el_status el_load_gguf_text(const char *path, el_text *m, el_text_meta *meta);
/* 1 if model_type names a text family el_load_hf_text reads. */
int el_hf_text_type_known(const char *model_type);

#endif
