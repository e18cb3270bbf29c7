/* el_text_result.prob (the `prob` of text records, the maximum softmax
 * probability baseline): at step 0 it must be the largest softmax
 * probability of the step's final logits (keep_logits), computed here
 * directly from the logits; at every step it must lie in (1/V, 1]. Run on
 * tiny fixtures (GPT-2 and a Llama with a final logit softcap), greedy and
 * sampled, in a batch of two. */
#include <math.h>
#include <stdio.h>

#include "entropy_lens.h"
#include "test_util.h"

static double max_softmax(const float *z, int V) {
    double m = z[0], s = 0.0;
    for (int i = 1; i < V; i++)
        if (z[i] > m) m = z[i];
    for (int i = 0; i < V; i++) s += exp((double)z[i] - m);
    return 1.0 / s;
}

static void check_model(const char *dir) {
    el_model *m = NULL;
    el_state *s = NULL;
    CHECK_MSG(el_model_load(dir, NULL, &m) == EL_OK, "%s: %s", dir, el_last_error());
    if (!m) return;
    CHECK(el_state_new(m, NULL, &s) == EL_OK);
    const int ids0[] = {3, 7, 11}, ids1[] = {5, 2};
    const int *ids[] = {ids0, ids1}, n_ids[] = {3, 2};
    for (int sampled = 0; sampled < 2; sampled++) {
        el_text_params tp = el_text_default_params();
        tp.n_tokens = 5;
        tp.keep_logits = 1;
        tp.temperature = sampled ? 1.0 : 0.0;
        el_text_result r[2];
        CHECK(el_text_generate_ids_batch(s, ids, n_ids, 2, &tp, r) == EL_OK);
        for (int k = 0; k < 2; k++) {
            CHECK(r[k].prob != NULL && r[k].logits0 != NULL);
            if (!r[k].prob || !r[k].logits0) continue;
            const double want = max_softmax(r[k].logits0, r[k].vocab);
            CHECK_MSG(fabs(r[k].prob[0] - want) < 1e-5, "%s prompt %d: prob[0] %g, max softmax %g", dir, k,
                      r[k].prob[0], want);
            for (int t = 0; t < r[k].n_steps; t++)
                CHECK_MSG(r[k].prob[t] >= 1.0 / r[k].vocab - 1e-7 && r[k].prob[t] <= 1.0 + 1e-7, "%s: prob[%d] = %g", dir,
                          t, r[k].prob[t]);
            el_text_result_free(&r[k]);
        }
    }
    el_state_free(s);
    el_model_free(m);
}

int main(void) {
    check_model(EL_SOURCE_DIR "/tests/fixtures/text/gpt2-tiny");
    check_model(EL_SOURCE_DIR "/tests/fixtures/text/llama-tiny-softcap");
    return el_test_finish("test_text_prob");
}
