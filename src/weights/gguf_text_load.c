/* GGUF decoder models (llama.cpp's single file): the metadata through
 * gguf_config.c into the block config, the weight matrices used in place in
 * the mapping at their stored type (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K,
 * Q6_K: nn/quant.h), norms, biases and learned positions expanded to F32.
 * Families: llama (and Mistral, Llama 3 files without rope_freqs), qwen2,
 * phi3 (fused attn_qkv and gate|up ffn_up), gpt2 (learned positions, fused
 * attn_qkv), gptneox (fused attn_qkv, already regrouped to q|k|v by
 * convert_hf_to_gguf.py), qwen3 (q/k norms), gemma, gemma2, gemma3 (norms
 * stored as 1 + w, sandwich norms, q/k norms, sliding layers: the rules in
 * gguf_config.c). Every tensor must be used: a leftover names a feature we
 * do not run (rope_freqs, ...). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/status.h"
#include "weights/gguf.h"
#include "weights/gguf_config.h"
#include "weights/text_load_internal.h"

typedef struct {
    const el_gguf *g;
    float *arena;
    size_t used, cap; /* floats */
    unsigned char *used_flags;
    uint64_t n_params;
    el_status st;
} reader;

static const el_gguf_tensor *find(reader *r, int layer, const char *what, const char *kind, int required) {
    char n[96];
    el_gguf_tensor_name(n, sizeof n, layer, what, kind);
    const el_gguf_tensor *t = el_gguf_find_tensor(r->g, n);
    if (!t && required && !r->st) r->st = el_fail(EL_ERR_FORMAT, "%s: missing tensor '%s'", r->g->path, n);
    if (t && !r->used_flags[t - r->g->tensors]) {
        r->used_flags[t - r->g->tensors] = 1;
        r->n_params += t->n_elems;
    }
    return t;
}

static int shape_ok(reader *r, const el_gguf_tensor *t, int ndim, uint64_t ne0, uint64_t ne1) {
    if (t->ne[0] == ne0 && t->ne[1] == ne1 && t->ne[2] == 1 && t->ne[3] == 1 && (ndim == 2 || ne1 == 1)) return 1;
    r->st = el_fail(EL_ERR_FORMAT, "%s: tensor '%s' has ne [%llu,%llu,%llu,%llu], config implies [%llu,%llu]", r->g->path,
                    t->name, (unsigned long long)t->ne[0], (unsigned long long)t->ne[1], (unsigned long long)t->ne[2],
                    (unsigned long long)t->ne[3], (unsigned long long)ne0, (unsigned long long)ne1);
    return 0;
}

/* A vector (or [rows][n] table) expanded to F32 in the arena; NULL when absent
 * and not required. */
static float *take_f32(reader *r, int layer, const char *what, const char *kind, int n, int rows, int required) {
    const el_gguf_tensor *t = find(r, layer, what, kind, required);
    if (!t || r->st || !shape_ok(r, t, rows > 1 ? 2 : 1, (uint64_t)n, (uint64_t)rows)) return NULL;
    const size_t count = (size_t)n * (size_t)rows;
    if (r->used + count > r->cap) {
        r->st = el_fail(EL_ERR_FORMAT, "internal: parameter arena too small at '%s'", t->name);
        return NULL;
    }
    float *dst = r->arena + r->used;
    r->used += count;
    if ((r->st = el_gguf_expand_rows(r->g, t, 0, (uint64_t)rows, dst))) return NULL;
    return dst;
}

/* A weight matrix [rows][cols] in place, at its stored type. */
static el_mat take_mat(reader *r, int layer, const char *what, int rows, int cols, int required) {
    const el_gguf_tensor *t = find(r, layer, what, "weight", required);
    if (!t || r->st || !shape_ok(r, t, 2, (uint64_t)cols, (uint64_t)rows)) return (el_mat){0};
    if (!el_qtype_get(t->type)) {
        r->st = el_fail(EL_ERR_UNSUPPORTED, "%s: tensor '%s' has type %s (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K "
                        "are supported)", r->g->path, t->name, el_qtype_name(t->type));
        return (el_mat){0};
    }
    return el_mat_typed(t->data, (el_qtype)t->type, rows, cols);
}

