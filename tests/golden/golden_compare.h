/* Comparing el_profile results with reference goldens (the JSON schema of
 * tools/reference/reference_vit.py and reference_vision_families.py):
 * shared by the golden tests of every image family. Functions are static
 * inline so that a test using only some of them still builds warning-free. */
#ifndef EL_GOLDEN_COMPARE_H
#define EL_GOLDEN_COMPARE_H

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy_lens.h"
#include "test_util.h"

static const double k_alpha[4] = {0.0, 0.5, 2.0, INFINITY};
static const char *k_alpha_key[4] = {"0", "0.5", "2", "inf"};

static inline float *read_f32(const char *path, size_t count) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    float *v = malloc(count * sizeof *v);
    unsigned char *raw = malloc(count * 4);
    size_t got = (v && raw) ? fread(raw, 4, count, f) : 0;
    fclose(f);
    if (got != count) {
        free(v);
        free(raw);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) { /* little-endian on any host */
        uint32_t u = (uint32_t)raw[4 * i] | (uint32_t)raw[4 * i + 1] << 8 |
                     (uint32_t)raw[4 * i + 2] << 16 | (uint32_t)raw[4 * i + 3] << 24;
        memcpy(&v[i], &u, 4);
    }
    free(raw);
    return v;
}

static inline const cJSON *jget(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static inline double jnum(const cJSON *o, const char *key) {
    const cJSON *v = jget(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static inline const char *jstr(const cJSON *o, const char *key) {
    const cJSON *v = jget(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* got[i * stride] vs expected JSON array arr[0..n): one check, reporting the
 * worst element. */
static inline void compare_array(const char *ctx, const char *what, const float *got, int stride,
                          const cJSON *arr, int n, double tol) {
    el_test_checks++;
    if (!got) {
        el_test_failures++;
        fprintf(stderr, "FAIL %s %s: engine returned NULL\n", ctx, what);
        return;
    }
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != n) {
        el_test_failures++;
        fprintf(stderr, "FAIL %s %s: golden has %d values, engine %d\n", ctx, what,
                cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1, n);
        return;
    }
    int worst = -1;
    double wd = 0;
    for (int i = 0; i < n; i++) {
        double e = cJSON_GetArrayItem(arr, i)->valuedouble;
        double d = fabs((double)got[(size_t)i * stride] - e);
        if (isnan(d)) { /* NaN is the worst there is */
            wd = d;
            worst = i;
            break;
        }
        if (worst < 0 || d > wd) {
            wd = d;
            worst = i;
        }
    }
    if (!(wd <= tol)) {
        el_test_failures++;
        fprintf(stderr, "FAIL %s %s[%d]: expected %.7g, got %.7g (|d| %.3g > %g)\n", ctx, what,
                worst, cJSON_GetArrayItem(arr, worst)->valuedouble,
                (double)got[(size_t)worst * stride], wd, tol);
    }
}

static inline el_lens_params full_params(void) {
    el_lens_params lp = el_lens_default_params();
    lp.tokens = EL_TOKENS_CLS | EL_TOKENS_PATCHES | EL_TOKENS_MEAN;
    lp.include_embeddings = 1;
    lp.n_alpha = 4;
    for (int i = 0; i < 4; i++) lp.alpha[i] = k_alpha[i];
    lp.units = EL_UNITS_NATS;
    lp.keep_logits = 1;
    return lp;
}

/* One profile against one golden image entry (all fields). */
static inline void compare_profile(const char *ctx, const el_profile *p, const cJSON *g, int n_layers,
                            int n_patches, int n_classes, double tol) {
    int nd = n_layers + 1;
    CHECK_MSG(p->n_depth == nd, "%s: n_depth %d, expected %d", ctx, p->n_depth, nd);
    CHECK_MSG(p->first_layer == 0, "%s: first_layer %d", ctx, p->first_layer);
    CHECK_MSG(p->n_patches == n_patches, "%s: n_patches %d, expected %d", ctx, p->n_patches, n_patches);
    CHECK_MSG(p->n_classes == n_classes, "%s: n_classes %d, expected %d", ctx, p->n_classes, n_classes);
    if (p->n_depth != nd || p->n_patches != n_patches || p->n_classes != n_classes) return;
    int top1 = (int)jnum(g, "top1");
    CHECK_MSG(p->top1 == top1, "%s: top1 %d, expected %d", ctx, p->top1, top1);
    CHECK_MSG(fabs(p->prob - jnum(g, "prob")) <= tol, "%s: prob %.7g, expected %.7g", ctx,
              (double)p->prob, jnum(g, "prob"));
    compare_array(ctx, "logits", p->logits, 1, jget(g, "logits"), n_classes, tol);
    compare_array(ctx, "entropy", p->entropy, 1, jget(g, "entropy"), nd, tol);
    compare_array(ctx, "entropy_mean", p->entropy_mean, 1, jget(g, "entropy_mean"), nd, tol);
    const cJSON *pe = jget(g, "patch_entropy");
    CHECK_MSG(cJSON_GetArraySize(pe) == nd, "%s: golden patch_entropy rows", ctx);
    for (int l = 0; l < nd && l < cJSON_GetArraySize(pe); l++) {
        char what[64];
        snprintf(what, sizeof what, "patch_entropy[layer %d]", l);
        compare_array(ctx, what, p->patch_entropy ? p->patch_entropy + (size_t)l * n_patches : NULL, 1,
                      cJSON_GetArrayItem(pe, l), n_patches, tol);
    }
    CHECK_MSG(p->n_alpha == 4, "%s: n_alpha %d", ctx, p->n_alpha);
    for (int a = 0; a < 4 && a < p->n_alpha; a++) {
        char what[64];
        snprintf(what, sizeof what, "renyi[alpha %s]", k_alpha_key[a]);
        compare_array(ctx, what, p->renyi ? p->renyi + (size_t)a * nd : NULL, 1,
                      jget(jget(g, "renyi"), k_alpha_key[a]), nd, tol);
    }
}

#endif
