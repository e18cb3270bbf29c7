/* SigLIP's vision head (SiglipMultiheadAttentionPoolingHead): a learned probe
 * attends over the post-LayerNorm tokens through nn.MultiheadAttention
 * (in_proj q/k/v, out_proj), then x + MLP(LayerNorm(x)). The lens uses it two
 * ways: over every token of an image (the model's own pooled embedding at
 * that layer), and over one token alone (a patch token's lens: attention
 * over a single key has weight 1, so the probe drops out and the token's
 * value goes straight to out_proj). */
#ifndef EL_ATTN_POOL_H
#define EL_ATTN_POOL_H

#include <stddef.h>

#include "nn/kernels.h"
#include "nn/linear.h"

typedef struct el_attn_pool {
    int dim, n_heads, mlp_dim;
    el_act act;
    el_norm_config norm;
    const float *probe;   /* [D] */
    el_mat q, kv, v;      /* views of in_proj_weight [3D][D]: rows 0..D-1, D..3D-1, 2D..3D-1 */
    const float *q_b, *kv_b, *v_b;
    el_mat o;             /* out_proj [D][D] */
    const float *o_b;
    const float *ln_w, *ln_b;
    el_mat fc1, fc2;      /* [M][D], [D][M] */
    const float *fc1_b, *fc2_b;
} el_attn_pool;

/* Floats of work for el_attn_pool_seq over T tokens or el_attn_pool_rows
 * over T rows (the larger of the two). */
size_t el_attn_pool_work_floats(const el_attn_pool *p, int T);

/* out[D] = the head over y's T normed token rows [T][D]. */
void el_attn_pool_seq(const el_attn_pool *p, const float *y, int T, float *out, float *work);
/* out[n][D] = the head over each of y's n rows alone. */
void el_attn_pool_rows(const el_attn_pool *p, const float *y, int n, float *out, float *work);

#endif
