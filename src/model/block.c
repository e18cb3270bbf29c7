#include "model/block.h"
#include "base/buffer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int el_block_qkv_width(const el_block_config *c) { return (c->n_heads + 2 * c->n_kv_heads) * c->head_dim; }

int el_block_up_width(const el_block_config *c) { return c->gated ? 2 * c->mlp_dim : c->mlp_dim; }

int el_block_work_rows(el_block_work *w, const el_block_config *c, size_t rows, size_t scratch_floats,
                       el_block_rows *a, float **scratch) {
    a->x = el_buf_get(&w->x, rows * c->dim);
    a->h = el_buf_get(&w->h, rows * c->dim);
    a->qkv = el_buf_get(&w->qkv, rows * el_block_qkv_width(c));
    a->attn = el_buf_get(&w->attn, rows * c->n_heads * c->head_dim);
    a->mlp = el_buf_get(&w->mlp, rows * el_block_up_width(c));
    *scratch = el_buf_get(&w->scratch, scratch_floats);
    return a->x && a->h && a->qkv && a->attn && a->mlp && *scratch ? 0 : -1;
}

void el_block_work_free(el_block_work *w) {
    EL_BUF_FREE_ALL(&w->x, &w->h, &w->qkv, &w->attn, &w->mlp, &w->scratch);
}

/* ---------------------------------------------------------------- row-wise steps */

void el_block_pre_attention(const el_block_config *c, const el_block_weights *B, const el_block_rows *a,
                            size_t r0, size_t r1) {
    const int D = c->dim, n = (int)(r1 - r0);
    if (n <= 0) return;
    /* post-LN blocks attend over the raw residual (their ln1 follows the add) */
    if (!c->post_ln) el_norm(&c->norm, a->h + r0 * D, a->x + r0 * D, B->ln1.w, B->ln1.b, n, D);
    el_linear(a->qkv + r0 * el_block_qkv_width(c), (c->post_ln ? a->x : a->h) + r0 * D, &B->qkv, B->qkv_b, n);
    if (c->qk_norm) { /* each head's q and k normed over head_dim (before RoPE, in attention) */
        const int qw = el_block_qkv_width(c), H = c->n_heads, KV = c->n_kv_heads, hd = c->head_dim;
        for (size_t r = r0; r < r1; r++) {
            float *q = a->qkv + r * qw, *k = q + (size_t)H * hd;
            el_norm(&c->norm, q, q, B->q_norm, NULL, H, hd);
            el_norm(&c->norm, k, k, B->k_norm, NULL, KV, hd);
        }
    }
}

/* x += scale * post(in W^T + b): a residual add, with layer scale when scale
 * is not NULL and a post-norm when c->post_norms (the product then goes
 * through tmp, free rows of [n][D]). */
static void add_output(const el_block_config *c, float *x, const float *in, const el_mat *w, const float *b,
                       const float *scale, const el_norm_weights *post, float *tmp, int n) {
    const int D = c->dim;
    if (!scale && !c->post_norms) {
        el_linear_add(x, in, w, b, n);
        return;
    }
    el_linear(tmp, in, w, b, n);
    if (c->post_norms) el_norm(&c->norm, tmp, tmp, post->w, post->b, n, D);
    for (int t = 0; t < n; t++)
        for (int d = 0; d < D; d++) x[(size_t)t * D + d] += (scale ? scale[d] : 1.0f) * tmp[(size_t)t * D + d];
}

/* The MLP on n normed rows h: up, activation, down added into x. A gated
 * MLP's act(gate) * up is packed into the first M columns of each
 * [gate | up] row, so the down projection reads [n][M]. */
static void mlp(const el_block_config *c, const el_block_weights *B, float *x, float *m, float *h, int n) {
    const int M = c->mlp_dim;
    el_linear(m, h, &B->up, B->up_b, n);
    if (!c->gated) {
        el_activate(c->act, m, (size_t)n * M);
    } else {
        for (int t = 0; t < n; t++) {
            float *g = m + (size_t)t * 2 * M;
            el_activate_mul(c->act, g, g + M, (size_t)M);
            if (t) memmove(m + (size_t)t * M, g, sizeof(float) * M);
        }
    }
    add_output(c, x, m, &B->down, B->down_b, B->ls2, &B->pn2, h, n);
}

