/* Hugging Face decoder folders (config.json + safetensors): GPT-2, the Llama
 * family (Llama, Mistral, Qwen2) and GPT-NeoX. Each family is a row of the
 * table at the end: how its config.json becomes an el_block_config, which
 * optional parameters it has, and how its tensors are named and laid out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "weights/json_config.h"
#include "weights/safetensors.h"
#include "weights/hf_text_internal.h"
#include "weights/families.h"

#define MAX_DIM EL_TEXT_MAX_DIM
#define MAX_LAYERS EL_TEXT_MAX_LAYERS
#define MAX_VOCAB EL_TEXT_MAX_VOCAB
#define MAX_CONTEXT EL_TEXT_MAX_CONTEXT

typedef struct {
    const char *type, *arch; /* model_type; architecture when config.json has none */
    el_status (*config)(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x, int *tie);
    el_status (*read)(el_param_reader *r, el_text *m, const el_text_extras *x);
    int (*ignorable)(const char *name);
    const char *head;        /* a separate output head's tensor */
} hf_family;

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* An activation name of transformers' ACT2FN. */
el_status el_hf_parse_act(const char *file, const char *key, const char *name, el_act *act) {
    static const struct { const char *name; el_act act; } table[] = {
        {"gelu", EL_ACT_GELU_ERF},         {"gelu_new", EL_ACT_GELU_TANH}, {"gelu_pytorch_tanh", EL_ACT_GELU_TANH},
        {"quick_gelu", EL_ACT_QUICK_GELU}, {"relu", EL_ACT_RELU},          {"silu", EL_ACT_SILU}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(name, table[i].name)) {
            *act = table[i].act;
            return EL_OK;
        }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: %s \"%s\" (gelu, gelu_new, gelu_pytorch_tanh, quick_gelu, relu, silu)", file, key,
                   name);
}

/* ---------------------------------------------------------------- GPT-2 */

/* Pre-LayerNorm blocks with tanh-GELU, learned positions, biases everywhere. */
static el_status config_gpt2(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                             int *tie) {
    el_block_config *c = &m->tf.cfg;
    long v;
    double d;
    el_status s = EL_OK;
    if (!s) s = el_json_int(cfg, file, "n_embd", 1, 0, 1, MAX_DIM, &v), c->dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "n_layer", 1, 0, 1, MAX_LAYERS, &v), c->n_layers = (int)v;
    if (!s) s = el_json_int(cfg, file, "n_head", 1, 0, 1, MAX_DIM, &v), c->n_heads = c->n_kv_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "vocab_size", 1, 0, 1, MAX_VOCAB, &v), m->vocab = (int)v;
    if (!s) s = el_json_int(cfg, file, "n_positions", 0, 1024, 1, MAX_CONTEXT, &v), m->context = (int)v;
    if (!s) s = el_json_int(cfg, file, "n_inner", 0, 4L * c->dim, 1, 16L * MAX_DIM, &v), c->mlp_dim = (int)v;
    if (!s) s = el_json_double(cfg, file, "layer_norm_epsilon", 0, 1e-5, 0, 1, &d), c->norm.eps = (float)d;
    const char *act = el_json_str(cfg, "activation_function");
    if (!s && act && strcmp(act, "gelu_new") && strcmp(act, "gelu_pytorch_tanh"))
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: activation_function \"%s\" (GPT-2 uses gelu_new)", file, act);
    c->head_dim = c->n_heads ? c->dim / c->n_heads : 0;
    if (!s && c->dim % c->n_heads) s = el_fail(EL_ERR_CONFIG, "%s: n_embd %d not divisible by n_head %d", file, c->dim, c->n_heads);
    c->norm.kind = EL_NORM_LAYER;
    c->causal = 1;
    c->act = EL_ACT_GELU_TANH;
    *x = (el_text_extras){.norm_bias = 1, .qkv_bias = 1, .linear_bias = 1, .pos_emb = 1};
    *tie = 1;
    return s;
}

/* GPT-2 checkpoints may carry the causal-mask buffers. */
static int gpt2_ignorable(const char *name) { return ends_with(name, ".attn.bias") || ends_with(name, ".attn.masked_bias"); }

