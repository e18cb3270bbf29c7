#include "weights/clip_family.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "model/zs_head.h"
#include "weights/hf_preprocess.h"
#include "weights/json_config.h"

#define MAX_DIM 65536
#define MAX_LAYERS 1024
#define MAX_IMAGE 8192

/* HF's config-class defaults for what a config.json leaves out. */
typedef struct {
    long dim, mlp, layers, heads, image, patch, n_pos, vocab;
    double eps;
    const char *act;
} tower_defaults;

static const tower_defaults clip_vision = {768, 3072, 12, 12, 224, 32, 0, 0, 1e-5, "quick_gelu"};
static const tower_defaults clip_text = {512, 2048, 12, 8, 0, 0, 77, 49408, 1e-5, "quick_gelu"};
static const tower_defaults siglip_vision = {768, 3072, 12, 12, 224, 16, 0, 0, 1e-6, "gelu_pytorch_tanh"};
static const tower_defaults siglip_text = {768, 3072, 12, 12, 0, 0, 64, 32000, 1e-6, "gelu_pytorch_tanh"};

/* text_config / vision_config (older CLIP configs: ..._config_dict). */
static const cJSON *sub_config(const cJSON *cfg, const char *name) {
    char dict[64];
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(cfg, name);
    snprintf(dict, sizeof dict, "%s_dict", name);
    if (!cJSON_IsObject(c)) c = cJSON_GetObjectItemCaseSensitive(cfg, dict);
    return cJSON_IsObject(c) ? c : NULL;
}

/* One tower's block config. */
static el_status parse_tower(const char *file, const cJSON *c, const tower_defaults *d, int causal,
                             el_block_config *b) {
    long v;
    double eps;
    EL_TRY(el_json_int(c, file, "hidden_size", 0, d->dim, 1, MAX_DIM, &v));
    b->dim = (int)v;
    EL_TRY(el_json_int(c, file, "intermediate_size", 0, d->mlp, 1, 8L * MAX_DIM, &v));
    b->mlp_dim = (int)v;
    EL_TRY(el_json_int(c, file, "num_hidden_layers", 0, d->layers, 1, MAX_LAYERS, &v));
    b->n_layers = (int)v;
    EL_TRY(el_json_int(c, file, "num_attention_heads", 0, d->heads, 1, MAX_DIM, &v));
    b->n_heads = b->n_kv_heads = (int)v;
    if (b->dim % b->n_heads)
        return el_fail(EL_ERR_CONFIG, "%s: hidden size %d is not divisible by %d heads", file, b->dim, b->n_heads);
    b->head_dim = b->dim / b->n_heads;
    EL_TRY(el_json_double(c, file, "layer_norm_eps", 0, d->eps, 0.0, 1.0, &eps));
    b->norm.kind = EL_NORM_LAYER;
    b->norm.eps = (float)eps;
    b->causal = causal;
    const char *act = el_json_str(c, "hidden_act");
    return el_vision_parse_act(file, act ? act : d->act, &b->act);
}

static el_status parse_text(const char *file, const cJSON *tc, int siglip, el_zs_text *t) {
    const tower_defaults *d = siglip ? &siglip_text : &clip_text;
    long v;
    EL_TRY(parse_tower(file, tc, d, !siglip, &t->tf.cfg));
    EL_TRY(el_json_int(tc, file, "max_position_embeddings", 0, d->n_pos, 1, 1 << 16, &v));
    t->n_pos = (int)v;
    EL_TRY(el_json_int(tc, file, "vocab_size", 0, d->vocab, 1, 1L << 24, &v));
    t->vocab = (int)v;
    EL_TRY(el_json_int(tc, file, "pad_token_id", 0, 1, 0, 1L << 24, &v));
    t->pad_id = (int)v;
    EL_TRY(el_json_int(tc, file, "eos_token_id", 0, siglip ? 1 : 2, 0, 1L << 24, &v));
    t->eos_id = (int)v;
    /* SiglipTextTransformer: the last position; CLIPTextTransformer: the
     * highest id for legacy configs (eos_token_id 2), else the first eos. */
    t->pool = siglip ? EL_TEXT_POOL_LAST : (t->eos_id == 2 ? EL_TEXT_POOL_EOS_ARGMAX : EL_TEXT_POOL_EOS_ID);
    return EL_OK;
}

