#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "nn/kernels.h"
#include "model/decoder.h"

el_lens el_text_lens(const el_text *m) {
    el_lens L = {.dim = m->dim, .n_out = m->vocab, .norm_w = m->norm_w, .norm_b = m->norm_b, .eps = m->eps,
                 .head_w = m->lm_head, .softcap = m->softcap};
    L.norm = m->arch == EL_TEXT_GPT2 ? EL_NORM_LAYER : EL_NORM_RMS;
    return L;
}

int el_text_rope_init(el_text *m) {
    if (m->arch != EL_TEXT_LLAMA) return 0;
    const int half = m->head_dim / 2;
    size_t n = (size_t)m->context * half;
    m->rope_cos = malloc(n * sizeof(float));
    m->rope_sin = malloc(n * sizeof(float));
    if (!m->rope_cos || !m->rope_sin) return -1;
    for (int i = 0; i < half; i++) {
        /* float32 like both references (HF's inv_freq, llama2.c's powf). */
        float inv = 1.0f / powf(m->rope_theta, (float)(2 * i) / (float)m->head_dim);
        for (int p = 0; p < m->context; p++) {
            float a = (float)p * inv;
            m->rope_cos[(size_t)p * half + i] = cosf(a);
            m->rope_sin[(size_t)p * half + i] = sinf(a);
        }
    }
    return 0;
}

static void rope(const el_text *m, float *v, int pos) {
    const int hd = m->head_dim, half = hd / 2;
    const float *c = m->rope_cos + (size_t)pos * half, *s = m->rope_sin + (size_t)pos * half;
    if (m->rope_interleaved) {
        for (int i = 0; i < half; i++) {
            float a = v[2 * i], b = v[2 * i + 1];
            v[2 * i] = a * c[i] - b * s[i];
            v[2 * i + 1] = a * s[i] + b * c[i];
        }
    } else {
        for (int i = 0; i < half; i++) {
            float a = v[i], b = v[i + half];
            v[i] = a * c[i] - b * s[i];
            v[i + half] = b * c[i] + a * s[i];
        }
    }
}

int el_kv_cache_init(el_kv_cache *c, const el_text *m, int cap) {
    size_t n = (size_t)m->n_layers * cap * m->n_kv_heads * m->head_dim;
    c->k = malloc(n * sizeof(float));
    c->v = malloc(n * sizeof(float));
    c->cap = cap;
    c->len = 0;
    if (!c->k || !c->v) {
        el_kv_cache_free(c);
        return -1;
    }
    return 0;
}

void el_kv_cache_free(el_kv_cache *c) {
    free(c->k);
    free(c->v);
    memset(c, 0, sizeof *c);
}

static void norm(const el_text *m, float *out, const float *in, const float *w, const float *b, int rows) {
    if (m->arch == EL_TEXT_GPT2) el_layernorm(out, in, w, b, rows, m->dim, m->eps);
    else el_rmsnorm(out, in, w, rows, m->dim, m->eps, 0.0f);
}

/* The MLP's first half. GPT-2: tanh GELU.
 * Llama: SwiGLU, silu(gate) * up, packed into the first M columns of each
 * [gate | up] row so the down projection reads [n][M]. */
static void mlp_up(const el_text *m, const el_text_block *B, float *mlp, const float *h, int n) {
    const int M = m->mlp_dim, D = m->dim;
    if (m->arch == EL_TEXT_GPT2) {
        el_linear(mlp, h, B->w_up, B->b_up, n, D, M);
        el_gelu_tanh(mlp, (size_t)n * M);
        return;
    }
    el_linear(mlp, h, B->w_up, B->b_up, n, D, 2 * M);
    for (int t = 0; t < n; t++) {
        float *g = mlp + (size_t)t * 2 * M;
        el_silu_mul(g, g + M, (size_t)M);
        if (t) memmove(mlp + (size_t)t * M, g, sizeof(float) * M);
    }
}

/* Block l's attention for one sequence: its n new rows of qkv get RoPE
 * (Llama), their keys and values go into the cache, and attn receives the
 * heads' outputs. */
