/* Public model API, the parts common to both front ends: parameters,
 * loading, info, class names, states, and the modality check. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/status.h"
#include "base/buffer.h"
#include "model/model_internal.h"
#include "nn/kernels.h"
#include "weights/hf_cache.h"

el_model_params el_model_default_params(void) {
    el_model_params p = {.tokenizer = NULL};
    return p;
}

el_state_params el_state_default_params(void) {
    el_state_params p = {.n_threads = 0};
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

/* ---------------------------------------------------------------- models */

el_status el_model_load(const char *path, const el_model_params *params, el_model **out) {
    *out = NULL;
    el_model_params defaults = el_model_default_params();
    if (!params) params = &defaults;
    el_model *m = calloc(1, sizeof *m);
    if (!m) return el_fail(EL_ERR_NOMEM, "out of memory");
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
    m->info.name = m->name;
    el_status st = el_text_is_text_model(path) ? el_model_load_text(m, path, params) : el_model_load_vision(m, path, params);
    if (st) el_model_free(m);
    else *out = m;
    return st;
}

void el_model_free(el_model *m) {
    if (!m) return;
    el_model_free_text(m);
    el_model_free_vision(m);
    free(m);
}

void el_model_get_info(const el_model *m, el_model_info *info) { *info = m->info; }

el_status el_model_expect(const el_model *m, el_front_kind kind) {
    if (kind == EL_FRONT_VISION && !m->vision)
        return el_fail(EL_ERR_ARG, "%s is a language model: use el_text_generate", m->name);
    if (kind == EL_FRONT_TEXT && !m->text)
        return el_fail(EL_ERR_ARG, "%s is an image model: use el_model_profile", m->name);
    return EL_OK;
}

/* The lens's output names: class labels, or token pieces. */
const char *el_model_class_name(const el_model *m, int k) {
    if (m->text) return el_model_token_name(m, k);
    if (k < 0 || k >= m->vision->vit.n_classes) return "";
    return m->vision->meta.class_names[k];
}

int el_model_class_index(const el_model *m, const char *name) {
    if (!m->vision) return -1;
    const el_vision_front *v = m->vision;
    for (int k = 0; k < v->vit.n_classes; k++)
        if (!strcmp(v->meta.class_names[k], name)) return k;
    for (int k = 0; k < v->vit.n_classes; k++)
        if (!strcasecmp(v->meta.class_names[k], name)) return k;
    return -1;
}

/* ---------------------------------------------------------------- states */

el_status el_state_new(const el_model *m, const el_state_params *params, el_state **out) {
    *out = NULL;
    el_state_params defaults = el_state_default_params();
    if (!params) params = &defaults;
    if (params->n_threads < 0) return el_fail(EL_ERR_ARG, "n_threads %d: use 0 (all cores) or a positive count", params->n_threads);
    el_state *s = calloc(1, sizeof *s);
    if (!s) return el_fail(EL_ERR_NOMEM, "out of memory");
    s->model = m;
    s->n_threads = params->n_threads;
    *out = s;
    return EL_OK;
}

void el_state_free(el_state *s) {
    if (!s) return;
    el_block_work_free(&s->blocks);
    EL_BUF_FREE_ALL(&s->cols, &s->rows, &s->rows2, &s->pooled, &s->head_rows, &s->row_entropy, &s->logits);
    el_lens_work_free(&s->lens_work);
    free(s->louts);
    free(s);
}

/* omp_set_num_threads sets the calling thread's own count, and the OpenMP
 * build of OpenBLAS follows it on every call: two states on two threads
 * each run with their own. */
void el_state_enter(el_state *s) { el_set_threads(s->n_threads); }

el_lens_out *el_state_lens_outs(el_state *s, size_t n) {
    if (n > s->louts_cap) {
        el_lens_out *p = realloc(s->louts, n * sizeof *p);
        if (!p) return NULL;
        s->louts = p;
        s->louts_cap = n;
    }
    return s->louts;
}

void el_info_set_common(el_model_info *I, const char *const names[4], int n_shards, size_t n_params,
                        const el_transformer *tf) {
    const el_block_config *c = &tf->cfg;
    I->arch = names[0], I->family = names[1], I->layout = names[2], I->dtype = names[3];
    I->n_shards = n_shards;
    I->n_params = n_params;
    I->n_layers = c->n_layers;
    I->hidden = c->dim;
    I->n_heads = c->n_heads;
    I->n_kv_heads = c->n_kv_heads;
    I->mlp_dim = c->mlp_dim;
    I->ln_eps = c->norm.eps;
    I->norm = c->norm.kind == EL_NORM_LAYER ? "LayerNorm" : "RMSNorm";
    I->act = el_act_name(c->act);
}
