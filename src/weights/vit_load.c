#include "weights/vit_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/status.h"
#include "weights/hf_preprocess.h"
#include "weights/json_config.h"
#include "weights/param_reader.h"
#include "weights/safetensors.h"
#include "weights/vision_families.h"

/* Sanity bounds: generous for real models, small enough that products of
 * them cannot overflow 64 bits. */
#define MAX_DIM 65536
#define MAX_LAYERS 1024
#define MAX_CLASSES 1000000
#define MAX_IMAGE 8192

typedef struct {
    char path[4096];
} pathbuf;

static const char *join(pathbuf *b, const char *dir, const char *name) {
    snprintf(b->path, sizeof b->path, "%s/%s", dir, name);
    return b->path;
}

static size_t arena_floats(const el_vit *m) {
    size_t D = m->tf.cfg.dim, M = m->tf.cfg.mlp_dim, K = m->n_classes, T = m->n_tokens;
    size_t C = m->channels, p = m->patch_size;
    size_t block = 4 * D + 3 * D * D + 3 * D + D * D + D + M * D + M + D * M + D;
    size_t heads = (m->distilled ? 2 : 1) * (K * D + K);
    return D * C * p * p + D + (m->has_dist_token ? 2 : 1) * D + T * D + (size_t)m->tf.cfg.n_layers * block + 2 * D + heads;
}

/* ---------------------------------------------------------------- configs */

static el_status check_dims(el_vit *m, const char *file) {
    if (m->tf.cfg.dim % m->tf.cfg.n_heads)
        return el_fail(EL_ERR_CONFIG, "%s: hidden size %d is not divisible by %d heads", file, m->tf.cfg.dim, m->tf.cfg.n_heads);
    if (m->image_size % m->patch_size)
        return el_fail(EL_ERR_CONFIG, "%s: image size %d is not a multiple of patch size %d", file,
                       m->image_size, m->patch_size);
    /* Pre-norm LayerNorm blocks, full multi-head attention, exact-GELU MLP. */
    el_block_config *c = &m->tf.cfg;
    c->norm.kind = EL_NORM_LAYER;
    c->n_kv_heads = c->n_heads;
    c->head_dim = c->dim / c->n_heads;
    m->grid = m->image_size / m->patch_size;
    m->n_patches = m->grid * m->grid;
    m->n_prefix = !m->no_class_token + m->has_dist_token + m->n_registers;
    m->n_tokens = m->n_patches + m->n_prefix;
    return EL_OK;
}

static int read_labels_object(const cJSON *id2label, int n, char **names) {
    if (!cJSON_IsObject(id2label)) return 0;
    for (const cJSON *it = id2label->child; it; it = it->next) {
        char *end;
        long k = strtol(it->string, &end, 10);
        if (*end || k < 0 || k >= n || !cJSON_IsString(it)) continue;
        free(names[k]);
        names[k] = strdup(it->valuestring);
    }
    return 1;
}

static int read_labels_array(const cJSON *arr, int n, char **names) {
    if (!cJSON_IsArray(arr)) return 0;
    int i = 0;
    for (const cJSON *it = arr->child; it && i < n; it = it->next, i++)
        if (cJSON_IsString(it)) names[i] = strdup(it->valuestring);
    return 1;
}

/* ---------------------------------------------------------------- layouts */

typedef struct {
    const char *prefix;                 /* "vit." / "deit." / "" (timm) */
    int timm;
    int qkv_bias;
    char head[32], head2[40];           /* classifier names */
} names;

