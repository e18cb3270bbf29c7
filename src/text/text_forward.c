#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/kernels.h"
#include "text/text_model.h"

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

/* The MLP's first half. GPT-2: tanh GELU, its bias added in the same pass.
 * Llama: SwiGLU, silu(gate) * up, packed into the first M columns of each
 * [gate | up] row so the down projection reads [n][M]. */
static void mlp_up(const el_text *m, const el_text_block *B, float *mlp, const float *h, int n) {
    const int M = m->mlp_dim, D = m->dim;
    if (m->arch == EL_TEXT_GPT2) {
        el_linear_act(mlp, h, B->w_up, B->b_up, n, D, M, EL_ACT_GELU_TANH);
        return;
    }
    el_linear(mlp, h, B->w_up, B->b_up, n, D, 2 * M);
    for (int t = 0; t < n; t++) {
        float *g = mlp + (size_t)t * 2 * M;
        el_silu_mul(g, g + M, (size_t)M);
        if (t) memmove(mlp + (size_t)t * M, g, sizeof(float) * M);
    }
}

int el_text_forward(const el_text *m, el_kv_cache *cache, const int *tokens, int n, float *rows_out,
                    el_text_work *w) {
    const int D = m->dim, H = m->n_heads, KV = m->n_kv_heads, hd = m->head_dim, M = m->mlp_dim;
    const int qkv_w = (H + 2 * KV) * hd, kv_w = KV * hd, p0 = cache->len;
    if (n <= 0 || p0 + n > cache->cap) return -1;
    const int up_w = m->arch == EL_TEXT_LLAMA ? 2 * M : M;
    float *x = el_buf_get(&w->x, (size_t)n * D);
    float *h = el_buf_get(&w->h, (size_t)n * D);
    float *qkv = el_buf_get(&w->qkv, (size_t)n * qkv_w);
    float *attn = el_buf_get(&w->attn, (size_t)n * H * hd);
    float *mlp = el_buf_get(&w->mlp, (size_t)n * up_w);
    float *scratch = el_buf_get(&w->scratch, el_attention_scratch_floats(n, p0 + n) * (size_t)omp_get_max_threads());
    if (!x || !h || !qkv || !attn || !mlp || !scratch) return -1;

    for (int t = 0; t < n; t++) {
        memcpy(x + (size_t)t * D, m->tok_emb + (size_t)tokens[t] * D, sizeof(float) * D);
        if (m->pos_emb)
            for (int d = 0; d < D; d++) x[(size_t)t * D + d] += m->pos_emb[(size_t)(p0 + t) * D + d];
    }
    for (int l = 0; l < m->n_layers; l++) {
        const el_text_block *B = &m->blocks[l];
        float *kc = cache->k + (size_t)l * cache->cap * kv_w, *vc = cache->v + (size_t)l * cache->cap * kv_w;
        norm(m, h, x, B->attn_norm_w, B->attn_norm_b, n);
        el_linear(qkv, h, B->wqkv, B->bqkv, n, D, qkv_w);
        for (int t = 0; t < n; t++) {
            float *row = qkv + (size_t)t * qkv_w;
            if (m->arch == EL_TEXT_LLAMA)
                for (int j = 0; j < H + KV; j++) rope(m, row + (size_t)j * hd, p0 + t);
            memcpy(kc + (size_t)(p0 + t) * kv_w, row + (size_t)H * hd, sizeof(float) * kv_w);
            memcpy(vc + (size_t)(p0 + t) * kv_w, row + (size_t)(H + KV) * hd, sizeof(float) * kv_w);
        }
        el_attention(attn, H * hd, 0, qkv, qkv_w, 0, kc, vc, kv_w, 0, 1, n, p0 + n, H, KV, hd, 1, scratch);
        el_linear_add(x, attn, B->wo, B->bo, n, H * hd, D);
        norm(m, h, x, B->mlp_norm_w, B->mlp_norm_b, n);
        mlp_up(m, B, mlp, h, n);
        el_linear_add(x, mlp, B->w_down, B->b_down, n, M, D);
        memcpy(rows_out + (size_t)l * D, x + (size_t)(n - 1) * D, sizeof(float) * D);
    }
    cache->len = p0 + n;
    return 0;
}

