/* SigLIP's tokenizer (src/tokenizer/spiece.c: a Unigram spiece.model and
 * SiglipTokenizer's text handling) on the tiny SigLIP fixture against the
 * ids of the independent reference (tools/reference/clip_tokenizers.py) in
 * tests/fixtures/vision/siglip/golden.json: every zero-shot prompt (unknown
 * characters included), padded to 64; and malformed model files. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/zeroshot.h"
#include "test_util.h"
#include "tokenizer/spiece.h"

#define SIGLIP_DIR EL_SOURCE_DIR "/tests/fixtures/vision/siglip"

static cJSON *load_json(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return cJSON_Parse(buf);
}

static void test_prompts(const el_spiece *sp) {
    cJSON *g = load_json(SIGLIP_DIR "/golden.json");
    const cJSON *zs = cJSON_GetObjectItemCaseSensitive(g, "zero_shot");
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(zs, "token_ids");
    el_zs_spec spec;
    CHECK(el_zs_spec_load(SIGLIP_DIR "/classes.txt", SIGLIP_DIR "/templates.txt", &spec) == EL_OK);
    CHECK(cJSON_GetArraySize(want) == spec.n_classes * spec.n_templates);
    int ids[64];
    for (int c = 0; c < spec.n_classes; c++)
        for (int k = 0; k < spec.n_templates; k++) {
            char *p = el_zs_prompt(&spec, c, k);
            const cJSON *w = cJSON_GetArrayItem(want, c * spec.n_templates + k);
            CHECK_MSG(el_spiece_encode_siglip(sp, p, 64, ids) == EL_OK, "%s", el_last_error());
            int same = cJSON_GetArraySize(w) == 64;
            for (int i = 0; same && i < 64; i++) same = ids[i] == cJSON_GetArrayItem(w, i)->valueint;
            CHECK_MSG(same, "'%s'", p);
            free(p);
        }
    el_zs_spec_free(&spec);
    cJSON_Delete(g);
    /* truncation keeps </s> last */
    int two[2];
    CHECK(el_spiece_encode_siglip(sp, "a photo of a cat", 2, two) == EL_OK);
    CHECK(two[1] == 1 && two[0] != 1);
}

static void test_malformed(void) {
    char dir[] = "/tmp/el_spiece_XXXXXX";
    if (!mkdtemp(dir)) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/spiece.model", dir);
    FILE *src = fopen(SIGLIP_DIR "/spiece.model", "rb");
    static unsigned char buf[1 << 16];
    size_t n = src ? fread(buf, 1, sizeof buf, src) : 0;
    if (src) fclose(src);
    CHECK(n > 100);
    el_spiece *sp = NULL;
    /* Every truncation either loads (a shorter but valid model) or fails cleanly. */
    for (size_t cut = 0; cut < n; cut += 7) {
        FILE *f = fopen(path, "wb");
        if (!f) break;
        fwrite(buf, 1, cut, f);
        fclose(f);
        el_status st = el_spiece_load(path, &sp);
        CHECK(st == EL_OK || st == EL_ERR_FORMAT);
        el_spiece_free(sp);
        sp = NULL;
    }
    CHECK(el_spiece_load("/nonexistent/spiece.model", &sp) != EL_OK && sp == NULL);
    remove(path);
    rmdir(dir);
}

int main(void) {
    el_spiece *sp = NULL;
    CHECK_MSG(el_spiece_load(SIGLIP_DIR "/spiece.model", &sp) == EL_OK, "%s", el_last_error());
    if (sp) {
        CHECK(el_spiece_vocab_size(sp) > 30);
        test_prompts(sp);
    }
    el_spiece_free(sp);
    test_malformed();
    return el_test_finish("test_siglip_tokenizer");
}