static el_status read_weights(el_param_reader *r, el_vit *m, const names *nm) {
    char n[160];
    const int D = m->tf.cfg.dim, C = m->channels, p = m->patch_size, M = m->tf.cfg.mlp_dim, K = m->n_classes;
    const char *pre = nm->prefix;
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    if (nm->timm) {
        m->patch_w = el_mat_f32(el_take(r, "patch_embed.proj.weight", 4, D, C, p, p), D, C * p * p);
        m->patch_b = el_take(r, "patch_embed.proj.bias", 1, D, 0, 0, 0);
        m->cls = el_take(r, "cls_token", 3, 1, 1, D, 0);
        if (m->has_dist_token) m->dist = el_take(r, "dist_token", 3, 1, 1, D, 0);
        m->pos = el_take(r, "pos_embed", 3, 1, m->n_tokens, D, 0);
    } else {
        m->patch_w = el_mat_f32(el_take(r, NAME("%sembeddings.patch_embeddings.projection.weight", pre), 4, D, C, p, p), D, C * p * p);
        m->patch_b = el_take(r, NAME("%sembeddings.patch_embeddings.projection.bias", pre), 1, D, 0, 0, 0);
        m->cls = el_take(r, NAME("%sembeddings.cls_token", pre), 3, 1, 1, D, 0);
        if (m->has_dist_token) m->dist = el_take(r, NAME("%sembeddings.distillation_token", pre), 3, 1, 1, D, 0);
        m->pos = el_take(r, NAME("%sembeddings.position_embeddings", pre), 3, 1, m->n_tokens, D, 0);
    }
    for (int l = 0; l < m->tf.cfg.n_layers && !r->st; l++) {
        el_block_weights *B = &m->tf.layers[l];
        if (nm->timm) {
            el_take_norm(r, NAME("blocks.%d.norm1", l), D, &B->ln1.w, &B->ln1.b);
            B->qkv = el_take_mat(r, NAME("blocks.%d.attn.qkv.weight", l), 3 * D, D);
            B->qkv_b = nm->qkv_bias ? el_take(r, NAME("blocks.%d.attn.qkv.bias", l), 1, 3 * D, 0, 0, 0) : el_take_zeros(r, 3 * (size_t)D);
            el_take_linear(r, NAME("blocks.%d.attn.proj", l), D, D, &B->o, &B->o_b);
            el_take_norm(r, NAME("blocks.%d.norm2", l), D, &B->ln2.w, &B->ln2.b);
            el_take_linear(r, NAME("blocks.%d.mlp.fc1", l), M, D, &B->up, &B->up_b);
            el_take_linear(r, NAME("blocks.%d.mlp.fc2", l), D, M, &B->down, &B->down_b);
            continue;
        }
        const char *L = "encoder.layer";
        el_take_norm(r, NAME("%s%s.%d.layernorm_before", pre, L, l), D, &B->ln1.w, &B->ln1.b);
        /* HF keeps q, k, v apart; stack them (weights in place, biases in
         * consecutive arena slices) so the forward pass does one GEMM. */
        static const char *qkv[3] = {"query", "key", "value"};
        float *b0 = NULL;
        for (int j = 0; j < 3; j++)
            el_take_mat_stack(r, &B->qkv, NAME("%s%s.%d.attention.attention.%s.weight", pre, L, l, qkv[j]), D, D);
        for (int j = 0; j < 3; j++) {
            float *b = nm->qkv_bias ? el_take_copy(r, NAME("%s%s.%d.attention.attention.%s.bias", pre, L, l, qkv[j]), 1, D, 0, 0, 0)
                                    : el_take_zeros(r, (size_t)D);
            if (j == 0) b0 = b;
        }
        B->qkv_b = b0;
        el_take_linear(r, NAME("%s%s.%d.attention.output.dense", pre, L, l), D, D, &B->o, &B->o_b);
        el_take_norm(r, NAME("%s%s.%d.layernorm_after", pre, L, l), D, &B->ln2.w, &B->ln2.b);
        el_take_linear(r, NAME("%s%s.%d.intermediate.dense", pre, L, l), M, D, &B->up, &B->up_b);
        el_take_linear(r, NAME("%s%s.%d.output.dense", pre, L, l), D, M, &B->down, &B->down_b);
    }
    if (nm->timm) {
        m->tf.lens.norm_w = el_take(r, "norm.weight", 1, D, 0, 0, 0);
        m->tf.lens.norm_b = el_take(r, "norm.bias", 1, D, 0, 0, 0);
    } else {
        m->tf.lens.norm_w = el_take(r, NAME("%slayernorm.weight", pre), 1, D, 0, 0, 0);
        m->tf.lens.norm_b = el_take(r, NAME("%slayernorm.bias", pre), 1, D, 0, 0, 0);
    }
    el_take_linear(r, NAME("%s", nm->head), K, D, &m->tf.lens.head, &m->tf.lens.head_b);
    if (m->distilled) {
        el_take_linear(r, NAME("%s", nm->head2), K, D, &m->tf.lens.head2, &m->tf.lens.head2_b);
    }
#undef NAME
    return r->st;
}

