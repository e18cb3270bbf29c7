/* OPT (facebook/opt-125m ... 66b, OPTForCausalLM): learned positions from
 * offset 2, LayerNorm blocks with ReLU MLPs, pre-LN or, for opt-350m, post-LN
 * (do_layer_norm_before false: no final norm), and for opt-350m embeddings
 * narrower than the model (word_embed_proj_dim) with project_in/project_out.
 * As modeling_opt.py computes it; the lens is its own final path:
 * final_layer_norm (if any), project_out (if any), the tied embeddings. */
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "weights/hf_text_internal.h"
#include "weights/json_config.h"

#define MAX_DIM EL_TEXT_MAX_DIM
#define MAX_LAYERS EL_TEXT_MAX_LAYERS
#define MAX_VOCAB EL_TEXT_MAX_VOCAB
#define MAX_CONTEXT EL_TEXT_MAX_CONTEXT

/* OPTLearnedPositionalEmbedding: position p reads row p + 2. */
#define OPT_POS_OFFSET 2

el_status el_hf_config_opt(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                           int *tie) {
    (void)type;
    el_block_config *c = &m->tf.cfg;
    long v;
    int pre_ln = 1, bias = 1, affine = 1, remove_final = 0;
    el_status s = EL_OK;
    *x = (el_text_extras){0};
    if (!s) s = el_json_int(cfg, file, "hidden_size", 1, 0, 1, MAX_DIM, &v), c->dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_hidden_layers", 1, 0, 1, MAX_LAYERS, &v), c->n_layers = (int)v;
    if (!s) s = el_json_int(cfg, file, "num_attention_heads", 1, 0, 1, MAX_DIM, &v), c->n_heads = c->n_kv_heads = (int)v;
    if (!s) s = el_json_int(cfg, file, "ffn_dim", 1, 0, 1, 16L * MAX_DIM, &v), c->mlp_dim = (int)v;
    if (!s) s = el_json_int(cfg, file, "vocab_size", 1, 0, 1, MAX_VOCAB, &v), m->vocab = (int)v;
    if (!s) s = el_json_int(cfg, file, "max_position_embeddings", 0, 2048, 1, MAX_CONTEXT, &v), m->context = (int)v;
    if (!s) s = el_json_int(cfg, file, "word_embed_proj_dim", 0, c->dim, 1, MAX_DIM, &v), x->emb_dim = (int)v;
    if (!s) s = el_json_bool(cfg, file, "do_layer_norm_before", 1, &pre_ln);
    if (!s) s = el_json_bool(cfg, file, "_remove_final_layer_norm", 0, &remove_final);
    if (!s) s = el_json_bool(cfg, file, "enable_bias", 1, &bias);
    if (!s) s = el_json_bool(cfg, file, "layer_norm_elementwise_affine", 1, &affine);
    if (!s && !affine) s = el_fail(EL_ERR_UNSUPPORTED, "%s: layer_norm_elementwise_affine false (OPT norms without weights)", file);
    if (!s) s = el_json_bool(cfg, file, "tie_word_embeddings", 1, tie);
    const char *act = el_json_str(cfg, "activation_function");
    if (!s) s = el_hf_parse_act(file, "activation_function", act ? act : "relu", &c->act);
    if (!s && c->dim % c->n_heads) s = el_fail(EL_ERR_CONFIG, "%s: hidden_size %d not divisible by %d heads", file, c->dim, c->n_heads);
    c->head_dim = c->n_heads ? c->dim / c->n_heads : 0;
    c->norm.kind = EL_NORM_LAYER;
    c->norm.eps = 1e-5f; /* nn.LayerNorm's default; OPT's config has no eps */
    c->causal = 1;
    c->rope = EL_ROPE_NONE;
    c->norm_after = !pre_ln;
    x->norm_bias = 1;
    x->qkv_bias = x->linear_bias = bias;
    x->pos_emb = 1;
    x->pos_offset = OPT_POS_OFFSET;
    x->no_final_norm = !pre_ln || remove_final;
    if (x->emb_dim == c->dim) x->emb_dim = 0;
    return s;
}