el_status el_clip_parse(const char *dir, const char *file, const cJSON *cfg, const el_st_set *set, el_vit *m,
                        el_vit_meta *meta) {
    const int siglip = !strcmp(el_json_str(cfg, "model_type"), "siglip");
    const cJSON *vc = sub_config(cfg, "vision_config"), *tc = sub_config(cfg, "text_config");
    static const cJSON empty = {0};
    if (!vc) vc = &empty;
    if (!tc) tc = &empty;
    if (!(m->zs = el_zs_towers_new())) return el_fail(EL_ERR_NOMEM, "out of memory");
    el_zs_towers *z = m->zs;
    z->siglip = siglip;
    const tower_defaults *d = siglip ? &siglip_vision : &clip_vision;
    long v;
    EL_TRY(parse_tower(file, vc, d, 0, &m->tf.cfg));
    EL_TRY(el_json_int(vc, file, "image_size", 0, d->image, 1, MAX_IMAGE, &v));
    m->image_size = (int)v;
    EL_TRY(el_json_int(vc, file, "patch_size", 0, d->patch, 1, MAX_IMAGE, &v));
    m->patch_size = (int)v;
    EL_TRY(el_json_int(vc, file, "num_channels", 0, 3, 3, 3, &v));
    m->channels = (int)v;
    EL_TRY(parse_text(file, tc, siglip, &z->text));
    /* The joint width: CLIP's projection_dim; SigLIP projects text to the vision width. */
    const el_st_tensor *proj = el_st_find(set, siglip ? "text_model.head.weight" : "text_projection.weight");
    if (!proj || proj->ndim != 2)
        return el_fail(EL_ERR_FORMAT, "%s: no 2-d %s (not a %s checkpoint)", dir,
                       siglip ? "text_model.head.weight" : "text_projection.weight", siglip ? "SiglipModel" : "CLIPModel");
    z->proj_dim = (int)proj->shape[0];
    if (siglip && z->proj_dim != m->tf.cfg.dim)
        return el_fail(EL_ERR_CONFIG, "%s: text head width %d differs from the vision width %d", file, z->proj_dim,
                       m->tf.cfg.dim);
    m->no_class_token = siglip;
    m->head = siglip ? EL_HEAD_ATTN_POOL : EL_HEAD_CLS;
    m->n_classes = 1; /* until the zero-shot head is built from class names */
    return el_hf_preprocess_load(dir, m->channels, m->image_size, 1, &meta->preprocess);
}

/* One CLIPEncoderLayer / SiglipEncoderLayer (the same names). */
static void read_layer(el_param_reader *r, el_block_weights *B, const char *p, int l, const el_block_config *c) {
    static const char *qkv[3] = {"q_proj", "k_proj", "v_proj"};
    const int D = c->dim, M = c->mlp_dim;
    char n[256];
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    el_take_norm(r, NAME("%sencoder.layers.%d.layer_norm1", p, l), D, &B->ln1.w, &B->ln1.b);
    for (int j = 0; j < 3; j++) el_take_mat_stack(r, &B->qkv, NAME("%sencoder.layers.%d.self_attn.%s.weight", p, l, qkv[j]), D, D);
    for (int j = 0; j < 3; j++) { /* consecutive arena slices: one [3D] bias */
        float *b = el_take_copy(r, NAME("%sencoder.layers.%d.self_attn.%s.bias", p, l, qkv[j]), 1, D, 0, 0, 0);
        if (!j) B->qkv_b = b;
    }
    el_take_linear(r, NAME("%sencoder.layers.%d.self_attn.out_proj", p, l), D, D, &B->o, &B->o_b);
    el_take_norm(r, NAME("%sencoder.layers.%d.layer_norm2", p, l), D, &B->ln2.w, &B->ln2.b);
    el_take_linear(r, NAME("%sencoder.layers.%d.mlp.fc1", p, l), M, D, &B->up, &B->up_b);
    el_take_linear(r, NAME("%sencoder.layers.%d.mlp.fc2", p, l), D, M, &B->down, &B->down_b);
#undef NAME
}

static void read_layers(el_param_reader *r, el_transformer *tf, const char *p) {
    for (int l = 0; l < tf->cfg.n_layers && !r->st; l++) read_layer(r, &tf->layers[l], p, l, &tf->cfg);
}

/* A scalar stored as [] (CLIP) or [1] (SigLIP). */
static float take_scalar(el_param_reader *r, const char *name) {
    const el_st_tensor *t = el_st_find(r->set, name);
    const float *v = t && t->ndim <= 1 ? el_take(r, name, t->ndim, t->ndim ? 1 : 0, 0, 0, 0) : NULL;
    if (!v && !r->st) r->st = el_fail(EL_ERR_FORMAT, "checkpoint tensor %s is not a scalar", name);
    return v ? v[0] : 0.0f;
}

static void skip_if_present(el_param_reader *r, const char *name) {
    if (el_has(r, name)) el_skip(r, name);
}

