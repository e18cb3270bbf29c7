/* The one pre-norm transformer block of every model, configured by data the
 * loaders read from the checkpoint's config (el_block_config) over one
 * layer's weights (el_block_weights). Its steps work on any range of token
 * rows, so the ViT runs them on each thread's slab inside one team per
 * block and the decoder on all rows of k sequences at once; only attention
 * differs: full attention among the tokens of each image, or causal
 * attention over a sequence's KV cache.
 *
 * A new architecture flag is one field here and one branch in one place:
 *   parallel_residual   el_block_post_attention (done)
 *   relative position bias: el_block_weights.attn_bias, into the scores in
 *                       nn/kernels.c attention_unit (done)
 *   ALiBi, sliding window, attention soft-capping, query_pre_attn_scalar:
 *                       el_block_config's score group, handed to the scores in
 *                       nn/kernels.c attention_unit as el_attn_scores (done)
 *   q/k norms           after the QKV product in el_block_pre_attention (done)
 *   layer scale         el_block_weights.ls1/ls2, add_output in block.c (done)
 *   post-attention / post-MLP norms:
 *                       add_output in block.c, before each residual add (done) */
#ifndef EL_BLOCK_H
#define EL_BLOCK_H

#include <stddef.h>

#include "base/buffer.h"
#include "nn/kernels.h"
#include "nn/linear.h"

typedef enum {
    EL_ROPE_NONE,
    EL_ROPE_HALF,       /* HF rotate_half: dims i and i + rope_dims/2 (Llama, GPT-NeoX) */
    EL_ROPE_INTERLEAVED /* adjacent pairs 2i, 2i+1 (llama2.c, GPT-J) */
} el_rope_kind;

typedef struct {
    int n_layers, dim;
    el_norm_config norm; /* every norm of the block, and the final one (the lens) */
    /* attention */
    int n_heads, n_kv_heads, head_dim; /* n_kv_heads < n_heads: GQA / MQA */
    int causal;
    el_rope_kind rope;
    int rope_dims;    /* leading dims of each head rotated: head_dim, or fewer (partial rotary) */
    float rope_theta;
    /* MLP */
    int mlp_dim;
    el_act act;
    int gated;        /* up is [gate; up] stacked, [2M][D]: act(gate) * up (SwiGLU, GeGLU) */
    /* residual */
    int parallel_residual; /* x + attn(ln1(x)) + mlp(ln2(x)) (GPT-NeoX; GPT-J: ln2 = ln1) */
    /* Gemma 2/3, BLOOM, Mistral: attention scores and sandwich norms (all
     * zero: off, and no cost). Scores in this order: */
    float attn_scale;      /* 0: 1/sqrt(head_dim); Gemma 2/3: query_pre_attn_scalar^-1/2 */
    float attn_softcap;    /* > 0: s = c tanh(s / c) (Gemma 2 attn_logit_softcapping) */
    int alibi;             /* BLOOM: + slope_h * key position (nn/kernels.h el_alibi_slope) */
    int sliding_window;    /* > 0: keys p - window < j <= p, on layers with el_block_weights.sliding */
    float rope_local_theta; /* > 0: sliding layers rotate with this base, unscaled (Gemma 3
                             * rope_local_base_freq): el_transformer.rope_local */
    int post_norms;        /* x + pn1(attn(ln1(x))), x + pn2(mlp(ln2(x))) (Gemma 2/3) */
    int qk_norm;           /* q and k of each head through `norm` over head_dim before RoPE
                            * (el_block_weights.q_norm/k_norm: Qwen3, Gemma 3) */
    float rope_linear;     /* > 1: rope_scaling linear, positions / factor (not on rope_local) */
} el_block_config;

typedef struct {
    const float *w, *b; /* b NULL: RMSNorm or no bias */
} el_norm_weights;

