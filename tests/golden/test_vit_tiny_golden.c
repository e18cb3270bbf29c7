/* Tiny seeded ViT/DeiT checkpoints (tests/fixtures/tiny, made by
 * tools/fixtures/make_tiny_checkpoints.py) against the goldens of the independent torch
 * reference (tools/reference/reference_vit.py): logits, CLS / patch / mean entropies and
 * Renyi entropies for every layer 0..L, from the fixed input tensor and from
 * real image files through the model's own preprocessing. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/kernels.h"
#include "entropy_lens.h"
#include "golden_compare.h"
#include "test_util.h"

/* Second pass: every OpenMP region forced on (no minimum work) with 3
 * threads, so row slabs, the fused block's team and the attention units are
 * split even on these tiny models and must give the same answers. */
static int g_threads = 0;

#define TOL 1e-4
#define TINY_DIR EL_SOURCE_DIR "/tests/fixtures/tiny"


typedef struct {
    const char *name;
    const char *family;
    const char *layout;
    /* expected preprocessing, from the variant's config */
    int shortest_edge, resize_w, resize_h;
    el_resample resample;
    int do_center_crop, crop_round;
    float mean0, std0;
    const char *same_golden_as; /* also equal to this variant's golden (same weights) */
} variant;

static const variant k_variants[] = {
    {"vit-hf-f32", "vit", "hf", 0, 32, 32, EL_RESAMPLE_BILINEAR, 0, 0, 0.5f, 0.5f, NULL},
    {"vit-hf-f16", "vit", "hf", 0, 32, 32, EL_RESAMPLE_BILINEAR, 0, 0, 0.5f, 0.5f, NULL},
    {"vit-hf-bf16", "vit", "hf", 0, 32, 32, EL_RESAMPLE_BILINEAR, 0, 0, 0.5f, 0.5f, NULL},
    {"vit-hf-sharded", "vit", "hf", 0, 32, 32, EL_RESAMPLE_BILINEAR, 0, 0, 0.5f, 0.5f, "vit-hf-f32"},
    {"vit-hf-gray", "vit", "hf", 0, 32, 32, EL_RESAMPLE_BILINEAR, 0, 0, 0.5f, 0.5f, NULL},
    {"deit-hf", "deit", "hf", 0, 37, 37, EL_RESAMPLE_BICUBIC, 1, 0, 0.485f, 0.229f, NULL},
    {"deit-distilled-hf", "deit-distilled", "hf", 34, 0, 0, EL_RESAMPLE_BILINEAR, 1, 0, 0.485f, 0.229f, NULL},
    {"vit-timm", "vit", "timm", 35, 0, 0, EL_RESAMPLE_BICUBIC, 1, 1, 0.5f, 0.5f, NULL},
    {"deit-distilled-timm", "deit-distilled", "timm", 36, 0, 0, EL_RESAMPLE_BICUBIC, 1, 1, 0.485f, 0.229f, NULL},
};

