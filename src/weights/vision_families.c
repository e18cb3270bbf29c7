#include "weights/vision_families.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weights/clip_family.h"
#include "weights/families.h"

#include "base/status.h"
#include "nn/pos_grid.h"
#include "weights/hf_preprocess.h"
#include "weights/json_config.h"

#define MAX_DIM 65536
#define MAX_LAYERS 1024
#define MAX_IMAGE 8192

el_status el_vision_parse_act(const char *file, const char *act, el_act *out) {
    static const struct {
        const char *name;
        el_act act;
    } acts[] = {{"gelu", EL_ACT_GELU_ERF},          {"gelu_pytorch_tanh", EL_ACT_GELU_TANH},
                {"gelu_new", EL_ACT_GELU_TANH},      {"quick_gelu", EL_ACT_QUICK_GELU},
                {"relu", EL_ACT_RELU},               {"silu", EL_ACT_SILU},
                {"swish", EL_ACT_SILU}};
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (!strcmp(act, acts[i].name)) {
            *out = acts[i].act;
            return EL_OK;
        }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: hidden_act \"%s\" is not supported", file, act);
}

/* The fields every HF vision config shares (ViT-style names and defaults). */
static el_status parse_common(const char *file, const cJSON *cfg, el_vit *m, double eps_default) {
    long v;
    double eps;
    el_block_config *c = &m->tf.cfg;
    EL_TRY(el_json_int(cfg, file, "hidden_size", 1, 0, 1, MAX_DIM, &v));
    c->dim = (int)v;
    EL_TRY(el_json_int(cfg, file, "num_hidden_layers", 1, 0, 1, MAX_LAYERS, &v));
    c->n_layers = (int)v;
    EL_TRY(el_json_int(cfg, file, "num_attention_heads", 1, 0, 1, MAX_DIM, &v));
    c->n_heads = (int)v;
    EL_TRY(el_json_int(cfg, file, "image_size", 0, 224, 1, MAX_IMAGE, &v));
    m->image_size = (int)v;
    EL_TRY(el_json_int(cfg, file, "patch_size", 0, 16, 1, MAX_IMAGE, &v));
    m->patch_size = (int)v;
    EL_TRY(el_json_int(cfg, file, "num_channels", 0, 3, 3, 3, &v));
    m->channels = (int)v;
    EL_TRY(el_json_double(cfg, file, "layer_norm_eps", 0, eps_default, 0.0, 1.0, &eps));
    c->norm.eps = (float)eps;
    const char *act = el_json_str(cfg, "hidden_act");
    return el_vision_parse_act(file, act ? act : "gelu", &c->act);
}

/* n_classes from the classifier's shape (cols: its input width). */
static el_status classes_from_head(const char *dir, const el_st_set *set, int cols, el_vit *m) {
    const el_st_tensor *head = el_st_find(set, "classifier.weight");
    if (!head || head->ndim != 2 || head->shape[1] != cols)
        return el_fail(EL_ERR_FORMAT, "%s: no classifier.weight of [classes][%d] (not an image classifier)", dir, cols);
    m->n_classes = (int)head->shape[0];
    return EL_OK;
}

/* HF keeps q, k, v apart; stack them (weights in place, biases in
 * consecutive arena slices) so the block does one GEMM. A missing bias
 * (BEiT's key) is zeros. */
static void take_qkv(el_param_reader *r, el_block_weights *B, const char *p, int l, int D, int k_bias) {
    static const char *qkv[3] = {"query", "key", "value"};
    char n[256];
    float *b0 = NULL;
    for (int j = 0; j < 3; j++) {
        snprintf(n, sizeof n, "%sencoder.layer.%d.attention.attention.%s.weight", p, l, qkv[j]);
        el_take_mat_stack(r, &B->qkv, n, D, D);
    }
    for (int j = 0; j < 3; j++) {
        snprintf(n, sizeof n, "%sencoder.layer.%d.attention.attention.%s.bias", p, l, qkv[j]);
        float *b = (j == 1 && !k_bias) ? el_take_zeros(r, (size_t)D) : el_take_copy(r, n, 1, D, 0, 0, 0);
        if (!j) b0 = b;
    }
    B->qkv_b = b0;
}

/* ---------------------------------------------------------------- DINOv2 */

