/* CLIP's tokenizer (lower-casing BPE with </w> word ends, CLIP's split
 * pattern, <|startoftext|> ... <|endoftext|>) on the tiny CLIP fixture's
 * tokenizer.json, against the ids of the independent reference
 * (tools/reference/clip_tokenizers.py, itself checked against tokenizers.js)
 * in tests/fixtures/vision/clip/golden.json: every zero-shot prompt and the
 * hard strings. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/zeroshot.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

#define CLIP_DIR EL_SOURCE_DIR "/tests/fixtures/vision/clip"

static cJSON *load_json(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cJSON_Parse(buf);
}

static void check_ids(const el_tokenizer *t, const char *text, const cJSON *want) {
    int *ids = NULL, n = 0;
    el_status s = el_tokenizer_encode_n(t, text, strlen(text), EL_BOS_AUTO, &ids, &n);
    CHECK_MSG(s == EL_OK, "'%s': %s", text, el_last_error());
    int same = s == EL_OK && n == cJSON_GetArraySize(want);
    for (int i = 0; same && i < n; i++) same = ids[i] == cJSON_GetArrayItem(want, i)->valueint;
    CHECK_MSG(same, "'%s': %d ids, expected %d (first differing ids shown by --verbose runs)", text, n,
              cJSON_GetArraySize(want));
    if (!same && s == EL_OK) {
        for (int i = 0; i < n; i++) fprintf(stderr, " %d", ids[i]);
        fputc('\n', stderr);
    }
    free(ids);
}

int main(void) {
    cJSON *g = load_json(CLIP_DIR "/golden.json");
    const cJSON *zs = cJSON_GetObjectItemCaseSensitive(g, "zero_shot");
    CHECK_MSG(zs != NULL, "cannot read %s/golden.json", CLIP_DIR);
    el_tokenizer *t = NULL;
    CHECK_MSG(el_tokenizer_load_path(CLIP_DIR, &t) == EL_OK, "%s", el_last_error());
    if (zs && t) {
        /* The prompts as the zero-shot code builds them from the fixture's files. */
        el_zs_spec spec;
        CHECK(el_zs_spec_load(CLIP_DIR "/classes.txt", CLIP_DIR "/templates.txt", &spec) == EL_OK);
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(zs, "token_ids");
        CHECK(cJSON_GetArraySize(ids) == spec.n_classes * spec.n_templates);
        for (int c = 0; c < spec.n_classes; c++)
            for (int k = 0; k < spec.n_templates; k++) {
                char *p = el_zs_prompt(&spec, c, k);
                check_ids(t, p, cJSON_GetArrayItem(ids, c * spec.n_templates + k));
                free(p);
            }
        el_zs_spec_free(&spec);
        const cJSON *cases = cJSON_GetObjectItemCaseSensitive(zs, "tokenizer_cases"), *it;
        int n_cases = 0;
        cJSON_ArrayForEach(it, cases) {
            check_ids(t, cJSON_GetObjectItemCaseSensitive(it, "text")->valuestring,
                      cJSON_GetObjectItemCaseSensitive(it, "ids"));
            n_cases++;
        }
        CHECK(n_cases >= 7);
    }
    el_tokenizer_free(t);
    cJSON_Delete(g);
    return el_test_finish("test_clip_tokenizer");
}
