/* Hugging Face Gemma 1/2/3 text configs and BLOOM folders as configurations
 * of the one block (model/block.h). Gemma's tensors have the Llama names
 * and are read by the Llama reader (hf_text_load.c); BLOOM has its own. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "weights/hf_text_internal.h"
#include "weights/json_config.h"

#define MAX_DIM EL_TEXT_MAX_DIM
#define MAX_LAYERS EL_TEXT_MAX_LAYERS
#define MAX_VOCAB EL_TEXT_MAX_VOCAB
#define MAX_CONTEXT EL_TEXT_MAX_CONTEXT

/* x rounded to nearest-even in the model's dtype: HF Gemma multiplies the
 * embeddings by torch.tensor(sqrt(hidden), dtype=hidden_states.dtype). */
static float round_to_dtype(float x, const char *dtype) {
    int drop = !dtype ? 0 : !strcmp(dtype, "bfloat16") ? 16 : !strcmp(dtype, "float16") ? 13 : 0;
    if (!drop) return x;
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    u += ((uint32_t)1 << (drop - 1)) - 1 + ((u >> drop) & 1);
    u &= ~(((uint32_t)1 << drop) - 1);
    memcpy(&x, &u, sizeof x);
    return x;
}

/* A number that may be null (off) or absent (the config class's default). */
static el_status optional_double(const cJSON *cfg, const char *file, const char *key, double def, float *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    double d = 0.0;
    el_status s = v && cJSON_IsNull(v) ? EL_OK : el_json_double(cfg, file, key, 0, def, 0.0, 1e9, &d);
    *out = (float)d;
    return s;
}

/* Which layers attend locally: layer_types when the config lists them,
 * else Gemma 2's even layers, Gemma 3's all but every pattern-th. */
static el_status sliding_layers(const cJSON *cfg, const char *file, const char *type, int L, unsigned char *sliding) {
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(cfg, "layer_types");
    long pattern = 0;
    if (types && !cJSON_IsNull(types)) {
        if (!cJSON_IsArray(types) || cJSON_GetArraySize(types) != L)
            return el_fail(EL_ERR_CONFIG, "%s: layer_types must list the %d layers", file, L);
        for (int l = 0; l < L; l++) {
            const char *t = cJSON_GetStringValue(cJSON_GetArrayItem(types, l));
            if (!t || (strcmp(t, "sliding_attention") && strcmp(t, "full_attention")))
                return el_fail(EL_ERR_UNSUPPORTED, "%s: layer_types[%d] \"%s\" (sliding_attention, full_attention)", file,
                               l, t ? t : "?");
            sliding[l] = !strcmp(t, "sliding_attention");
        }
        return EL_OK;
    }
    if (!strcmp(type, "gemma2")) {
        for (int l = 0; l < L; l++) sliding[l] = l % 2 == 0;
        return EL_OK;
    }
    EL_TRY(el_json_int(cfg, file, "sliding_window_pattern", 0, 6, 1, MAX_LAYERS, &pattern));
    for (int l = 0; l < L; l++) sliding[l] = (l + 1) % pattern != 0;
    return EL_OK;
}

/* Gemma 3's global layers may scale RoPE (gemma-3-4b: linear, factor 8),
 * parsed as every Llama-like rope_scaling (the local layers stay unscaled);
 * Gemma 1/2 have no rope_scaling. */
static el_status rope_scaling(const cJSON *cfg, const char *file, const char *type, el_text *m) {
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
    if (!rs || cJSON_IsNull(rs)) return EL_OK;
    if (!strcmp(type, "gemma3_text")) return el_hf_llama_rope_scaling(cfg, file, m);
    return el_fail(EL_ERR_UNSUPPORTED, "%s: rope_scaling is set (%s has none)", file, type);
}

/* Gemma 2/3: query_pre_attn_scalar, soft-capping, sliding layers, sandwich
 * norms; Gemma 3 also local RoPE base. Defaults are Gemma2Config's and
 * Gemma3TextConfig's. */