/* Tensors we know and deliberately do not use. */
static int ignorable(const char *name) {
    return strstr(name, "pooler.") != NULL;
}

static el_status count_timm_blocks(const el_st_set *set, int *n) {
    int max = -1;
    for (int i = 0; i < set->n_tensors; i++) {
        int l;
        if (sscanf(set->tensors[i].name, "blocks.%d.", &l) == 1 && l > max) max = l;
    }
    *n = max + 1;
    return EL_OK;
}

/* timm's architecture names carry the width; heads are not in the weights. */
static int timm_heads_from_name(const char *arch, int dim) {
    static const struct { const char *key; int heads; } table[] = {
        {"_tiny_", 3}, {"_small_", 6}, {"_base_", 12}, {"_large_", 16}, {"_huge_", 16}, {"_giant_", 16}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strstr(arch, table[i].key)) return table[i].heads;
    return dim % 64 == 0 ? dim / 64 : 0;
}

static el_resample parse_interp(const char *s) {
    if (!s) return EL_RESAMPLE_BICUBIC;
    if (!strcmp(s, "bilinear")) return EL_RESAMPLE_BILINEAR;
    if (!strcmp(s, "nearest")) return EL_RESAMPLE_NEAREST;
    if (!strcmp(s, "lanczos")) return EL_RESAMPLE_LANCZOS;
    if (!strcmp(s, "box")) return EL_RESAMPLE_BOX;
    if (!strcmp(s, "hamming")) return EL_RESAMPLE_HAMMING;
    return EL_RESAMPLE_BICUBIC;
}

/* timm's pretrained_cfg (or its defaults) as a preprocessing pipeline. */
static el_status timm_preprocess(const char *file, const cJSON *pcfg, const el_vit *m, el_preprocess *pp) {
    memset(pp, 0, sizeof *pp);
    pp->channels = m->channels;
    pp->out_w = pp->out_h = m->image_size;
    double crop_pct = 0.875;
    pp->resample = EL_RESAMPLE_BICUBIC;
    for (int c = 0; c < 3; c++) {
        pp->mean[c] = (float)((double[]){0.485, 0.456, 0.406})[c];
        pp->std[c] = (float)((double[]){0.229, 0.224, 0.225})[c];
    }
    if (pcfg) {
        EL_TRY(el_json_double(pcfg, file, "crop_pct", 0, 0.875, 0.01, 10.0, &crop_pct));
        pp->resample = parse_interp(el_json_str(pcfg, "interpolation"));
        const char *mode = el_json_str(pcfg, "crop_mode");
        if (mode && strcmp(mode, "center"))
            return el_fail(EL_ERR_UNSUPPORTED, "%s: crop_mode \"%s\" (only \"center\")", file, mode);
        if (cJSON_GetObjectItemCaseSensitive(pcfg, "mean")) EL_TRY(el_json_floats(pcfg, file, "mean", m->channels, -1e6, 1e6, pp->mean));
        if (cJSON_GetObjectItemCaseSensitive(pcfg, "std")) EL_TRY(el_json_floats(pcfg, file, "std", m->channels, 1e-12, 1e6, pp->std));
    }
    /* timm's transforms_factory: Resize(floor(size / crop_pct)) on the short
     * side, then CenterCrop(size), as torchvision does it. */
    pp->do_resize = 1;
    pp->shortest_edge = (int)floor(m->image_size / crop_pct);
    pp->do_center_crop = 1;
    pp->crop_w = pp->crop_h = m->image_size;
    pp->crop_round = 1;
    pp->do_rescale = 1;
    pp->rescale_factor = 1.0 / 255.0;
    pp->do_normalize = 1;
    return EL_OK;
}

