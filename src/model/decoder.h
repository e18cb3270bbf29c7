/* Decoder-only language models (GPT-2 family, Llama family, llama2.c) on the
 * shared kernels: one forward routine with a KV cache, a hook for the lens at
 * the last position after every block. Knows nothing of files:
 * src/weights/text_load.c fills the struct. */
#ifndef EL_TEXT_MODEL_H
#define EL_TEXT_MODEL_H

#include <stddef.h>

#include "base/buffer.h"
#include "model/lens.h"

typedef enum { EL_TEXT_GPT2, EL_TEXT_LLAMA } el_text_arch;

typedef struct {
    const float *attn_norm_w, *attn_norm_b; /* b: NULL for RMSNorm */
    const float *wqkv, *bqkv;               /* [(H + 2 KV) hd][D]: q, k, v rows stacked; bias may be NULL */
    const float *wo, *bo;
    const float *mlp_norm_w, *mlp_norm_b;
    const float *w_up, *b_up;   /* GPT-2 c_fc [M][D]; Llama gate and up stacked [2M][D] */
    const float *w_down, *b_down;
} el_text_block;

typedef struct {
    el_text_arch arch;
    int n_layers, dim, n_heads, n_kv_heads, head_dim, mlp_dim, vocab, context;
    float eps, rope_theta;
    int rope_interleaved; /* llama2.c rotates adjacent pairs; HF rotates halves */
    float softcap;        /* final_logit_softcapping, 0 = none */
    int sliding_window;   /* Mistral: attention span; 0 = none. Longer sequences are refused. */
    const float *tok_emb, *pos_emb; /* [V][D], GPT-2 [context][D] */
    el_text_block *blocks;
    const float *norm_w, *norm_b;
    const float *lm_head;           /* [V][D] (the embedding when tied) */
    float *arena;
    void *mapping;                  /* the checkpoint file(s) some weights point into */
    void (*mapping_free)(void *);
    size_t n_params;
    float *rope_cos, *rope_sin;     /* [context][hd/2] */
} el_text;

typedef struct {
    float *k, *v;   /* [L][cap][KV hd] */
    int cap, len;
} el_kv_cache;

typedef struct {
    el_buf x, h, qkv, attn, mlp, scratch;
} el_text_work;

/* Build the lens (final norm + unembedding) of a text model. */
el_lens el_text_lens(const el_text *m);

int el_kv_cache_init(el_kv_cache *c, const el_text *m, int cap);
void el_kv_cache_free(el_kv_cache *c);

/* Run k sequences through the model at once: sequence j's n_tok[j] tokens
 * at positions caches[j].len.., appended to its cache. The weight GEMMs see
 * all their rows together, so the weights are read once for all of them (a
 * batched prefill, or one decoding step with n_tok[j] = 1). rows_out is
 * [L][k][D]: the residual stream at each sequence's last token after each
 * block (layer-major, so the final layer's rows are the last k). 0, or -1
 * when out of memory or a cache is full. */
int el_text_forward(const el_text *m, el_kv_cache *caches, const int *const *tokens, const int *n_tok, int k,
                    float *rows_out, el_text_work *w);
void el_text_work_free(el_text_work *w);
int el_text_rope_init(el_text *m);
void el_text_free(el_text *m);

#endif
