/* The vision families (tests/fixtures/vision, made by
 * tools/fixtures/make_vision_family_fixtures.py) against the goldens of the
 * independent torch reference (tools/reference/reference_vision_families.py):
 * logits, per-layer CLS / patch / mean entropies and Renyi entropies within
 * 1e-4 nats, from the shared input tensor as one batch, one image alone, and
 * real image files through each model's own preprocessing. A second pass
 * forces every OpenMP region on with 3 threads. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy_lens.h"
#include "golden_compare.h"
#include "nn/kernels.h"
#include "test_util.h"

#define TOL 1e-4
#define VIS_DIR EL_SOURCE_DIR "/tests/fixtures/vision"

static int g_threads = 0;

typedef struct {
    const char *name, *family;
} variant;

static const variant k_variants[] = {
    {"dinov2", "dinov2"},
    {"dinov2-registers", "dinov2"},
    {"beit", "beit"},
    {"data2vec-vision", "data2vec-vision"},
};

static void check_info(const variant *v, const el_model_info *info, const cJSON *g) {
    const char *n = v->name;
    CHECK_MSG(info->n_layers == (int)jnum(g, "n_layers"), "%s: n_layers %d", n, info->n_layers);
    CHECK_MSG(info->n_prefix == (int)jnum(g, "n_prefix"), "%s: n_prefix %d, expected %d", n, info->n_prefix,
              (int)jnum(g, "n_prefix"));
    CHECK_MSG(info->n_patches == (int)jnum(g, "n_patches"), "%s: n_patches %d", n, info->n_patches);
    CHECK_MSG(info->n_classes == (int)jnum(g, "n_classes"), "%s: n_classes %d", n, info->n_classes);
    CHECK_MSG(info->n_params == (size_t)jnum(g, "n_params"), "%s: n_params %zu, expected %.0f", n, info->n_params,
              jnum(g, "n_params"));
    CHECK_MSG(info->family && !strcmp(info->family, v->family), "%s: family %s", n, info->family);
    CHECK_MSG(info->arch && !strcmp(info->arch, jstr(g, "arch")), "%s: arch %s", n, info->arch);
    CHECK_MSG(info->preprocess.out_w == 32 && info->image_size == 32, "%s: input %d (image_size %d)", n,
              info->preprocess.out_w, info->image_size);
}

static void check_images(const variant *v, const cJSON *g, el_state *s, const el_model_info *info,
                         const el_lens_params *lp, el_profile *prof) {
    const int L = (int)jnum(g, "n_layers"), NP = (int)jnum(g, "n_patches"), K = (int)jnum(g, "n_classes");
    const size_t per = (size_t)info->channels * info->image_size * info->image_size;
    const cJSON *igs = jget(g, "image_goldens");
    CHECK_MSG(cJSON_GetArraySize(igs) == 2, "%s: image goldens", v->name);
    for (int k = 0; k < cJSON_GetArraySize(igs); k++) {
        const cJSON *ig = cJSON_GetArrayItem(igs, k);
        char path[1024], ctx[256];
        snprintf(path, sizeof path, "%s/%s/%s", VIS_DIR, v->name, jstr(ig, "file"));
        snprintf(ctx, sizeof ctx, "%s image %s", v->name, jstr(ig, "file"));
        el_image img = {0};
        float *px = calloc(per, sizeof *px);
        el_status st = el_image_load(path, info->channels, EL_DEFAULT_MAX_PIXELS, &img);
        if (st == EL_OK) st = el_preprocess_image(&img, &info->preprocess, px);
        if (st == EL_OK) st = el_model_profile(s, px, 1, lp, &prof[0]);
        CHECK_MSG(st == EL_OK, "%s: %s", ctx, el_last_error());
        if (st == EL_OK) compare_profile(ctx, &prof[0], ig, L, NP, K, TOL);
        free(px);
        el_image_free(&img);
    }
}

static void check_inputs(const variant *v, const cJSON *g, el_state *s, const float *x, size_t per,
                         const el_lens_params *lp, el_profile *prof) {
    const int L = (int)jnum(g, "n_layers"), NP = (int)jnum(g, "n_patches"), K = (int)jnum(g, "n_classes");
    const int N = (int)jnum(g, "n_images");
    char ctx[256];
    el_status st = el_model_profile(s, x, N, lp, prof);
    CHECK_MSG(st == EL_OK, "%s: el_model_profile: %s", v->name, el_last_error());
    for (int i = 0; st == EL_OK && i < N; i++) {
        snprintf(ctx, sizeof ctx, "%s input[%d]", v->name, i);
        compare_profile(ctx, &prof[i], cJSON_GetArrayItem(jget(g, "images"), i), L, NP, K, TOL);
    }
    st = el_model_profile(s, x + per, 1, lp, &prof[0]);
    CHECK_MSG(st == EL_OK, "%s: single image: %s", v->name, el_last_error());
    snprintf(ctx, sizeof ctx, "%s input[1] alone", v->name);
    if (st == EL_OK) compare_profile(ctx, &prof[0], cJSON_GetArrayItem(jget(g, "images"), 1), L, NP, K, TOL);
}

static void test_variant(const variant *v) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/golden.json", VIS_DIR, v->name);
    cJSON *g = el_test_load_json(path);
    CHECK_MSG(g != NULL, "cannot read %s", path);
    if (!g) return;
    snprintf(path, sizeof path, "%s/%s", VIS_DIR, v->name);
    el_state_params sp = el_state_default_params();
    sp.n_threads = g_threads;
    el_model *m = NULL;
    el_state *s = NULL;
    el_status st = el_model_load(path, NULL, &m);
    CHECK_MSG(st == EL_OK, "%s: el_model_load: %s", v->name, el_last_error());
    if (st == EL_OK) st = el_state_new(m, &sp, &s);
    el_model_info info;
    if (st == EL_OK) {
        el_model_get_info(m, &info);
        check_info(v, &info, g);
    }
    const int N = (int)jnum(g, "n_images");
    const size_t per = (size_t)3 * 32 * 32;
    snprintf(path, sizeof path, "%s/%s/%s", VIS_DIR, v->name, jstr(g, "input_file"));
    float *x = st == EL_OK ? read_f32(path, per * (size_t)N) : NULL;
    CHECK_MSG(st != EL_OK || x != NULL, "cannot read %s", path);
    el_lens_params lp = full_params();
    el_profile prof[3];
    memset(prof, 0, sizeof prof);
    int ok = x != NULL && N == 3 && info.n_patches == (int)jnum(g, "n_patches");
    for (int i = 0; ok && i < N; i++) ok = el_profile_init(&prof[i], m, &lp) == EL_OK;
    if (ok) check_inputs(v, g, s, x, per, &lp, prof);
    if (ok) check_images(v, g, s, &info, &lp, prof);
    for (int i = 0; i < 3; i++) el_profile_free(&prof[i]);
    free(x);
    el_state_free(s);
    el_model_free(m);
    cJSON_Delete(g);
}

int main(void) {
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            el_set_par_min_work(0);
            g_threads = 3;
        }
        for (size_t i = 0; i < sizeof k_variants / sizeof k_variants[0]; i++) test_variant(&k_variants[i]);
    }
    return el_test_finish("test_vision_families");
}
