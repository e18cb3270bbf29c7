/* Every decoder family against the independent reference written from the
 * Hugging Face modeling code (tools/reference/reference_lm_families.py ->
 * tests/fixtures/families/<name>/golden.json, made by
 * tools/fixtures/make_lm_family_fixtures.py): tiny random checkpoints in the
 * hub's layout. For each fixture and each prompt: greedy tokens identical;
 * every per-layer lens entropy at every step within 1e-4 nats; the final
 * logits of step 0 within 1e-4; each prompt alone, and the batch of three
 * prompts of different lengths generated together. Fixtures marked `text`
 * also tokenize every prompt to the reference's ids (BOS as the
 * tokenizer.json post-processor adds it) and run the batch from text. A
 * second pass forces every OpenMP region on with 3 threads and prefills each
 * prompt alone. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy_lens.h"
#include "model/model_internal.h"
#include "nn/kernels.h"
#include "test_util.h"
#include "text_golden_util.h"

#define TOL_ENTROPY 1e-4
#define TOL_LOGIT 1e-4
#define MAX_IDS 256

/* The fixtures whose family the C code supports (all of them, in the end;
 * tests/fixtures/families has goldens for the rest). text = 1: the prompts
 * are also tokenized by our tokenizer and must give the golden's ids. */
static const struct {
    const char *name;
    int text;
} fixtures[] = {
    {"qwen2.5-tiny", 1},
    {"pythia-tiny", 1},
    {"neox-seq-tiny", 1},
    {"gemma-tiny", 1},
    {"bloom-tiny", 1},
    {"gemma2-tiny", 1},
    {"gemma3-tiny", 1},
    {"gemma3-mm-tiny", 1},
    {"llama3-tiny", 1},
    {"llama-rope-linear-tiny", 1},
    {"qwen3-tiny", 1},
    {"phi3-tiny", 1},
    {"phi3-longrope-tiny", 1},
    {"opt-tiny", 1},
    {"opt-350m-tiny", 1},
};

static el_model_params g_params;
static el_state_params g_sparams;

static int item_int(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* One result against one golden case. */
static void compare(const char *what, const el_text_result *r, const cJSON *c) {
    if (!el_golden_compare_steps(what, r, c, TOL_ENTROPY)) return;
    const cJSON *lg = cJSON_GetObjectItemCaseSensitive(c, "logits_step0");
    if (lg && r->logits0) {
        double worst = 0;
        for (int v = 0; v < cJSON_GetArraySize(lg); v++) {
            double d = fabs(r->logits0[v] - cJSON_GetArrayItem(lg, v)->valuedouble);
            worst = d > worst ? d : worst;
        }
        CHECK_MSG(worst <= TOL_LOGIT, "%s: step-0 logits max |d| = %g", what, worst);
    }
}

static el_text_params params(int steps) {
    el_text_params tp = el_text_default_params();
    tp.n_tokens = steps;
    tp.keep_logits = 1;
    return tp;
}

/* The model's tokenizer must give the reference's ids (BOS included). */
static void check_tokens(const char *name, el_model *m, const cJSON *c) {
    int want[MAX_IDS], *got = NULL, n_got = 0;
    int n = el_golden_ids(cJSON_GetObjectItemCaseSensitive(c, "prompt_ids"), want, MAX_IDS);
    const char *prompt = cJSON_GetObjectItemCaseSensitive(c, "prompt")->valuestring;
    el_status st = el_text_tokenize(m, prompt, &got, &n_got);
    CHECK_MSG(st == EL_OK, "%s: tokenize: %s", name, el_last_error());
    int same = !st && n_got == n;
    for (int i = 0; same && i < n; i++) same = got[i] == want[i];
    CHECK_MSG(same, "%s: '%s' tokenizes to %d ids (first %d), the reference to %d (first %d)", name, prompt, n_got,
              n_got ? got[0] : -1, n, n ? want[0] : -1);
    free(got);
}

/* The batch cases generated together, from their ids or their text. */
static void check_batch(const char *name, el_state *m, const cJSON *g, int from_text) {
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(g, "cases");
    const cJSON *batch = cJSON_GetObjectItemCaseSensitive(g, "batch");
    const char *prompts[8];
    const cJSON *bc[8] = {NULL};
    static int ids[8][MAX_IDS];
    const int *idp[8];
    int n_ids[8], n = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, batch) {
        if (n == 8) break;
        bc[n] = cJSON_GetArrayItem(cases, b->valueint);
        prompts[n] = cJSON_GetObjectItemCaseSensitive(bc[n], "prompt")->valuestring;
        n_ids[n] = el_golden_ids(cJSON_GetObjectItemCaseSensitive(bc[n], "prompt_ids"), ids[n], MAX_IDS);
        idp[n] = ids[n];
        n++;
    }
    CHECK_MSG(n >= 2, "%s: golden has no batch", name);
    if (n < 2) return;
    el_text_params tp = params(item_int(bc[0], "n_steps"));
    el_text_result res[8];
    el_status st = from_text ? el_text_generate_batch(m, prompts, n, &tp, res)
                             : el_text_generate_ids_batch(m, idp, n_ids, n, &tp, res);
    CHECK_MSG(st == EL_OK, "%s batch: %s", name, el_last_error());
    if (st) return;
    for (int i = 0; i < n; i++) {
        char what[128];
        snprintf(what, sizeof what, "%s batch item %d (from %s)", name, i, from_text ? "text" : "ids");
        CHECK_MSG(res[i].error == NULL, "%s: %s", what, res[i].error);
        if (!res[i].error) compare(what, &res[i], bc[i]);
        el_text_result_free(&res[i]);
    }
}