static void stack(reader *r, el_mat *m, int layer, const char *what, int rows, int cols) {
    el_mat part = take_mat(r, layer, what, rows, cols, 1);
    if (!r->st && el_mat_stack(m, &part)) r->st = el_fail(EL_ERR_FORMAT, "%s: cannot stack %s", r->g->path, what);
}

/* Biases q|k|v, stored apart or fused, into consecutive arena slices. */
static const float *take_qkv_bias(reader *r, int l, int q, int kv, int fused) {
    if (fused) return take_f32(r, l, "attn_qkv", "bias", q + 2 * kv, 1, 0);
    if (!find(r, l, "attn_q", "bias", 0)) return NULL;
    float *b = take_f32(r, l, "attn_q", "bias", q, 1, 1);
    take_f32(r, l, "attn_k", "bias", kv, 1, 1);
    take_f32(r, l, "attn_v", "bias", kv, 1, 1);
    return b;
}

static int has(reader *r, int layer, const char *what) {
    char n[96];
    el_gguf_tensor_name(n, sizeof n, layer, what, "weight");
    return el_gguf_find_tensor(r->g, n) != NULL;
}

static void read_layer(reader *r, el_text *m, int l, const el_gguf_config *gc) {
    const el_block_config *c = &m->tf.cfg;
    el_block_weights *B = &m->tf.layers[l];
    const int D = c->dim, M = c->mlp_dim, q = c->n_heads * c->head_dim, kv = c->n_kv_heads * c->head_dim;
    const int ln = gc->norm == EL_GGUF_NORM_LAYER;
    B->ln1.w = take_f32(r, l, "attn_norm", "weight", D, 1, 1);
    B->ln1.b = ln ? take_f32(r, l, "attn_norm", "bias", D, 1, 1) : NULL;
    B->ln2.w = take_f32(r, l, "ffn_norm", "weight", D, 1, 1);
    B->ln2.b = ln ? take_f32(r, l, "ffn_norm", "bias", D, 1, 1) : NULL;
    if (has(r, l, "attn_qkv")) {
        B->qkv = take_mat(r, l, "attn_qkv", q + 2 * kv, D, 1);
        B->qkv_b = take_qkv_bias(r, l, q, kv, 1);
    } else {
        stack(r, &B->qkv, l, "attn_q", q, D);
        stack(r, &B->qkv, l, "attn_k", kv, D);
        stack(r, &B->qkv, l, "attn_v", kv, D);
        B->qkv_b = take_qkv_bias(r, l, q, kv, 0);
    }
    B->o = take_mat(r, l, "attn_output", D, q, 1);
    B->o_b = take_f32(r, l, "attn_output", "bias", D, 1, 0);
    if (!c->gated) {
        B->up = take_mat(r, l, "ffn_up", M, D, 1);
    } else if (has(r, l, "ffn_gate")) {
        stack(r, &B->up, l, "ffn_gate", M, D);
        stack(r, &B->up, l, "ffn_up", M, D);
    } else {
        B->up = take_mat(r, l, "ffn_up", 2 * M, D, 1); /* Phi-3: gate | up fused */
    }
    B->up_b = take_f32(r, l, "ffn_up", "bias", M, 1, 0);
    B->down = take_mat(r, l, "ffn_down", D, M, 1);
    B->down_b = take_f32(r, l, "ffn_down", "bias", D, 1, 0);
    if (gc->post_norms) {
        B->pn1.w = take_f32(r, l, "post_attention_norm", "weight", D, 1, 1);
        B->pn2.w = take_f32(r, l, "post_ffw_norm", "weight", D, 1, 1);
    }
    if (gc->qk_norm) {
        B->q_norm = take_f32(r, l, "attn_q_norm", "weight", c->head_dim, 1, 1);
        B->k_norm = take_f32(r, l, "attn_k_norm", "weight", c->head_dim, 1, 1);
    }
    B->sliding = gc->gemma ? gc->swa_period > 0 && l % gc->swa_period < gc->swa_period - 1 : gc->sliding_window > 0;
}

