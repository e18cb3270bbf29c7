/* Hugging Face configurations of the one block (model/block.h) beside the
 * family table in hf_text_load.c: the rope_scaling of the Llama-like
 * families (Llama 3.x llama3, linear, Phi-3 longrope) and OPT (learned
 * positions with offset 2, ReLU, pre- or post-LN blocks, project_in /
 * project_out around a narrower embedding). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "weights/hf_text_internal.h"
#include "weights/json_config.h"

#define MAX_DIM EL_TEXT_MAX_DIM
#define MAX_LAYERS EL_TEXT_MAX_LAYERS
#define MAX_VOCAB EL_TEXT_MAX_VOCAB
#define MAX_CONTEXT EL_TEXT_MAX_CONTEXT

/* ---------------------------------------------------------------- rope_scaling */

/* Phi-3 longrope (alias su): the short factors, which HF uses while the
 * sequence fits in original_max_position_embeddings; the context is cut
 * there (the long factors would re-rotate every cached key). HF takes the
 * factor from max_position_embeddings / original_max_position_embeddings. */
static el_status longrope(const cJSON *cfg, const cJSON *rs, const char *file, el_text *m) {
    el_block_config *c = &m->tf.cfg;
    el_rope_scaling *sc = &c->rope_scaling;
    long orig;
    double att;
    EL_TRY(el_json_int(cfg, file, "original_max_position_embeddings", 1, 0, 1, MAX_CONTEXT, &orig));
    const cJSON *sf = cJSON_GetObjectItemCaseSensitive(rs, "short_factor");
    const int half = c->rope_dims / 2;
    if (!cJSON_IsArray(sf) || cJSON_GetArraySize(sf) != half || half > EL_ROPE_MAX_FACTORS)
        return el_fail(EL_ERR_CONFIG, "%s: rope_scaling.short_factor must list %d numbers", file, half);
    for (int i = 0; i < half; i++) {
        const cJSON *v = cJSON_GetArrayItem(sf, i);
        if (!cJSON_IsNumber(v) || !(v->valuedouble > 0.0))
            return el_fail(EL_ERR_CONFIG, "%s: rope_scaling.short_factor[%d] must be a positive number", file, i);
        sc->ext[i] = (float)v->valuedouble;
    }
    const double factor = (double)m->context / (double)orig;
    const double def = factor <= 1.0 ? 1.0 : sqrt(1.0 + log(factor) / log((double)orig));
    EL_TRY(el_json_double(rs, file, "attention_factor", 0, def, 0.0, 1e6, &att));
    sc->kind = EL_ROPE_SCALE_LONGROPE;
    sc->attention = (float)att;
    if (m->context > orig) m->context = (int)orig;
    return EL_OK;
}

static el_status llama3(const cJSON *rs, const char *file, el_rope_scaling *sc) {
    double f, lo, hi, orig;
    EL_TRY(el_json_double(rs, file, "factor", 1, 0, 1e-6, 1e9, &f));
    EL_TRY(el_json_double(rs, file, "low_freq_factor", 1, 0, 1e-6, 1e9, &lo));
    EL_TRY(el_json_double(rs, file, "high_freq_factor", 1, 0, 1e-6, 1e9, &hi));
    EL_TRY(el_json_double(rs, file, "original_max_position_embeddings", 1, 0, 1, MAX_CONTEXT, &orig));
    if (hi <= lo) return el_fail(EL_ERR_CONFIG, "%s: rope_scaling high_freq_factor must exceed low_freq_factor", file);
    *sc = (el_rope_scaling){.kind = EL_ROPE_SCALE_LLAMA3, .factor = (float)f, .low_freq_factor = (float)lo,
                            .high_freq_factor = (float)hi, .original_context = (float)orig};
    return EL_OK;
}

