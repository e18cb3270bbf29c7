/* The CLIP / SigLIP text tower: token and position embeddings, the shared
 * block stack (an encoder pass: causal for CLIP), the final LayerNorm at the
 * pooled position, the projection, L2 normalisation. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "model/zs_head.h"

#define TEXT_BATCH 32

el_zs_towers *el_zs_towers_new(void) { return calloc(1, sizeof(el_zs_towers)); }

void el_zs_towers_free(el_zs_towers *z) {
    if (!z) return;
    el_transformer_free(&z->text.tf);
    free(z->class_emb);
    free(z->head);
    free(z->head_b);
    free(z);
}

const el_attn_pool *el_zs_attn_pool(const el_zs_towers *z) { return z ? &z->pool : NULL; }

/* The row a text's embedding is read from. */
static int pooled_position(const el_zs_text *t, const int *ids, int n) {
    if (t->pool == EL_TEXT_POOL_LAST) return n - 1;
    int at = 0;
    for (int i = 0; i < n; i++) {
        if (t->pool == EL_TEXT_POOL_EOS_ID && ids[i] == t->eos_id) return i;
        if (t->pool == EL_TEXT_POOL_EOS_ARGMAX && ids[i] > ids[at]) at = i;
    }
    return t->pool == EL_TEXT_POOL_EOS_ID ? n - 1 : at;
}

/* Texts [i0, i1) padded to T rows each (CLIP: causal, so the padding after
 * the pooled position changes nothing). */
static el_status embed_batch(const el_zs_text *t, int P, int *const *ids, const int *n_ids, int i0, int i1,
                             el_block_work *w, float *out) {
    const int D = t->tf.cfg.dim, n = i1 - i0;
    int T = 1;
    for (int i = i0; i < i1; i++) T = n_ids[i] > T ? n_ids[i] : T;
    el_block_rows a;
    float *scratch;
    const size_t sf = el_attention_scratch_floats(T, T) * (size_t)omp_get_max_threads();
    if (el_block_work_rows(w, &t->tf.cfg, (size_t)n * T, sf + (size_t)2 * D, &a, &scratch))
        return el_fail(EL_ERR_NOMEM, "out of memory in the text tower");
    for (int i = 0; i < n; i++)
        for (int p = 0; p < T; p++) {
            float *x = a.x + ((size_t)i * T + p) * D;
            el_mat_row(&t->tok, p < n_ids[i0 + i] ? ids[i0 + i][p] : t->pad_id, x);
            for (int d = 0; d < D; d++) x[d] += t->pos[(size_t)p * D + d];
        }
    el_encoder_taps taps;
    memset(&taps, 0, sizeof taps);
    taps.lens_from = t->tf.cfg.n_layers + 1;
    if (el_transformer_encode(&t->tf, &a, n, T, scratch, &taps))
        return el_fail(EL_ERR_NOMEM, "out of memory in the text tower");
    float *h = scratch + sf; /* [D] after the attention scratch */
    for (int i = 0; i < n; i++) {
        const int at = pooled_position(t, ids[i0 + i], n_ids[i0 + i]);
        el_norm(&t->tf.lens.norm, h, a.x + ((size_t)i * T + at) * D, t->tf.lens.norm_w, t->tf.lens.norm_b, 1, D);
        float *e = out + (size_t)(i0 + i) * P;
        el_linear(e, h, &t->proj, t->proj_b, 1);
        el_l2_normalize_rows(e, 1, P);
    }
    return EL_OK;
}

typedef struct {
    int len, idx;
} text_ref;

static int by_length(const void *a, const void *b) {
    const text_ref *x = a, *y = b;
    return x->len != y->len ? (x->len > y->len) - (x->len < y->len) : (x->idx > y->idx) - (x->idx < y->idx);
}

el_status el_zs_text_embed(const el_zs_text *t, int P, int *const *ids, const int *n_ids, int n, float *out) {
    for (int i = 0; i < n; i++)
        if (n_ids[i] < 1 || n_ids[i] > t->n_pos)
            return el_fail(EL_ERR_LIMIT, "text %d has %d tokens (the text tower takes 1 to %d)", i, n_ids[i], t->n_pos);
        else
            for (int j = 0; j < n_ids[i]; j++)
                if (ids[i][j] < 0 || ids[i][j] >= t->vocab)
                    return el_fail(EL_ERR_FORMAT, "text %d: token id %d is outside the text tower's vocabulary (%d)", i,
                                   ids[i][j], t->vocab);
    if (t->pad_id < 0 || t->pad_id >= t->vocab)
        return el_fail(EL_ERR_CONFIG, "pad_token_id %d is outside the text vocabulary (%d)", t->pad_id, t->vocab);
    /* Batches of similar lengths: a batch is padded to its longest text. */
    text_ref *order = malloc(sizeof(text_ref) * (size_t)n);
    int *len = malloc(sizeof(int) * (size_t)n), **sids = malloc(sizeof(int *) * (size_t)n);
    float *sout = malloc(sizeof(float) * (size_t)n * P);
    el_block_work w;
    memset(&w, 0, sizeof w);
    el_status st = order && len && sids && sout ? EL_OK : el_fail(EL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && !st; i++) order[i] = (text_ref){n_ids[i], i};
    if (!st) qsort(order, (size_t)n, sizeof *order, by_length);
    for (int i = 0; i < n && !st; i++) {
        sids[i] = ids[order[i].idx];
        len[i] = order[i].len;
    }
    for (int i0 = 0; i0 < n && !st; i0 += TEXT_BATCH)
        st = embed_batch(t, P, sids, len, i0, i0 + TEXT_BATCH < n ? i0 + TEXT_BATCH : n, &w, sout);
    for (int i = 0; i < n && !st; i++) memcpy(out + (size_t)order[i].idx * P, sout + (size_t)i * P, sizeof(float) * P);
    el_block_work_free(&w);
    free(order);
    free(len);
    free(sids);
    free(sout);
    return st;
}