int el_text_forward_step(const el_text *m, el_kv_cache *caches, const int *tokens, int n, float *rows_out,
                         el_text_work *w) {
    const int D = m->dim, H = m->n_heads, KV = m->n_kv_heads, hd = m->head_dim, M = m->mlp_dim;
    const int qkv_w = (H + 2 * KV) * hd, kv_w = KV * hd;
    const int up_w = m->arch == EL_TEXT_LLAMA ? 2 * M : M;
    int max_len = 0;
    for (int i = 0; i < n; i++) {
        if (caches[i].len + 1 > caches[i].cap) return -1;
        if (caches[i].len + 1 > max_len) max_len = caches[i].len + 1;
    }
    float *x = el_buf_get(&w->x, (size_t)n * D);
    float *h = el_buf_get(&w->h, (size_t)n * D);
    float *qkv = el_buf_get(&w->qkv, (size_t)n * qkv_w);
    float *attn = el_buf_get(&w->attn, (size_t)n * H * hd);
    float *mlp = el_buf_get(&w->mlp, (size_t)n * up_w);
    float *scratch = el_buf_get(&w->scratch, el_attention_scratch_floats(1, max_len) * (size_t)omp_get_max_threads());
    if (!x || !h || !qkv || !attn || !mlp || !scratch) return -1;
    for (int i = 0; i < n; i++) {
        memcpy(x + (size_t)i * D, m->tok_emb + (size_t)tokens[i] * D, sizeof(float) * D);
        if (m->pos_emb)
            for (int d = 0; d < D; d++) x[(size_t)i * D + d] += m->pos_emb[(size_t)caches[i].len * D + d];
    }
    for (int l = 0; l < m->n_layers; l++) {
        const el_text_block *B = &m->blocks[l];
        norm(m, h, x, B->attn_norm_w, B->attn_norm_b, n);
        el_linear(qkv, h, B->wqkv, B->bqkv, n, D, qkv_w);
        /* One prompt per unit of parallel work (its heads on that thread). */
#pragma omp parallel for schedule(dynamic, 1) if (n > 1 && (long)n * H * max_len * hd > EL_PAR_MIN_WORK)
        for (int i = 0; i < n; i++) {
            float *row = qkv + (size_t)i * qkv_w;
            const int pos = caches[i].len;
            if (m->arch == EL_TEXT_LLAMA)
                for (int j = 0; j < H + KV; j++) rope(m, row + (size_t)j * hd, pos);
            float *kc = caches[i].k + (size_t)l * caches[i].cap * kv_w, *vc = caches[i].v + (size_t)l * caches[i].cap * kv_w;
            memcpy(kc + (size_t)pos * kv_w, row + (size_t)H * hd, sizeof(float) * kv_w);
            memcpy(vc + (size_t)pos * kv_w, row + (size_t)(H + KV) * hd, sizeof(float) * kv_w);
            /* Inside this loop's team el_attention runs here and uses the
             * first slice of the scratch it is given: this thread's. */
            float *mine = scratch + (size_t)omp_get_thread_num() * el_attention_scratch_floats(1, max_len);
            el_attention(attn + (size_t)i * H * hd, H * hd, 0, row, qkv_w, 0, kc, vc, kv_w, 0, 1, 1, pos + 1, H, KV, hd, 1,
                         mine);
        }
        el_linear_add(x, attn, B->wo, B->bo, n, H * hd, D);
        norm(m, h, x, B->mlp_norm_w, B->mlp_norm_b, n);
        mlp_up(m, B, mlp, h, n);
        el_linear_add(x, mlp, B->w_down, B->b_down, n, M, D);
        memcpy(rows_out + (size_t)l * n * D, x, sizeof(float) * (size_t)n * D);
    }
    for (int i = 0; i < n; i++) caches[i].len++;
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
