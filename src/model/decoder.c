#include "model/decoder.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Token embeddings of every new row, plus learned positions (GPT-2), times
 * Gemma's scale, through BLOOM's embedding LayerNorm. */
static void embed(const el_text *m, float *x, const int *const *tokens, const int *n_tok, const int *row0, int k,
                  const el_kv_cache *caches) {
    const int D = m->tf.cfg.dim;
    for (int j = 0; j < k; j++)
        for (int t = 0; t < n_tok[j]; t++) {
            float *xr = x + (size_t)(row0[j] + t) * D;
            el_mat_row(&m->tok_emb, tokens[j][t], xr);
            if (m->pos_emb)
                for (int d = 0; d < D; d++) xr[d] += m->pos_emb[(size_t)(caches[j].len + t) * D + d];
            if (m->emb_scale > 0.0f)
                for (int d = 0; d < D; d++) xr[d] *= m->emb_scale;
        }
    if (m->emb_norm.w) el_norm(&m->tf.cfg.norm, x, x, m->emb_norm.w, m->emb_norm.b, row0[k], D);
}

int el_text_forward(const el_text *m, el_kv_cache *caches, const int *const *tokens, const int *n_tok, int k,
                    float *rows_out, el_block_work *w) {
    if (k <= 0) return 0;
    for (int j = 0; j < k; j++)
        if (n_tok[j] <= 0 || caches[j].len + n_tok[j] > caches[j].cap) return -1;
    /* Sequence j's rows start at row0[j] of the stacked [rows][...] buffers. */
    int *row0 = malloc(sizeof(int) * (size_t)(k + 1));
    if (!row0) return -1;
    int rows = 0, max_q = 0, max_kv = 0;
    for (int j = 0; j < k; j++) {
        row0[j] = rows;
        rows += n_tok[j];
        if (n_tok[j] > max_q) max_q = n_tok[j];
        if (caches[j].len + n_tok[j] > max_kv) max_kv = caches[j].len + n_tok[j];
    }
    row0[k] = rows;
    const size_t slice = el_attention_scratch_floats(max_q, max_kv);
    el_block_rows a;
    float *scratch;
    if (el_block_work_rows(w, &m->tf.cfg, (size_t)rows, slice * (size_t)omp_get_max_threads(), &a, &scratch)) {
        free(row0);
        return -1;
    }
    embed(m, a.x, tokens, n_tok, row0, k, caches);
    el_transformer_decode(&m->tf, &a, caches, row0, k, max_kv, scratch, slice, rows_out);
    for (int j = 0; j < k; j++) caches[j].len += n_tok[j];
    free(row0);
    return 0;
}

void el_text_free(el_text *m) {
    el_transformer_free(&m->tf);
    el_free_params(m->arena);
    if (m->mapping_free) m->mapping_free(m->mapping);
    memset(m, 0, sizeof *m);
}