static el_status read_gpt2(el_param_reader *r, el_text *m, const el_text_extras *x) {
    char n[160];
    const int D = m->tf.cfg.dim, M = m->tf.cfg.mlp_dim, V = m->vocab;
    const char *pre = el_has(r, "transformer.wte.weight") ? "transformer." : "";
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->tok_emb = el_take_mat(r, NAME("%swte.weight", pre), V, D);
    m->pos_emb = el_take(r, NAME("%swpe.weight", pre), 2, m->context, D, 0, 0);
    for (int l = 0; l < m->tf.cfg.n_layers && !r->st; l++) {
        el_block_weights *B = &m->tf.layers[l];
        el_take_norm(r, NAME("%sh.%d.ln_1", pre, l), D, &B->ln1.w, &B->ln1.b);
        /* Conv1D stores [in][out]; transpose to Linear's [out][in] once here. */
        B->qkv = el_take_mat_copy(r, NAME("%sh.%d.attn.c_attn.weight", pre, l), 3 * D, D, 1);
        B->qkv_b = el_take(r, NAME("%sh.%d.attn.c_attn.bias", pre, l), 1, 3 * D, 0, 0, 0);
        B->o = el_take_mat_copy(r, NAME("%sh.%d.attn.c_proj.weight", pre, l), D, D, 1);
        B->o_b = el_take(r, NAME("%sh.%d.attn.c_proj.bias", pre, l), 1, D, 0, 0, 0);
        el_take_norm(r, NAME("%sh.%d.ln_2", pre, l), D, &B->ln2.w, &B->ln2.b);
        B->up = el_take_mat_copy(r, NAME("%sh.%d.mlp.c_fc.weight", pre, l), M, D, 1);
        B->up_b = el_take(r, NAME("%sh.%d.mlp.c_fc.bias", pre, l), 1, M, 0, 0, 0);
        B->down = el_take_mat_copy(r, NAME("%sh.%d.mlp.c_proj.weight", pre, l), D, M, 1);
        B->down_b = el_take(r, NAME("%sh.%d.mlp.c_proj.bias", pre, l), 1, D, 0, 0, 0);
    }
    m->tf.lens.norm_w = el_take(r, NAME("%sln_f.weight", pre), 1, D, 0, 0, 0);
    m->tf.lens.norm_b = el_take(r, NAME("%sln_f.bias", pre), 1, D, 0, 0, 0);
#undef NAME
    return r->st;
}

/* ---------------------------------------------------------------- Llama family */

/* Mistral (and any Llama-family config with sliding_window): every layer
 * attends within the window. Qwen2/3 use it only with use_sliding_window
 * (then on some layers: refused). */
static el_status llama_window(const cJSON *cfg, const char *file, const char *type, el_block_config *c,
                              el_text_extras *x) {
    long v;
    int use = 0;
    if (!strncmp(type, "qwen", 4)) {
        EL_TRY(el_json_bool(cfg, file, "use_sliding_window", 0, &use));
        return use ? el_fail(EL_ERR_UNSUPPORTED, "%s: use_sliding_window true (not supported for %s)", file, type) : EL_OK;
    }
    EL_TRY(el_json_int(cfg, file, "sliding_window", 0, 0, 0, MAX_CONTEXT, &v));
    c->sliding_window = (int)v;
    for (int l = 0; l < c->n_layers; l++) x->sliding[l] = v > 0;
    return EL_OK;
}

/* What the Llama-like families add: Qwen3's per-head q/k RMSNorm, Phi-3's
 * fused projections; settings the block does not compute are refused. */
static el_status llama_extras(const cJSON *cfg, const char *file, const char *type, el_block_config *c,
                              el_text_extras *x) {
    int mlp_bias = 0;
    double pr;
    EL_TRY(el_json_bool(cfg, file, "mlp_bias", 0, &mlp_bias));
    if (mlp_bias) return el_fail(EL_ERR_UNSUPPORTED, "%s: mlp_bias true (not supported)", file);
    EL_TRY(el_json_double(cfg, file, "partial_rotary_factor", 0, 1.0, 0.0, 1.0, &pr));
    if (pr != 1.0) return el_fail(EL_ERR_UNSUPPORTED, "%s: partial_rotary_factor %g (only 1 is supported for %s)", file, pr, type);
    c->qk_norm = !strcmp(type, "qwen3");
    x->fused = !strcmp(type, "phi3");
    return EL_OK;
}

