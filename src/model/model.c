/* Public model API: loading, info, and the profile pass that joins the ViT
 * forward pass to the lens through the per-layer hook. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "nn/kernels.h"
#include "base/status.h"
#include "model/model_internal.h"
#include "weights/hf_cache.h"

el_model_params el_model_default_params(void) {
    el_model_params p = {.n_threads = 0};
    return p;
}

el_lens_params el_lens_default_params(void) {
    el_lens_params p;
    memset(&p, 0, sizeof p);
    p.tokens = EL_TOKENS_CLS;
    p.units = EL_UNITS_NATS;
    return p;
}

el_status el_lens_params_check(const el_lens_params *lp) {
    if (lp->n_alpha < 0 || lp->n_alpha > EL_MAX_ALPHA)
        return el_fail(EL_ERR_ARG, "at most %d Renyi orders", EL_MAX_ALPHA);
    for (int i = 0; i < lp->n_alpha; i++) {
        double a = lp->alpha[i];
        if (isnan(a) || a < 0.0 || a == 1.0)
            return el_fail(EL_ERR_ARG, "Renyi order %g: use 0, inf, or a positive number other than 1 (1 is Shannon)", a);
    }
    if (lp->tokens & ~(EL_TOKENS_CLS | EL_TOKENS_PATCHES | EL_TOKENS_MEAN))
        return el_fail(EL_ERR_ARG, "unknown token selection");
    if (lp->units != EL_UNITS_NATS && lp->units != EL_UNITS_BITS && lp->units != EL_UNITS_NORMALIZED)
        return el_fail(EL_ERR_ARG, "unknown units");
    return EL_OK;
}

double el_entropy_units(double nats, el_units units, int n_classes) {
    switch (units) {
    case EL_UNITS_BITS: return nats / M_LN2;
    case EL_UNITS_NORMALIZED: return n_classes > 1 ? nats / log((double)n_classes) : 0.0;
    default: return nats;
    }
}

/* ---------------------------------------------------------------- loading */

el_status el_model_load(const char *path, const el_model_params *params, el_model **out) {
    *out = NULL;
    el_model_params defaults = el_model_default_params();
    if (!params) params = &defaults;
    el_model *m = calloc(1, sizeof *m);
    if (!m) return el_fail(EL_ERR_NOMEM, "out of memory");
    el_set_threads(params->n_threads);
    /* "org/name" that is not a local path: the Hugging Face cache's snapshot,
     * and the model is called by its hub id, not the snapshot hash. */
    char snapshot[4096];
    if (el_hf_is_repo_id(path) && access(path, F_OK) != 0) {
        el_status st = el_hf_cache_resolve(path, snapshot, sizeof snapshot);
        if (st) {
            free(m);
            return st;
        }
        snprintf(m->name, sizeof m->name, "%.*s", (int)strcspn(path, "@"), path);
        path = snapshot;
    } else {
        size_t len = strlen(path);
        while (len > 1 && path[len - 1] == '/') len--; /* "dir/" names dir */
        char trimmed[256];
        snprintf(trimmed, sizeof trimmed, "%.*s", (int)(len < 255 ? len : 255), path);
        const char *base = strrchr(trimmed, '/');
        snprintf(m->name, sizeof m->name, "%s", base ? base + 1 : trimmed);
    }
    if (el_text_is_text_model(path)) {
        el_status st = el_model_load_text(m, path, params);
        if (st) free(m);
        else *out = m;
        return st;
    }
    el_status st = el_vit_load(path, &m->vit, &m->meta);
    if (st) {
        free(m);
        return st;
    }

    const el_vit *v = &m->vit;
    el_model_info *I = &m->info;
    I->name = m->name;
    I->arch = m->meta.arch;
    I->family = m->meta.family;
    I->layout = m->meta.layout;
    I->dtype = m->meta.dtype;
    I->n_layers = v->n_layers;
    I->hidden = v->dim;
    I->n_heads = v->n_heads;
    I->mlp_dim = v->mlp_dim;
    I->image_size = v->image_size;
    I->patch_size = v->patch_size;
    I->channels = v->channels;
    I->n_classes = v->n_classes;
    I->n_prefix = v->n_prefix;
    I->n_patches = v->n_patches;
    I->ln_eps = v->eps;
    I->n_params = v->n_params;
    I->n_shards = m->meta.n_shards;
    I->preprocess = m->meta.preprocess;
    I->norm = "LayerNorm";

    m->lens = (el_lens){.dim = v->dim, .n_out = v->n_classes, .norm = EL_NORM_LAYER, .norm_w = v->norm_w,
                        .norm_b = v->norm_b, .eps = v->eps, .head_w = v->head_w, .head_b = v->head_b,
                        .head2_w = v->head2_w, .head2_b = v->head2_b};
    *out = m;
    return EL_OK;
}