static void check_fixture(const char *name, int text) {
    char dir[512], gp[600];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/families/%s", EL_SOURCE_DIR, name);
    snprintf(gp, sizeof gp, "%s/golden.json", dir);
    cJSON *g = el_test_load_json(gp);
    CHECK_MSG(g != NULL, "cannot read %s", gp);
    if (!g) return;
    el_model *m;
    el_status st = el_model_load(dir, &g_params, &m);
    CHECK_MSG(st == EL_OK, "%s: %s", name, el_last_error());
    if (st) {
        cJSON_Delete(g);
        return;
    }
    el_state *s;
    st = el_state_new(m, &g_sparams, &s);
    CHECK_MSG(st == EL_OK, "%s: %s", name, el_last_error());
    if (st) {
        el_model_free(m);
        cJSON_Delete(g);
        return;
    }
    el_model_info info;
    el_model_get_info(m, &info);
    CHECK_MSG(info.is_text && info.n_layers == item_int(g, "n_layers") && info.n_classes == item_int(g, "vocab_size"),
              "%s: %d layers, vocabulary %d", name, info.n_layers, info.n_classes);
    CHECK_MSG(!strcmp(info.name, name), "%s: named %s", name, info.name);
    const cJSON *c;
    int k = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(g, "cases")) {
        int ids[MAX_IDS];
        int n = el_golden_ids(cJSON_GetObjectItemCaseSensitive(c, "prompt_ids"), ids, MAX_IDS);
        el_text_params tp = params(item_int(c, "n_steps"));
        el_text_result r;
        char what[128];
        snprintf(what, sizeof what, "%s case %d", name, k++);
        st = el_text_generate_ids(s, ids, n, &tp, &r);
        CHECK_MSG(st == EL_OK, "%s: %s", what, el_last_error());
        if (!st) compare(what, &r, c);
        el_text_result_free(&r);
        if (text) check_tokens(what, m, c);
    }
    check_batch(name, s, g, 0);
    if (text) check_batch(name, s, g, 1);
    el_state_free(s);
    el_model_free(m);
    cJSON_Delete(g);
}

static void run_all(void) {
    for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) check_fixture(fixtures[i].name, fixtures[i].text);
}

int main(void) {
    g_params = el_model_default_params();
    g_sparams = el_state_default_params();
    run_all();
    el_set_par_min_work(0);
    el_text_set_prefill_rows(1);
    g_sparams.n_threads = 3;
    run_all();
    return el_test_finish("test_lm_families");
}