static el_status load_timm(const char *dir, const char *file, const cJSON *cfg, const el_st_set *set, el_vit *m,
                           el_vit_meta *meta, names *nm) {
    const char *arch = el_json_str(cfg, "architecture");
    snprintf(meta->arch, sizeof meta->arch, "%s", arch ? arch : "timm");
    snprintf(meta->layout, sizeof meta->layout, "timm");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(cfg, "model_args");
    const char *pool = el_json_str(cfg, "global_pool");
    if (args && el_json_str(args, "global_pool")) pool = el_json_str(args, "global_pool");
    if (pool && strcmp(pool, "token"))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: global_pool \"%s\" (only \"token\" pooling is supported)", file, pool);
    const el_st_tensor *pw = el_st_find(set, "patch_embed.proj.weight");
    if (!pw || pw->ndim != 4)
        return el_fail(EL_ERR_FORMAT, "%s: no 4-d tensor 'patch_embed.proj.weight' (not a timm ViT?)", dir);
    m->distilled = m->has_dist_token = el_st_find(set, "dist_token") != NULL;
    snprintf(meta->family, sizeof meta->family, "%s", m->distilled ? "deit-distilled" : (arch && strstr(arch, "deit") ? "deit" : "vit"));
    long v;
    m->tf.cfg.dim = (int)pw->shape[0];
    m->channels = (int)pw->shape[1];
    m->patch_size = (int)pw->shape[2];
    EL_TRY(count_timm_blocks(set, &m->tf.cfg.n_layers));
    const el_st_tensor *fc1 = el_st_find(set, "blocks.0.mlp.fc1.weight");
    const el_st_tensor *head = el_st_find(set, "head.weight");
    const el_st_tensor *pos = el_st_find(set, "pos_embed");
    if (!fc1 || !head || !pos || pos->ndim != 3)
        return el_fail(EL_ERR_FORMAT, "%s: missing blocks.0.mlp.fc1.weight, head.weight or pos_embed", dir);
    m->tf.cfg.mlp_dim = (int)fc1->shape[0];
    m->n_classes = (int)head->shape[0];
    long grid2 = (long)pos->shape[1] - (m->has_dist_token ? 2 : 1);
    long grid = lround(sqrt((double)(grid2 > 0 ? grid2 : 0)));
    m->image_size = (int)(grid * m->patch_size);
    int heads = timm_heads_from_name(meta->arch, m->tf.cfg.dim);
    long img = m->image_size;
    if (args) {
        EL_TRY(el_json_int(args, file, "num_heads", 0, heads, 1, MAX_DIM, &v));
        heads = (int)v;
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(args, "img_size")))
            EL_TRY(el_json_int(args, file, "img_size", 0, img, 1, MAX_IMAGE, &img));
        int qb;
        EL_TRY(el_json_bool(args, file, "qkv_bias", 1, &qb));
        nm->qkv_bias = qb;
    }
    if (heads <= 0) return el_fail(EL_ERR_CONFIG, "%s: cannot tell the number of heads (add model_args.num_heads)", file);
    if (img != m->image_size)
        return el_fail(EL_ERR_CONFIG, "%s: img_size %ld disagrees with pos_embed (%d)", file, img, m->image_size);
    m->tf.cfg.n_heads = heads;
    m->tf.cfg.norm.eps = 1e-6f; /* timm's ViT LayerNorm */
    nm->timm = 1;
    nm->prefix = "";
    snprintf(nm->head, sizeof nm->head, "head");
    snprintf(nm->head2, sizeof nm->head2, "head_dist");

    return timm_preprocess(file, cJSON_GetObjectItemCaseSensitive(cfg, "pretrained_cfg"), m, &meta->preprocess);
}

