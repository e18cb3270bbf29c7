/* Model configuration on hostile JSON: a temporary model folder holds the
 * fuzzed config.json, optionally a fuzzed preprocessor_config.json, and the
 * weights of one of the tiny fixture models (symlinked, never fuzzed here);
 * el_model_load reads it. If it loads, the model must work: an image model
 * preprocesses a fixed image with its own settings and profiles it, a text
 * model generates two tokens; every index it reports is in range.
 *
 * Input: config.json NUL preprocessor_config.json NUL selector NUL index.json
 *        NUL weight patch
 *   - no NUL at all, or an empty second part: no preprocessor_config.json
 *   - selector: its first byte picks the fixture weights (table below, modulo);
 *     zero-shot fixtures (CLIP, SigLIP) also bring their tokenizer, class and
 *     template files, so a config that loads builds its text-tower head
 *   - index.json: replaces model.safetensors.index.json of a sharded fixture
 *     (also fuzzes the shard index parser); ignored for single-file fixtures.
 *   - weight patch (single-file fixtures): 4 bytes little-endian offset, then
 *     bytes written over the checkpoint's data section from that offset
 *     (modulo its size): hostile values (NaN, Inf, huge) in real weights. */
#include <math.h>

#include "entropy_lens.h"
#include "fuzz_util.h"

typedef struct {
    const char *dir;         /* under tests/fixtures */
    const char *shards[2];   /* NULL: single model.safetensors */
    int zero_shot;           /* CLIP / SigLIP: tokenizer files linked, its classes.txt and templates.txt given */
} fixture;

static const fixture fixtures[] = {
    {"tiny/vit-hf-f32", {NULL, NULL}, 0},
    {"tiny/vit-timm", {NULL, NULL}, 0},
    {"tiny/deit-distilled-hf", {NULL, NULL}, 0},
    {"tiny/deit-distilled-timm", {NULL, NULL}, 0},
    {"tiny/vit-hf-gray", {NULL, NULL}, 0},
    {"tiny/vit-hf-sharded", {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}, 0},
    {"text/gpt2-tiny", {NULL, NULL}, 0},
    {"text/llama-tiny", {NULL, NULL}, 0},
    {"text/llama-tiny-sharded", {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}, 0},
    {"text/qwen2-tiny", {NULL, NULL}, 0},
    {"text/mistral-tiny", {NULL, NULL}, 0},
    {"tiny/vit-hf-bf16", {NULL, NULL}, 0},
    {"tiny/deit-hf", {NULL, NULL}, 0},
    {"families/gemma2-tiny", {NULL, NULL}, 0},
    {"families/gemma3-mm-tiny", {NULL, NULL}, 0},
    {"families/bloom-tiny", {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}, 0},
    {"families/llama3-tiny", {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}, 0},
    {"families/phi3-longrope-tiny", {NULL, NULL}, 0},
    {"families/opt-350m-tiny", {NULL, NULL}, 0},
    {"vision/clip", {NULL, NULL}, 1},
    {"vision/siglip", {NULL, NULL}, 1},
};
/* Zero-shot fixtures' tokenizer files (those present are linked). */
static const char *const tokenizer_files[] = {"tokenizer.json", "vocab.json", "merges.txt", "spiece.model",
                                              "special_tokens_map.json", "tokenizer_config.json"};
#define N_FIXTURES ((int)(sizeof fixtures / sizeof fixtures[0]))
#define N_FIXTURES_MAX 24
_Static_assert(sizeof fixtures / sizeof fixtures[0] <= N_FIXTURES_MAX, "raise N_FIXTURES_MAX");

static void fixture_file(char *buf, size_t cap, const fixture *f, const char *name) {
    snprintf(buf, cap, "%s/tests/fixtures/%s/%s", EL_SOURCE_DIR, f->dir, name);
}

/* The fixture's model.safetensors with patch written over its data section,
 * into dir/model.safetensors. */
static void write_patched(const fixture *f, const uint8_t *patch, size_t n) {
    static uint8_t *cache[N_FIXTURES_MAX];
    static size_t cache_n[N_FIXTURES_MAX];
    const int k = (int)(f - fixtures);
    if (!cache[k]) {
        char src[1024];
        fixture_file(src, sizeof src, f, "model.safetensors");
        FILE *fp = fopen(src, "rb");
        if (!fp) abort();
        fseek(fp, 0, SEEK_END);
        long len = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        cache[k] = malloc((size_t)len);
        if (!cache[k] || fread(cache[k], 1, (size_t)len, fp) != (size_t)len) abort();
        fclose(fp);
        cache_n[k] = (size_t)len;
    }
    const size_t size = cache_n[k];
    uint8_t *buf = malloc(size);
    if (!buf) abort();
    memcpy(buf, cache[k], size);
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)buf[i] << (8 * i);
    const size_t data = (size_t)(8 + hlen), dsize = size - data;
    if (n >= 4 && dsize > 0) {
        size_t at = ((size_t)patch[0] | (size_t)patch[1] << 8 | (size_t)patch[2] << 16 | (size_t)patch[3] << 24) % dsize;
        for (size_t i = 4; i < n && at < dsize; i++, at++) buf[data + at] = patch[i];
    }
    char p[1024];
    el_fuzz_write(el_fuzz_path(p, sizeof p, "model.safetensors"), buf, size);
    free(buf);
}