static void attend(const el_text *m, el_kv_cache *c, int l, float *qkv, int n, float *attn, float *scratch) {
    const int H = m->n_heads, KV = m->n_kv_heads, hd = m->head_dim, qkv_w = (H + 2 * KV) * hd, kv_w = KV * hd;
    const int p0 = c->len;
    float *kc = c->k + (size_t)l * c->cap * kv_w, *vc = c->v + (size_t)l * c->cap * kv_w;
    for (int t = 0; t < n; t++) {
        float *row = qkv + (size_t)t * qkv_w;
        if (m->arch == EL_TEXT_LLAMA)
            for (int i = 0; i < H + KV; i++) rope(m, row + (size_t)i * hd, p0 + t);
        memcpy(kc + (size_t)(p0 + t) * kv_w, row + (size_t)H * hd, sizeof(float) * kv_w);
        memcpy(vc + (size_t)(p0 + t) * kv_w, row + (size_t)(H + KV) * hd, sizeof(float) * kv_w);
    }
    el_attention(attn, H * hd, 0, qkv, qkv_w, 0, kc, vc, kv_w, 0, 1, n, p0 + n, H, KV, hd, 1, scratch, EL_TEAM_OWN);
}

int el_text_forward(const el_text *m, el_kv_cache *caches, const int *const *tokens, const int *n_tok, int k,
                    float *rows_out, el_text_work *w) {
    const int D = m->dim, H = m->n_heads, KV = m->n_kv_heads, hd = m->head_dim;
    const int qkv_w = (H + 2 * KV) * hd;
    const int up_w = m->arch == EL_TEXT_LLAMA ? 2 * m->mlp_dim : m->mlp_dim;
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
    float *x = el_buf_get(&w->x, (size_t)rows * D);
    float *h = el_buf_get(&w->h, (size_t)rows * D);
    float *qkv = el_buf_get(&w->qkv, (size_t)rows * qkv_w);
    float *attn = el_buf_get(&w->attn, (size_t)rows * H * hd);
    float *mlp = el_buf_get(&w->mlp, (size_t)rows * up_w);
    float *scratch = el_buf_get(&w->scratch, slice * (size_t)omp_get_max_threads());
    if (!x || !h || !qkv || !attn || !mlp || !scratch) {
        free(row0);
        return -1;
    }
    for (int j = 0; j < k; j++)
        for (int t = 0; t < n_tok[j]; t++) {
            float *xr = x + (size_t)(row0[j] + t) * D;
            memcpy(xr, m->tok_emb + (size_t)tokens[j][t] * D, sizeof(float) * D);
            if (m->pos_emb)
                for (int d = 0; d < D; d++) xr[d] += m->pos_emb[(size_t)(caches[j].len + t) * D + d];
        }
    for (int l = 0; l < m->n_layers; l++) {
        const el_text_block *B = &m->blocks[l];
        norm(m, h, x, B->attn_norm_w, B->attn_norm_b, rows);
        el_linear(qkv, h, B->wqkv, B->bqkv, rows, D, qkv_w);
        /* Several sequences: one per unit of parallel work (its heads on that
         * thread, in the thread's slice of scratch). Otherwise el_attention
         * opens its own team over the heads. (Not an "if (false)" region
         * around it: a team opened inside one gets threads of its own, which
         * then spin against the main team's.) */
        if (k > 1 && (long)rows * H * max_kv * hd > EL_PAR_MIN_WORK) {
#pragma omp parallel for schedule(dynamic, 1)
            for (int j = 0; j < k; j++)
                attend(m, &caches[j], l, qkv + (size_t)row0[j] * qkv_w, n_tok[j], attn + (size_t)row0[j] * H * hd,
                       scratch + (size_t)omp_get_thread_num() * slice);
        } else {
            for (int j = 0; j < k; j++)
                attend(m, &caches[j], l, qkv + (size_t)row0[j] * qkv_w, n_tok[j], attn + (size_t)row0[j] * H * hd,
                       scratch);
        }
        el_linear_add(x, attn, B->wo, B->bo, rows, H * hd, D);
        norm(m, h, x, B->mlp_norm_w, B->mlp_norm_b, rows);
        mlp_up(m, B, mlp, h, rows);
        el_linear_add(x, mlp, B->w_down, B->b_down, rows, m->mlp_dim, D);
        for (int j = 0; j < k; j++)
            memcpy(rows_out + ((size_t)l * k + j) * D, x + (size_t)(row0[j + 1] - 1) * D, sizeof(float) * D);
    }
    for (int j = 0; j < k; j++) caches[j].len += n_tok[j];
    free(row0);
    return 0;
}

void el_text_work_free(el_text_work *w) {
    el_buf_free(&w->x);
    el_buf_free(&w->h);
    el_buf_free(&w->qkv);
    el_buf_free(&w->attn);
    el_buf_free(&w->mlp);
    el_buf_free(&w->scratch);
}

void el_text_free(el_text *m) {
    free(m->blocks);
    el_free_params(m->arena);
    if (m->mapping_free) m->mapping_free(m->mapping);
    free(m->rope_cos);
    free(m->rope_sin);
    memset(m, 0, sizeof *m);
}