el_status el_hf_llama_rope_scaling(const cJSON *cfg, const char *file, el_text *m) {
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
    if (!rs || cJSON_IsNull(rs)) return EL_OK;
    if (!cJSON_IsObject(rs)) return el_fail(EL_ERR_CONFIG, "%s: rope_scaling must be an object or null", file);
    const char *kind = el_json_str(rs, "rope_type");
    if (!kind) kind = el_json_str(rs, "type");
    if (!kind) return el_fail(EL_ERR_CONFIG, "%s: rope_scaling without rope_type", file);
    if (!strcmp(kind, "default")) return EL_OK;
    if (!strcmp(kind, "llama3")) return llama3(rs, file, &m->tf.cfg.rope_scaling);
    if (!strcmp(kind, "longrope") || !strcmp(kind, "su")) return longrope(cfg, rs, file, m);
    if (!strcmp(kind, "linear")) {
        double f;
        EL_TRY(el_json_double(rs, file, "factor", 1, 0, 1e-6, 1e9, &f));
        m->tf.cfg.rope_linear = (float)f;
        return EL_OK;
    }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: rope_scaling type \"%s\" (supported: linear, llama3, longrope)", file, kind);
}

/* ---------------------------------------------------------------- OPT */

/* LayerNorm (eps 1e-5, nn.LayerNorm's) with biases, learned positions
 * (row p + 2 for position p), ReLU MLP, full MHA, tied head. */
el_status el_hf_config_opt(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                           int *tie) {
    (void)type;
    el_block_config *c = &m->tf.cfg;
    long v, proj = 0;
    int pre_ln = 1, affine = 1, bias = 1, remove_final = 0;
    el_status s = EL_OK;
    if (!s) s = el_json_int(cfg, file, "hidden_size", 1, 0, 1, MAX_DIM, &v), c->dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_hidden_layers", 1, 0, 1, MAX_LAYERS, &v), c->n_layers = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_attention_heads", 1, 0, 1, MAX_DIM, &v), c->n_heads = c->n_kv_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "ffn_dim", 1, 0, 1, 16L * MAX_DIM, &v), c->mlp_dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "vocab_size", 1, 0, 1, MAX_VOCAB, &v), m->vocab = (int)v;
    if (!s) s = el_json_int(cfg, file, "max_position_embeddings", 0, 2048, 1, MAX_CONTEXT - 2, &v), m->context = (int)v;
    if (!s) s = el_json_int(cfg, file, "word_embed_proj_dim", 0, c->dim, 1, MAX_DIM, &proj);
    if (!s) s = el_json_bool(cfg, file, "do_layer_norm_before", 1, &pre_ln);
    if (!s) s = el_json_bool(cfg, file, "_remove_final_layer_norm", 0, &remove_final);
    if (!s) s = el_json_bool(cfg, file, "layer_norm_elementwise_affine", 1, &affine);
    if (!s) s = el_json_bool(cfg, file, "enable_bias", 1, &bias);
    if (!s) s = el_json_bool(cfg, file, "tie_word_embeddings", 1, tie);
    if (!s && proj > c->dim) /* the front end projects rows gathered in a [rows][hidden] buffer */
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: word_embed_proj_dim %ld above hidden_size %d (not supported)", file, proj, c->dim);
    if (!s && !affine) s = el_fail(EL_ERR_UNSUPPORTED, "%s: layer_norm_elementwise_affine false (not supported)", file);
    if (!s && !bias) s = el_fail(EL_ERR_UNSUPPORTED, "%s: enable_bias false (not supported)", file);
    if (!s && remove_final && pre_ln)
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: _remove_final_layer_norm true (not supported)", file);
    const char *act = el_json_str(cfg, "activation_function");
    if (!s) s = el_hf_parse_act(file, "activation_function", act ? act : "relu", &c->act);
    if (!s && c->dim % c->n_heads) s = el_fail(EL_ERR_CONFIG, "%s: hidden_size %d not divisible by %d heads", file, c->dim, c->n_heads);
    c->head_dim = c->n_heads ? c->dim / c->n_heads : 0;
    c->norm.kind = EL_NORM_LAYER;
    c->norm.eps = 1e-5f;
    c->causal = 1;
    c->post_ln = !pre_ln;
    *x = (el_text_extras){.norm_bias = 1, .qkv_bias = 1, .linear_bias = 1, .pos_emb = 1, .pos_offset = 2,
                          .proj_dim = proj != c->dim ? (int)proj : 0, .no_final_norm = !pre_ln};
    return s;
}