static el_status dinov2_parse(const char *dir, const char *file, const cJSON *cfg, const el_st_set *set, el_vit *m,
                              el_vit_meta *meta) {
    el_block_config *c = &m->tf.cfg;
    EL_TRY(parse_common(file, cfg, m, 1e-6));
    EL_TRY(classes_from_head(dir, set, 2 * c->dim, m));
    long v;
    double ratio;
    int swiglu, qb;
    EL_TRY(el_json_double(cfg, file, "mlp_ratio", 0, 4.0, 0.01, 1024.0, &ratio));
    EL_TRY(el_json_bool(cfg, file, "use_swiglu_ffn", 0, &swiglu));
    EL_TRY(el_json_bool(cfg, file, "qkv_bias", 1, &qb));
    if (!qb) return el_fail(EL_ERR_UNSUPPORTED, "%s: qkv_bias false", file);
    EL_TRY(el_json_int(cfg, file, "num_register_tokens", 0, 0, 0, 1024, &v));
    m->n_registers = (int)v;
    c->mlp_dim = (int)(c->dim * ratio);
    if (swiglu) { /* Dinov2SwiGLUFFN: weights_in = [x1; x2], silu(x1) * x2 */
        c->mlp_dim = ((int)(c->mlp_dim * 2.0 / 3.0) + 7) / 8 * 8;
        c->gated = 1;
        c->act = EL_ACT_SILU;
    }
    /* The model input is what the image processor makes (e.g. 224), not
     * image_size (518): positions are resampled to its patch grid. */
    const int pos_image = m->image_size;
    EL_TRY(el_hf_preprocess_load(dir, m->channels, pos_image, 0, &meta->preprocess));
    if (meta->preprocess.out_w != meta->preprocess.out_h)
        return el_fail(EL_ERR_UNSUPPORTED, "%s/preprocessor_config.json: non-square input %dx%d", dir,
                       meta->preprocess.out_w, meta->preprocess.out_h);
    m->image_size = meta->preprocess.out_w;
    m->head = EL_HEAD_CLS_MEAN;
    return EL_OK;
}

/* Positions of the checkpoint's grid resampled to the input's, as HF's
 * interpolate_pos_encoding (registers: antialiased). */
static float *dinov2_positions(el_param_reader *r, el_vit *m, const char *name, int antialias) {
    const int D = m->tf.cfg.dim, g = m->grid;
    const el_st_tensor *t = el_st_find(r->set, name);
    const int64_t n0 = t && t->ndim == 3 ? t->shape[1] - 1 : -1;
    const int g0 = n0 > 0 ? (int)lround(sqrt((double)n0)) : 0;
    if (g0 < 1 || (int64_t)g0 * g0 != n0) {
        if (!r->st) r->st = el_fail(EL_ERR_FORMAT, "checkpoint tensor %s is not [1][1 + n*n][%d]", name, D);
        return NULL;
    }
    const float *src = el_take(r, name, 3, 1, n0 + 1, D, 0);
    float *pos = el_take_zeros(r, (size_t)(1 + g * g) * D);
    if (!src || !pos) return NULL;
    memcpy(pos, src, sizeof(float) * D);
    if (g0 == g) memcpy(pos + D, src + D, sizeof(float) * (size_t)g * g * D);
    else if (el_pos_interp_bicubic(src + D, g0, g0, D, g, g, antialias, pos + D)) {
        r->st = el_fail(EL_ERR_NOMEM, "out of memory resampling %s", name);
        return NULL;
    }
    return pos;
}