static void check_info(const variant *v, const el_model_info *info, const cJSON *g) {
    const char *n = v->name;
    CHECK_MSG(info->n_layers == (int)jnum(g, "n_layers"), "%s: n_layers %d", n, info->n_layers);
    CHECK_MSG(info->hidden == (int)jnum(g, "hidden"), "%s: hidden %d", n, info->hidden);
    CHECK_MSG(info->n_heads == (int)jnum(g, "n_heads"), "%s: n_heads %d", n, info->n_heads);
    CHECK_MSG(info->mlp_dim == (int)jnum(g, "mlp_dim"), "%s: mlp_dim %d", n, info->mlp_dim);
    CHECK_MSG(info->image_size == (int)jnum(g, "image_size"), "%s: image_size %d", n, info->image_size);
    CHECK_MSG(info->patch_size == (int)jnum(g, "patch_size"), "%s: patch_size %d", n, info->patch_size);
    CHECK_MSG(info->channels == (int)jnum(g, "channels"), "%s: channels %d", n, info->channels);
    CHECK_MSG(info->n_classes == (int)jnum(g, "n_classes"), "%s: n_classes %d", n, info->n_classes);
    CHECK_MSG(info->n_prefix == (int)jnum(g, "n_prefix"), "%s: n_prefix %d, expected %d", n,
              info->n_prefix, (int)jnum(g, "n_prefix"));
    CHECK_MSG(info->n_patches == (int)jnum(g, "n_patches"), "%s: n_patches %d", n, info->n_patches);
    CHECK_MSG(info->n_shards == (int)jnum(g, "n_shards"), "%s: n_shards %d, expected %d", n,
              info->n_shards, (int)jnum(g, "n_shards"));
    CHECK_MSG(info->n_params == (size_t)jnum(g, "n_params"), "%s: n_params %zu, expected %.0f", n,
              info->n_params, jnum(g, "n_params"));
    CHECK_MSG(fabs(info->ln_eps - jnum(g, "ln_eps")) <= 1e-3 * jnum(g, "ln_eps"),
              "%s: ln_eps %g, expected %g", n, info->ln_eps, jnum(g, "ln_eps"));
    CHECK_MSG(info->dtype && strcmp(info->dtype, jstr(g, "dtype")) == 0, "%s: dtype %s, expected %s", n,
              info->dtype ? info->dtype : "(null)", jstr(g, "dtype"));
    CHECK_MSG(info->family && strcmp(info->family, v->family) == 0, "%s: family %s, expected %s", n,
              info->family ? info->family : "(null)", v->family);
    CHECK_MSG(info->layout && strcmp(info->layout, v->layout) == 0, "%s: layout %s, expected %s", n,
              info->layout ? info->layout : "(null)", v->layout);
    CHECK_MSG(info->arch && strcmp(info->arch, jstr(g, "arch")) == 0, "%s: arch %s, expected %s", n,
              info->arch ? info->arch : "(null)", jstr(g, "arch"));

    const el_preprocess *pp = &info->preprocess;
    CHECK_MSG(pp->channels == info->channels, "%s: preprocess.channels %d", n, pp->channels);
    CHECK_MSG(pp->do_resize == 1, "%s: do_resize %d", n, pp->do_resize);
    CHECK_MSG(pp->shortest_edge == v->shortest_edge, "%s: shortest_edge %d, expected %d", n,
              pp->shortest_edge, v->shortest_edge);
    if (v->shortest_edge == 0)
        CHECK_MSG(pp->resize_w == v->resize_w && pp->resize_h == v->resize_h,
                  "%s: resize %dx%d, expected %dx%d", n, pp->resize_w, pp->resize_h, v->resize_w, v->resize_h);
    CHECK_MSG(pp->resample == v->resample, "%s: resample %d, expected %d", n, (int)pp->resample, (int)v->resample);
    CHECK_MSG(pp->do_center_crop == v->do_center_crop, "%s: do_center_crop %d", n, pp->do_center_crop);
    if (v->do_center_crop) {
        CHECK_MSG(pp->crop_w == 32 && pp->crop_h == 32, "%s: crop %dx%d", n, pp->crop_w, pp->crop_h);
        CHECK_MSG(pp->crop_round == v->crop_round, "%s: crop_round %d, expected %d", n, pp->crop_round,
                  v->crop_round);
    }
    CHECK_MSG(pp->do_rescale && fabs(pp->rescale_factor - 1.0 / 255) < 1e-9, "%s: rescale %d %g", n,
              pp->do_rescale, pp->rescale_factor);
    CHECK_MSG(pp->do_normalize && fabs(pp->mean[0] - v->mean0) < 1e-6 && fabs(pp->std[0] - v->std0) < 1e-6,
              "%s: normalize %d mean %g std %g", n, pp->do_normalize, (double)pp->mean[0], (double)pp->std[0]);
    CHECK_MSG(pp->out_w == 32 && pp->out_h == 32, "%s: out %dx%d", n, pp->out_w, pp->out_h);
}

static cJSON *load_golden(const char *variant_name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/golden.json", TINY_DIR, variant_name);
    cJSON *g = el_test_load_json(path);
    CHECK_MSG(g != NULL, "cannot read %s", path);
    return g;
}