static el_status config_gemma_v2(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x) {
    el_block_config *c = &m->tf.cfg;
    const int v3 = !strcmp(type, "gemma3_text");
    double d;
    long v;
    el_status s = el_json_double(cfg, file, "query_pre_attn_scalar", 0, 256.0, 1e-6, 1e9, &d);
    c->attn_scale = (float)(1.0 / sqrt(d));
    if (!s) s = optional_double(cfg, file, "attn_logit_softcapping", v3 ? 0.0 : 50.0, &c->attn_softcap);
    if (!s) s = optional_double(cfg, file, "final_logit_softcapping", v3 ? 0.0 : 30.0, &m->tf.lens.softcap);
    if (!s) s = el_json_int(cfg, file, "sliding_window", 0, 4096, 1, MAX_CONTEXT, &v), c->sliding_window = (int)v;
    if (!s) s = sliding_layers(cfg, file, type, c->n_layers, x->sliding);
    if (!s && v3) s = el_json_double(cfg, file, "rope_local_base_freq", 0, 10000.0, 1e-3, 1e12, &d), c->rope_local_theta = (float)d;
    c->post_norms = 1;
    c->qk_norm = v3; /* RMSNorm (1 + w) over head_dim, like every Gemma norm */
    if (!s && v3) {
        int bidir = 0;
        s = el_json_bool(cfg, file, "use_bidirectional_attention", 0, &bidir);
        if (!s && bidir) s = el_fail(EL_ERR_UNSUPPORTED, "%s: use_bidirectional_attention true (not supported)", file);
    }
    return s;
}

/* RMSNorm x (1 + w), rotate-half RoPE, GQA/MQA with explicit head_dim, GeGLU
 * (hidden_activation), embeddings x sqrt(hidden), tied head. */
el_status el_hf_config_gemma(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                             int *tie) {
    el_block_config *c = &m->tf.cfg;
    long v;
    double d;
    int bias = 0;
    el_status s = EL_OK;
    *x = (el_text_extras){0};
    /* Gemma3TextConfig's defaults (gemma-3-2b's sizes); Gemma 1/2 must say. */
    const int v3 = !strcmp(type, "gemma3_text"), need = !v3;
    if (!s) s = el_json_int(cfg, file, "hidden_size", need, 2304, 1, MAX_DIM, &v), c->dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_hidden_layers", need, 26, 1, MAX_LAYERS, &v), c->n_layers = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_attention_heads", need, 8, 1, MAX_DIM, &v), c->n_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_key_value_heads", 0, v3 ? 4 : c->n_heads, 1, MAX_DIM, &v), c->n_kv_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "head_dim", 0, 256, 2, MAX_DIM, &v), c->head_dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "intermediate_size", need, 9216, 1, 16L * MAX_DIM, &v), c->mlp_dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "vocab_size", need, 262208, 1, MAX_VOCAB, &v), m->vocab = (int)v;
    if (!s) s = el_json_int(cfg, file, "max_position_embeddings", 0, v3 ? 131072 : 8192, 1, MAX_CONTEXT, &v);
    m->context = (int)v;
    if (!s) s = el_json_double(cfg, file, "rms_norm_eps", 0, 1e-6, 0, 1, &d), c->norm.eps = (float)d;
    if (!s) s = el_json_double(cfg, file, "rope_theta", 0, strcmp(type, "gemma3_text") ? 1e4 : 1e6, 1e-3, 1e12, &d);
    c->rope_theta = (float)d;
    if (!s) s = el_json_bool(cfg, file, "tie_word_embeddings", 1, tie);
    if (!s) s = el_json_bool(cfg, file, "attention_bias", 0, &bias);
    if (!s && bias) s = el_fail(EL_ERR_UNSUPPORTED, "%s: attention_bias true (Gemma attention has no biases)", file);
    /* HF's Gemma MLP reads hidden_activation (hidden_act is a legacy field). */
    const char *act = el_json_str(cfg, "hidden_activation");
    if (!s) s = el_hf_parse_act(file, "hidden_activation", act ? act : "gelu_pytorch_tanh", &c->act);
    c->rope_dims = c->head_dim;
    if (!s) s = rope_scaling(cfg, file, type, m);
    if (!s && strcmp(type, "gemma")) s = config_gemma_v2(cfg, file, type, m, x);
    /* The normalizer in the model's dtype ("dtype" in newer configs). */
    const char *dtype = el_json_str(cfg, "torch_dtype");
    m->emb_scale = round_to_dtype((float)sqrt((double)c->dim), dtype ? dtype : el_json_str(cfg, "dtype"));
    c->norm.kind = EL_NORM_RMS;
    c->norm.weight_offset = 1.0f;
    c->causal = 1;
    c->rope = EL_ROPE_HALF;
    c->gated = 1;
    return s;
}

