/* A checkpoint whose weights are finite but huge (found by fuzzing: one
 * -FLT_MAX in a value projection) overflows float32 in the forward pass and
 * turns every later activation into NaN. The image and the prompt must then
 * fail with a message, never come back as a normal result with top1 = -1 and
 * null entropies; the same model with its real weights must not be flagged.
 * Fixtures: tests/fixtures/tiny/vit-hf-f32 and tests/fixtures/text/gpt2-tiny,
 * copied to a temporary folder and patched there. */
#define _GNU_SOURCE
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "entropy_lens.h"
#include "test_util.h"
#include "weights/safetensors.h"

static int copy_file(const char *from, const char *to) {
    size_t n = 0;
    char *data = el_test_slurp(from, &n);
    if (!data) return -1;
    FILE *f = fopen(to, "wb");
    int ok = f && fwrite(data, 1, n, f) == n;
    if (f && fclose(f)) ok = 0;
    free(data);
    return ok ? 0 : -1;
}

/* Copies the model folder's files into dst and overwrites the first `count`
 * elements of F32 tensor `name` in the copy with `value`. */
static int patched_copy(const char *src, const char *dst, const char *const *files, const char *name, int count,
                        float value) {
    char a[1024], b[1024];
    for (int i = 0; files[i]; i++) {
        snprintf(a, sizeof a, "%s/%s", src, files[i]);
        snprintf(b, sizeof b, "%s/%s", dst, files[i]);
        if (copy_file(a, b)) return -1;
    }
    snprintf(b, sizeof b, "%s/model.safetensors", dst);
    el_st_set set;
    if (el_st_open(&set, b) != EL_OK) return -1;
    const el_st_tensor *t = el_st_find(&set, name);
    long off = t && t->dtype == EL_DT_F32 && t->n_elems >= (uint64_t)count ? (long)(t->data - set.files[t->file].map) : -1;
    el_st_close(&set);
    if (off < 0) return -1;
    FILE *f = fopen(b, "r+b");
    if (!f || fseek(f, off, SEEK_SET)) {
        if (f) fclose(f);
        return -1;
    }
    int ok = 1;
    for (int i = 0; i < count; i++) ok &= fwrite(&value, sizeof value, 1, f) == 1;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void test_image(const char *tmp) {
    static const char *const files[] = {"config.json", "preprocessor_config.json", "model.safetensors", NULL};
    const char *src = EL_SOURCE_DIR "/tests/fixtures/tiny/vit-hf-f32";
    size_t n = 0;
    float *pixels = (float *)el_test_slurp(EL_SOURCE_DIR "/tests/fixtures/tiny/input-c3.f32", &n);
    CHECK(pixels && n >= 3 * 32 * 32 * sizeof(float));
    if (!pixels) return;
    for (int patched = 0; patched < 2; patched++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/vit%d", tmp, patched);
        CHECK(mkdir(dir, 0700) == 0);
        CHECK(patched_copy(src, dir, files, "vit.encoder.layer.0.attention.attention.value.weight", patched ? 32 : 0,
                           -FLT_MAX) == 0);
        el_model *m = NULL;
        el_model_params mp = el_model_default_params();
        CHECK_MSG(el_model_load(dir, &mp, &m) == EL_OK, "%s", el_last_error());
        if (!m) continue;
        el_state *s = NULL;
        CHECK(el_state_new(m, NULL, &s) == EL_OK);
        el_lens_params lp = el_lens_default_params();
        el_profile p;
        CHECK(el_profile_init(&p, m, &lp) == EL_OK);
        CHECK(el_model_profile(s, pixels, 1, &lp, &p) == EL_OK);
        if (patched) {
            CHECK_MSG(p.overflow_layer == 1, "overflow_layer %d", p.overflow_layer);
            CHECK(p.top1 == -1);
        } else {
            CHECK_MSG(p.overflow_layer == -1, "overflow_layer %d", p.overflow_layer);
            CHECK(p.top1 >= 0 && p.top1 < p.n_classes);
            for (int d = 0; d < p.n_depth; d++) CHECK(isfinite(p.entropy[d]));
        }
        el_profile_free(&p);
        el_state_free(s);
        el_model_free(m);
        /* The CLI: an error record naming the file, exit 1 (partial). */
        const char *cli = getenv("EL_CLI");
        if (!cli) continue;
        char cmd[4096], out[1100];
        snprintf(out, sizeof out, "%s/out%d.jsonl", tmp, patched);
        snprintf(cmd, sizeof cmd, "'%s' profile --quiet --model '%s' -o '%s' '%s/tests/fixtures/tiny/pattern.png'", cli, dir,
                 out, EL_SOURCE_DIR);
        int rc = system(cmd);
        int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
        char *rec = el_test_slurp(out, NULL);
        CHECK(rec != NULL);
        if (patched) {
            CHECK_MSG(code == 1, "exit %d", code);
            CHECK_MSG(rec && strstr(rec, "\"error\":\"") && strstr(rec, "pattern.png: the forward pass overflowed") &&
                          !strstr(rec, "\"top1\""),
                      "%s", rec ? rec : "(none)");
        } else {
            CHECK_MSG(code == 0, "exit %d", code);
            CHECK_MSG(rec && strstr(rec, "\"top1\":") && !strstr(rec, "\"error\""), "%s", rec ? rec : "(none)");
        }
        free(rec);
    }
    free(pixels);
}

static void test_text(const char *tmp) {
    static const char *const files[] = {"config.json", "model.safetensors", NULL};
    const char *src = EL_SOURCE_DIR "/tests/fixtures/text/gpt2-tiny";
    const int ids[3] = {1, 2, 3};
    for (int patched = 0; patched < 2; patched++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/gpt2%d", tmp, patched);
        CHECK(mkdir(dir, 0700) == 0);
        /* c_attn is Conv1D [in, 3 * out]: its first row feeds q, k and v. */
        CHECK(patched_copy(src, dir, files, "transformer.h.0.attn.c_attn.weight", patched ? 96 : 0, FLT_MAX) == 0);
        el_model *m = NULL;
        el_model_params mp = el_model_default_params();
        CHECK_MSG(el_model_load(dir, &mp, &m) == EL_OK, "%s", el_last_error());
        if (!m) continue;
        el_state *s = NULL;
        CHECK(el_state_new(m, NULL, &s) == EL_OK);
        el_text_params tp = el_text_default_params();
        tp.n_tokens = 3;
        el_text_result r;
        el_status st = el_text_generate_ids(s, ids, 3, &tp, &r);
        if (patched) {
            CHECK(st != EL_OK);
            /* Named by the model's folder name, as every model message is. */
            CHECK_MSG(strstr(el_last_error(), "gpt21: ") && strstr(el_last_error(), "overflowed"), "%s", el_last_error());
        } else {
            CHECK_MSG(st == EL_OK, "%s", el_last_error());
            if (st == EL_OK)
                for (int i = 0; i < r.n_steps * r.n_layers; i++) CHECK(isfinite(r.entropy[i]));
        }
        if (st == EL_OK) el_text_result_free(&r);
        el_state_free(s);
        el_model_free(m);
    }
}

int main(void) {
    char tmp[] = "/tmp/el_overflow_XXXXXX";
    if (!mkdtemp(tmp)) return 1;
    test_image(tmp);
    test_text(tmp);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", tmp);
    return el_test_finish("test_overflow");
}