/* Real image files through the model's own preprocessing. */
static void check_image_files(const variant *v, const cJSON *g, el_state *s, const el_model_info *info,
                              const el_lens_params *lp, el_profile *prof) {
    char path[1024], ctx[256];
    const int L = (int)jnum(g, "n_layers"), NP = (int)jnum(g, "n_patches"), K = (int)jnum(g, "n_classes");
    const size_t per = (size_t)info->channels * info->image_size * info->image_size;
    const cJSON *igs = jget(g, "image_goldens");
    for (int k = 0; k < cJSON_GetArraySize(igs); k++) {
        const cJSON *ig = cJSON_GetArrayItem(igs, k);
        snprintf(path, sizeof path, "%s/%s", TINY_DIR, jstr(ig, "file"));
        snprintf(ctx, sizeof ctx, "%s image %s", v->name, jstr(ig, "file"));
        el_image img = {0};
        el_status st = el_image_load(path, info->channels, EL_DEFAULT_MAX_PIXELS, &img);
        CHECK_MSG(st == EL_OK, "%s: el_image_load: %s", ctx, el_last_error());
        if (st != EL_OK) continue;
        CHECK_MSG(img.channels == info->channels, "%s: image channels %d", ctx, img.channels);
        float *px = calloc(per, sizeof *px);
        st = el_preprocess_image(&img, &info->preprocess, px);
        CHECK_MSG(st == EL_OK, "%s: el_preprocess_image: %s", ctx, el_last_error());
        if (st == EL_OK) {
            st = el_model_profile(s, px, 1, lp, &prof[0]);
            CHECK_MSG(st == EL_OK, "%s: el_model_profile: %s", ctx, el_last_error());
            if (st == EL_OK) compare_profile(ctx, &prof[0], ig, L, NP, K, TOL);
        }
        free(px);
        el_image_free(&img);
    }
}

/* A reduced lens on the same input: no embeddings, CLS only, bits. */
static void check_reduced_lens(const cJSON *g, const el_model *m, el_state *s, const float *x2) {
    const int L = (int)jnum(g, "n_layers");
    el_lens_params lp2 = el_lens_default_params();
    lp2.tokens = EL_TOKENS_CLS;
    lp2.include_embeddings = 0;
    lp2.n_alpha = 0;
    lp2.units = EL_UNITS_BITS;
    lp2.keep_logits = 0;
    el_profile p2;
    memset(&p2, 0, sizeof p2);
    el_status st = el_profile_init(&p2, m, &lp2);
    CHECK_MSG(st == EL_OK, "reduced lens: el_profile_init: %s", el_last_error());
    if (st != EL_OK) return;
    st = el_model_profile(s, x2, 1, &lp2, &p2);
    CHECK_MSG(st == EL_OK, "reduced lens: el_model_profile: %s", el_last_error());
    CHECK_MSG(p2.n_depth == L && p2.first_layer == 1, "reduced lens: n_depth %d first_layer %d", p2.n_depth,
              p2.first_layer);
    const cJSON *ge = jget(cJSON_GetArrayItem(jget(g, "images"), 2), "entropy");
    for (int l = 0; st == EL_OK && p2.n_depth == L && l < L; l++)
        CHECK_NEAR(p2.entropy[l], cJSON_GetArrayItem(ge, l + 1)->valuedouble / log(2.0), TOL);
    CHECK_MSG(p2.top1 == (int)jnum(cJSON_GetArrayItem(jget(g, "images"), 2), "top1"), "reduced lens: top1 %d",
              p2.top1);
    el_profile_free(&p2);
}

/* The fixed input tensor as one batch of N against the golden (and the
 * golden of an equivalent variant), then image 1 alone. */
static void check_batch(const variant *v, const cJSON *g, el_state *s, const float *x, size_t per,
                        const el_lens_params *lp, el_profile *prof) {
    char ctx[256];
    const int L = (int)jnum(g, "n_layers"), NP = (int)jnum(g, "n_patches"), K = (int)jnum(g, "n_classes");
    const int N = (int)jnum(g, "n_images");
    el_status st = el_model_profile(s, x, N, lp, prof);
    CHECK_MSG(st == EL_OK, "%s: el_model_profile: %s: %s", v->name, el_status_name(st), el_last_error());
    if (st == EL_OK) {
        cJSON *other = v->same_golden_as ? load_golden(v->same_golden_as) : NULL;
        for (int i = 0; i < N; i++) {
            snprintf(ctx, sizeof ctx, "%s input[%d]", v->name, i);
            compare_profile(ctx, &prof[i], cJSON_GetArrayItem(jget(g, "images"), i), L, NP, K, TOL);
            if (other) {
                snprintf(ctx, sizeof ctx, "%s input[%d] vs %s golden", v->name, i, v->same_golden_as);
                compare_profile(ctx, &prof[i], cJSON_GetArrayItem(jget(other, "images"), i), L, NP, K, TOL);
            }
        }
        cJSON_Delete(other);
    }
    /* Batch independence: image 1 alone gives what it gave in the batch. */
    st = el_model_profile(s, x + per, 1, lp, &prof[0]);
    CHECK_MSG(st == EL_OK, "%s: single-image el_model_profile: %s", v->name, el_last_error());
    if (st == EL_OK) {
        snprintf(ctx, sizeof ctx, "%s input[1] alone", v->name);
        compare_profile(ctx, &prof[0], cJSON_GetArrayItem(jget(g, "images"), 1), L, NP, K, TOL);
    }
}