/* RMSNorm, rotate-half RoPE, GQA, SwiGLU; Qwen2 has q/k/v biases. */
static el_status config_llama(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                              int *tie) {
    el_block_config *c = &m->tf.cfg;
    long v;
    double d;
    el_status s = EL_OK;
    if (!s) s = el_json_int(cfg, file, "hidden_size", 1, 0, 1, MAX_DIM, &v), c->dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_hidden_layers", 1, 0, 1, MAX_LAYERS, &v), c->n_layers = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_attention_heads", 1, 0, 1, MAX_DIM, &v), c->n_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_key_value_heads", 0, c->n_heads, 1, MAX_DIM, &v), c->n_kv_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "intermediate_size", 1, 0, 1, 16L * MAX_DIM, &v), c->mlp_dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "vocab_size", 1, 0, 1, MAX_VOCAB, &v), m->vocab = (int)v;
    if (!s) s = el_json_int(cfg, file, "max_position_embeddings", 0, 2048, 1, MAX_CONTEXT, &v), m->context = (int)v;
    if (!s && c->dim % c->n_heads && !cJSON_GetObjectItemCaseSensitive(cfg, "head_dim"))
        s = el_fail(EL_ERR_CONFIG, "%s: hidden_size %d not divisible by %d heads", file, c->dim, c->n_heads);
    if (!s) s = el_json_int(cfg, file, "head_dim", 0, c->dim / c->n_heads, 2, MAX_DIM, &v), c->head_dim = (int)v;
    if (!s) s = el_json_double(cfg, file, "rms_norm_eps", 0, 1e-6, 0, 1, &d), c->norm.eps = (float)d;
    if (!s) s = el_json_double(cfg, file, "rope_theta", 0, 10000.0, 1e-3, 1e12, &d), c->rope_theta = (float)d;
    if (!s) s = el_json_double(cfg, file, "final_logit_softcapping", 0, 0.0, 0.0, 1e9, &d), m->tf.lens.softcap = (float)d;
    if (!s) s = el_json_bool(cfg, file, "tie_word_embeddings", 0, tie);
    *x = (el_text_extras){0};
    if (!s) s = llama_window(cfg, file, type, c, x);
    if (!s) s = el_json_bool(cfg, file, "attention_bias", !strcmp(type, "qwen2"), &x->qkv_bias);
    if (!s) s = llama_extras(cfg, file, type, c, x);
    c->rope = EL_ROPE_HALF;
    c->rope_dims = c->head_dim;
    if (!s) s = el_hf_llama_rope_scaling(cfg, file, m);
    const char *act = el_json_str(cfg, "hidden_act");
    if (!s && act && strcmp(act, "silu"))
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: hidden_act \"%s\" (Llama-family MLPs use silu)", file, act);
    c->norm.kind = EL_NORM_RMS;
    c->causal = 1;
    c->act = EL_ACT_SILU;
    c->gated = 1;
    return s;
}

static int llama_ignorable(const char *name) { return strstr(name, "rotary_emb.inv_freq") != NULL; }

/* Where the decoder's tensors are: model., or inside a multimodal
 * checkpoint (Gemma 3's language_model.model., newer model.language_model.). */
static const char *llama_prefix(const el_param_reader *r) {
    static const char *const pre[] = {"language_model.model.", "model.language_model."};
    char n[64];
    for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
        snprintf(n, sizeof n, "%sembed_tokens.weight", pre[i]);
        if (el_has(r, n)) return pre[i];
    }
    return "model.";
}

