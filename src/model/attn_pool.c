#include "model/attn_pool.h"

#include <omp.h>

size_t el_attn_pool_work_floats(const el_attn_pool *p, int T) {
    const size_t D = p->dim, M = p->mlp_dim, n = T > 0 ? (size_t)T : 1;
    const size_t seq = n * 2 * D + 3 * D + el_attention_scratch_floats(1, (int)n) * (size_t)omp_get_max_threads();
    const size_t rows = n * D;
    return (seq > rows ? seq : rows) + n * (D + M) + 16;
}

/* x[n][D] += fc2(act(fc1(LayerNorm(x)))): the head's MLP residual. */
static void mlp_residual(const el_attn_pool *p, float *x, int n, float *work) {
    const size_t D = p->dim;
    float *f = work, *h = work + (size_t)n * D;
    el_norm(&p->norm, f, x, p->ln_w, p->ln_b, n, (int)D);
    el_linear(h, f, &p->fc1, p->fc1_b, n);
    el_activate(p->act, h, (size_t)n * p->mlp_dim);
    el_linear_add(x, h, &p->fc2, p->fc2_b, n);
}

void el_attn_pool_seq(const el_attn_pool *p, const float *y, int T, float *out, float *work) {
    const int D = p->dim, H = p->n_heads;
    float *kv = work, *q = kv + (size_t)T * 2 * D, *a = q + D, *scratch = a + D;
    el_linear(q, p->probe, &p->q, p->q_b, 1);
    el_linear(kv, y, &p->kv, p->kv_b, T);
    el_attention(a, D, 0, q, D, 0, kv, kv + D, 2 * D, 0, 1, 1, T, H, H, D / H, 0, NULL, NULL, scratch,
                 EL_TEAM_OWN);
    el_linear(out, a, &p->o, p->o_b, 1);
    mlp_residual(p, out, 1, work);
}

void el_attn_pool_rows(const el_attn_pool *p, const float *y, int n, float *out, float *work) {
    float *v = work + (size_t)n * (p->dim + p->mlp_dim);
    el_linear(v, y, &p->v, p->v_b, n);
    el_linear(out, v, &p->o, p->o_b, n);
    mlp_residual(p, out, n, work);
}