static el_status dinov2_read(el_param_reader *r, el_vit *m, const char *p) {
    char n[256];
    const int D = m->tf.cfg.dim, C = m->channels, ps = m->patch_size, M = m->tf.cfg.mlp_dim, K = m->n_classes;
    const int up = m->tf.cfg.gated ? 2 * M : M;
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->patch_w = el_mat_f32(el_take(r, NAME("%sembeddings.patch_embeddings.projection.weight", p), 4, D, C, ps, ps), D, C * ps * ps);
    m->patch_b = el_take(r, NAME("%sembeddings.patch_embeddings.projection.bias", p), 1, D, 0, 0, 0);
    m->cls = el_take(r, NAME("%sembeddings.cls_token", p), 3, 1, 1, D, 0);
    el_skip(r, NAME("%sembeddings.mask_token", p));
    if (m->n_registers) m->registers = el_take(r, NAME("%sembeddings.register_tokens", p), 3, 1, m->n_registers, D, 0);
    m->pos = dinov2_positions(r, m, NAME("%sembeddings.position_embeddings", p), m->n_registers > 0);
    for (int l = 0; l < m->tf.cfg.n_layers && !r->st; l++) {
        el_block_weights *B = &m->tf.layers[l];
        const char *L = "encoder.layer";
        el_take_norm(r, NAME("%s%s.%d.norm1", p, L, l), D, &B->ln1.w, &B->ln1.b);
        take_qkv(r, B, p, l, D, 1);
        el_take_linear(r, NAME("%s%s.%d.attention.output.dense", p, L, l), D, D, &B->o, &B->o_b);
        B->ls1 = el_take(r, NAME("%s%s.%d.layer_scale1.lambda1", p, L, l), 1, D, 0, 0, 0);
        el_take_norm(r, NAME("%s%s.%d.norm2", p, L, l), D, &B->ln2.w, &B->ln2.b);
        const char *fc1 = m->tf.cfg.gated ? "weights_in" : "fc1", *fc2 = m->tf.cfg.gated ? "weights_out" : "fc2";
        el_take_linear(r, NAME("%s%s.%d.mlp.%s", p, L, l, fc1), up, D, &B->up, &B->up_b);
        el_take_linear(r, NAME("%s%s.%d.mlp.%s", p, L, l, fc2), D, M, &B->down, &B->down_b);
        B->ls2 = el_take(r, NAME("%s%s.%d.layer_scale2.lambda1", p, L, l), 1, D, 0, 0, 0);
    }
    el_lens *lens = &m->tf.lens;
    lens->norm_w = el_take(r, NAME("%slayernorm.weight", p), 1, D, 0, 0, 0);
    lens->norm_b = el_take(r, NAME("%slayernorm.bias", p), 1, D, 0, 0, 0);
    /* The classifier reads [CLS | mean of patches] (2D wide); a patch token's
     * lens feeds the token as both halves: (W1 + W2) p. */
    const float *w = el_take(r, "classifier.weight", 2, K, 2 * D, 0, 0);
    const float *b = el_take(r, "classifier.bias", 1, K, 0, 0, 0);
    float *wsum = el_take_zeros(r, (size_t)K * D);
#undef NAME
    if (r->st) return r->st;
    for (int k = 0; k < K; k++)
        for (int d = 0; d < D; d++) wsum[(size_t)k * D + d] = w[(size_t)k * 2 * D + d] + w[(size_t)k * 2 * D + D + d];
    lens->head = el_mat_f32(wsum, K, D);
    lens->head_b = b;
    el_lens *cl = &m->cls_lens;
    cl->dim = 2 * D;
    cl->n_out = K;
    cl->norm.kind = EL_NORM_NONE;
    cl->head = el_mat_f32(w, K, 2 * D);
    cl->head_b = b;
    return EL_OK;
}

/* ---------------------------------------------------------------- BEiT / data2vec-vision */

static el_status beit_parse(const char *dir, const char *file, const cJSON *cfg, const el_st_set *set, el_vit *m,
                            el_vit_meta *meta) {
    EL_TRY(parse_common(file, cfg, m, 1e-12));
    EL_TRY(classes_from_head(dir, set, m->tf.cfg.dim, m));
    long v;
    int mean_pool;
    EL_TRY(el_json_int(cfg, file, "intermediate_size", 0, 3072, 1, 8L * MAX_DIM, &v));
    m->tf.cfg.mlp_dim = (int)v;
    EL_TRY(el_json_bool(cfg, file, "use_mean_pooling", 1, &mean_pool));
    m->head = mean_pool ? EL_HEAD_MEAN : EL_HEAD_CLS;
    return el_hf_preprocess_load(dir, m->channels, m->image_size, 1, &meta->preprocess);
}

/* One layer's relative position bias [H][T][T]: the shared table's (if
 * any) plus the layer's own. */