void el_model_free(el_model *m) {
    if (!m) return;
    el_model_free_text(m);
    el_vit_work_free(&m->work);
    el_lens_work_free(&m->lens_work);
    el_buf_free(&m->cls_rows);
    el_buf_free(&m->dist_rows);
    el_buf_free(&m->logits);
    free(m->louts);
    el_vit_meta_free(&m->meta, m->vit.n_classes);
    el_vit_free(&m->vit);
    free(m);
}

void el_model_get_info(const el_model *m, el_model_info *info) { *info = m->info; }

const char *el_model_class_name(const el_model *m, int k) {
    if (m->is_text) return el_model_token_name(m, k);
    if (k < 0 || k >= m->vit.n_classes) return "";
    return m->meta.class_names[k];
}

int el_model_class_index(const el_model *m, const char *name) {
    if (m->is_text) return -1;
    for (int k = 0; k < m->vit.n_classes; k++)
        if (!strcmp(m->meta.class_names[k], name)) return k;
    for (int k = 0; k < m->vit.n_classes; k++)
        if (!strcasecmp(m->meta.class_names[k], name)) return k;
    return -1;
}

/* ---------------------------------------------------------------- profiles */

el_status el_profile_init(el_profile *p, const el_model *m, const el_lens_params *lp) {
    memset(p, 0, sizeof *p);
    EL_TRY(el_lens_params_check(lp));
    if (m->is_text) return el_fail(EL_ERR_ARG, "%s is a language model: use el_text_generate", m->name);
    const int L = m->vit.n_layers, P = m->vit.n_patches;
    p->n_depth = L + (lp->include_embeddings ? 1 : 0);
    p->first_layer = lp->include_embeddings ? 0 : 1;
    p->n_patches = P;
    p->n_alpha = lp->n_alpha;
    p->n_classes = m->vit.n_classes;
    p->overflow_layer = -1;
    int ok = (p->entropy = calloc((size_t)p->n_depth, sizeof(float))) != NULL;
    if (lp->tokens & EL_TOKENS_MEAN) ok &= (p->entropy_mean = calloc((size_t)p->n_depth, sizeof(float))) != NULL;
    if (lp->tokens & EL_TOKENS_PATCHES)
        ok &= (p->patch_entropy = calloc((size_t)p->n_depth * P, sizeof(float))) != NULL;
    if (lp->n_alpha) ok &= (p->renyi = calloc((size_t)p->n_depth * lp->n_alpha, sizeof(float))) != NULL;
    if (lp->keep_logits) ok &= (p->logits = calloc((size_t)p->n_classes, sizeof(float))) != NULL;
    if (!ok) {
        el_profile_free(p);
        return el_fail(EL_ERR_NOMEM, "out of memory for a profile");
    }
    return EL_OK;
}

void el_profile_free(el_profile *p) {
    free(p->entropy);
    free(p->entropy_mean);
    free(p->patch_entropy);
    free(p->renyi);
    free(p->logits);
    memset(p, 0, sizeof *p);
}

typedef struct {
    el_model *m;
    const el_lens_params *lp;
    el_profile *out;
    int n;
    float *cls, *dist;
} profile_ctx;

static el_lens_out *lens_outs(el_model *m, size_t n) {
    if (n > m->louts_cap) {
        el_lens_out *p = realloc(m->louts, n * sizeof *p);
        if (!p) return NULL;
        m->louts = p;
        m->louts_cap = n;
    }
    return m->louts;
}

/* After each layer: keep the classification rows for one lens GEMM over all
 * layers at the end; run the per-token lens now, while x holds this layer. */