static el_status read_llama(el_param_reader *r, el_text *m, const el_text_extras *x) {
    char n[160], P[64];
    const el_block_config *c = &m->tf.cfg;
    const int D = c->dim, M = c->mlp_dim, V = m->vocab, hd = c->head_dim, H = c->n_heads, KV = c->n_kv_heads;
    const char *pre = llama_prefix(r);
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->tok_emb = el_take_mat(r, NAME("%sembed_tokens.weight", pre), V, D);
    snprintf(P, sizeof P, "%slayers", pre);
    for (int l = 0; l < c->n_layers && !r->st; l++) {
        el_block_weights *B = &m->tf.layers[l];
        B->ln1.w = el_take(r, NAME("%s.%d.input_layernorm.weight", P, l), 1, D, 0, 0, 0);
        /* q, k, v stacked in place: one fused [(H+2KV) hd][D] weight (Phi-3 stores it so). */
        if (x->fused) {
            B->qkv = el_take_mat(r, NAME("%s.%d.self_attn.qkv_proj.weight", P, l), (int64_t)(H + 2 * KV) * hd, D);
        } else {
            el_take_mat_stack(r, &B->qkv, NAME("%s.%d.self_attn.q_proj.weight", P, l), (int64_t)H * hd, D);
            el_take_mat_stack(r, &B->qkv, NAME("%s.%d.self_attn.k_proj.weight", P, l), (int64_t)KV * hd, D);
            el_take_mat_stack(r, &B->qkv, NAME("%s.%d.self_attn.v_proj.weight", P, l), (int64_t)KV * hd, D);
        }
        if (x->qkv_bias) {
            B->qkv_b = el_take_copy(r, NAME("%s.%d.self_attn.q_proj.bias", P, l), 1, (int64_t)H * hd, 0, 0, 0);
            el_take_copy(r, NAME("%s.%d.self_attn.k_proj.bias", P, l), 1, (int64_t)KV * hd, 0, 0, 0);
            el_take_copy(r, NAME("%s.%d.self_attn.v_proj.bias", P, l), 1, (int64_t)KV * hd, 0, 0, 0);
        }
        B->o = el_take_mat(r, NAME("%s.%d.self_attn.o_proj.weight", P, l), D, (int64_t)H * hd);
        if (c->qk_norm) {
            B->q_norm = el_take(r, NAME("%s.%d.self_attn.q_norm.weight", P, l), 1, hd, 0, 0, 0);
            B->k_norm = el_take(r, NAME("%s.%d.self_attn.k_norm.weight", P, l), 1, hd, 0, 0, 0);
        }
        if (c->post_norms) { /* Gemma 2/3: post_attention_layernorm is on the attention's output */
            B->pn1.w = el_take(r, NAME("%s.%d.post_attention_layernorm.weight", P, l), 1, D, 0, 0, 0);
            B->ln2.w = el_take(r, NAME("%s.%d.pre_feedforward_layernorm.weight", P, l), 1, D, 0, 0, 0);
            B->pn2.w = el_take(r, NAME("%s.%d.post_feedforward_layernorm.weight", P, l), 1, D, 0, 0, 0);
        } else {
            B->ln2.w = el_take(r, NAME("%s.%d.post_attention_layernorm.weight", P, l), 1, D, 0, 0, 0);
        }
        if (x->fused) { /* Phi-3 gate_up_proj: gate rows, then up rows, as the block wants */
            B->up = el_take_mat(r, NAME("%s.%d.mlp.gate_up_proj.weight", P, l), 2 * (int64_t)M, D);
        } else {
            el_take_mat_stack(r, &B->up, NAME("%s.%d.mlp.gate_proj.weight", P, l), M, D);
            el_take_mat_stack(r, &B->up, NAME("%s.%d.mlp.up_proj.weight", P, l), M, D);
        }
        B->down = el_take_mat(r, NAME("%s.%d.mlp.down_proj.weight", P, l), D, M);
    }
    m->tf.lens.norm_w = el_take(r, NAME("%snorm.weight", pre), 1, D, 0, 0, 0);
#undef NAME
    return r->st;
}

/* ---------------------------------------------------------------- GPT-NeoX */

/* LayerNorm blocks with biases, partial rotate-half RoPE, exact GELU by
 * default, and the parallel residual (x + attn(ln1(x)) + mlp(ln2(x))). */
