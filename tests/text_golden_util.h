/* Shared by the text golden tests (test_lm_families, test_gguf_models): a
 * golden case holds prompt_ids, generated_ids and entropy [steps][layers],
 * made by an independent reference in tools/reference. */
#ifndef EL_TEXT_GOLDEN_UTIL_H
#define EL_TEXT_GOLDEN_UTIL_H

#include <cjson/cJSON.h>
#include <math.h>

#include "entropy_lens.h"
#include "test_util.h"

static inline int el_golden_ids(const cJSON *arr, int *ids, int cap) {
    int n = cJSON_GetArraySize(arr);
    for (int i = 0; i < n && i < cap; i++) ids[i] = cJSON_GetArrayItem(arr, i)->valueint;
    return n < cap ? n : cap;
}

/* Greedy tokens identical and per-layer lens entropies within tol nats at
 * every step; returns 0 when the step count differs (nothing else compared). */
static inline int el_golden_compare_steps(const char *what, const el_text_result *r, const cJSON *c, double tol) {
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(c, "generated_ids");
    const int S = cJSON_GetArraySize(gen), L = r->n_layers;
    CHECK_MSG(r->n_steps == S, "%s: %d steps, want %d", what, r->n_steps, S);
    if (r->n_steps != S) return 0;
    int same = 1;
    for (int s = 0; s < S; s++) same &= r->ids[s] == cJSON_GetArrayItem(gen, s)->valueint;
    CHECK_MSG(same, "%s: greedy tokens differ from the reference", what);
    double worst = 0;
    const cJSON *ent = cJSON_GetObjectItemCaseSensitive(c, "entropy");
    for (int s = 0; s < S; s++)
        for (int l = 0; l < L; l++) {
            double d = fabs(r->entropy[(size_t)s * L + l] - cJSON_GetArrayItem(cJSON_GetArrayItem(ent, s), l)->valuedouble);
            worst = d > worst ? d : worst;
        }
    CHECK_MSG(worst <= tol, "%s: lens entropy max |d| = %g nats", what, worst);
    return 1;
}

#endif
