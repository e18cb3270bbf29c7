/* Image models through the public API: loading the vision front end and the
 * profile pass (the encoder over a batch of images, the lens on the kept
 * classification rows of every layer and, when asked, on every token). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "base/buffer.h"
#include "model/attn_pool.h"
#include "model/model_internal.h"
#include "model/zs_head.h"

el_status el_model_load_vision(el_model *m, const char *path, const el_model_params *params) {
    el_vision_front *f = calloc(1, sizeof *f);
    if (!f) return el_fail(EL_ERR_NOMEM, "out of memory");
    el_status st = el_vit_load(path, &f->vit, &f->meta);
    if (!st && f->vit.zs) {
        const el_zs_options zo = {params->classes, params->templates, params->class_cache};
        st = el_zs_head_build(&f->vit, &f->meta, path, &zo);
        if (st) {
            el_vit_meta_free(&f->meta, f->vit.n_classes);
            el_vit_free(&f->vit);
        }
    }
    if (st) {
        free(f);
        return st;
    }
    m->vision = f;
    m->tf = &f->vit.tf;
    const el_vit *v = &f->vit;
    el_model_info *I = &m->info;
    const char *const names[4] = {f->meta.arch, f->meta.family, f->meta.layout, f->meta.dtype};
    el_info_set_common(I, names, f->meta.n_shards, v->n_params, &v->tf);
    I->image_size = v->image_size;
    I->patch_size = v->patch_size;
    I->channels = v->channels;
    I->n_classes = v->n_classes;
    I->n_prefix = v->n_prefix;
    I->n_patches = v->n_patches;
    I->preprocess = f->meta.preprocess;
    I->zero_shot = v->zs != NULL;
    I->zs_from_cache = v->zs && v->zs->from_cache;
    return EL_OK;
}

void el_model_free_vision(el_model *m) {
    if (!m->vision) return;
    el_vit_meta_free(&m->vision->meta, m->vision->vit.n_classes);
    el_vit_free(&m->vision->vit);
    free(m->vision);
    m->vision = NULL;
}

el_status el_profile_init(el_profile *p, const el_model *m, const el_lens_params *lp) {
    memset(p, 0, sizeof *p);
    EL_TRY(el_lens_params_check(lp));
    EL_TRY(el_model_expect(m, EL_FRONT_VISION));
    const el_vit *v = &m->vision->vit;
    const int L = v->tf.cfg.n_layers, P = v->n_patches;
    p->n_depth = L + (lp->include_embeddings ? 1 : 0);
    p->first_layer = lp->include_embeddings ? 0 : 1;
    p->n_patches = P;
    p->n_alpha = lp->n_alpha;
    p->n_classes = v->n_classes;
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
    EL_FREE_ALL(p->entropy, p->entropy_mean, p->patch_entropy, p->renyi, p->logits);
    memset(p, 0, sizeof *p);
}

/* Patch entropies and their mean from the every-row lens entropies the
 * forward pass left in row_entropy ([L + 1][n][T], nats). */
static void patch_results(const el_vit *v, const el_lens_params *lp, const double *row_entropy, int n, el_profile *out) {
    const int L = v->tf.cfg.n_layers, T = v->n_tokens, P = v->n_patches, first = lp->include_embeddings ? 0 : 1;
    const el_units u = lp->units;
    for (int layer = first; layer <= L; layer++) {
        const int depth = layer - first;
        for (int b = 0; b < n; b++) {
            el_profile *p = &out[b];
            const double *e = row_entropy + ((size_t)layer * n + b) * T + v->n_prefix;
            double sum = 0.0;
            for (int i = 0; i < P; i++) {
                sum += e[i];
                if (p->patch_entropy)
                    p->patch_entropy[(size_t)depth * P + i] = (float)el_entropy_units(e[i], u, v->n_classes);
            }
            if (p->entropy_mean) p->entropy_mean[depth] = (float)el_entropy_units(sum / P, u, v->n_classes);
        }
    }
}


static el_status check_profiles(const el_vit *v, const el_lens_params *lp, int n, const el_profile *out) {
    const int L = v->tf.cfg.n_layers;
    for (int i = 0; i < n; i++)
        if (out[i].n_depth != L + (lp->include_embeddings ? 1 : 0) || out[i].n_alpha != lp->n_alpha ||
            (lp->keep_logits && !out[i].logits) || ((lp->tokens & EL_TOKENS_PATCHES) && !out[i].patch_entropy) ||
            ((lp->tokens & EL_TOKENS_MEAN) && !out[i].entropy_mean))
            return el_fail(EL_ERR_ARG, "profile %d was not made by el_profile_init with these lens parameters", i);
    return EL_OK;
}

/* The encoder pass: the classification rows of every layer kept in the
 * state (rows, rows2 for the distillation token), and the every-token lens
 * folded into the profiles when the lens parameters ask for it. */
