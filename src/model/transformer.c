#include "model/transformer.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "model/attn_pool.h"

void el_transformer_bind_lens(el_transformer *tf, int n_out) {
    tf->lens.dim = tf->cfg.dim;
    tf->lens.n_out = n_out;
    tf->lens.norm = tf->cfg.norm;
    if (!tf->lens.norm_w) tf->lens.norm.kind = EL_NORM_NONE; /* post-LN OPT: no final norm */
}

/* After the embeddings and each block: keep the leading rows for one lens
 * pass over all layers at the end; run the every-row lens now, while x holds
 * this layer. */
static void pool(const el_transformer *tf, const el_encoder_taps *t, int layer, const float *x, int n_seq, int T) {
    const int D = tf->cfg.dim, n = T - t->pool_from;
    for (int b = 0; b < n_seq; b++) {
        float *o = t->pooled + ((size_t)layer * n_seq + b) * D;
        double *acc = (double *)(t->pool_tmp + D); /* pool_tmp: [D] floats, then [D] doubles */
        for (int d = 0; d < D; d++) acc[d] = 0.0;
        for (int i = t->pool_from; i < T; i++) {
            const float *row = x + ((size_t)b * T + i) * D;
            if (t->pool_normed) {
                el_norm(&tf->lens.norm, t->pool_tmp, row, tf->lens.norm_w, tf->lens.norm_b, 1, D);
                row = t->pool_tmp;
            }
            for (int d = 0; d < D; d++) acc[d] += row[d];
        }
        for (int d = 0; d < D; d++) o[d] = (float)(acc[d] / n);
    }
}

/* SigLIP: the model's own pooled embedding of each sequence at this layer. */
static void attn_pool(const el_transformer *tf, const el_encoder_taps *t, int layer, const float *x, int n_seq, int T) {
    const int D = tf->cfg.dim;
    float *y = t->attn_pool_work, *work = y + (size_t)T * D;
    for (int b = 0; b < n_seq; b++) {
        el_norm(&tf->lens.norm, y, x + (size_t)b * T * D, tf->lens.norm_w, tf->lens.norm_b, T, D);
        el_attn_pool_seq(t->attn_pool, y, T, t->pooled + ((size_t)layer * n_seq + b) * D, work);
    }
}

static int tap(const el_transformer *tf, const el_encoder_taps *t, int layer, const float *x, int n_seq, int T) {
    const int D = tf->cfg.dim;
    if (t->attn_pool) attn_pool(tf, t, layer, x, n_seq, T);
    else if (t->pooled) pool(tf, t, layer, x, n_seq, T);
    for (int i = 0; i < t->n_keep; i++)
        for (int b = 0; b < n_seq; b++)
            memcpy(t->keep[i] + ((size_t)layer * n_seq + b) * D, x + ((size_t)b * T + i) * D, sizeof(float) * D);
    if (layer < t->lens_from) return 0;
    const size_t rows = (size_t)n_seq * T;
    if (el_lens_apply(&tf->lens, x, NULL, (int)rows, D, NULL, 0, t->lens_out, NULL, 0, t->lens_work)) return -1;
    double *e = t->row_entropy + (size_t)layer * rows;
    for (size_t r = 0; r < rows; r++) e[r] = t->lens_out[r].entropy;
    return 0;
}

/* The row-wise steps of a block run on each thread's own slab of token rows
 * (norms, GEMMs with one-thread OpenBLAS, activations, residuals), so the
 * only barriers are around attention, which needs every token of a
 * sequence. One team per block: the lens (which may open its own parallel
 * regions) sees every row of a finished layer between two teams. The next
 * block's first steps are row-wise too, so they run in this block's team. */
int el_transformer_encode(const el_transformer *tf, const el_block_rows *a, int n_seq, int T, float *scratch,
                          const el_encoder_taps *taps) {
    const el_block_config *c = &tf->cfg;
    const int L = c->n_layers;
    const size_t rows = (size_t)n_seq * T;
    int rc = tap(tf, taps, 0, a->x, n_seq, T);
    const int team = (long)rows * c->dim * c->mlp_dim > 16 * EL_PAR_MIN_WORK ? omp_get_max_threads() : 1;
    (void)team; /* read by the pragma only: unused where OpenMP is off (clang -fopenmp=libgomp, the fuzz build) */
    for (int l = 0; l < L && !rc; l++) {
        const el_block_weights *B = &tf->layers[l];
#pragma omp parallel num_threads(team)
        {
            size_t r0, r1;
            el_row_slab(omp_get_thread_num(), omp_get_num_threads(), rows, &r0, &r1);
            if (l == 0) el_block_pre_attention(c, B, a, r0, r1);
#pragma omp barrier
            el_block_attend_full(c, B, a, n_seq, T, scratch, EL_TEAM_SHARED);
            el_block_post_attention(c, B, a, r0, r1);
            if (l + 1 < L) el_block_pre_attention(c, &tf->layers[l + 1], a, r0, r1);
        }
        rc = tap(tf, taps, l + 1, a->x, n_seq, T);
    }
    return rc;
}

/* The weight GEMMs see every row of every sequence together (the weights are
 * read once per layer); attention is per sequence. Several sequences: one
 * per unit of parallel work. Otherwise el_attention opens its own team over
 * the heads. (Not an "if (false)" region around it: a team opened inside
 * one gets threads of its own, which then spin against the main team's.) */
void el_transformer_decode(const el_transformer *tf, const el_block_rows *a, el_kv_cache *caches, const int *row0,
                           int k, int max_kv, float *scratch, size_t slice, float *rows_out) {
    const el_block_config *c = &tf->cfg;
    const int D = c->dim, ow = c->n_heads * c->head_dim, qw = el_block_qkv_width(c), rows = row0[k];
    for (int l = 0; l < c->n_layers; l++) {
        const el_block_weights *B = &tf->layers[l];
        const el_rope_table *rt = B->sliding && tf->rope_local.cos ? &tf->rope_local : &tf->rope;
        el_block_pre_attention(c, B, a, 0, (size_t)rows);
        if (k > 1 && (long)rows * ow * max_kv > EL_PAR_MIN_WORK) {
#pragma omp parallel for schedule(dynamic, 1)
            for (int j = 0; j < k; j++)
                el_block_attend_cached(c, B, rt, &caches[j], l, a->qkv + (size_t)row0[j] * qw, row0[j + 1] - row0[j],
                                       a->attn + (size_t)row0[j] * ow, scratch + (size_t)omp_get_thread_num() * slice);
        } else {
            for (int j = 0; j < k; j++)
                el_block_attend_cached(c, B, rt, &caches[j], l, a->qkv + (size_t)row0[j] * qw, row0[j + 1] - row0[j],
                                       a->attn + (size_t)row0[j] * ow, scratch);
        }
        el_block_post_attention(c, B, a, 0, (size_t)rows);
        for (int j = 0; j < k; j++)
            memcpy(rows_out + ((size_t)l * k + j) * D, a->x + (size_t)(row0[j + 1] - 1) * D, sizeof(float) * D);
    }
}

void el_transformer_free(el_transformer *tf) {
    free(tf->layers);
    el_rope_table_free(&tf->rope);
    el_rope_table_free(&tf->rope_local);
    memset(tf, 0, sizeof *tf);
}
