#include "vit/vit.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "nn/kernels.h"

/* Patch embedding as one GEMM: unfold every patch into a row (channel-major,
 * then kernel row, then column: the conv weight's own order) and multiply by
 * the flattened conv weight. */
static void im2col(float *cols, const float *pixels, int batch, int C, int S, int p, int grid) {
    const int P = grid * grid, K = C * p * p;
#pragma omp parallel for collapse(2) schedule(static) if ((long)batch * P * K > EL_PAR_MIN_WORK)
    for (int b = 0; b < batch; b++)
        for (int i = 0; i < P; i++) {
            const int py = i / grid, px = i % grid;
            float *row = cols + ((size_t)b * P + i) * K;
            for (int c = 0; c < C; c++)
                for (int ky = 0; ky < p; ky++) {
                    const float *src = pixels + (((size_t)b * C + c) * S + (size_t)py * p + ky) * S + (size_t)px * p;
                    memcpy(row + (c * p + ky) * p, src, sizeof(float) * p);
                }
        }
}

static void embed(const el_vit *m, const float *pixels, int batch, float *x, float *cols, float *tmp) {
    const int D = m->dim, T = m->n_tokens, P = m->n_patches, K = m->channels * m->patch_size * m->patch_size;
    im2col(cols, pixels, batch, m->channels, m->image_size, m->patch_size, m->grid);
    el_linear(tmp, cols, m->patch_w, m->patch_b, batch * P, K, D);
#pragma omp parallel for schedule(static) if ((long)batch * T * D > EL_PAR_MIN_WORK)
    for (int b = 0; b < batch; b++) {
        float *xb = x + (size_t)b * T * D;
        for (int d = 0; d < D; d++) xb[d] = m->cls[d] + m->pos[d];
        if (m->dist)
            for (int d = 0; d < D; d++) xb[D + d] = m->dist[d] + m->pos[D + d];
        for (int i = 0; i < P; i++) {
            float *dst = xb + (size_t)(m->n_prefix + i) * D;
            const float *src = tmp + ((size_t)b * P + i) * D;
            const float *pe = m->pos + (size_t)(m->n_prefix + i) * D;
            for (int d = 0; d < D; d++) dst[d] = src[d] + pe[d];
        }
    }
}

/* The row-wise steps of a block run on each thread's own slab of token rows
 * (layer norm, GEMMs with one-thread OpenBLAS, GELU, residuals), so the only
 * barriers are around attention, which needs every token of an image. */
static void pre_attention(const el_vit *m, const el_vit_block *B, float *qkv, float *h, const float *x, size_t r0,
                          size_t r1) {
    const int D = m->dim, n = (int)(r1 - r0);
    if (n <= 0) return;
    el_layernorm(h + r0 * D, x + r0 * D, B->ln1_w, B->ln1_b, n, D, m->eps);
    el_linear(qkv + r0 * 3 * D, h + r0 * D, B->qkv_w, B->qkv_b, n, D, 3 * D);
}

static void post_attention(const el_vit *m, const el_vit_block *B, float *x, float *h, float *mlp, const float *attn,
                           size_t r0, size_t r1) {
    const int D = m->dim, M = m->mlp_dim, n = (int)(r1 - r0);
    if (n <= 0) return;
    el_linear_add(x + r0 * D, attn + r0 * D, B->proj_w, B->proj_b, n, D, D);
    el_layernorm(h + r0 * D, x + r0 * D, B->ln2_w, B->ln2_b, n, D, m->eps);
    el_linear(mlp + r0 * M, h + r0 * D, B->fc1_w, B->fc1_b, n, D, M);
    el_gelu_erf(mlp + r0 * M, (size_t)n * M);
    el_linear_add(x + r0 * D, mlp + r0 * M, B->fc2_w, B->fc2_b, n, M, D);
}

int el_vit_forward(const el_vit *m, const float *pixels, int batch, el_vit_work *w,
                   el_vit_hook hook, void *ctx) {
    const int D = m->dim, T = m->n_tokens, M = m->mlp_dim, H = m->n_heads, L = m->n_layers;
    const size_t rows = (size_t)batch * T;
    const int K = m->channels * m->patch_size * m->patch_size;
    float *x = el_buf_get(&w->x, rows * D);
    float *h = el_buf_get(&w->h, rows * D);
    float *qkv = el_buf_get(&w->qkv, rows * 3 * D);
    float *attn = el_buf_get(&w->attn, rows * D);
    float *mlp = el_buf_get(&w->mlp, rows * M);
    float *cols = el_buf_get(&w->cols, (size_t)batch * m->n_patches * K);
    float *scratch = el_buf_get(&w->scratch, el_attention_scratch_floats(T, T) * (size_t)omp_get_max_threads());
    if (!x || !h || !qkv || !attn || !mlp || !cols || !scratch) return -1;

    embed(m, pixels, batch, x, cols, h);
    int rc = hook ? hook(ctx, 0, x, batch) : 0;
    /* One team per block: the hook (which may run its own parallel lens)
     * sees every row of a finished layer between two teams. The next block's
     * LN1 + QKV are row-wise too, so they run in this block's team. */
    const int team = (long)rows * D * M > 16 * EL_PAR_MIN_WORK ? omp_get_max_threads() : 1;
    for (int l = 0; l < L && !rc; l++) {
        const el_vit_block *B = &m->blocks[l];
#pragma omp parallel num_threads(team)
        {
            size_t r0, r1;
            el_row_slab(omp_get_thread_num(), omp_get_num_threads(), rows, &r0, &r1);
            if (l == 0) pre_attention(m, B, qkv, h, x, r0, r1);
#pragma omp barrier
            el_attention(attn, D, (size_t)T * D, qkv, 3 * D, (size_t)T * 3 * D, qkv + D, qkv + 2 * D, 3 * D,
                         (size_t)T * 3 * D, batch, T, T, H, H, D / H, 0, scratch, EL_TEAM_SHARED);
            post_attention(m, B, x, h, mlp, attn, r0, r1);
            if (l + 1 < L) pre_attention(m, &m->blocks[l + 1], qkv, h, x, r0, r1);
        }
        if (hook) rc = hook(ctx, l + 1, x, batch);
    }
    return rc;
}

void el_vit_work_free(el_vit_work *w) {
    el_buf_free(&w->x);
    el_buf_free(&w->h);
    el_buf_free(&w->qkv);
    el_buf_free(&w->attn);
    el_buf_free(&w->mlp);
    el_buf_free(&w->cols);
    el_buf_free(&w->scratch);
}

void el_vit_free(el_vit *m) {
    free(m->blocks);
    el_free_params(m->arena);
    if (m->mapping_free) m->mapping_free(m->mapping);
    memset(m, 0, sizeof *m);
}