static float *beit_bias(el_param_reader *r, el_vit *m, const char *shared, const char *own) {
    const int H = m->tf.cfg.n_heads, g = m->grid, T = m->n_tokens, n_rel = (2 * g - 1) * (2 * g - 1) + 3;
    const char *names[2] = {shared, own};
    float *bias = NULL;
    int *idx = malloc(sizeof(int) * (size_t)T * T);
    if (!idx) {
        if (!r->st) r->st = el_fail(EL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    el_rel_pos_index(g, g, idx);
    for (int i = 0; i < 2; i++) {
        if (!names[i] || !el_has(r, names[i])) continue;
        const float *table = el_take(r, names[i], 2, n_rel, H, 0, 0);
        if (!bias) bias = el_take_zeros(r, (size_t)H * T * T);
        if (table && bias) el_rel_pos_bias_add(table, H, g, g, idx, bias);
    }
    free(idx);
    return bias;
}

static el_status beit_read(el_param_reader *r, el_vit *m, const char *p) {
    char n[256], shared[256], own[256], idx[256];
    const int D = m->tf.cfg.dim, C = m->channels, ps = m->patch_size, M = m->tf.cfg.mlp_dim, K = m->n_classes;
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->patch_w = el_mat_f32(el_take(r, NAME("%sembeddings.patch_embeddings.projection.weight", p), 4, D, C, ps, ps), D, C * ps * ps);
    m->patch_b = el_take(r, NAME("%sembeddings.patch_embeddings.projection.bias", p), 1, D, 0, 0, 0);
    m->cls = el_take(r, NAME("%sembeddings.cls_token", p), 3, 1, 1, D, 0);
    el_skip(r, NAME("%sembeddings.mask_token", p));
    if (el_has(r, NAME("%sembeddings.position_embeddings", p)))
        m->pos = el_take(r, n, 3, 1, m->n_tokens, D, 0);
    snprintf(shared, sizeof shared, "%sencoder.relative_position_bias.relative_position_bias_table", p);
    snprintf(idx, sizeof idx, "%sencoder.relative_position_bias.relative_position_index", p);
    el_skip(r, idx);
    for (int l = 0; l < m->tf.cfg.n_layers && !r->st; l++) {
        el_block_weights *B = &m->tf.layers[l];
        const char *L = "encoder.layer";
        el_take_norm(r, NAME("%s%s.%d.layernorm_before", p, L, l), D, &B->ln1.w, &B->ln1.b);
        take_qkv(r, B, p, l, D, 0); /* BEiT: q and v biases, no k bias */
        snprintf(own, sizeof own, "%s%s.%d.attention.attention.relative_position_bias.relative_position_bias_table", p, L, l);
        el_skip(r, NAME("%s%s.%d.attention.attention.relative_position_bias.relative_position_index", p, L, l));
        B->attn_bias = beit_bias(r, m, shared, own);
        el_take_linear(r, NAME("%s%s.%d.attention.output.dense", p, L, l), D, D, &B->o, &B->o_b);
        if (el_has(r, NAME("%s%s.%d.lambda_1", p, L, l))) B->ls1 = el_take(r, n, 1, D, 0, 0, 0);
        if (el_has(r, NAME("%s%s.%d.lambda_2", p, L, l))) B->ls2 = el_take(r, n, 1, D, 0, 0, 0);
        el_take_norm(r, NAME("%s%s.%d.layernorm_after", p, L, l), D, &B->ln2.w, &B->ln2.b);
        el_take_linear(r, NAME("%s%s.%d.intermediate.dense", p, L, l), M, D, &B->up, &B->up_b);
        el_take_linear(r, NAME("%s%s.%d.output.dense", p, L, l), D, M, &B->down, &B->down_b);
    }
    /* Mean pooling: the pooler's LayerNorm after the mean (and on each patch
     * token for its lens); else the final layernorm on the class token. */
    const char *norm = m->head == EL_HEAD_MEAN ? "pooler.layernorm" : "layernorm";
    m->tf.lens.norm_w = el_take(r, NAME("%s%s.weight", p, norm), 1, D, 0, 0, 0);
    m->tf.lens.norm_b = el_take(r, NAME("%s%s.bias", p, norm), 1, D, 0, 0, 0);
    m->tf.lens.head = el_take_mat(r, "classifier.weight", K, D);
    m->tf.lens.head_b = el_take(r, "classifier.bias", 1, K, 0, 0, 0);
#undef NAME
    return r->st;
}

/* ---------------------------------------------------------------- table */

static const el_vision_family families[] = {
    {"dinov2", "dinov2.", "dinov2", "Dinov2ForImageClassification", dinov2_parse, dinov2_read},
    {"dinov2_with_registers", "dinov2_with_registers.", "dinov2", "Dinov2WithRegistersForImageClassification",
     dinov2_parse, dinov2_read},
    {"beit", "beit.", "beit", "BeitForImageClassification", beit_parse, beit_read},
    {"data2vec-vision", "data2vec_vision.", "data2vec-vision", "Data2VecVisionForImageClassification",
     beit_parse, beit_read},
    {"clip", "vision_model.", "clip", "CLIPModel", el_clip_parse, el_clip_read},
    {"siglip", "vision_model.", "siglip", "SiglipModel", el_clip_parse, el_clip_read},
};

const el_vision_family *el_vision_family_find(const char *model_type) {
    for (size_t i = 0; model_type && i < sizeof families / sizeof families[0]; i++)
        if (!strcmp(model_type, families[i].model_type)) return &families[i];
    return NULL;
}

const char *el_vision_type(int i) {
    return i >= 0 && (size_t)i < sizeof families / sizeof families[0] ? families[i].model_type : NULL;
}

size_t el_vision_family_extra_floats(const el_vit *m) {
    const size_t D = m->tf.cfg.dim, K = m->n_classes, T = m->n_tokens, H = m->tf.cfg.n_heads;
    const size_t L = m->tf.cfg.n_layers, q = 3 * D * D + 3 * D;
    /* qkv copies, zero k biases, positions, the summed head, per-layer biases */
    return L * (q + D + H * T * T) + T * D + K * D + 16 + el_clip_extra_floats(m);
}