static el_status read_layer(el_param_reader *r, const char *P, int l, const el_text_extras *x, int D, int M,
                            el_block_weights *B) {
    char n[192];
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
#define BIAS(rows, ...) (x->linear_bias ? el_take(r, NAME(__VA_ARGS__), 1, rows, 0, 0, 0) : NULL)
    el_take_mat_stack(r, &B->qkv, NAME("%slayers.%d.self_attn.q_proj.weight", P, l), D, D);
    el_take_mat_stack(r, &B->qkv, NAME("%slayers.%d.self_attn.k_proj.weight", P, l), D, D);
    el_take_mat_stack(r, &B->qkv, NAME("%slayers.%d.self_attn.v_proj.weight", P, l), D, D);
    if (x->qkv_bias) { /* consecutive copies: one [3D] bias */
        B->qkv_b = el_take_copy(r, NAME("%slayers.%d.self_attn.q_proj.bias", P, l), 1, D, 0, 0, 0);
        el_take_copy(r, NAME("%slayers.%d.self_attn.k_proj.bias", P, l), 1, D, 0, 0, 0);
        el_take_copy(r, NAME("%slayers.%d.self_attn.v_proj.bias", P, l), 1, D, 0, 0, 0);
    }
    B->o = el_take_mat(r, NAME("%slayers.%d.self_attn.out_proj.weight", P, l), D, D);
    B->o_b = BIAS(D, "%slayers.%d.self_attn.out_proj.bias", P, l);
    /* ln1 is before (pre-LN) or after (post-LN) the attention, ln2 the same for the MLP. */
    B->ln1.w = el_take(r, NAME("%slayers.%d.self_attn_layer_norm.weight", P, l), 1, D, 0, 0, 0);
    B->ln1.b = el_take(r, NAME("%slayers.%d.self_attn_layer_norm.bias", P, l), 1, D, 0, 0, 0);
    B->ln2.w = el_take(r, NAME("%slayers.%d.final_layer_norm.weight", P, l), 1, D, 0, 0, 0);
    B->ln2.b = el_take(r, NAME("%slayers.%d.final_layer_norm.bias", P, l), 1, D, 0, 0, 0);
    B->up = el_take_mat(r, NAME("%slayers.%d.fc1.weight", P, l), M, D);
    B->up_b = BIAS(M, "%slayers.%d.fc1.bias", P, l);
    B->down = el_take_mat(r, NAME("%slayers.%d.fc2.weight", P, l), D, M);
    B->down_b = BIAS(D, "%slayers.%d.fc2.bias", P, l);
#undef BIAS
#undef NAME
    return r->st;
}

el_status el_hf_read_opt(el_param_reader *r, el_text *m, const el_text_extras *x) {
    char n[160];
    const el_block_config *c = &m->tf.cfg;
    const int D = c->dim, M = c->mlp_dim, V = m->vocab, E = x->emb_dim ? x->emb_dim : D;
    const char *P = el_has(r, "model.decoder.embed_tokens.weight") ? "model.decoder." : "decoder.";
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->tok_emb = el_take_mat(r, NAME("%sembed_tokens.weight", P), V, E);
    const float *pos = el_take(r, NAME("%sembed_positions.weight", P), 2, (int64_t)m->context + OPT_POS_OFFSET, D, 0, 0);
    m->pos_emb = pos ? pos + (size_t)OPT_POS_OFFSET * D : NULL;
    if (x->emb_dim) {
        m->proj_in = el_take_mat(r, NAME("%sproject_in.weight", P), D, E);
        m->tf.lens.proj = el_take_mat(r, NAME("%sproject_out.weight", P), E, D);
    }
    for (int l = 0; l < c->n_layers && !r->st; l++) read_layer(r, P, l, x, D, M, &m->tf.layers[l]);
    if (!x->no_final_norm) {
        m->tf.lens.norm_w = el_take(r, NAME("%sfinal_layer_norm.weight", P), 1, D, 0, 0, 0);
        m->tf.lens.norm_b = el_take(r, NAME("%sfinal_layer_norm.bias", P), 1, D, 0, 0, 0);
    }
#undef NAME
    return r->st;
}
