/* The logit lens: a model's own final norm and output head applied to any
 * residual-stream rows, reduced straight to entropies. Logits are computed in
 * vocabulary chunks (one GEMM per chunk for all rows) and folded into
 * streaming accumulators, so a 50k-token vocabulary never needs an
 * rows x vocab buffer. */
#ifndef EL_LENS_H
#define EL_LENS_H

#include "base/buffer.h"
#include "nn/kernels.h"
#include "nn/linear.h"
#include "nn/entropy.h"

typedef struct {
    int dim, n_out;
    el_norm_config norm;          /* the model's own: el_block_config.norm */
    const float *norm_w, *norm_b; /* norm_b NULL for RMSNorm */
    el_mat head;                  /* [n_out][dim] */
    const float *head_b;          /* or NULL */
    /* Distilled ViTs: logits = (head(N(x)) + head2(N(x2))) / 2 (head2.n_parts 0 otherwise). */
    el_mat head2;
    const float *head2_b;
    float softcap;                /* > 0: logits = softcap * tanh(logits / softcap) */
    el_mat proj;                  /* [P][dim] between the norm and a [n_out][P] head (OPT project_out,
                                   * CLIP visual_projection), n_parts 0: none */
    const struct el_attn_pool *row_pool; /* SigLIP: its pooling head over each row alone, after the norm */
    int l2;                       /* CLIP / SigLIP: rows L2-normalised just before the head (cosines) */
} el_lens;

typedef struct {
    el_buf normed, normed2, logits, projected, pooled, pool_work;
    el_entropy_acc *acc;
    int acc_cap;
} el_lens_work;

typedef struct {
    double entropy;               /* Shannon, nats */
    double renyi[EL_ENTROPY_MAX_ALPHA];
    int top1;
    double prob;                  /* softmax probability of top1 */
} el_lens_out;

/* Lens over n rows of residuals (row stride ld floats). rows2 is the second
 * token for distilled heads (NULL: the same rows feed both heads). When
 * logits_out is not NULL it receives the logits of rows logits_first..n-1 as
 * [n - logits_first][n_out] (the caller usually wants only the last layer's).
 * Returns 0, or -1 when out of memory. */
int el_lens_apply(const el_lens *lens, const float *rows, const float *rows2, int n, int ld,
                  const double *alpha, int n_alpha, el_lens_out *out, float *logits_out,
                  int logits_first, el_lens_work *work);
void el_lens_work_free(el_lens_work *work);

#endif