void el_block_post_attention(const el_block_config *c, const el_block_weights *B, const el_block_rows *a,
                             size_t r0, size_t r1) {
    const int D = c->dim, n = (int)(r1 - r0);
    if (n <= 0) return;
    float *x = a->x + r0 * D, *h = a->h + r0 * D;
    const float *attn = a->attn + r0 * c->n_heads * c->head_dim;
    if (c->parallel_residual) {
        /* x + attn(ln1(x)) + mlp(ln2(x)): the MLP reads the block's input,
         * so normalise before the attention output is added. */
        el_norm(&c->norm, h, x, B->ln2.w, B->ln2.b, n, D);
        el_linear_add(x, attn, &B->o, B->o_b, n);
    } else if (c->post_ln) { /* OPT-350m: x = ln1(x + attn), x = ln2(x + mlp(x)) */
        el_linear_add(x, attn, &B->o, B->o_b, n);
        el_norm(&c->norm, x, x, B->ln1.w, B->ln1.b, n, D);
        memcpy(h, x, sizeof(float) * (size_t)n * D);
    } else {
        add_output(c, x, attn, &B->o, B->o_b, B->ls1, &B->pn1, h, n);
        el_norm(&c->norm, h, x, B->ln2.w, B->ln2.b, n, D);
    }
    mlp(c, B, x, a->mlp + r0 * el_block_up_width(c), h, n);
    if (c->post_ln) el_norm(&c->norm, x, x, B->ln2.w, B->ln2.b, n, D);
}

/* ---------------------------------------------------------------- attention */

void el_block_attend_full(const el_block_config *c, const el_block_weights *B, const el_block_rows *a, int n_seq,
                          int T, float *scratch, el_team team) {
    const int H = c->n_heads, KV = c->n_kv_heads, hd = c->head_dim, qw = el_block_qkv_width(c), ow = H * hd;
    const el_attn_scores mods = el_block_scores(c, B);
    el_attention(a->attn, ow, (size_t)T * ow, a->qkv, qw, (size_t)T * qw, a->qkv + (size_t)H * hd,
                 a->qkv + (size_t)(H + KV) * hd, qw, (size_t)T * qw, n_seq, T, T, H, KV, hd, c->causal, B->attn_bias,
                 &mods, scratch, team);
}

el_attn_scores el_block_scores(const el_block_config *c, const el_block_weights *B) {
    return (el_attn_scores){.scale = c->attn_scale, .softcap = c->attn_softcap, .alibi = c->alibi,
                            .window = B->sliding ? c->sliding_window : 0};
}

static void rope(const el_block_config *c, const el_rope_table *t, float *v, int pos) {
    const int half = c->rope_dims / 2;
    const float *cs = t->cos + (size_t)pos * half, *sn = t->sin + (size_t)pos * half;
    if (c->rope == EL_ROPE_INTERLEAVED) {
        for (int i = 0; i < half; i++) {
            float a = v[2 * i], b = v[2 * i + 1];
            v[2 * i] = a * cs[i] - b * sn[i];
            v[2 * i + 1] = a * sn[i] + b * cs[i];
        }
    } else {
        for (int i = 0; i < half; i++) {
            float a = v[i], b = v[i + half];
            v[i] = a * cs[i] - b * sn[i];
            v[i + half] = b * cs[i] + a * sn[i];
        }
    }
}

void el_block_attend_cached(const el_block_config *c, const el_block_weights *B, const el_rope_table *rt,
                            el_kv_cache *cache, int l, float *qkv, int n, float *attn, float *scratch) {
    const int H = c->n_heads, KV = c->n_kv_heads, hd = c->head_dim, qw = el_block_qkv_width(c), kv_w = KV * hd;
    const int p0 = cache->len;
    float *kc = cache->k + (size_t)l * cache->cap * kv_w, *vc = cache->v + (size_t)l * cache->cap * kv_w;
    for (int t = 0; t < n; t++) {
        float *row = qkv + (size_t)t * qw;
        if (c->rope != EL_ROPE_NONE)
            for (int i = 0; i < H + KV; i++) rope(c, rt, row + (size_t)i * hd, p0 + t);
        memcpy(kc + (size_t)(p0 + t) * kv_w, row + (size_t)H * hd, sizeof(float) * kv_w);
        memcpy(vc + (size_t)(p0 + t) * kv_w, row + (size_t)(H + KV) * hd, sizeof(float) * kv_w);
    }
    const el_attn_scores mods = el_block_scores(c, B);
    el_attention(attn, H * hd, 0, qkv, qw, 0, kc, vc, kv_w, 0, 1, n, p0 + n, H, KV, hd, 1, NULL, &mods, scratch,
                 EL_TEAM_OWN);
}