static int profile_hook(void *vctx, int layer, const float *x, int batch) {
    profile_ctx *c = vctx;
    el_model *m = c->m;
    const el_vit *v = &m->vit;
    const int D = v->dim, T = v->n_tokens, P = v->n_patches;
    for (int b = 0; b < batch; b++) {
        memcpy(c->cls + ((size_t)layer * batch + b) * D, x + (size_t)b * T * D, sizeof(float) * D);
        if (c->dist) memcpy(c->dist + ((size_t)layer * batch + b) * D, x + ((size_t)b * T + 1) * D, sizeof(float) * D);
    }
    const int depth = layer - (c->lp->include_embeddings ? 0 : 1);
    if (depth < 0 || !(c->lp->tokens & (EL_TOKENS_PATCHES | EL_TOKENS_MEAN))) return 0;
    const size_t rows = (size_t)batch * T;
    el_lens_out *o = lens_outs(m, rows);
    if (!o || el_lens_apply(&m->lens, x, NULL, (int)rows, D, NULL, 0, o, NULL, 0, &m->lens_work)) return -1;
    const el_units u = c->lp->units;
    for (int b = 0; b < batch; b++) {
        el_profile *p = &c->out[b];
        double sum = 0.0;
        for (int i = 0; i < P; i++) {
            double e = o[(size_t)b * T + v->n_prefix + i].entropy;
            sum += e;
            if (p->patch_entropy) p->patch_entropy[(size_t)depth * P + i] = (float)el_entropy_units(e, u, v->n_classes);
        }
        if (p->entropy_mean) p->entropy_mean[depth] = (float)el_entropy_units(sum / P, u, v->n_classes);
    }
    return 0;
}

el_status el_model_profile(el_model *m, const float *pixels, int n, const el_lens_params *lp, el_profile *out) {
    EL_TRY(el_lens_params_check(lp));
    if (m->is_text) return el_fail(EL_ERR_ARG, "%s is a language model: use el_text_generate", m->name);
    const el_vit *v = &m->vit;
    const int L = v->n_layers, D = v->dim, K = v->n_classes;
    if (n <= 0) return EL_OK;
    for (int i = 0; i < n; i++)
        if (out[i].n_depth != L + (lp->include_embeddings ? 1 : 0) || out[i].n_alpha != lp->n_alpha ||
            (lp->keep_logits && !out[i].logits) || ((lp->tokens & EL_TOKENS_PATCHES) && !out[i].patch_entropy) ||
            ((lp->tokens & EL_TOKENS_MEAN) && !out[i].entropy_mean))
            return el_fail(EL_ERR_ARG, "profile %d was not made by el_profile_init with these lens parameters", i);
    const size_t all_rows = (size_t)(L + 1) * n;
    profile_ctx c = {.m = m, .lp = lp, .out = out, .n = n};
    c.cls = el_buf_get(&m->cls_rows, all_rows * D);
    c.dist = v->distilled ? el_buf_get(&m->dist_rows, all_rows * D) : NULL;
    if (!c.cls || (v->distilled && !c.dist)) return el_fail(EL_ERR_NOMEM, "out of memory for a batch of %d", n);
    if (el_vit_forward(v, pixels, n, &m->work, profile_hook, &c))
        return el_fail(EL_ERR_NOMEM, "out of memory in the forward pass (batch of %d)", n);

    /* One lens pass over the classification rows of every reported layer. */
    const int first = lp->include_embeddings ? 0 : 1;
    const size_t rows = (size_t)(L + 1 - first) * n;
    el_lens_out *o = lens_outs(m, rows);
    float *logits = lp->keep_logits ? el_buf_get(&m->logits, (size_t)n * K) : NULL;
    if (!o || (lp->keep_logits && !logits)) return el_fail(EL_ERR_NOMEM, "out of memory for the lens");
    const float *r1 = c.cls + (size_t)first * n * D, *r2 = c.dist ? c.dist + (size_t)first * n * D : NULL;
    if (el_lens_apply(&m->lens, r1, r2, (int)rows, D, lp->alpha, lp->n_alpha, o, logits, (int)(rows - n),
                      &m->lens_work))
        return el_fail(EL_ERR_NOMEM, "out of memory for the lens");
    const int depth = L + 1 - first;
    for (int b = 0; b < n; b++) {
        el_profile *p = &out[b];
        for (int d = 0; d < depth; d++) {
            const el_lens_out *r = &o[(size_t)d * n + b];
            p->entropy[d] = (float)el_entropy_units(r->entropy, lp->units, K);
            for (int a = 0; a < lp->n_alpha; a++)
                p->renyi[(size_t)a * depth + d] = (float)el_entropy_units(r->renyi[a], lp->units, K);
        }
        /* NaN/Inf from an overflowing forward pass (finite but huge weights)
         * never heals in later layers; report where it started. */
        p->overflow_layer = -1;
        for (int d = 0; d < depth && p->overflow_layer < 0; d++)
            if (!isfinite(o[(size_t)d * n + b].entropy) || o[(size_t)d * n + b].top1 < 0) p->overflow_layer = first + d;
        const el_lens_out *last = &o[(size_t)(depth - 1) * n + b];
        p->top1 = p->overflow_layer >= 0 ? -1 : last->top1;
        p->prob = (float)last->prob;
        if (logits) memcpy(p->logits, logits + (size_t)b * K, sizeof(float) * K);
    }
    return EL_OK;
}