static el_status config_neox(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                             int *tie) {
    el_block_config *c = &m->tf.cfg;
    long v;
    double d, pct = 0.25;
    int bias = 1;
    el_status s = EL_OK;
    if (!s) s = el_json_int(cfg, file, "hidden_size", 1, 0, 1, MAX_DIM, &v), c->dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_hidden_layers", 1, 0, 1, MAX_LAYERS, &v), c->n_layers = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_attention_heads", 1, 0, 1, MAX_DIM, &v), c->n_heads = c->n_kv_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "intermediate_size", 1, 0, 1, 16L * MAX_DIM, &v), c->mlp_dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "vocab_size", 1, 0, 1, MAX_VOCAB, &v), m->vocab = (int)v;
    if (!s) s = el_json_int(cfg, file, "max_position_embeddings", 0, 2048, 1, MAX_CONTEXT, &v), m->context = (int)v;
    if (!s) s = el_json_double(cfg, file, "layer_norm_eps", 0, 1e-5, 0, 1, &d), c->norm.eps = (float)d;
    if (!s) s = el_json_double(cfg, file, "rotary_pct", 0, 0.25, 0.0, 1.0, &pct);
    if (!s) s = el_json_double(cfg, file, "rotary_emb_base", 0, 10000.0, 1e-3, 1e12, &d), c->rope_theta = (float)d;
    if (!s) s = el_json_bool(cfg, file, "use_parallel_residual", 1, &c->parallel_residual);
    if (!s) s = el_json_bool(cfg, file, "tie_word_embeddings", 0, tie);
    if (!s) s = el_json_bool(cfg, file, "attention_bias", 1, &bias);
    if (!s && !bias) s = el_fail(EL_ERR_UNSUPPORTED, "%s: attention_bias false (GPT-NeoX attention without biases)", file);
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
    if (!s && rs && !cJSON_IsNull(rs))
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: rope_scaling is set (only plain RoPE is supported)", file);
    const char *act = el_json_str(cfg, "hidden_act");
    if (!s) s = el_hf_parse_act(file, "hidden_act", act ? act : "gelu", &c->act);
    if (!s && c->dim % c->n_heads) s = el_fail(EL_ERR_CONFIG, "%s: hidden_size %d not divisible by %d heads", file, c->dim, c->n_heads);
    c->head_dim = c->n_heads ? c->dim / c->n_heads : 0;
    c->rope_dims = (int)(c->head_dim * pct); /* HF: int(head_size * rotary_pct) */
    if (!s && c->rope_dims % 2)
        s = el_fail(EL_ERR_CONFIG, "%s: rotary_pct %g gives %d rotary dims of %d (must be even)", file, pct, c->rope_dims,
                    c->head_dim);
    c->rope = c->rope_dims > 0 ? EL_ROPE_HALF : EL_ROPE_NONE;
    c->norm.kind = EL_NORM_LAYER;
    c->causal = 1;
    *x = (el_text_extras){.norm_bias = 1, .qkv_bias = 1, .linear_bias = 1};
    return s;
}

/* Old checkpoints carry the mask and rotary buffers. */
static int neox_ignorable(const char *name) {
    return ends_with(name, ".attention.bias") || ends_with(name, ".attention.masked_bias") ||
           ends_with(name, ".rotary_emb.inv_freq");
}

void el_hf_regroup_qkv(el_param_reader *r, void *w, int H, int hd, size_t row) {
    if (!w || r->st) return;
    char *tmp = malloc((size_t)3 * H * hd * row);
    if (!tmp) {
        r->st = el_fail(EL_ERR_NOMEM, "out of memory");
        return;
    }
    for (int h = 0; h < H; h++)
        for (int j = 0; j < 3; j++)
            memcpy(tmp + ((size_t)j * H * hd + (size_t)h * hd) * row, (char *)w + ((size_t)(3 * h + j) * hd) * row,
                   (size_t)hd * row);
    memcpy(w, tmp, (size_t)3 * H * hd * row);
    free(tmp);
}