static el_status load_hf(const char *dir, const char *file, const cJSON *cfg, const el_st_set *set, el_vit *m,
                         el_vit_meta *meta, names *nm) {
    const char *type = el_json_str(cfg, "model_type");
    const cJSON *archs = cJSON_GetObjectItemCaseSensitive(cfg, "architectures");
    const char *arch = cJSON_IsArray(archs) && cJSON_IsString(cJSON_GetArrayItem(archs, 0))
                           ? cJSON_GetArrayItem(archs, 0)->valuestring : NULL;
    if (!type) return el_fail(EL_ERR_CONFIG, "%s: no \"model_type\" (and no timm \"architecture\")", file);
    snprintf(meta->layout, sizeof meta->layout, "hf");
    if (!strcmp(type, "vit")) {
        nm->prefix = "vit.";
        snprintf(nm->head, sizeof nm->head, "classifier");
        snprintf(meta->family, sizeof meta->family, "vit");
        if (!arch) arch = "ViTForImageClassification";
        if (strcmp(arch, "ViTForImageClassification"))
            return el_fail(EL_ERR_UNSUPPORTED, "%s: architecture %s (ViTForImageClassification has the classifier the lens needs)", file, arch);
    } else if (!strcmp(type, "deit")) {
        nm->prefix = "deit.";
        /* HF's DeiTEmbeddings always has the distillation token; only the
         * ...WithTeacher head reads it. */
        m->has_dist_token = el_st_find(set, "deit.embeddings.distillation_token") != NULL;
        if (!arch) arch = el_st_find(set, "cls_classifier.weight") ? "DeiTForImageClassificationWithTeacher" : "DeiTForImageClassification";
        if (!strcmp(arch, "DeiTForImageClassificationWithTeacher")) {
            m->distilled = 1;
            snprintf(nm->head, sizeof nm->head, "cls_classifier");
            snprintf(nm->head2, sizeof nm->head2, "distillation_classifier");
            snprintf(meta->family, sizeof meta->family, "deit-distilled");
        } else if (!strcmp(arch, "DeiTForImageClassification")) {
            snprintf(nm->head, sizeof nm->head, "classifier");
            snprintf(meta->family, sizeof meta->family, "deit");
        } else {
            return el_fail(EL_ERR_UNSUPPORTED, "%s: architecture %s is not an image classifier", file, arch);
        }
    } else {
        return el_fail(EL_ERR_UNSUPPORTED, "%s: model_type \"%s\" is not supported (%s)", file, type, el_model_families());
    }
    snprintf(meta->arch, sizeof meta->arch, "%s", arch);
    long v;
    double eps;
    EL_TRY(el_json_int(cfg, file, "hidden_size", 1, 0, 1, MAX_DIM, &v));
    m->tf.cfg.dim = (int)v;
    EL_TRY(el_json_int(cfg, file, "num_hidden_layers", 1, 0, 1, MAX_LAYERS, &v));
    m->tf.cfg.n_layers = (int)v;
    EL_TRY(el_json_int(cfg, file, "num_attention_heads", 1, 0, 1, MAX_DIM, &v));
    m->tf.cfg.n_heads = (int)v;
    EL_TRY(el_json_int(cfg, file, "intermediate_size", 1, 0, 1, 8L * MAX_DIM, &v));
    m->tf.cfg.mlp_dim = (int)v;
    EL_TRY(el_json_int(cfg, file, "image_size", 0, 224, 1, MAX_IMAGE, &v));
    m->image_size = (int)v;
    EL_TRY(el_json_int(cfg, file, "patch_size", 0, 16, 1, MAX_IMAGE, &v));
    m->patch_size = (int)v;
    EL_TRY(el_json_int(cfg, file, "num_channels", 0, 3, 1, 3, &v));
    if (v == 2) return el_fail(EL_ERR_UNSUPPORTED, "%s: num_channels 2 (1 or 3)", file);
    m->channels = (int)v;
    EL_TRY(el_json_double(cfg, file, "layer_norm_eps", 0, 1e-12, 0.0, 1.0, &eps));
    m->tf.cfg.norm.eps = (float)eps;
    int qb;
    EL_TRY(el_json_bool(cfg, file, "qkv_bias", 1, &qb));
    nm->qkv_bias = qb;
    const char *act = el_json_str(cfg, "hidden_act");
    if (act && strcmp(act, "gelu"))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: hidden_act \"%s\" (ViTs use exact \"gelu\")", file, act);
    char hname[48];
    snprintf(hname, sizeof hname, "%s.weight", nm->head);
    const el_st_tensor *head = el_st_find(set, hname);
    if (!head || head->ndim != 2)
        return el_fail(EL_ERR_FORMAT, "%s: missing 2-d tensor '%s' (no classification head)", dir, hname);
    m->n_classes = (int)head->shape[0];
    return EL_OK;
}