/* A fixed 11 x 7 RGB test card. */
static void test_image(el_image *img, uint8_t *px) {
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 11; x++) {
            uint8_t *p = px + (y * 11 + x) * 3;
            p[0] = (uint8_t)(x * 23);
            p[1] = (uint8_t)(y * 37);
            p[2] = (uint8_t)((x ^ y) * 19);
        }
    img->width = 11;
    img->height = 7;
    img->channels = 3;
    img->pixels = px;
}

static void exercise_image_model(el_model *m, el_state *s, const el_model_info *info) {
    EL_FUZZ_CHECK(info->n_layers > 0 && info->hidden > 0 && info->n_classes > 0, "loaded model with sizes %d/%d/%d",
                  info->n_layers, info->hidden, info->n_classes);
    EL_FUZZ_CHECK(info->channels == 1 || info->channels == 3, "channels %d", info->channels);
    EL_FUZZ_CHECK(info->preprocess.out_w == info->image_size && info->preprocess.out_h == info->image_size,
                  "preprocess output %dx%d for image size %d", info->preprocess.out_w, info->preprocess.out_h,
                  info->image_size);
    for (int k = 0; k < info->n_classes && k < 64; k++)
        EL_FUZZ_CHECK(el_model_class_name(m, k) != NULL, "class %d has no name", k);
    const char *name0 = el_model_class_name(m, 0);
    int back = el_model_class_index(m, name0);
    EL_FUZZ_CHECK(back >= 0 && back < info->n_classes, "class index of '%s' is %d", name0, back);

    /* A config that loads must be able to prepare an image: it is validated
     * at load, not discovered on every image. Big inputs are not run (time). */
    if ((size_t)info->image_size * (size_t)info->image_size > 64 * 64) return;
    uint8_t px[11 * 7 * 3];
    el_image img;
    test_image(&img, px);
    const size_t n = (size_t)info->channels * (size_t)info->image_size * (size_t)info->image_size;
    float *in = malloc(n * sizeof(float));
    if (!in) abort();
    el_status st = el_preprocess_image(&img, &info->preprocess, in);
    EL_FUZZ_CHECK_TAG("preprocess-after-load", st == EL_OK, "model loaded but its preprocessing fails: %s",
                      el_last_error());
    if (st == EL_OK) {
        for (size_t i = 0; i < n; i++) EL_FUZZ_CHECK(isfinite(in[i]), "preprocessed value %zu = %g", i, (double)in[i]);
        el_lens_params lp = el_lens_default_params();
        lp.tokens = EL_TOKENS_CLS | EL_TOKENS_MEAN;
        lp.n_alpha = 2;
        lp.alpha[0] = 2.0;
        lp.alpha[1] = INFINITY;
        el_profile prof;
        st = el_profile_init(&prof, m, &lp);
        EL_FUZZ_CHECK(st == EL_OK, "profile init: %s", el_last_error());
        if (st == EL_OK) {
            st = el_model_profile(s, in, 1, &lp, &prof);
            EL_FUZZ_CHECK(st == EL_OK, "profile: %s", el_last_error());
            if (st == EL_OK && getenv("EL_FUZZ_VERBOSE"))
                fprintf(stderr, "fuzz_config: top1 %d prob %g entropy %g .. %g\n", prof.top1, (double)prof.prob,
                        (double)prof.entropy[0], (double)prof.entropy[prof.n_depth - 1]);
            if (st == EL_OK) {
                EL_FUZZ_CHECK_TAG("top1-in-range", prof.overflow_layer >= 0 ? prof.top1 == -1 : prof.top1 >= 0 && prof.top1 < info->n_classes,
                                  "top1 %d of %d classes (prob %g, entropy[0] %g)", prof.top1, info->n_classes,
                                  (double)prof.prob, (double)prof.entropy[0]);
                EL_FUZZ_CHECK(prof.n_depth == info->n_layers, "depth %d, layers %d", prof.n_depth, info->n_layers);
                volatile float acc = 0;
                for (int d = 0; d < prof.n_depth; d++) acc += prof.entropy[d] + prof.entropy_mean[d];
                (void)acc;
            }
            el_profile_free(&prof);
        }
    }
    free(in);
}

