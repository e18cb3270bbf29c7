/* Records and text answers on hostile input (issue 18).
 *
 * Input: records.jsonl NUL extract-regex NUL generated-text
 *   - records.jsonl is written to a file and read by el_dataset_load (the
 *     reader every analysis command uses, through el_json_parse and its
 *     lone-surrogate rewrite), grouped by `label`, features aligned with
 *     resample:8 on the fraction axis; then the correctness selection and
 *     its baselines. A failure must name the file; a success must give
 *     finite features and AUCs in [0, 1] or NaN.
 *   - el_json_unescape_surrogates never grows the text, and the parse of a
 *     line agrees with cJSON's when the line has no "\u" escape.
 *   - the regex (empty part: the default rule) over the text with
 *     el_answer_check: correct is -1, 0 or 1; what it extracted is there
 *     when, and only when, correct >= 0. */
#include <math.h>

#include "analysis/answer.h"
#include "analysis/correctness.h"
#include "fuzz_util.h"
#include "records/json_read.h"

static void check_dataset(const char *path) {
    el_dataset_opts o = el_dataset_default_opts();
    o.by = "label";
    o.depth = EL_DEPTH_RESAMPLE;
    o.depth_n = 8;
    o.depth_axis = EL_DEPTH_AXIS_FRACTION;
    el_dataset ds;
    const char *paths[] = {path};
    if (el_dataset_load(paths, 1, &o, &ds) != EL_OK) {
        EL_FUZZ_CHECK_NAMES(el_last_error(), path);
        return;
    }
    for (size_t i = 0; i < (size_t)ds.n * (size_t)ds.dim; i++) EL_FUZZ_CHECK(isfinite(ds.X[i]), "feature %zu not finite", i);
    el_correctness c;
    if (el_correctness_select(&ds, &c) == EL_OK) {
        EL_FUZZ_CHECK(isnan(c.auc_last_entropy) || (c.auc_last_entropy >= 0 && c.auc_last_entropy <= 1), "AUC %g",
                      c.auc_last_entropy);
        EL_FUZZ_CHECK(isnan(c.auc_prob) || (c.auc_prob >= 0 && c.auc_prob <= 1), "AUC %g", c.auc_prob);
        el_correctness_free(&c);
    }
    el_dataset_free(&ds);
}

static int has_u_escape(const char *t, size_t n) {
    for (size_t i = 0; i + 1 < n; i++)
        if (t[i] == '\\' && t[i + 1] == 'u') return 1;
    return 0;
}

static void check_parse(const char *text, size_t n) {
    char *out = malloc(n + 1);
    if (!out) abort();
    size_t m = el_json_unescape_surrogates(text, n, out, NULL);
    EL_FUZZ_CHECK(m <= n && out[m] == '\0', "rewrite grew %zu -> %zu", n, m);
    free(out);
    const char *endp = NULL;
    cJSON *j = el_json_parse(text, n, &endp);
    if (j) EL_FUZZ_CHECK(endp >= text && endp <= text + n, "endp outside the text");
    if (!has_u_escape(text, n)) {
        cJSON *k = cJSON_ParseWithLengthOpts(text, n, NULL, 0);
        EL_FUZZ_CHECK(!j == !k, "el_json_parse and cJSON disagree on text without \\u escapes");
        cJSON_Delete(k);
    }
    cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    el_fuzz_part part[3];
    int np = el_fuzz_split(data, size, part, 3);
    char path[512];
    el_fuzz_path(path, sizeof path, "records.jsonl");
    el_fuzz_write(path, part[0].p, part[0].n);
    check_dataset(path);
    check_parse((const char *)part[0].p, part[0].n);
    char *re = np > 1 && part[1].n ? el_fuzz_cstr(part[1].p, part[1].n) : NULL;
    char *gen = el_fuzz_cstr(np > 2 ? part[2].p : part[0].p, np > 2 ? part[2].n : part[0].n);
    int correct = 9;
    char *x = NULL;
    if (el_answer_check(gen, "B", re, &correct, &x) == EL_OK) {
        EL_FUZZ_CHECK(correct >= -1 && correct <= 1, "correct = %d", correct);
        EL_FUZZ_CHECK((x != NULL) == (correct >= 0), "extracted %s with correct %d", x ? x : "(null)", correct);
    }
    free(x);
    free(re);
    free(gen);
    return 0;
}