/* id2label (HF) or label_names (timm); "class_<k>" where neither names k. */
static el_status read_class_names(const cJSON *cfg, int n_classes, el_vit_meta *meta) {
    meta->class_names = calloc((size_t)n_classes, sizeof(char *));
    if (!meta->class_names) return el_fail(EL_ERR_NOMEM, "out of memory");
    if (!read_labels_object(cJSON_GetObjectItemCaseSensitive(cfg, "id2label"), n_classes, meta->class_names))
        read_labels_array(cJSON_GetObjectItemCaseSensitive(cfg, "label_names"), n_classes, meta->class_names);
    for (int k = 0; k < n_classes; k++)
        if (!meta->class_names[k]) {
            char buf[32];
            snprintf(buf, sizeof buf, "class_%d", k);
            if (!(meta->class_names[k] = strdup(buf))) return el_fail(EL_ERR_NOMEM, "out of memory");
        }
    return EL_OK;
}

/* DINOv2, BEiT, data2vec-vision: the family's own config reading. */
static el_status load_family(const char *dir, const char *file, const cJSON *cfg, const el_st_set *set, const el_vision_family *fam,
                             el_vit *m, el_vit_meta *meta) {
    const cJSON *archs = cJSON_GetObjectItemCaseSensitive(cfg, "architectures");
    const char *arch = cJSON_IsArray(archs) && cJSON_IsString(cJSON_GetArrayItem(archs, 0))
                           ? cJSON_GetArrayItem(archs, 0)->valuestring : fam->arch;
    if (strcmp(arch, fam->arch))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: architecture %s (%s has the classifier the lens needs)", file, arch,
                       fam->arch);
    snprintf(meta->arch, sizeof meta->arch, "%s", arch);
    snprintf(meta->family, sizeof meta->family, "%s", fam->family);
    snprintf(meta->layout, sizeof meta->layout, "hf");
    return fam->parse(dir, file, cfg, set, m, meta);
}

