/* A new architecture flag is one field and one branch: GPT-NeoX's parallel
 * residual (el_block_config.parallel_residual, the branch in
 * el_block_post_attention). Two tiny GPT-NeoX checkpoints with the same
 * weights, use_parallel_residual true and false, against goldens from the
 * independent PyTorch reference written from HF's modeling_gpt_neox.py
 * (tools/reference/reference_gpt_neox.py, via
 * tools/fixtures/make_parallel_residual.py): greedy ids identical, step-0
 * logits and every per-layer lens entropy (Shannon and Renyi) within 1e-4.
 * Each model is also checked against the other's golden, which must fail:
 * the flag changes the numbers, so the test could catch a loader or block
 * that ignored it. Second pass: every parallel path forced on, 3 threads. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "entropy_lens.h"
#include "nn/kernels.h"
#include "test_util.h"
#include "text_compare.h"

#define DIR EL_SOURCE_DIR "/tests/fixtures/text/"
#define TOL 1e-4

static int g_threads = 0;

/* Largest entropy difference between a generation and a golden case. */
static double entropy_gap(const el_text_result *r, const cJSON *c) {
    const cJSON *ent = cJSON_GetObjectItemCaseSensitive(c, "entropy");
    double worst = 0;
    for (int s = 0; s < r->n_steps && s < cJSON_GetArraySize(ent); s++)
        for (int l = 0; l < r->n_layers; l++)
            worst = fmax(worst, fabs(r->entropy[s * r->n_layers + l] -
                                     cJSON_GetArrayItem(cJSON_GetArrayItem(ent, s), l)->valuedouble));
    return worst;
}

static int same_ids(const cJSON *a, const cJSON *b) {
    int same = cJSON_GetArraySize(a) == cJSON_GetArraySize(b);
    for (int k = 0; same && k < cJSON_GetArraySize(a); k++)
        same = cJSON_GetArrayItem(a, k)->valueint == cJSON_GetArrayItem(b, k)->valueint;
    return same;
}

static void check_model(const char *name, const char *other) {
    char path[512];
    snprintf(path, sizeof path, DIR "%s/golden.json", name);
    cJSON *g = el_test_load_json(path);
    snprintf(path, sizeof path, DIR "%s/golden.json", other);
    cJSON *og = el_test_load_json(path);
    CHECK_MSG(g && og, "cannot read the goldens of %s and %s", name, other);
    snprintf(path, sizeof path, DIR "%s", name);
    el_model *m = NULL;
    el_state *s = NULL;
    el_state_params sp = el_state_default_params();
    sp.n_threads = g_threads;
    CHECK_MSG(el_model_load(path, NULL, &m) == EL_OK, "%s: %s", name, el_last_error());
    if (m) CHECK(el_state_new(m, &sp, &s) == EL_OK);
    if (!g || !og || !s) goto done;
    el_model_info info;
    el_model_get_info(m, &info);
    CHECK_MSG(info.is_text && !strcmp(info.family, "gpt_neox") && !strcmp(info.arch, "GPTNeoXForCausalLM") &&
                  !strcmp(info.norm, "LayerNorm") && !strcmp(info.dtype, "F32") && info.n_shards == 1 &&
                  info.n_layers == cJSON_GetObjectItemCaseSensitive(g, "n_layers")->valueint,
              "%s: info %s %s %s %s %d", name, info.family, info.arch, info.norm, info.dtype, info.n_shards);
    for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(g, "cases")); i++) {
        const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(g, "cases"), i);
        const cJSON *oc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(og, "cases"), i);
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(c, "prompt_ids");
        int n = cJSON_GetArraySize(pid), ids[64];
        for (int k = 0; k < n && k < 64; k++) ids[k] = cJSON_GetArrayItem(pid, k)->valueint;
        el_text_result r;
        el_status st = el_text_generate_ids(s, ids, n, &(el_text_params){0}, &r);
        CHECK(st == EL_ERR_ARG); /* zero steps: refused */
        el_text_params tp = params(cJSON_GetObjectItemCaseSensitive(c, "n_steps")->valueint);
        st = el_text_generate_ids(s, ids, n, &tp, &r);
        CHECK_MSG(st == EL_OK, "%s: %s", name, el_last_error());
        if (st) continue;
        compare_case(name, &r, c, TOL, TOL);
        /* The other variant's golden (same weights, same first prompt) is
         * far away: the flag is read and acts. */
        if (same_ids(pid, cJSON_GetObjectItemCaseSensitive(oc, "prompt_ids")))
            CHECK_MSG(entropy_gap(&r, oc) > 0.05, "%s case %d: no different from %s (gap %g)", name, i, other,
                      entropy_gap(&r, oc));
        el_text_result_free(&r);
    }
done:
    el_state_free(s);
    el_model_free(m);
    cJSON_Delete(g);
    cJSON_Delete(og);
}

int main(void) {
    for (int pass = 0; pass < 2; pass++) {
        check_model("gpt-neox-tiny", "gpt-neox-tiny-sequential");
        check_model("gpt-neox-tiny-sequential", "gpt-neox-tiny");
        el_set_par_min_work(0);
        g_threads = 3;
    }
    return el_test_finish("test_parallel_residual");
}
