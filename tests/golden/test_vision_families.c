/* The vision families (tests/fixtures/vision, made by
 * tools/fixtures/make_vision_family_fixtures.py) against the goldens of the
 * independent torch reference (tools/reference/reference_vision_families.py):
 * logits, per-layer CLS / patch / mean entropies and Renyi entropies within
 * 1e-4 nats, from the shared input tensor as one batch, one image alone, and
 * real image files through each model's own preprocessing. A second pass
 * forces every OpenMP region on with 3 threads. CLIP and SigLIP: the
 * zero-shot head from the fixture's classes.txt and templates.txt; their
 * class embeddings (as written to the cache) within 1e-5 of the reference's,
 * and a second load reads them back from the cache. */
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
static char g_tmp[] = "/tmp/el_visfam_XXXXXX"; /* class-embedding caches */

typedef struct {
    const char *name, *family;
    int zero_shot; /* CLIP / SigLIP: classes.txt and templates.txt through the text tower */
} variant;

static const variant k_variants[] = {
    {"dinov2", "dinov2", 0},
    {"dinov2-registers", "dinov2", 0},
    {"beit", "beit", 0},
    {"data2vec-vision", "data2vec-vision", 0},
    {"clip", "clip", 1},
    {"siglip", "siglip", 1},
};

#define ZS_TOL 1e-5

/* The class embeddings, as the model wrote them to its cache, against the
 * reference's zero_shot.class_embeddings. */
static void check_class_embeddings(const variant *v, const char *cache, const cJSON *g, int from_cache) {
    cJSON *c = el_test_load_json(cache);
    CHECK_MSG(c != NULL, "%s: no class-embedding cache %s", v->name, cache);
    const cJSON *got = c ? jget(c, "embeddings") : NULL, *want = jget(jget(g, "zero_shot"), "class_embeddings");
    const int K = cJSON_GetArraySize(want);
    CHECK_MSG(K == (int)jnum(g, "n_classes") && cJSON_GetArraySize(got) == K, "%s: %d class embeddings, expected %d",
              v->name, cJSON_GetArraySize(got), K);
    double worst = 0.0;
    for (int k = 0; got && k < K && k < cJSON_GetArraySize(got); k++) {
        const cJSON *a = cJSON_GetArrayItem(got, k), *b = cJSON_GetArrayItem(want, k);
        CHECK_MSG(cJSON_GetArraySize(a) == cJSON_GetArraySize(b), "%s: class %d width", v->name, k);
        for (int d = 0; d < cJSON_GetArraySize(a) && d < cJSON_GetArraySize(b); d++) {
            const double e = fabs(cJSON_GetArrayItem(a, d)->valuedouble - cJSON_GetArrayItem(b, d)->valuedouble);
            worst = e > worst ? e : worst;
        }
    }
    CHECK_MSG(worst <= ZS_TOL, "%s: class embeddings differ by %.3g (tolerance %g; %s)", v->name, worst, ZS_TOL,
              from_cache ? "read from the cache" : "from the text tower");
    cJSON_Delete(c);
}

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

static const char *path_dir(char *buf, const variant *v) {
    snprintf(buf, 1024, "%s/%s", VIS_DIR, v->name);
    return buf;
}

/* A zero-shot model without --classes and without id2label names: refused
 * with the one-line error. */
static void check_needs_classes(const variant *v) {
    char path[1024];
    el_model *m = NULL;
    el_status st = el_model_load(path_dir(path, v), NULL, &m);
    CHECK_MSG(st != EL_OK && strstr(el_last_error(), "--classes"), "%s: loaded without classes (%s)", v->name,
              st ? el_last_error() : "no error");
    el_model_free(m);
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
    el_model_params mp = el_model_default_params();
    char classes[1100], templates[1100], cache[1024];
    if (v->zero_shot) {
        snprintf(classes, sizeof classes, "%s/classes.txt", path);
        snprintf(templates, sizeof templates, "%s/templates.txt", path);
        snprintf(cache, sizeof cache, "%s/el_zs_%s_%d.classes.json", g_tmp, v->name, g_threads);
        remove(cache);
        mp.classes = classes;
        mp.templates = templates;
        mp.class_cache = cache;
    }
    el_status st = el_model_load(path, &mp, &m);
    CHECK_MSG(st == EL_OK, "%s: el_model_load: %s", v->name, el_last_error());
    if (st == EL_OK && v->zero_shot) check_class_embeddings(v, cache, g, 0);
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
    if (ok && v->zero_shot) {
        /* Loaded again: the class embeddings come from the cache, same results. */
        el_state_free(s);
        el_model_free(m);
        s = NULL;
        st = el_model_load(path_dir(path, v), &mp, &m);
        CHECK_MSG(st == EL_OK, "%s: second load: %s", v->name, el_last_error());
        if (st == EL_OK) st = el_state_new(m, &sp, &s);
        if (st == EL_OK) {
            el_model_get_info(m, &info);
            CHECK_MSG(info.zero_shot && info.zs_from_cache, "%s: the second load did not read the cache", v->name);
            check_class_embeddings(v, cache, g, 1);
            check_inputs(v, g, s, x, per, &lp, prof);
        }
    }
    for (int i = 0; i < 3; i++) el_profile_free(&prof[i]);
    free(x);
    el_state_free(s);
    el_model_free(m);
    cJSON_Delete(g);
}

int main(void) {
    if (!mkdtemp(g_tmp)) return 1;
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            el_set_par_min_work(0);
            g_threads = 3;
        }
        for (size_t i = 0; i < sizeof k_variants / sizeof k_variants[0]; i++) {
            test_variant(&k_variants[i]);
            if (k_variants[i].zero_shot && !pass) check_needs_classes(&k_variants[i]);
        }
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", g_tmp);
    return el_test_finish("test_vision_families");
}