static void test_variant(const variant *v) {
    char path[1024];
    cJSON *g = load_golden(v->name);
    if (!g) return;
    snprintf(path, sizeof path, "%s/%s", TINY_DIR, v->name);
    el_state_params sp = el_state_default_params();
    sp.n_threads = g_threads;
    el_model *m = NULL;
    el_state *s = NULL;
    el_status st = el_model_load(path, NULL, &m);
    CHECK_MSG(st == EL_OK, "%s: el_model_load: %s: %s", v->name, el_status_name(st), el_last_error());
    if (st == EL_OK) st = el_state_new(m, &sp, &s);
    if (st != EL_OK) {
        el_model_free(m);
        cJSON_Delete(g);
        return;
    }
    el_model_info info;
    el_model_get_info(m, &info);
    check_info(v, &info, g);
    const int L = (int)jnum(g, "n_layers"), NP = (int)jnum(g, "n_patches"), K = (int)jnum(g, "n_classes");
    const int C = (int)jnum(g, "channels"), S = (int)jnum(g, "image_size"), N = (int)jnum(g, "n_images");
    if (info.n_layers != L || info.n_patches != NP || info.n_classes != K || info.channels != C) {
        fprintf(stderr, "%s: model shape differs from the golden; skipping value checks\n", v->name);
        el_state_free(s);
        el_model_free(m);
        cJSON_Delete(g);
        return;
    }
    CHECK_MSG(strcmp(el_model_class_name(m, 9), "truck, lorry") == 0, "%s: class 9 name %s", v->name,
              el_model_class_name(m, 9));
    CHECK_MSG(el_model_class_index(m, "Bird") == 2, "%s: class_index(Bird) %d", v->name,
              el_model_class_index(m, "Bird"));
    const size_t per = (size_t)C * S * S;
    snprintf(path, sizeof path, "%s/%s", TINY_DIR, jstr(g, "input_file"));
    float *x = read_f32(path, per * (size_t)N);
    CHECK_MSG(x != NULL, "cannot read %s", path);
    el_lens_params lp = full_params();
    CHECK(el_lens_params_check(&lp) == EL_OK);
    el_profile prof[3];
    memset(prof, 0, sizeof prof);
    int ok = x != NULL && N <= 3;
    for (int i = 0; ok && i < N; i++) {
        st = el_profile_init(&prof[i], m, &lp);
        CHECK_MSG(st == EL_OK, "%s: el_profile_init: %s", v->name, el_last_error());
        if (st != EL_OK) ok = 0;
    }
    if (ok) check_batch(v, g, s, x, per, &lp, prof);
    if (ok) check_image_files(v, g, s, &info, &lp, prof);
    if (ok && strcmp(v->name, "vit-hf-f32") == 0) check_reduced_lens(g, m, s, x + 2 * per);
    for (int i = 0; i < N && i < 3; i++) el_profile_free(&prof[i]);
    free(x);
    el_state_free(s);
    el_model_free(m);
    cJSON_Delete(g);
}

int main(void) {
    CHECK_NEAR(el_entropy_units(1.0, EL_UNITS_NATS, 10), 1.0, 1e-12);
    CHECK_NEAR(el_entropy_units(1.0, EL_UNITS_BITS, 10), 1.0 / log(2.0), 1e-12);
    CHECK_NEAR(el_entropy_units(1.0, EL_UNITS_NORMALIZED, 10), 1.0 / log(10.0), 1e-12);
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            el_set_par_min_work(0);
            g_threads = 3;
        }
        for (size_t i = 0; i < sizeof k_variants / sizeof k_variants[0]; i++) {
            int before = el_test_failures;
            test_variant(&k_variants[i]);
            fprintf(stderr, "%-22s %s%s\n", k_variants[i].name, el_test_failures == before ? "ok" : "FAILED",
                    pass ? " (every parallel path, 3 threads)" : "");
        }
    }
    return el_test_finish("test_vit_tiny_golden");
}
