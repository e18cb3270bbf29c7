#include "vit/vit.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "model/zs_head.h"
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

/* x_b = [cls][dist][registers][patches]: the class and distillation
 * tokens and the patches get their positions (when the model has any),
 * the register tokens none (DINOv2 inserts them after adding positions). */
static void add_row(float *dst, const float *src, const float *pe, int D) {
    for (int d = 0; d < D; d++) dst[d] = src[d] + (pe ? pe[d] : 0.0f);
}

static void embed(const el_vit *m, const float *pixels, int batch, float *x, float *cols, float *tmp) {
    const int D = m->tf.cfg.dim, T = m->n_tokens, P = m->n_patches;
    const int n_pos = (m->cls != NULL) + (m->dist != NULL); /* positioned tokens before the patches */
    im2col(cols, pixels, batch, m->channels, m->image_size, m->patch_size, m->grid);
    el_linear(tmp, cols, &m->patch_w, m->patch_b, batch * P);
#pragma omp parallel for schedule(static) if ((long)batch * T * D > EL_PAR_MIN_WORK)
    for (int b = 0; b < batch; b++) {
        float *xb = x + (size_t)b * T * D;
        const float *tok[2] = {m->cls ? m->cls : m->dist, m->dist};
        for (int i = 0; i < n_pos; i++) add_row(xb + (size_t)i * D, tok[i], m->pos ? m->pos + (size_t)i * D : NULL, D);
        for (int r = 0; r < m->n_registers; r++)
            memcpy(xb + (size_t)(n_pos + r) * D, m->registers + (size_t)r * D, sizeof(float) * D);
        for (int i = 0; i < P; i++)
            add_row(xb + (size_t)(m->n_prefix + i) * D, tmp + ((size_t)b * P + i) * D,
                    m->pos ? m->pos + (size_t)(n_pos + i) * D : NULL, D);
    }
}

int el_vit_forward(const el_vit *m, const float *pixels, int batch, el_block_work *w, el_buf *cols_buf,
                   const el_encoder_taps *taps) {
    const int T = m->n_tokens, K = m->channels * m->patch_size * m->patch_size;
    el_block_rows a;
    float *scratch;
    float *cols = el_buf_get(cols_buf, (size_t)batch * m->n_patches * K);
    const size_t scratch_floats = el_attention_scratch_floats(T, T) * (size_t)omp_get_max_threads();
    if (!cols || el_block_work_rows(w, &m->tf.cfg, (size_t)batch * T, scratch_floats, &a, &scratch))
        return -1;
    embed(m, pixels, batch, a.x, cols, a.h);
    if (m->pre_norm_w) /* CLIP's pre_layrnorm: part of the embeddings, so layer 0 is after it */
        el_norm(&m->tf.cfg.norm, a.x, a.x, m->pre_norm_w, m->pre_norm_b, batch * T, m->tf.cfg.dim);
    return el_transformer_encode(&m->tf, &a, batch, T, scratch, taps);
}

void el_vit_free(el_vit *m) {
    el_zs_towers_free(m->zs);
    el_transformer_free(&m->tf);
    el_free_params(m->arena);
    if (m->mapping_free) m->mapping_free(m->mapping);
    memset(m, 0, sizeof *m);
}