el_status el_hf_config_gemma3(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                              int *tie) {
    (void)type;
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(cfg, "text_config");
    if (!cJSON_IsObject(text)) return el_fail(EL_ERR_CONFIG, "%s: model_type gemma3 without a text_config object", file);
    const char *tt = el_json_str(text, "model_type");
    if (tt && strcmp(tt, "gemma3_text"))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: text_config.model_type \"%s\" (gemma3_text)", file, tt);
    EL_TRY(el_hf_config_gemma(text, file, "gemma3_text", m, x, tie));
    /* The dtype (the embedding normalizer's) is the folder's, at the top. */
    const char *dtype = el_json_str(text, "torch_dtype");
    if (!dtype) dtype = el_json_str(cfg, "torch_dtype");
    if (!dtype) dtype = el_json_str(cfg, "dtype");
    m->emb_scale = round_to_dtype((float)sqrt((double)m->tf.cfg.dim), dtype);
    return EL_OK;
}

int el_hf_gemma3_ignorable(const char *name) {
    static const char *const skip[] = {"vision_tower.", "multi_modal_projector.", "model.vision_tower.",
                                       "model.multi_modal_projector."};
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (!strncmp(name, skip[i], strlen(skip[i]))) return 1;
    return 0;
}

/* ---------------------------------------------------------------- BLOOM */

/* LayerNorm blocks with biases, ALiBi instead of positions, a LayerNorm
 * after the embeddings, tanh GELU, 4 x hidden MLP, tied head. BloomConfig
 * accepts both names of each size. */