static void read_text(el_param_reader *r, el_zs_towers *z) {
    el_zs_text *t = &z->text;
    const int D = t->tf.cfg.dim;
    if (!(t->tf.layers = calloc((size_t)t->tf.cfg.n_layers, sizeof(el_block_weights)))) {
        r->st = el_fail(EL_ERR_NOMEM, "out of memory");
        return;
    }
    t->tok = el_take_mat(r, "text_model.embeddings.token_embedding.weight", t->vocab, D);
    t->pos = el_take(r, "text_model.embeddings.position_embedding.weight", 2, t->n_pos, D, 0, 0);
    skip_if_present(r, "text_model.embeddings.position_ids");
    read_layers(r, &t->tf, "text_model.");
    t->tf.lens.norm = t->tf.cfg.norm;
    t->tf.lens.norm_w = el_take(r, "text_model.final_layer_norm.weight", 1, D, 0, 0, 0);
    t->tf.lens.norm_b = el_take(r, "text_model.final_layer_norm.bias", 1, D, 0, 0, 0);
    if (z->siglip) {
        t->proj = el_take_mat(r, "text_model.head.weight", z->proj_dim, D);
        t->proj_b = el_take(r, "text_model.head.bias", 1, z->proj_dim, 0, 0, 0);
        z->logit_bias = take_scalar(r, "logit_bias");
    } else {
        t->proj = el_take_mat(r, "text_projection.weight", z->proj_dim, D);
    }
    z->logit_scale = take_scalar(r, "logit_scale");
}

/* SiglipMultiheadAttentionPoolingHead: in_proj [3D][D] viewed as q, [k; v] and v. */
static void read_pool(el_param_reader *r, el_vit *m, const char *p) {
    el_attn_pool *a = &m->zs->pool;
    const int D = m->tf.cfg.dim, M = m->tf.cfg.mlp_dim;
    char n[256];
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    a->dim = D;
    a->n_heads = m->tf.cfg.n_heads;
    a->mlp_dim = M;
    a->act = m->tf.cfg.act;
    a->norm = m->tf.cfg.norm;
    a->probe = el_take(r, NAME("%shead.probe", p), 3, 1, 1, D, 0);
    const float *w = el_take(r, NAME("%shead.attention.in_proj_weight", p), 2, 3 * D, D, 0, 0);
    const float *b = el_take(r, NAME("%shead.attention.in_proj_bias", p), 1, 3 * D, 0, 0, 0);
    if (w && b) {
        a->q = el_mat_f32(w, D, D);
        a->kv = el_mat_f32(w + (size_t)D * D, 2 * D, D);
        a->v = el_mat_f32(w + (size_t)2 * D * D, D, D);
        a->q_b = b;
        a->kv_b = b + D;
        a->v_b = b + 2 * D;
    }
    el_take_linear(r, NAME("%shead.attention.out_proj", p), D, D, &a->o, &a->o_b);
    a->ln_w = el_take(r, NAME("%shead.layernorm.weight", p), 1, D, 0, 0, 0);
    a->ln_b = el_take(r, NAME("%shead.layernorm.bias", p), 1, D, 0, 0, 0);
    el_take_linear(r, NAME("%shead.mlp.fc1", p), M, D, &a->fc1, &a->fc1_b);
    el_take_linear(r, NAME("%shead.mlp.fc2", p), D, M, &a->fc2, &a->fc2_b);
#undef NAME
}

el_status el_clip_read(el_param_reader *r, el_vit *m, const char *p) {
    const int D = m->tf.cfg.dim, C = m->channels, ps = m->patch_size;
    const int siglip = m->zs->siglip;
    char n[256];
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->patch_w = el_mat_f32(el_take(r, NAME("%sembeddings.patch_embedding.weight", p), 4, D, C, ps, ps), D, C * ps * ps);
    if (siglip) m->patch_b = el_take(r, NAME("%sembeddings.patch_embedding.bias", p), 1, D, 0, 0, 0);
    else m->cls = el_take(r, NAME("%sembeddings.class_embedding", p), 1, D, 0, 0, 0); /* CLIP: no patch bias */
    m->pos = el_take(r, NAME("%sembeddings.position_embedding.weight", p), 2, m->n_tokens, D, 0, 0);
    skip_if_present(r, NAME("%sembeddings.position_ids", p));
    if (!siglip) {
        m->pre_norm_w = el_take(r, NAME("%spre_layrnorm.weight", p), 1, D, 0, 0, 0);
        m->pre_norm_b = el_take(r, NAME("%spre_layrnorm.bias", p), 1, D, 0, 0, 0);
    }
    read_layers(r, &m->tf, p);
    m->tf.lens.norm_w = el_take(r, NAME("%spost_layernorm.weight", p), 1, D, 0, 0, 0);
    m->tf.lens.norm_b = el_take(r, NAME("%spost_layernorm.bias", p), 1, D, 0, 0, 0);
    if (siglip) read_pool(r, m, p);
    else m->tf.lens.proj = el_take_mat(r, "visual_projection.weight", m->zs->proj_dim, D);
#undef NAME
    if (!r->st) read_text(r, m->zs);
    return r->st;
}

size_t el_clip_extra_floats(const el_vit *m) {
    if (!m->zs) return 0;
    const el_block_config *c = &m->zs->text.tf.cfg;
    return (size_t)c->n_layers * (3 * (size_t)c->dim * c->dim + 3 * (size_t)c->dim) + 64;
}
