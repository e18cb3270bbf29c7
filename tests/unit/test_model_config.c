/* Model loading refuses wrong configs and checkpoints with a message naming
 * the file and the field or tensor, before any large allocation: each case
 * mutates a copy of a tiny fixture model. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entropy_lens.h"
#include "test_util.h"

static char tmp[256];

static void sh(const char *fmt, const char *a, const char *b) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    if (system(cmd) != 0) fprintf(stderr, "command failed: %s\n", cmd);
}

/* Fresh copy of fixture `name` in tmp/m with config field `key` set to the
 * JSON `value` (NULL: removed). Returns the folder. */
static const char *mutate(const char *name, const char *key, const char *value) {
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/m", tmp);
    sh("rm -rf '%s' && mkdir -p '%s'", dir, dir);
    char src[512];
    snprintf(src, sizeof src, "%s/tests/fixtures/tiny/%s", EL_SOURCE_DIR, name);
    sh("cp -r '%s'/. '%s'", src, dir);
    if (!key) return dir;
    char path[600];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "rb");
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *root = cJSON_Parse(buf);
    cJSON_DeleteItemFromObjectCaseSensitive(root, key);
    if (value) cJSON_AddItemToObject(root, key, cJSON_Parse(value));
    char *text = cJSON_Print(root);
    f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    free(text);
    cJSON_Delete(root);
    return dir;
}

static void expect(el_status want, const char *dir, const char *needle, const char *what) {
    el_model *m = NULL;
    el_status st = el_model_load(dir, NULL, &m);
    CHECK_MSG(st == want, "%s: status %s, want %s (%s)", what, el_status_name(st), el_status_name(want), el_last_error());
    if (st != EL_OK)
        CHECK_MSG(strstr(el_last_error(), needle) != NULL, "%s: message '%s' lacks '%s'", what, el_last_error(), needle);
    CHECK(st == EL_OK || m == NULL);
    el_model_free(m);
}

int main(void) {
    snprintf(tmp, sizeof tmp, "/tmp/el_test_cfg_XXXXXX");
    if (!mkdtemp(tmp)) return 1;

    expect(EL_OK, mutate("vit-hf-f32", NULL, NULL), "", "unchanged copy loads");
    /* Absurd sizes: refused by range checks, not by a failed giant malloc. */
    expect(EL_ERR_CONFIG, mutate("vit-hf-f32", "hidden_size", "1000000000000"), "hidden_size", "absurd hidden size");
    expect(EL_ERR_CONFIG, mutate("vit-hf-f32", "num_hidden_layers", "-3"), "num_hidden_layers", "negative layers");
    expect(EL_ERR_CONFIG, mutate("vit-hf-f32", "hidden_size", "\"32\""), "hidden_size", "string where a number goes");
    expect(EL_ERR_CONFIG, mutate("vit-hf-f32", "hidden_size", "32.5"), "hidden_size", "fractional size");
    expect(EL_ERR_CONFIG, mutate("vit-hf-f32", "hidden_size", NULL), "hidden_size", "missing field");
    expect(EL_ERR_CONFIG, mutate("vit-hf-f32", "num_attention_heads", "3"), "divisible", "heads do not divide hidden");
    expect(EL_ERR_CONFIG, mutate("vit-hf-f32", "patch_size", "5"), "multiple", "patch does not divide image");
    /* Large but in range: the parameter count is checked against the file. */
    expect(EL_ERR_FORMAT, mutate("vit-hf-f32", "intermediate_size", "400000"), "parameters", "config larger than checkpoint");
    /* Shapes that disagree with the checkpoint name the tensor. */
    expect(EL_ERR_FORMAT, mutate("vit-hf-f32", "intermediate_size", "48"), "intermediate.dense.weight", "wrong MLP size");
    expect(EL_ERR_FORMAT, mutate("vit-hf-f32", "num_hidden_layers", "1"), "unexpected tensor", "extra tensors");
    expect(EL_ERR_FORMAT, mutate("vit-hf-f32", "num_hidden_layers", "3"), "parameters", "more layers than stored");
    {
        /* Rename one tensor in the header (same length keeps it valid). */
        const char *d = mutate("vit-hf-f32", NULL, NULL);
        char p[700];
        snprintf(p, sizeof p, "%s/model.safetensors", d);
        FILE *f = fopen(p, "r+b");
        static char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, f);
        for (size_t i = 0; i + 20 < n; i++)
            if (!memcmp(buf + i, "vit.layernorm.weight", 20)) {
                buf[i + 19] = 'X';
                fseek(f, (long)i, SEEK_SET);
                fwrite(buf + i, 1, 20, f);
                break;
            }
        fclose(f);
        expect(EL_ERR_FORMAT, d, "'vit.layernorm.weight'", "missing tensor");
    }
    expect(EL_ERR_UNSUPPORTED, mutate("vit-hf-f32", "hidden_act", "\"relu\""), "hidden_act", "unsupported activation");
    expect(EL_ERR_UNSUPPORTED, mutate("vit-hf-f32", "model_type", "\"bert\""), "model_type", "unknown model type");
    expect(EL_ERR_CONFIG, mutate("vit-hf-f32", "model_type", NULL), "model_type", "no model type");
    /* Preprocessing config with a bad field. */
    const char *d = mutate("vit-hf-f32", NULL, NULL);
    char p[700];
    snprintf(p, sizeof p, "%s/preprocessor_config.json", d);
    FILE *f = fopen(p, "w");
    fputs("{\"image_mean\": [0.5, 0.5], \"image_std\": [0.5, 0.5, 0.5]}", f);
    fclose(f);
    expect(EL_ERR_CONFIG, d, "image_mean", "mean with the wrong channel count");
    f = fopen(p, "w");
    fputs("{\"size\": {\"height\": 32}}", f);
    fclose(f);
    expect(EL_ERR_CONFIG, d, "width", "size without width");
    /* A config that is not JSON, and a missing folder. */
    d = mutate("vit-hf-f32", NULL, NULL);
    snprintf(p, sizeof p, "%s/config.json", d);
    f = fopen(p, "w");
    fputs("{\"model_type\": \"vit\",", f);
    fclose(f);
    expect(EL_ERR_FORMAT, d, "config.json", "truncated config");
    expect(EL_ERR_IO, "/nonexistent/model", "/nonexistent/model", "missing folder");
    /* A truncated checkpoint: the header's offsets now run past the end. */
    d = mutate("vit-hf-f32", NULL, NULL);
    snprintf(p, sizeof p, "%s/model.safetensors", d);
    CHECK(truncate(p, 5000) == 0);
    expect(EL_ERR_FORMAT, d, "model.safetensors", "truncated checkpoint");

    sh("rm -rf '%s'%s", tmp, "");
    return el_test_finish("test_model_config");
}