static el_status forward(el_state *s, const el_vit *v, const float *pixels, int n, const el_lens_params *lp,
                         el_profile *out, el_encoder_taps *taps) {
    const int L = v->tf.cfg.n_layers, D = v->tf.cfg.dim;
    const size_t all_rows = (size_t)(L + 1) * n, token_rows = (size_t)n * v->n_tokens;
    const int per_token = (lp->tokens & (EL_TOKENS_PATCHES | EL_TOKENS_MEAN)) != 0;
    memset(taps, 0, sizeof *taps);
    taps->n_keep = v->distilled ? 2 : 1;
    taps->lens_from = per_token ? (lp->include_embeddings ? 0 : 1) : L + 1;
    taps->lens_work = &s->lens_work;
    taps->keep[0] = el_buf_get(&s->rows, all_rows * D);
    taps->keep[1] = v->distilled ? el_buf_get(&s->rows2, all_rows * D) : NULL;
    /* doubles in a float buffer: two floats each */
    taps->row_entropy = per_token ? (double *)el_buf_get(&s->row_entropy, 2 * (L + 1) * token_rows) : NULL;
    taps->lens_out = per_token ? el_state_lens_outs(s, token_rows) : NULL;
    if (v->head != EL_HEAD_CLS) {
        taps->pool_from = v->n_prefix;
        taps->pool_normed = v->head == EL_HEAD_CLS_MEAN;
        taps->pooled = el_buf_get(&s->pooled, all_rows * D + 4 * (size_t)D);
        taps->pool_tmp = taps->pooled ? taps->pooled + all_rows * D + (all_rows * D % 2) : NULL;
    }
    if (v->head == EL_HEAD_ATTN_POOL) {
        const el_attn_pool *ap = el_zs_attn_pool(v->zs);
        const size_t T = (size_t)v->n_tokens;
        taps->attn_pool = ap;
        taps->attn_pool_work = el_buf_get(&s->head_rows, T * D + el_attn_pool_work_floats(ap, (int)T));
        if (!taps->attn_pool_work) return el_fail(EL_ERR_NOMEM, "out of memory for a batch of %d", n);
    }
    if (!taps->keep[0] || (v->distilled && !taps->keep[1]) || (per_token && (!taps->row_entropy || !taps->lens_out)) ||
        (v->head != EL_HEAD_CLS && !taps->pooled))
        return el_fail(EL_ERR_NOMEM, "out of memory for a batch of %d", n);
    if (el_vit_forward(v, pixels, n, &s->blocks, &s->cols, taps))
        return el_fail(EL_ERR_NOMEM, "out of memory in the forward pass (batch of %d)", n);
    if (per_token) patch_results(v, lp, taps->row_entropy, n, out);
    return EL_OK;
}

/* One image's classification-token results from the lens outputs o
 * ([depth][n], image b). */
static void cls_result(const el_lens_out *o, int depth, int first, int n, int b, int K, const el_lens_params *lp,
                       const float *logits, el_profile *p) {
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

/* The rows the classification lens reads for layers first.. and the lens:
 * the kept class token, the pooled patch mean (BEiT), or [norm(CLS) |
 * mean of norm(patches)] through the DINOv2 head. NULL when out of memory. */
static const float *head_rows(el_state *s, const el_vit *v, const el_encoder_taps *taps, int first, size_t rows,
                              const el_lens **lens, int *width) {
    const int D = v->tf.cfg.dim;
    const size_t off = (size_t)first * (rows / (size_t)(v->tf.cfg.n_layers + 1 - first)) * D;
    *lens = &v->tf.lens;
    *width = D;
    if (v->head == EL_HEAD_CLS) return taps->keep[0] + off;
    if (v->head == EL_HEAD_MEAN) return taps->pooled + off;
    if (v->head == EL_HEAD_ATTN_POOL) {
        *lens = &v->cls_lens;
        return taps->pooled + off;
    }
    float *hr = el_buf_get(&s->head_rows, rows * 2 * D);
    if (!hr) return NULL;
    for (size_t r = 0; r < rows; r++) {
        el_norm(&v->tf.lens.norm, hr + r * 2 * D, taps->keep[0] + off + r * D, v->tf.lens.norm_w, v->tf.lens.norm_b, 1, D);
        memcpy(hr + r * 2 * D + D, taps->pooled + off + r * D, sizeof(float) * D);
    }
    *lens = &v->cls_lens;
    *width = 2 * D;
    return hr;
}

el_status el_model_profile(el_state *s, const float *pixels, int n, const el_lens_params *lp, el_profile *out) {
    const el_model *m = s->model;
    EL_TRY(el_lens_params_check(lp));
    EL_TRY(el_model_expect(m, EL_FRONT_VISION));
    const el_vit *v = &m->vision->vit;
    const int L = v->tf.cfg.n_layers, D = v->tf.cfg.dim, K = v->n_classes;
    if (n <= 0) return EL_OK;
    EL_TRY(check_profiles(v, lp, n, out));
    el_state_enter(s);
    el_encoder_taps taps;
    EL_TRY(forward(s, v, pixels, n, lp, out, &taps));
    /* One lens pass over the classification rows of every reported layer. */
    const int first = lp->include_embeddings ? 0 : 1, depth = L + 1 - first;
    const size_t rows = (size_t)depth * n;
    el_lens_out *o = el_state_lens_outs(s, rows);
    float *logits = lp->keep_logits ? el_buf_get(&s->logits, (size_t)n * K) : NULL;
    if (!o || (lp->keep_logits && !logits)) return el_fail(EL_ERR_NOMEM, "out of memory for the lens");
    const el_lens *lens;
    int width;
    const float *r1 = head_rows(s, v, &taps, first, rows, &lens, &width);
    const float *r2 = taps.keep[1] ? taps.keep[1] + (size_t)first * n * D : NULL;
    if (!r1 || el_lens_apply(lens, r1, r2, (int)rows, width, lp->alpha, lp->n_alpha, o, logits, (int)(rows - n),
                             &s->lens_work))
        return el_fail(EL_ERR_NOMEM, "out of memory for the lens");
    for (int b = 0; b < n; b++) cls_result(o, depth, first, n, b, K, lp, logits, &out[b]);
    return EL_OK;
}