static el_status read_neox(el_param_reader *r, el_text *m, const el_text_extras *x) {
    char n[160];
    const el_block_config *c = &m->tf.cfg;
    const int D = c->dim, M = c->mlp_dim, V = m->vocab, H = c->n_heads, hd = c->head_dim;
#define NAME(...) (snprintf(n, sizeof n, "gpt_neox." __VA_ARGS__), n)
    m->tok_emb = el_take_mat(r, NAME("embed_in.weight"), V, D);
    for (int l = 0; l < c->n_layers && !r->st; l++) {
        el_block_weights *B = &m->tf.layers[l];
        el_take_norm(r, NAME("layers.%d.input_layernorm", l), D, &B->ln1.w, &B->ln1.b);
        el_take_norm(r, NAME("layers.%d.post_attention_layernorm", l), D, &B->ln2.w, &B->ln2.b);
        B->qkv = el_take_mat_copy(r, NAME("layers.%d.attention.query_key_value.weight", l), 3 * D, D, 0);
        float *qkv_b = el_take_copy(r, NAME("layers.%d.attention.query_key_value.bias", l), 1, 3 * D, 0, 0, 0);
        el_hf_regroup_qkv(r, (void *)B->qkv.part[0].data, H, hd, el_mat_bytes(&B->qkv) / (3 * (size_t)D));
        el_hf_regroup_qkv(r, qkv_b, H, hd, sizeof(float));
        B->qkv_b = qkv_b;
        el_take_linear(r, NAME("layers.%d.attention.dense", l), D, D, &B->o, &B->o_b);
        el_take_linear(r, NAME("layers.%d.mlp.dense_h_to_4h", l), M, D, &B->up, &B->up_b);
        el_take_linear(r, NAME("layers.%d.mlp.dense_4h_to_h", l), D, M, &B->down, &B->down_b);
    }
    m->tf.lens.norm_w = el_take(r, NAME("final_layer_norm.weight"), 1, D, 0, 0, 0);
    m->tf.lens.norm_b = el_take(r, NAME("final_layer_norm.bias"), 1, D, 0, 0, 0);
#undef NAME
    return r->st;
}

/* ---------------------------------------------------------------- families */

static const hf_family families[] = {
    {"gpt2", "GPT2LMHeadModel", config_gpt2, read_gpt2, gpt2_ignorable, "lm_head.weight"},
    {"llama", "LlamaForCausalLM", config_llama, read_llama, llama_ignorable, "lm_head.weight"},
    {"mistral", "LlamaForCausalLM", config_llama, read_llama, llama_ignorable, "lm_head.weight"},
    {"qwen2", "LlamaForCausalLM", config_llama, read_llama, llama_ignorable, "lm_head.weight"},
    {"qwen3", "Qwen3ForCausalLM", config_llama, read_llama, llama_ignorable, "lm_head.weight"},
    {"phi3", "Phi3ForCausalLM", config_llama, read_llama, llama_ignorable, "lm_head.weight"},
    {"opt", "OPTForCausalLM", el_hf_config_opt, el_hf_read_opt, NULL, "lm_head.weight"},
    {"gpt_neox", "GPTNeoXForCausalLM", config_neox, read_neox, neox_ignorable, "embed_out.weight"},
    {"gemma", "GemmaForCausalLM", el_hf_config_gemma, read_llama, llama_ignorable, "lm_head.weight"},
    {"gemma2", "Gemma2ForCausalLM", el_hf_config_gemma, read_llama, llama_ignorable, "lm_head.weight"},
    {"gemma3_text", "Gemma3ForCausalLM", el_hf_config_gemma, read_llama, llama_ignorable, "lm_head.weight"},
    {"gemma3", "Gemma3ForConditionalGeneration", el_hf_config_gemma3, read_llama, el_hf_gemma3_ignorable,
     "language_model.lm_head.weight"},
    {"bloom", "BloomForCausalLM", el_hf_config_bloom, el_hf_read_bloom, NULL, "lm_head.weight"},
};

static const hf_family *find_family(const char *type) {
    for (size_t i = 0; type && i < sizeof families / sizeof families[0]; i++)
        if (!strcmp(type, families[i].type)) return &families[i];
    return NULL;
}

int el_hf_text_type_known(const char *model_type) { return find_family(model_type) != NULL; }