static void exercise_text_model(el_state *s, const el_model_info *info) {
    EL_FUZZ_CHECK(info->n_layers > 0 && info->hidden > 0 && info->n_classes > 0, "loaded model with sizes %d/%d/%d",
                  info->n_layers, info->hidden, info->n_classes);
    if (info->n_classes * (size_t)info->hidden > ((size_t)1 << 22)) return; /* time */
    el_text_params tp = el_text_default_params();
    tp.n_tokens = 2;
    tp.n_alpha = 1;
    tp.alpha[0] = 0.5;
    int ids[2] = {0, info->n_classes - 1};
    el_text_result r;
    memset(&r, 0, sizeof r);
    el_status st = el_text_generate_ids(s, ids, 2, &tp, &r);
    if (st == EL_OK) {
        EL_FUZZ_CHECK(r.n_steps == 2, "asked for 2 steps, got %d", r.n_steps);
        for (int i = 0; i < r.n_steps; i++)
            EL_FUZZ_CHECK(r.ids[i] >= 0 && r.ids[i] < info->n_classes, "generated id %d outside vocab %d", r.ids[i],
                          info->n_classes);
        volatile float acc = 0;
        for (int i = 0; i < r.n_steps * r.n_layers; i++) acc += r.entropy[i];
        (void)acc;
    } else {
        /* A context shorter than 4 positions can legitimately refuse. */
        /* ... and finite but huge weights may overflow (F6): an error. */
        EL_FUZZ_CHECK(info->context < 4 || strstr(el_last_error(), "overflowed float32"),
                      "generation failed on a loaded model: %s", el_last_error());
    }
    el_text_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    el_fuzz_part part[5];
    int np = el_fuzz_split(data, size, part, 5);
    const fixture *fx = &fixtures[np >= 3 && part[2].n ? part[2].p[0] % N_FIXTURES : 0];
    char dir[1024], p[1024], src[1024];
    snprintf(dir, sizeof dir, "%s", el_fuzz_dir());

    el_fuzz_write(el_fuzz_path(p, sizeof p, "config.json"), part[0].p, part[0].n);
    if (np >= 2 && part[1].n > 0) el_fuzz_write(el_fuzz_path(p, sizeof p, "preprocessor_config.json"), part[1].p, part[1].n);
    else el_fuzz_unlink("preprocessor_config.json");
    static const char *all[] = {"model.safetensors", "model.safetensors.index.json",
                                "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) el_fuzz_unlink(all[i]);
    if (fx->shards[0]) {
        for (int s = 0; s < 2; s++) {
            fixture_file(src, sizeof src, fx, fx->shards[s]);
            el_fuzz_link(src, fx->shards[s]);
        }
        if (np >= 4) {
            el_fuzz_write(el_fuzz_path(p, sizeof p, "model.safetensors.index.json"), part[3].p, part[3].n);
        } else {
            fixture_file(src, sizeof src, fx, "model.safetensors.index.json");
            el_fuzz_link(src, "model.safetensors.index.json");
        }
    } else if (np >= 5) {
        write_patched(fx, part[4].p, part[4].n);
    } else {
        fixture_file(src, sizeof src, fx, "model.safetensors");
        el_fuzz_link(src, "model.safetensors");
    }

    el_model_params mp = el_model_default_params();
    char classes[1024], templates[1024];
    for (size_t i = 0; i < sizeof tokenizer_files / sizeof tokenizer_files[0]; i++) {
        el_fuzz_unlink(tokenizer_files[i]);
        fixture_file(src, sizeof src, fx, tokenizer_files[i]);
        if (fx->zero_shot && access(src, R_OK) == 0) el_fuzz_link(src, tokenizer_files[i]);
    }
    if (fx->zero_shot) {
        fixture_file(classes, sizeof classes, fx, "classes.txt");
        fixture_file(templates, sizeof templates, fx, "templates.txt");
        mp.classes = classes;
        mp.templates = templates;
    }
    el_model *m = NULL;
    el_status st = el_model_load(dir, &mp, &m);
    if (getenv("EL_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz_config: %d parts, fixture %s, load: %s %s\n", np, fx->dir, el_status_name(st),
                st ? el_last_error() : "");
    if (st != EL_OK) {
        EL_FUZZ_CHECK(m == NULL, "failed load returned a model");
        const char *msg = el_last_error();
        EL_FUZZ_CHECK(msg && *msg, "failed load (%s) without a message", el_status_name(st));
        return 0;
    }
    el_state_params sp = el_state_default_params();
    sp.n_threads = 1;
    el_state *s = NULL;
    st = el_state_new(m, &sp, &s);
    EL_FUZZ_CHECK(st == EL_OK, "state: %s", el_last_error());
    el_model_info info;
    el_model_get_info(m, &info);
    if (s && info.is_text) exercise_text_model(s, &info);
    else if (s) exercise_image_model(m, s, &info);
    el_state_free(s);
    el_model_free(m);
    return 0;
}