el_status el_vit_load(const char *dir, el_vit *m, el_vit_meta *meta) {
    memset(m, 0, sizeof *m);
    memset(meta, 0, sizeof *meta);
    pathbuf pb;
    const char *file = join(&pb, dir, "config.json");
    char cfg_path[4096];
    snprintf(cfg_path, sizeof cfg_path, "%s", file);
    file = cfg_path;
    cJSON *cfg = NULL;
    el_st_set set;
    memset(&set, 0, sizeof set);
    names nm = {.prefix = "", .qkv_bias = 1};
    el_status st = el_json_load(file, &cfg);
    int timm = cfg && (cJSON_GetObjectItemCaseSensitive(cfg, "pretrained_cfg") ||
                       (el_json_str(cfg, "architecture") && !el_json_str(cfg, "model_type")));
    const char *type = cfg ? el_json_str(cfg, "model_type") : NULL;
    const el_vision_family *fam = timm || !cfg ? NULL : el_vision_family_find(type);
    /* An unknown model_type is refused by name before any weights are opened. */
    if (!st && !timm && !fam && type && strcmp(type, "vit") && strcmp(type, "deit"))
        st = el_fail(EL_ERR_UNSUPPORTED, "%s: model_type \"%s\" is not supported (%s)", file, type, el_model_families());
    if (!st) st = el_st_open(&set, dir);
    if (!st && fam) st = load_family(dir, file, cfg, &set, fam, m, meta);
    else if (!st) st = timm ? load_timm(dir, file, cfg, &set, m, meta, &nm) : load_hf(dir, file, cfg, &set, m, meta, &nm);
    if (!st && (m->tf.cfg.dim < 1 || m->tf.cfg.n_layers < 1 || m->tf.cfg.n_layers > MAX_LAYERS || m->tf.cfg.dim > MAX_DIM ||
                m->n_classes < 1 || m->n_classes > MAX_CLASSES || m->patch_size < 1 || m->image_size < 1 ||
                m->image_size > MAX_IMAGE || (m->channels != 1 && m->channels != 3)))
        st = el_fail(EL_ERR_CONFIG, "%s: sizes out of range (hidden %d, layers %d, classes %d, image %d, patch %d, channels %d)",
                     file, m->tf.cfg.dim, m->tf.cfg.n_layers, m->n_classes, m->image_size, m->patch_size, m->channels);
    if (!st) st = check_dims(m, file);
    if (!st && !timm && !fam) st = el_hf_preprocess_load(dir, m->channels, m->image_size, 1, &meta->preprocess);
    /* The config decides the arena size; refuse a config that promises more
     * parameters than the checkpoint holds before allocating anything. */
    size_t need = 0;
    if (!st) {
        uint64_t have = 0;
        for (int i = 0; i < set.n_tensors; i++) have += set.tensors[i].n_elems;
        need = fam ? (size_t)have + el_vision_family_extra_floats(m) : arena_floats(m);
        if (need > have + (fam ? el_vision_family_extra_floats(m) : 0) + 3ull * m->tf.cfg.dim * m->tf.cfg.n_layers + 16)
            st = el_fail(EL_ERR_FORMAT, "%s: config implies %zu parameters but the checkpoint holds %llu", file, need,
                         (unsigned long long)have);
    }
    if (!st) {
        m->tf.layers = calloc((size_t)m->tf.cfg.n_layers, sizeof(el_block_weights));
        if (!m->tf.layers) st = el_fail(EL_ERR_NOMEM, "%s: out of memory", dir);
    }
    if (!st) {
        el_param_reader r;
        st = el_param_reader_init(&r, &set, need, dir);
        if (!st) st = fam ? fam->read(&r, m, fam->prefix) : read_weights(&r, m, &nm);
        if (!st) el_transformer_bind_lens(&m->tf, m->n_classes);
        if (!st) st = el_check_leftovers(&r, dir, ignorable);
        m->n_params = r.n_params;
        if (st) el_param_reader_abort(&r);
        else m->arena = el_param_reader_finish(&r);
        if (!st) {
            snprintf(meta->dtype, sizeof meta->dtype, "%s", el_st_dtype_summary(&set));
            meta->n_shards = set.n_files;
        }
        /* Weights used in place keep the mapping alive as long as the model. */
        if (!st && r.mapped) {
            if (!(m->mapping = el_st_keep(&set))) st = el_fail(EL_ERR_NOMEM, "out of memory");
            else m->mapping_free = el_st_release;
        }
    }
    if (!st) st = read_class_names(cfg, m->n_classes, meta);
    cJSON_Delete(cfg);
    el_st_close(&set);
    if (st) {
        el_vit_meta_free(meta, m->n_classes);
        el_vit_free(m);
    }
    return st;
}

void el_vit_meta_free(el_vit_meta *meta, int n_classes) {
    if (meta->class_names)
        for (int k = 0; k < n_classes; k++) free(meta->class_names[k]);
    free(meta->class_names);
    meta->class_names = NULL;
}