static const char *const gguf_archs[] = {"llama", "qwen2", "qwen3", "phi3", "gpt2", "gptneox", "gemma", "gemma2", "gemma3"};

static int arch_runs(const char *a) {
    for (size_t i = 0; i < sizeof gguf_archs / sizeof gguf_archs[0]; i++)
        if (!strcmp(a, gguf_archs[i])) return 1;
    return 0;
}

/* Gemma's scores and norms: the settings llama.cpp derives per architecture. */
static void gemma_block_config(const el_gguf_config *gc, el_text *m) {
    el_block_config *c = &m->tf.cfg;
    c->act = EL_ACT_GELU_TANH;
    m->emb_scale = sqrtf((float)gc->dim); /* llama.cpp: ggml_scale by sqrtf(n_embd), in F32 */
    c->attn_scale = (float)gc->attn_scale;
    c->attn_softcap = (float)gc->attn_softcap;
    c->sliding_window = gc->swa_period > 0 ? (int)gc->sliding_window : 0;
    c->rope_local_theta = (float)gc->rope_local_theta;
    c->post_norms = gc->post_norms;
}

static el_status to_block_config(const el_gguf *g, const el_gguf_config *gc, el_text *m) {
    el_block_config *c = &m->tf.cfg;
    const char *a = gc->arch;
    if (!arch_runs(a))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF architecture '%s' is not run from GGUF (llama, qwen2, qwen3, "
                       "phi3, gpt2, gptneox, gemma, gemma2, gemma3 are)", g->path, a);
    if (!gc->gemma && gc->attn_softcap > 0)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF attention soft-capping on %s", g->path, a);
    c->n_layers = gc->n_layers;
    c->dim = gc->dim;
    c->n_heads = gc->n_heads;
    c->n_kv_heads = gc->n_kv_heads;
    c->head_dim = gc->head_dim;
    c->mlp_dim = gc->mlp_dim;
    c->norm.kind = gc->norm == EL_GGUF_NORM_LAYER ? EL_NORM_LAYER : EL_NORM_RMS;
    c->norm.eps = (float)gc->eps; /* Gemma's 1 + w is stored: no weight offset */
    c->causal = 1;
    c->rope = !strcmp(a, "gpt2") || gc->rope_dim == 0 ? EL_ROPE_NONE
              : gc->rope_interleaved                 ? EL_ROPE_INTERLEAVED
                                                     : EL_ROPE_HALF;
    c->rope_dims = c->rope == EL_ROPE_NONE ? 0 : gc->rope_dim;
    c->rope_theta = (float)gc->rope_theta;
    c->rope_linear = (float)gc->rope_linear;
    c->gated = strcmp(a, "gpt2") && strcmp(a, "gptneox");
    c->act = c->gated ? EL_ACT_SILU : !strcmp(a, "gpt2") ? EL_ACT_GELU_TANH : EL_ACT_GELU_ERF;
    c->parallel_residual = gc->parallel_residual;
    c->qk_norm = gc->qk_norm;
    /* Phi-3 (and any non-Gemma file with a window): every layer slides, as in
     * Hugging Face; llama.cpp currently switches Phi-3's window off. */
    c->sliding_window = (int)gc->sliding_window;
    if (gc->gemma) gemma_block_config(gc, m);
    m->vocab = gc->vocab;
    m->context = gc->context > EL_TEXT_MAX_CONTEXT ? EL_TEXT_MAX_CONTEXT : gc->context;
    m->tf.lens.softcap = (float)gc->final_softcap;
    return el_text_check_sizes(m, g->path);
}

