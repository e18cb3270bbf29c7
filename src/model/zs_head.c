/* The zero-shot head of CLIP / SigLIP: prompts from the class names and
 * templates, their text embeddings (or the cache's), and the lens heads. */
#include "model/zs_head.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/status.h"
#include "model/zeroshot.h"
#include "nn/kernels.h"
#include "tokenizer/spiece.h"
#include "tokenizer/tokenizer.h"
#include "weights/json_config.h"

/* id2label names that only number the outputs ("LABEL_0", HF's default). */
static int placeholder_label(const char *s) {
    return !strncmp(s, "LABEL_", 6) || !strncmp(s, "class_", 6);
}

/* The classes: the file's, else the config's id2label when it names at
 * least two real classes (0..n-1), else the one-line error. */
static el_status load_spec(const char *dir, const el_zs_options *o, el_zs_spec *spec) {
    if (o->classes) {
        EL_TRY(el_zs_spec_load(o->classes, o->templates, spec));
        if (spec->n_classes < 1) {
            el_zs_spec_free(spec);
            return el_fail(EL_ERR_FORMAT, "%s: no class names", o->classes);
        }
        return EL_OK;
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/config.json", dir);
    cJSON *cfg;
    EL_TRY(el_json_load(path, &cfg));
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(cfg, "id2label");
    const int n = cJSON_IsObject(labels) ? cJSON_GetArraySize(labels) : 0;
    char **names = n >= 2 ? calloc((size_t)n, sizeof(char *)) : NULL;
    int ok = names != NULL;
    for (const cJSON *it = ok ? labels->child : NULL; it; it = it->next) {
        char *end;
        long k = strtol(it->string, &end, 10);
        if (*end || k < 0 || k >= n || !cJSON_IsString(it) || placeholder_label(it->valuestring)) ok = 0;
        else names[k] = it->valuestring;
    }
    for (int k = 0; ok && k < n; k++) ok = names[k] != NULL;
    el_status st = ok ? el_zs_spec_names(names, n, o->templates, spec)
                      : el_fail(EL_ERR_ARG, "%s: zero-shot models need --classes FILE (one class name a line): "
                                            "config.json has no id2label class names", dir);
    free(names);
    cJSON_Delete(cfg);
    return st;
}

/* The model's identity in the cache: its resolved folder and the sizes and
 * times of its config and weights, so a changed checkpoint is never matched. */
static void model_identity(const char *dir, char *out, size_t cap) {
    char real[PATH_MAX], path[PATH_MAX + 64];
    if (!realpath(dir, real)) snprintf(real, sizeof real, "%s", dir);
    int len = snprintf(out, cap, "%s", real);
    static const char *files[] = {"config.json", "model.safetensors", "model.safetensors.index.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0] && len > 0 && (size_t)len < cap; i++) {
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", real, files[i]);
        if (!stat(path, &sb))
            len += snprintf(out + len, cap - (size_t)len, "|%s:%lld:%lld", files[i], (long long)sb.st_size,
                            (long long)sb.st_mtime);
    }
}

/* The token ids of every prompt, class-major. */
static el_status tokenize(const el_zs_towers *z, const char *dir, const el_zs_spec *s, int **ids, int *n_ids) {
    const int n = s->n_classes * s->n_templates, max_len = z->text.n_pos;
    char path[PATH_MAX];
    el_tokenizer *tok = NULL;
    el_spiece *sp = NULL;
    el_status st;
    if (z->siglip) {
        snprintf(path, sizeof path, "%s/spiece.model", dir);
        st = el_spiece_load(path, &sp);
    } else {
        st = el_tokenizer_load_path(dir, &tok);
    }
    for (int i = 0; i < n && !st; i++) {
        char *p = el_zs_prompt(s, i / s->n_templates, i % s->n_templates);
        if (!p) st = el_fail(EL_ERR_NOMEM, "out of memory");
        else if (sp && !(ids[i] = malloc(sizeof(int) * (size_t)max_len))) st = el_fail(EL_ERR_NOMEM, "out of memory");
        else if (sp && !(st = el_spiece_encode_siglip(sp, p, max_len, ids[i]))) n_ids[i] = max_len;
        else if (tok) st = el_tokenizer_encode_n(tok, p, strlen(p), EL_BOS_AUTO, &ids[i], &n_ids[i]);
        if (!st && n_ids[i] > max_len) { /* CLIP: cut to the context keeping the end token (clip.tokenize(truncate=True)) */
            ids[i][max_len - 1] = ids[i][n_ids[i] - 1];
            n_ids[i] = max_len;
        }
        free(p);
    }
    el_tokenizer_free(tok);
    el_spiece_free(sp);
    return st;
}

/* emb[K][P]: per class, the mean of its templates' normalised embeddings,
 * normalised again. */
static el_status class_embeddings(const el_zs_towers *z, const char *dir, const el_zs_spec *s, float *emb) {
    const int n = s->n_classes * s->n_templates, P = z->proj_dim;
    int **ids = calloc((size_t)n, sizeof(int *)), *n_ids = calloc((size_t)n, sizeof(int));
    float *e = malloc(sizeof(float) * (size_t)n * P);
    el_status st = ids && n_ids && e ? tokenize(z, dir, s, ids, n_ids) : el_fail(EL_ERR_NOMEM, "out of memory");
    if (!st) st = el_zs_text_embed(&z->text, P, ids, n_ids, n, e);
    for (int c = 0; c < s->n_classes && !st; c++) {
        float *out = emb + (size_t)c * P;
        for (int j = 0; j < P; j++) {
            double sum = 0.0;
            for (int t = 0; t < s->n_templates; t++) sum += e[((size_t)c * s->n_templates + t) * P + j];
            out[j] = (float)(sum / s->n_templates);
        }
        el_l2_normalize_rows(out, 1, P);
    }
    for (int i = 0; ids && i < n; i++) free(ids[i]);
    free(ids);
    free(n_ids);
    free(e);
    return st;
}

/* head = emb * exp(logit_scale), bias = logit_bias; the lens heads read them. */
static el_status set_heads(el_vit *v, el_zs_towers *z, int K) {
    const int P = z->proj_dim;
    const float scale = expf(z->logit_scale);
    if (!(z->head = malloc(sizeof(float) * (size_t)K * P)) || !(z->head_b = malloc(sizeof(float) * (size_t)K)))
        return el_fail(EL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < (size_t)K * P; i++) z->head[i] = z->class_emb[i] * scale;
    for (int k = 0; k < K; k++) z->head_b[k] = z->logit_bias;
    v->n_classes = K;
    el_transformer_bind_lens(&v->tf, K);
    v->tf.lens.head = el_mat_f32(z->head, K, P);
    v->tf.lens.head_b = z->siglip ? z->head_b : NULL;
    v->tf.lens.l2 = 1;
    if (z->siglip) {
        v->tf.lens.row_pool = &z->pool;
        el_lens *cl = &v->cls_lens;
        memset(cl, 0, sizeof *cl);
        cl->dim = v->tf.cfg.dim;
        cl->n_out = K;
        cl->norm.kind = EL_NORM_NONE;
        cl->l2 = 1;
        cl->head = v->tf.lens.head;
        cl->head_b = z->head_b;
    }
    return EL_OK;
}

static el_status set_names(el_vit *v, el_vit_meta *meta, el_zs_spec *s) {
    el_vit_meta_free(meta, v->n_classes);
    meta->class_names = s->classes; /* taken over from the spec */
    s->classes = NULL;
    s->n_classes = 0;
    return EL_OK;
}

el_status el_zs_head_build(el_vit *v, el_vit_meta *meta, const char *dir, const el_zs_options *o) {
    el_zs_towers *z = v->zs;
    el_zs_spec spec;
    EL_TRY(load_spec(dir, o, &spec));
    const int K = spec.n_classes, P = z->proj_dim;
    char id[PATH_MAX + 512];
    model_identity(dir, id, sizeof id);
    el_status st = (z->class_emb = malloc(sizeof(float) * (size_t)K * P)) ? EL_OK : el_fail(EL_ERR_NOMEM, "out of memory");
    z->from_cache = !st && o->cache && el_zs_cache_read(o->cache, id, &spec, P, z->class_emb) == EL_OK;
    if (!st && !z->from_cache) {
        st = class_embeddings(z, dir, &spec, z->class_emb);
        if (!st && o->cache) st = el_zs_cache_write(o->cache, id, &spec, P, z->class_emb);
    }
    if (!st) st = set_names(v, meta, &spec); /* before n_classes changes: the old names are freed by their count */
    if (!st) st = set_heads(v, z, K);
    el_zs_spec_free(&spec);
    return st;
}
