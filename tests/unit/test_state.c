/* The model/state split: one loaded model (read-only weights) shared by
 * several states, each on its own thread with its own thread count, gives
 * the same profiles and generations as one state alone; a state is refused
 * calls of the other modality. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "entropy_lens.h"
#include "nn/kernels.h"
#include "test_util.h"

#define VIT EL_SOURCE_DIR "/tests/fixtures/tiny/vit-hf-f32"
#define GPT EL_SOURCE_DIR "/tests/fixtures/text/gpt2-tiny"
#define ROUNDS 4

static el_model *g_vit, *g_gpt;
static float g_pixels[3 * 3 * 32 * 32];
static const int g_ids[5] = {5, 17, 40, 3, 60};

typedef struct {
    int n_threads;
    float entropy[64]; /* image 0's CLS profile */
    float text[64];    /* the generation's per-step, per-layer entropies */
    int ids[8];
    int ok;
} job;

static int profile(el_state *s, job *j) {
    el_lens_params lp = el_lens_default_params();
    lp.tokens = EL_TOKENS_CLS | EL_TOKENS_MEAN;
    el_profile p[3];
    int ok = 1;
    for (int i = 0; i < 3; i++) ok &= el_profile_init(&p[i], g_vit, &lp) == EL_OK;
    ok = ok && el_model_profile(s, g_pixels, 3, &lp, p) == EL_OK && p[0].n_depth <= 64;
    if (ok) memcpy(j->entropy, p[0].entropy, sizeof(float) * (size_t)p[0].n_depth);
    for (int i = 0; i < 3; i++) el_profile_free(&p[i]);
    return ok;
}

static int generate(el_state *s, job *j) {
    el_text_params tp = el_text_default_params();
    tp.n_tokens = 8;
    el_text_result r;
    if (el_text_generate_ids(s, g_ids, 5, &tp, &r) != EL_OK) return 0;
    memcpy(j->ids, r.ids, sizeof j->ids);
    memcpy(j->text, r.entropy, sizeof(float) * (size_t)(r.n_steps * r.n_layers));
    el_text_result_free(&r);
    return 1;
}

static void *run(void *arg) {
    job *j = arg;
    el_state_params sp = el_state_default_params();
    sp.n_threads = j->n_threads;
    el_state *sv = NULL, *st = NULL;
    j->ok = el_state_new(g_vit, &sp, &sv) == EL_OK && el_state_new(g_gpt, &sp, &st) == EL_OK;
    for (int r = 0; r < ROUNDS && j->ok; r++) j->ok = profile(sv, j) && generate(st, j);
    el_state_free(sv);
    el_state_free(st);
    return NULL;
}

static void same(const char *what, const job *a, const job *b) {
    double worst = 0;
    for (int i = 0; i < 64; i++) {
        worst = fmax(worst, fabs(a->entropy[i] - b->entropy[i]));
        worst = fmax(worst, fabs(a->text[i] - b->text[i]));
    }
    CHECK_MSG(worst <= 1e-5, "%s: entropies differ by %g", what, worst);
    CHECK_MSG(!memcmp(a->ids, b->ids, sizeof a->ids), "%s: generated ids differ", what);
}

int main(void) {
    size_t n = 0;
    float *px = (float *)el_test_slurp(EL_SOURCE_DIR "/tests/fixtures/tiny/input-c3.f32", &n);
    CHECK(px && n >= sizeof g_pixels);
    if (!px) return el_test_finish("test_state");
    memcpy(g_pixels, px, sizeof g_pixels);
    free(px);
    CHECK_MSG(el_model_load(VIT, NULL, &g_vit) == EL_OK, "%s", el_last_error());
    CHECK_MSG(el_model_load(GPT, NULL, &g_gpt) == EL_OK, "%s", el_last_error());
    if (!g_vit || !g_gpt) return el_test_finish("test_state");

    el_set_par_min_work(0); /* every parallel region on, even on tiny models */
    job alone = {.n_threads = 1};
    run(&alone);
    CHECK(alone.ok);
    job jobs[3] = {{.n_threads = 1}, {.n_threads = 2}, {.n_threads = 0}};
    pthread_t t[3];
    for (int i = 0; i < 3; i++) CHECK(pthread_create(&t[i], NULL, run, &jobs[i]) == 0);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++) {
        char what[64];
        snprintf(what, sizeof what, "thread %d (%d threads)", i, jobs[i].n_threads);
        CHECK_MSG(jobs[i].ok, "%s failed: %s", what, el_last_error());
        same(what, &jobs[i], &alone);
    }

    /* Wrong modality: refused by the one check, naming the model. */
    el_state *s = NULL;
    CHECK(el_state_new(g_vit, NULL, &s) == EL_OK);
    el_text_params tp = el_text_default_params();
    el_text_result r;
    CHECK(el_text_generate_ids(s, g_ids, 5, &tp, &r) == EL_ERR_ARG);
    CHECK(strstr(el_last_error(), "vit-hf-f32 is an image model") != NULL);
    el_state_free(s);
    el_model_free(g_vit);
    el_model_free(g_gpt);
    return el_test_finish("test_state");
}
