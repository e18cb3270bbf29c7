/* Zero-shot prompt handling (src/model/zeroshot.c): class and template files
 * as the tiny CLIP fixture ships them, the prompts against the reference's
 * (tests/fixtures/vision/clip/golden.json, tools/reference/
 * reference_vision_families.py), bad files refused naming file and line, and
 * the class-embedding cache: exact round trip, refused when stale. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/zeroshot.h"
#include "test_util.h"

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

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_prompts(void) {
    el_zs_spec s;
    CHECK(el_zs_spec_load(CLIP_DIR "/classes.txt", CLIP_DIR "/templates.txt", &s) == EL_OK);
    cJSON *g = load_json(CLIP_DIR "/golden.json");
    const cJSON *zs = cJSON_GetObjectItemCaseSensitive(g, "zero_shot");
    const cJSON *prompts = cJSON_GetObjectItemCaseSensitive(zs, "prompts");
    CHECK(cJSON_GetArraySize(prompts) == s.n_classes * s.n_templates && s.n_classes == 6 && s.n_templates == 2);
    for (int c = 0; c < s.n_classes; c++)
        for (int t = 0; t < s.n_templates; t++) {
            char *p = el_zs_prompt(&s, c, t);
            const cJSON *want = cJSON_GetArrayItem(prompts, c * s.n_templates + t);
            CHECK_MSG(p && cJSON_IsString(want) && !strcmp(p, want->valuestring), "prompt %d/%d: '%s'", c, t, p);
            free(p);
        }
    cJSON_Delete(g);
    el_zs_spec_free(&s);
    /* default template */
    CHECK(el_zs_spec_load(CLIP_DIR "/classes.txt", NULL, &s) == EL_OK);
    char *p = s.n_templates == 1 ? el_zs_prompt(&s, 4, 0) : NULL;
    CHECK(p && !strcmp(p, "a photo of a truck, lorry."));
    free(p);
    el_zs_spec_free(&s);
}

static void test_bad_files(const char *dir) {
    char cls[1024], tpl[1024];
    el_zs_spec s;
    snprintf(cls, sizeof cls, "%s/c.txt", dir);
    snprintf(tpl, sizeof tpl, "%s/t.txt", dir);
    write_file(cls, "# comment\r\ncat\r\n\r\ndog\n");
    write_file(tpl, "a {} photo\nno field here\n");
    CHECK(el_zs_spec_load(NULL, NULL, &s) == EL_ERR_ARG && strstr(el_last_error(), "--classes"));
    CHECK(el_zs_spec_load(cls, tpl, &s) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "t.txt:2:"), "%s", el_last_error());
    write_file(tpl, "{} and {}\n");
    CHECK(el_zs_spec_load(cls, tpl, &s) == EL_OK);
    if (s.n_classes == 2) {
        char *p = el_zs_prompt(&s, 1, 0);
        CHECK(p && !strcmp(p, "dog and dog") && !strcmp(s.classes[0], "cat"));
        free(p);
    }
    el_zs_spec_free(&s);
    write_file(cls, "\n# nothing\n");
    CHECK(el_zs_spec_load(cls, NULL, &s) == EL_ERR_FORMAT);
    CHECK(el_zs_spec_load("/nonexistent/classes.txt", NULL, &s) == EL_ERR_IO);
}

static void test_cache(const char *dir) {
    el_zs_spec s;
    if (el_zs_spec_load(CLIP_DIR "/classes.txt", CLIP_DIR "/templates.txt", &s) != EL_OK) {
        CHECK(0);
        return;
    }
    enum { DIM = 5 };
    float emb[6 * DIM], back[6 * DIM];
    for (int i = 0; i < 6 * DIM; i++) emb[i] = (float)(i * 0.123456789 - 1.0) / 3.0f;
    char path[1024];
    snprintf(path, sizeof path, "%s/out.class_embeddings.json", dir);
    CHECK(el_zs_cache_read(path, "m", &s, DIM, back) == EL_ERR_IO);
    CHECK(el_zs_cache_write(path, "m", &s, DIM, emb) == EL_OK);
    memset(back, 0, sizeof back);
    CHECK(el_zs_cache_read(path, "m", &s, DIM, back) == EL_OK);
    CHECK(memcmp(emb, back, sizeof emb) == 0); /* float-exact */
    CHECK(el_zs_cache_read(path, "other model", &s, DIM, back) == EL_ERR_FORMAT);
    CHECK(el_zs_cache_read(path, "m", &s, DIM + 1, back) == EL_ERR_FORMAT);
    char *saved = s.templates[1];
    s.templates[1] = (char *)"another {}";
    CHECK(el_zs_cache_read(path, "m", &s, DIM, back) == EL_ERR_FORMAT);
    s.templates[1] = saved;
    write_file(path, "{\"model\":\"m\",\"dim\":5,");
    CHECK(el_zs_cache_read(path, "m", &s, DIM, back) != EL_OK);
    el_zs_spec_free(&s);
}

int main(void) {
    char dir[] = "/tmp/el_zeroshot_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    test_prompts();
    test_bad_files(dir);
    test_cache(dir);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return el_test_finish("test_zeroshot");
}