const char *el_hf_text_type(int i) {
    return i >= 0 && (size_t)i < sizeof families / sizeof families[0] ? families[i].type : NULL;
}

/* The tensors into one arena, checked against the config; the mapping kept
 * when weights are used in place. */
static el_status read_tensors(const char *dir, const char *file, el_st_set *set, const hf_family *f, el_text *m,
                              const el_text_extras *x) {
    const size_t need = el_text_param_floats(m, x);
    uint64_t have = 0;
    for (int i = 0; i < set->n_tensors; i++) have += set->tensors[i].n_elems;
    if (need > have + 16)
        return el_fail(EL_ERR_FORMAT, "%s: config implies %zu parameters but the checkpoint holds %llu", file, need,
                       (unsigned long long)have);
    m->tf.layers = calloc((size_t)m->tf.cfg.n_layers, sizeof(el_block_weights));
    if (!m->tf.layers) return el_fail(EL_ERR_NOMEM, "%s: out of memory", dir);
    el_param_reader r;
    el_status s = el_param_reader_init(&r, set, need, dir);
    if (!s) s = f->read(&r, m, x);
    for (int l = 0; !s && l < m->tf.cfg.n_layers; l++) m->tf.layers[l].sliding = x->sliding[l];
    /* The output head: its own tensor, or the embedding (tied). */
    const int V = m->vocab, E = x->proj_dim ? x->proj_dim : m->tf.cfg.dim;
    if (!s) m->tf.lens.head = x->untied ? el_take_mat(&r, f->head, V, E) : m->tok_emb;
    if (!s) s = r.st;
    if (!s) s = el_check_leftovers(&r, dir, f->ignorable);
    m->n_params = r.n_params;
    if (s) el_param_reader_abort(&r);
    else m->arena = el_param_reader_finish(&r);
    /* Weights used in place keep the mapping alive as long as the model. */
    if (!s && r.mapped) {
        if (!(m->mapping = el_st_keep(set))) s = el_fail(EL_ERR_NOMEM, "out of memory");
        else m->mapping_free = el_st_release;
    }
    return s;
}

el_status el_load_hf_text(const char *dir, el_text *m, el_text_meta *meta) {
    char file[4096];
    snprintf(file, sizeof file, "%s/config.json", dir);
    cJSON *cfg;
    EL_TRY(el_json_load(file, &cfg));
    el_st_set set = {0};
    el_status s = EL_OK;
    const char *type = el_json_str(cfg, "model_type");
    const cJSON *archs = cJSON_GetObjectItemCaseSensitive(cfg, "architectures");
    const char *arch = cJSON_IsArray(archs) && cJSON_IsString(cJSON_GetArrayItem(archs, 0))
                           ? cJSON_GetArrayItem(archs, 0)->valuestring : NULL;
    const hf_family *f = find_family(type);
    el_text_extras x = {0};
    int tie = 1;
    if (!type) s = el_fail(EL_ERR_CONFIG, "%s: no \"model_type\"", file);
    else if (!f)
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: model_type \"%s\" is not supported (%s)", file, type, el_model_families());
    if (!s) s = f->config(cfg, file, type, m, &x, &tie);
    if (!s) s = el_text_check_sizes(m, file);
    if (!s) s = el_st_open(&set, dir);
    if (!s) {
        x.untied = el_st_find(&set, f->head) != NULL;
        if (!x.untied && !tie) s = el_fail(EL_ERR_FORMAT, "%s: tie_word_embeddings is false but there is no %s", dir, f->head);
    }
    if (!s) { /* before read_tensors: a kept mapping leaves the set empty */
        snprintf(meta->family, sizeof meta->family, "%s", type);
        snprintf(meta->arch, sizeof meta->arch, "%s", arch ? arch : f->arch);
        snprintf(meta->layout, sizeof meta->layout, "hf");
        snprintf(meta->dtype, sizeof meta->dtype, "%s", el_st_dtype_summary(&set));
        meta->n_shards = set.n_files;
    }
    if (!s) s = read_tensors(dir, file, &set, f, m, &x);
    el_st_close(&set);
    cJSON_Delete(cfg);
    return s;
}