/* ---------------------------------------------------------------- tables and caches */

static int rope_table(el_rope_table *t, const el_block_config *c, int n_pos, float theta, float linear,
                      const el_rope_scaling *sc);

int el_rope_table_init(el_rope_table *t, const el_block_config *c, int n_pos) {
    return rope_table(t, c, n_pos, c->rope_theta, c->rope_linear, &c->rope_scaling);
}

int el_rope_table_init_theta(el_rope_table *t, const el_block_config *c, int n_pos, float theta) {
    return rope_table(t, c, n_pos, theta, 0.0f, NULL);
}

/* Frequency i of dims rotary dims as modeling_rope_utils computes it, in
 * float32 like the reference: the default 1 / theta^(2i/dims), then llama3's
 * wavelength bands (long wavelengths / factor, short ones kept, the band
 * between smoothed) or longrope's 1 / (short_factor[i] theta^(2i/dims)). */
static float rope_inv_freq(const el_rope_scaling *sc, float theta, int i, int dims) {
    const float e = (float)(2 * i) / (float)dims;
    if (sc && sc->kind == EL_ROPE_SCALE_LONGROPE) return 1.0f / (sc->ext[i] * powf(theta, e));
    const float inv = 1.0f / powf(theta, e);
    if (!sc || sc->kind != EL_ROPE_SCALE_LLAMA3) return inv;
    const float lo = sc->low_freq_factor, hi = sc->high_freq_factor, old = sc->original_context;
    const float wavelen = (float)(2.0 * M_PI) / inv;
    if (wavelen < old / hi) return inv;
    if (wavelen > old / lo) return inv / sc->factor;
    const float smooth = (old / wavelen - lo) / (hi - lo);
    return (1.0f - smooth) * inv / sc->factor + smooth * inv;
}

/* linear > 0: inv_freq / linear (HF's rope_scaling linear); sc: llama3 or
 * longrope (NULL: none). */
static int rope_table(el_rope_table *t, const el_block_config *c, int n_pos, float theta, float linear,
                      const el_rope_scaling *sc) {
    memset(t, 0, sizeof *t);
    if (c->rope == EL_ROPE_NONE) return 0;
    const int half = c->rope_dims / 2;
    const size_t n = (size_t)n_pos * half;
    t->cos = malloc((n ? n : 1) * sizeof(float));
    t->sin = malloc((n ? n : 1) * sizeof(float));
    t->n_pos = n_pos;
    if (!t->cos || !t->sin) {
        el_rope_table_free(t);
        return -1;
    }
    for (int i = 0; i < half; i++) {
        /* float32 like the references (HF's inv_freq, llama2.c's powf). */
        float inv = rope_inv_freq(sc, theta, i, c->rope_dims);
        if (linear > 0.0f) inv /= linear;
        const float att = sc && sc->kind == EL_ROPE_SCALE_LONGROPE ? sc->attention : 1.0f;
        for (int p = 0; p < n_pos; p++) {
            float ang = (float)p * inv;
            t->cos[(size_t)p * half + i] = cosf(ang) * att;
            t->sin[(size_t)p * half + i] = sinf(ang) * att;
        }
    }
    return 0;
}

void el_rope_table_free(el_rope_table *t) {
    free(t->cos);
    free(t->sin);
    memset(t, 0, sizeof *t);
}

int el_kv_cache_init(el_kv_cache *cache, const el_block_config *c, int cap) {
    size_t n = (size_t)c->n_layers * cap * c->n_kv_heads * c->head_dim;
    cache->k = malloc(n * sizeof(float));
    cache->v = malloc(n * sizeof(float));
    cache->cap = cap;
    cache->len = 0;
    if (!cache->k || !cache->v) {
        el_kv_cache_free(cache);
        return -1;
    }
    return 0;
}

void el_kv_cache_free(el_kv_cache *cache) {
    free(cache->k);
    free(cache->v);
    memset(cache, 0, sizeof *cache);
}
