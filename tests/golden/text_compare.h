/* Text-model goldens (tools/fixtures: make_text_fixtures.py,
 * make_parallel_residual.py): one generation against one golden case, and the
 * parameters the goldens were made with. Header-only for the golden tests. */
#ifndef EL_TEXT_COMPARE_H
#define EL_TEXT_COMPARE_H

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "entropy_lens.h"
#include "test_util.h"

static const double alphas[] = {0.0, 0.5, 2.0, INFINITY};
static const char *alpha_keys[] = {"0", "0.5", "2", "inf"};

/* Compare one generation with one golden case. */
static void compare_case(const char *name, el_text_result *r, const cJSON *c, double tol_logit, double tol_ent) {
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(c, "generated_ids");
    const int S = cJSON_GetArraySize(gen), L = r->n_layers;
    CHECK(r->n_steps == S);
    int same_ids = 1;
    for (int s = 0; s < S; s++) same_ids &= r->ids[s] == cJSON_GetArrayItem(gen, s)->valueint;
    CHECK_MSG(same_ids, "%s: greedy ids differ", name);
    const cJSON *lg = cJSON_GetObjectItemCaseSensitive(c, "logits_step0");
    double worst = 0;
    for (int v = 0; v < cJSON_GetArraySize(lg); v++) {
        double d = fabs(r->logits0[v] - cJSON_GetArrayItem(lg, v)->valuedouble);
        worst = d > worst ? d : worst;
    }
    CHECK_MSG(worst <= tol_logit, "%s: logits max |d| = %g", name, worst);
    worst = 0;
    const cJSON *ent = cJSON_GetObjectItemCaseSensitive(c, "entropy");
    for (int s = 0; s < S; s++)
        for (int l = 0; l < L; l++) {
            double d = fabs(r->entropy[s * L + l] - cJSON_GetArrayItem(cJSON_GetArrayItem(ent, s), l)->valuedouble);
            worst = d > worst ? d : worst;
        }
    CHECK_MSG(worst <= tol_ent, "%s: entropy max |d| = %g", name, worst);
    const cJSON *ren = cJSON_GetObjectItemCaseSensitive(c, "renyi");
    worst = 0;
    for (int a = 0; a < 4; a++) {
        const cJSON *ra = cJSON_GetObjectItemCaseSensitive(ren, alpha_keys[a]);
        for (int s = 0; s < S; s++)
            for (int l = 0; l < L; l++) {
                double d = fabs(r->renyi[((size_t)a * S + s) * L + l] -
                                cJSON_GetArrayItem(cJSON_GetArrayItem(ra, s), l)->valuedouble);
                worst = d > worst ? d : worst;
            }
    }
    CHECK_MSG(worst <= tol_ent, "%s: Renyi max |d| = %g", name, worst);
}

static el_text_params params(int steps) {
    el_text_params tp = el_text_default_params();
    tp.n_tokens = steps;
    tp.keep_logits = 1;
    tp.n_alpha = 4;
    memcpy(tp.alpha, alphas, sizeof alphas);
    return tp;
}

#endif