el_status el_hf_config_bloom(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                             int *tie) {
    (void)type;
    el_block_config *c = &m->tf.cfg;
    long v;
    double d;
    int post_ln = 0, exact = 0;
    el_status s = EL_OK;
    const char *dim_key = cJSON_GetObjectItemCaseSensitive(cfg, "n_embed") ? "n_embed" : "hidden_size";
    const char *layers_key = cJSON_GetObjectItemCaseSensitive(cfg, "n_layer") ? "n_layer" : "num_hidden_layers";
    const char *heads_key = cJSON_GetObjectItemCaseSensitive(cfg, "n_head") ? "n_head" : "num_attention_heads";
    if (!s) s = el_json_int(cfg, file, dim_key, 1, 0, 1, MAX_DIM / 4, &v), c->dim = (int)v;
    if (!s) s = el_json_int(cfg, file, layers_key, 1, 0, 1, MAX_LAYERS, &v), c->n_layers = (int)v;
    if (!s) s = el_json_int(cfg, file, heads_key, 1, 0, 1, MAX_DIM, &v), c->n_heads = c->n_kv_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "vocab_size", 1, 0, 1, MAX_VOCAB, &v), m->vocab = (int)v;
    if (!s) s = el_json_double(cfg, file, "layer_norm_epsilon", 0, 1e-5, 0, 1, &d), c->norm.eps = (float)d;
    if (!s) s = el_json_bool(cfg, file, "tie_word_embeddings", 1, tie);
    if (!s) s = el_json_bool(cfg, file, "apply_residual_connection_post_layernorm", 0, &post_ln);
    if (!s && post_ln)
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: apply_residual_connection_post_layernorm true (not supported)", file);
    if (!s) s = el_json_bool(cfg, file, "slow_but_exact", 0, &exact);
    if (!s) s = el_json_int(cfg, file, "pretraining_tp", 0, 1, 1, MAX_DIM, &v);
    if (!s && exact && v > 1)
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: slow_but_exact with pretraining_tp %ld (not supported)", file, v);
    if (!s && c->dim % c->n_heads) s = el_fail(EL_ERR_CONFIG, "%s: %s %d not divisible by %d heads", file, dim_key, c->dim, c->n_heads);
    c->head_dim = c->n_heads ? c->dim / c->n_heads : 0;
    if (!s) c->mlp_dim = 4 * c->dim; /* dim in range only when every read succeeded */
    m->context = MAX_CONTEXT; /* ALiBi has no position limit */
    c->norm.kind = EL_NORM_LAYER;
    c->causal = 1;
    c->alibi = 1;
    c->act = EL_ACT_GELU_TANH; /* BloomGelu: tanh GELU (its constant rounded to 0.79788456) */
    *x = (el_text_extras){.norm_bias = 1, .qkv_bias = 1, .linear_bias = 1, .emb_norm = 1};
    return s;
}

el_status el_hf_read_bloom(el_param_reader *r, el_text *m, const el_text_extras *x) {
    (void)x;
    char n[160];
    const el_block_config *c = &m->tf.cfg;
    const int D = c->dim, M = c->mlp_dim, V = m->vocab, H = c->n_heads, hd = c->head_dim;
    const char *pre = el_has(r, "transformer.word_embeddings.weight") ? "transformer." : "";
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->tok_emb = el_take_mat(r, NAME("%sword_embeddings.weight", pre), V, D);
    el_take_norm(r, NAME("%sword_embeddings_layernorm", pre), D, &m->emb_norm.w, &m->emb_norm.b);
    for (int l = 0; l < c->n_layers && !r->st; l++) {
        el_block_weights *B = &m->tf.layers[l];
        el_take_norm(r, NAME("%sh.%d.input_layernorm", pre, l), D, &B->ln1.w, &B->ln1.b);
        el_take_norm(r, NAME("%sh.%d.post_attention_layernorm", pre, l), D, &B->ln2.w, &B->ln2.b);
        B->qkv = el_take_mat_copy(r, NAME("%sh.%d.self_attention.query_key_value.weight", pre, l), 3 * D, D, 0);
        float *qkv_b = el_take_copy(r, NAME("%sh.%d.self_attention.query_key_value.bias", pre, l), 1, 3 * D, 0, 0, 0);
        /* [H][3][hd] rows: BLOOM's per-head layout */
        el_hf_regroup_qkv(r, (void *)B->qkv.part[0].data, H, hd, el_mat_bytes(&B->qkv) / (3 * (size_t)D));
        el_hf_regroup_qkv(r, qkv_b, H, hd, sizeof(float));
        B->qkv_b = qkv_b;
        el_take_linear(r, NAME("%sh.%d.self_attention.dense", pre, l), D, D, &B->o, &B->o_b);
        el_take_linear(r, NAME("%sh.%d.mlp.dense_h_to_4h", pre, l), M, D, &B->up, &B->up_b);
        el_take_linear(r, NAME("%sh.%d.mlp.dense_4h_to_h", pre, l), D, M, &B->down, &B->down_b);
    }
    m->tf.lens.norm_w = el_take(r, NAME("%sln_f.weight", pre), 1, D, 0, 0, 0);
    m->tf.lens.norm_b = el_take(r, NAME("%sln_f.bias", pre), 1, D, 0, 0, 0);
#undef NAME
    return r->st;
}