/* Tensors under model.decoder. (decoder. in bare OPTModel saves). */
el_status el_hf_read_opt(el_param_reader *r, el_text *m, const el_text_extras *x) {
    char n[160];
    const el_block_config *c = &m->tf.cfg;
    const int D = c->dim, M = c->mlp_dim, V = m->vocab, P = x->proj_dim ? x->proj_dim : D;
    const char *pre = el_has(r, "model.decoder.embed_tokens.weight") ? "model.decoder." : "decoder.";
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
#define LN(dst, what) ((dst).w = el_take(r, NAME("%slayers.%d." what ".weight", pre, l), 1, D, 0, 0, 0), \
                       (dst).b = el_take(r, NAME("%slayers.%d." what ".bias", pre, l), 1, D, 0, 0, 0))
    m->tok_emb = el_take_mat(r, NAME("%sembed_tokens.weight", pre), V, P);
    const float *pos = el_take(r, NAME("%sembed_positions.weight", pre), 2, (int64_t)m->context + 2, D, 0, 0);
    m->pos_emb = pos ? pos + 2 * (size_t)D : NULL; /* OPTLearnedPositionalEmbedding: offset 2 */
    if (x->proj_dim) {
        m->proj_in = el_take_mat(r, NAME("%sproject_in.weight", pre), D, P);
        m->tf.lens.proj = el_take_mat(r, NAME("%sproject_out.weight", pre), P, D);
    }
    for (int l = 0; l < c->n_layers && !r->st; l++) {
        el_block_weights *B = &m->tf.layers[l];
        LN(B->ln1, "self_attn_layer_norm");
        LN(B->ln2, "final_layer_norm");
        el_take_mat_stack(r, &B->qkv, NAME("%slayers.%d.self_attn.q_proj.weight", pre, l), D, D);
        el_take_mat_stack(r, &B->qkv, NAME("%slayers.%d.self_attn.k_proj.weight", pre, l), D, D);
        el_take_mat_stack(r, &B->qkv, NAME("%slayers.%d.self_attn.v_proj.weight", pre, l), D, D);
        B->qkv_b = el_take_copy(r, NAME("%slayers.%d.self_attn.q_proj.bias", pre, l), 1, D, 0, 0, 0);
        el_take_copy(r, NAME("%slayers.%d.self_attn.k_proj.bias", pre, l), 1, D, 0, 0, 0);
        el_take_copy(r, NAME("%slayers.%d.self_attn.v_proj.bias", pre, l), 1, D, 0, 0, 0);
        el_take_linear(r, NAME("%slayers.%d.self_attn.out_proj", pre, l), D, D, &B->o, &B->o_b);
        el_take_linear(r, NAME("%slayers.%d.fc1", pre, l), M, D, &B->up, &B->up_b);
        el_take_linear(r, NAME("%slayers.%d.fc2", pre, l), D, M, &B->down, &B->down_b);
    }
    if (!x->no_final_norm) { /* only pre-LN OPT has one */
        m->tf.lens.norm_w = el_take(r, NAME("%sfinal_layer_norm.weight", pre), 1, D, 0, 0, 0);
        m->tf.lens.norm_b = el_take(r, NAME("%sfinal_layer_norm.bias", pre), 1, D, 0, 0, 0);
    } else { /* a post-LN checkpoint that still stores one: HF does not use it either */
        if (el_has(r, NAME("%sfinal_layer_norm.weight", pre))) el_skip(r, n);
        if (el_has(r, NAME("%sfinal_layer_norm.bias", pre))) el_skip(r, n);
    }
#undef LN
#undef NAME
    return r->st;
}