/* "Q4_K" when every matrix has one type, else "mixed". */
static void dtype_summary(const el_text *m, char *out, size_t cap) {
    int type = -1, mixed = 0;
    for (int l = 0; l < m->tf.cfg.n_layers; l++) {
        const el_mat *ms[4] = {&m->tf.layers[l].qkv, &m->tf.layers[l].o, &m->tf.layers[l].up, &m->tf.layers[l].down};
        for (int i = 0; i < 4; i++)
            for (int p = 0; p < ms[i]->n_parts; p++) {
                if (type < 0) type = (int)ms[i]->part[p].type;
                mixed |= type != (int)ms[i]->part[p].type;
            }
    }
    snprintf(out, cap, "%s", mixed ? "mixed" : el_qtype_name((uint32_t)(type < 0 ? 0 : type)));
}

static el_status read_all(reader *r, el_text *m, const el_gguf_config *gc) {
    const int D = m->tf.cfg.dim, V = m->vocab, ln = gc->norm == EL_GGUF_NORM_LAYER;
    m->tok_emb = take_mat(r, -1, "token_embd", V, D, 1);
    if (!strcmp(gc->arch, "gpt2")) m->pos_emb = take_f32(r, -1, "position_embd", "weight", D, m->context, 1);
    for (int l = 0; l < m->tf.cfg.n_layers && !r->st; l++) read_layer(r, m, l, gc);
    m->tf.lens.norm_w = take_f32(r, -1, "output_norm", "weight", D, 1, 1);
    m->tf.lens.norm_b = ln ? take_f32(r, -1, "output_norm", "bias", D, 1, 1) : NULL;
    m->tf.lens.head = gc->tied_embeddings ? m->tok_emb : take_mat(r, -1, "output", V, D, 1);
    for (uint64_t i = 0; i < r->g->n_tensors && !r->st; i++)
        if (!r->used_flags[i])
            r->st = el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF tensor '%s' is not used by the %s blocks this tool runs",
                            r->g->path, r->g->tensors[i].name, gc->arch);
    return r->st;
}

static void release_gguf(void *g) {
    el_gguf_close(g);
    free(g);
}

el_status el_load_gguf_text(const char *path, el_text *m, el_text_meta *meta) {
    el_gguf *g = calloc(1, sizeof *g);
    if (!g) return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    el_gguf_config gc;
    el_status s = el_gguf_open(g, path);
    if (!s) s = el_gguf_read_config(g, &gc);
    if (!s) s = to_block_config(g, &gc, m);
    reader r = {.g = g, .st = EL_OK};
    if (!s) {
        const size_t D = (size_t)gc.dim, L = (size_t)gc.n_layers, q = (size_t)gc.n_heads * gc.head_dim;
        /* norms (4 + 2 post), biases, q/k norms per layer; final norm; positions */
        r.cap = L * (6 * D + q + 2 * (size_t)gc.n_kv_heads * gc.head_dim + D + 2 * (size_t)gc.mlp_dim + D +
                     2 * (size_t)gc.head_dim) +
                2 * D + (size_t)m->context * D;
        r.arena = el_alloc_params(r.cap);
        r.used_flags = calloc(g->n_tensors + 1, 1);
        m->tf.layers = calloc((size_t)gc.n_layers, sizeof(el_block_weights));
        if (!r.arena || !r.used_flags || !m->tf.layers) s = el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    }
    if (!s) s = read_all(&r, m, &gc);
    free(r.used_flags);
    m->arena = r.arena;
    m->n_params = r.n_params;
    m->mapping = g;
    m->mapping_free = release_gguf;
    if (!s) {
        snprintf(meta->family, sizeof meta->family, "%s", gc.arch);
        snprintf(meta->arch, sizeof meta->arch, "gguf-%s", gc.arch);
        snprintf(meta->layout, sizeof meta->layout, "gguf");
        dtype_summary(m, meta->dtype, sizeof meta->dtype);
        meta->n_shards = 1;
    }
    return s;
}