typedef struct {
    el_norm_weights ln1, ln2; /* ln2 = ln1 when a parallel block has one norm (GPT-J) */
    el_mat qkv;               /* [(H + 2 KV) hd][D]: q, k, v rows stacked */
    const float *qkv_b;       /* or NULL */
    el_mat o;                 /* [D][H hd] */
    const float *o_b;
    el_mat up;                /* [M][D], gated [2M][D] */
    const float *up_b;
    el_mat down;              /* [D][M] */
    const float *down_b;
    const float *ls1, *ls2;   /* layer scale [D] on the attention / MLP output (DINOv2, BEiT), or NULL */
    const float *attn_bias;   /* [H][T][T] added to the attention scores (BEiT's relative position bias), or NULL */
    el_norm_weights pn1, pn2; /* post_norms: on the attention / MLP output before the residual add */
    int sliding;              /* this layer attends within cfg.sliding_window (Gemma 2/3 local layers) */
    const float *q_norm, *k_norm; /* cfg.qk_norm: [head_dim] */
} el_block_weights;

/* RoPE angles for positions 0..n_pos-1: [n_pos][rope_dims / 2]. */
typedef struct {
    float *cos, *sin;
    int n_pos;
} el_rope_table;

/* A sequence's keys and values for every layer: [L][cap][KV hd]. */
typedef struct {
    float *k, *v;
    int cap, len;
} el_kv_cache;

/* The activations of a set of token rows, every matrix [rows][...]. */
typedef struct {
    float *x;    /* residual stream [D] */
    float *h;    /* normed rows [D] */
    float *qkv;  /* [(H + 2 KV) hd] */
    float *attn; /* heads side by side [H hd] */
    float *mlp;  /* [M], gated [2M] */
} el_block_rows;

typedef struct {
    el_buf x, h, qkv, attn, mlp, scratch;
} el_block_work;

/* Widths of the per-row buffers. */
int el_block_qkv_width(const el_block_config *c);
int el_block_up_width(const el_block_config *c);

/* Buffers for `rows` token rows and scratch_floats of attention scratch;
 * 0, or -1 when out of memory. */
int el_block_work_rows(el_block_work *w, const el_block_config *c, size_t rows, size_t scratch_floats,
                       el_block_rows *a, float **scratch);
void el_block_work_free(el_block_work *w);

/* Rows [r0, r1): h = ln1(x), qkv = h Wqkv^T (+ b). */
void el_block_pre_attention(const el_block_config *c, const el_block_weights *B, const el_block_rows *a,
                            size_t r0, size_t r1);
/* Rows [r0, r1), after attention filled attn: the output projection, the MLP
 * and both residual adds. */
void el_block_post_attention(const el_block_config *c, const el_block_weights *B, const el_block_rows *a,
                             size_t r0, size_t r1);
/* Full attention among the T tokens of each of n_seq sequences (rows
 * s*T .. s*T+T-1), in the running team (EL_TEAM_SHARED: every thread calls)
 * or a team of its own. scratch: el_attention_scratch_floats(T, T) per thread. */
void el_block_attend_full(const el_block_config *c, const el_block_weights *B, const el_block_rows *a, int n_seq,
                          int T, float *scratch, el_team team);
/* Causal attention of one sequence's n new rows (qkv, attn point at its first
 * row) over its cache at layer l: RoPE at positions cache->len.., keys and
 * values appended (cache->len itself is advanced by the caller). */
void el_block_attend_cached(const el_block_config *c, const el_block_weights *B, const el_rope_table *rope,
                            el_kv_cache *cache, int l, float *qkv, int n, float *attn, float *scratch);

/* The score modifiers of layer B (nn/kernels.h). */
el_attn_scores el_block_scores(const el_block_config *c, const el_block_weights *B);

/* theta: c->rope_theta, or another base (Gemma 3's local layers). */
int el_rope_table_init(el_rope_table *t, const el_block_config *c, int n_pos);
int el_rope_table_init_theta(el_rope_table *t, const el_block_config *c, int n_pos, float theta);
void el_rope_table_free(el_rope_table *t);

int el_kv_cache_init(el_kv_cache *cache, const el_block_config *c, int cap);
void el_kv_cache_free(el_kv_cache *cache);

#endif
