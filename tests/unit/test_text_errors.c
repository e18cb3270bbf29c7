/* Language-model inputs that must be refused with a clear message and no
 * crash: unknown architectures, truncated or inconsistent llama2.c files,
 * tokenizers that do not fit the model, prompts without a tokenizer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entropy_lens.h"
#include "test_util.h"

static char tmp[256];

static void expect_load(el_status want, const char *path, const char *tokenizer, const char *needle, const char *what) {
    el_model *m = NULL;
    el_model_params mp = el_model_default_params();
    mp.tokenizer = tokenizer;
    el_status st = el_model_load(path, &mp, &m);
    CHECK_MSG(st == want, "%s: got %s (%s)", what, el_status_name(st), el_last_error());
    if (st != EL_OK) CHECK_MSG(strstr(el_last_error(), needle) != NULL, "%s: '%s' lacks '%s'", what, el_last_error(), needle);
    el_model_free(m);
}

static const char *copy_prefix(const char *src, long bytes, const char *name) {
    static char dst[512];
    snprintf(dst, sizeof dst, "%s/%s", tmp, name);
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    for (long i = 0; i < bytes; i++) {
        int c = fgetc(in);
        if (c == EOF) break;
        fputc(c, out);
    }
    fclose(in);
    fclose(out);
    return dst;
}

/* No tokenizer beside the model: ids work, text prompts say why not; bad
 * ids and image calls are argument errors. */
static void check_calls(const char *bin) {
    el_model *m = NULL;
    el_state *s = NULL;
    CHECK(el_model_load(bin, NULL, &m) == EL_OK);
    if (!m) return;
    CHECK(el_state_new(m, NULL, &s) == EL_OK);
    el_text_params tp = el_text_default_params();
    tp.n_tokens = 3;
    el_text_result r;
    CHECK(el_text_generate(s, "hello", &tp, &r) == EL_ERR_ARG);
    CHECK(strstr(el_last_error(), "tokenizer") != NULL);
    int ids[3] = {1, 5, 7};
    CHECK(el_text_generate_ids(s, ids, 3, &tp, &r) == EL_OK);
    el_text_result_free(&r);
    /* Out-of-vocabulary ids and an empty prompt are argument errors. */
    int bad_ids[2] = {1, 100000};
    CHECK(el_text_generate_ids(s, bad_ids, 2, &tp, &r) == EL_ERR_ARG);
    CHECK(strstr(el_last_error(), "outside the vocabulary") != NULL);
    CHECK(el_text_generate_ids(s, ids, 0, &tp, &r) == EL_ERR_ARG);
    tp.n_tokens = 0;
    CHECK(el_text_generate_ids(s, ids, 3, &tp, &r) == EL_ERR_ARG);
    /* An image call on a text model is refused, not misread. */
    el_lens_params lp = el_lens_default_params();
    el_profile prof;
    CHECK(el_profile_init(&prof, m, &lp) == EL_ERR_ARG);
    float px[4] = {0};
    CHECK(el_model_profile(s, px, 1, &lp, &prof) == EL_ERR_ARG);
    CHECK(strstr(el_last_error(), "is a language model") != NULL);
    /* A state's thread count is checked. */
    el_state_params sp = el_state_default_params();
    sp.n_threads = -1;
    el_state *bad = NULL;
    CHECK(el_state_new(m, &sp, &bad) == EL_ERR_ARG && bad == NULL);
    el_state_free(s);
    el_model_free(m);
}

/* A family fixture with one config edit (a sed expression) is refused,
 * the message naming the field. */
static void expect_config_refused(const char *fx, const char *family, const char *sed, const char *needle) {
    char dir[400], cmd[4096];
    snprintf(dir, sizeof dir, "%s/%s-edited", tmp, family);
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s && cp %s/families/%s/* %s/ && sed -i '%s' %s/config.json", dir, dir,
             fx, family, dir, sed, dir);
    CHECK(system(cmd) == 0);
    expect_load(EL_ERR_UNSUPPORTED, dir, NULL, needle, family);
}

/* What Gemma, BLOOM and the sliding-window configs may set but the block
 * does not compute is refused by name, never run differently. */
static void check_family_refusals(const char *fx) {
    expect_config_refused(fx, "gemma2-tiny", "s/\"attention_bias\": false/\"attention_bias\": true/", "attention_bias");
    expect_config_refused(fx, "gemma2-tiny",
                          "s/\"rope_theta\"/\"rope_scaling\": {\"rope_type\": \"linear\", \"factor\": 2.0}, \"rope_theta\"/",
                          "rope_scaling");
    expect_config_refused(fx, "gemma3-tiny", "s/\"rope_type\": \"linear\"/\"rope_type\": \"dynamic\"/", "dynamic");
    expect_config_refused(fx, "gemma2-tiny",
                          "s/\"max_position_embeddings\"/\"layer_types\": [\"chunked_attention\", \"full_attention\", "
                          "\"full_attention\"], \"max_position_embeddings\"/",
                          "chunked_attention");
    expect_config_refused(fx, "bloom-tiny", "s/_layernorm\": false/_layernorm\": true/",
                          "apply_residual_connection_post_layernorm");
    expect_config_refused(fx, "gemma3-mm-tiny", "s/\"model_type\": \"gemma3_text\"/\"model_type\": \"gemma2\"/",
                          "text_config.model_type");
    expect_config_refused(fx, "qwen2.5-tiny", "s/\"use_sliding_window\": false/\"use_sliding_window\": true/",
                          "use_sliding_window");
}

int main(void) {
    snprintf(tmp, sizeof tmp, "/tmp/el_test_text_XXXXXX");
    if (!mkdtemp(tmp)) return 1;
    char p[600];
    const char *fx = EL_SOURCE_DIR "/tests/fixtures";

    /* An unknown architecture names the model type it saw. */
    snprintf(p, sizeof p, "%s/bert", tmp);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s/text/gpt2-tiny/model.safetensors %s/ && echo '{\"model_type\": \"bert\"}' > %s/config.json",
             p, fx, p, p);
    CHECK(system(cmd) == 0);
    expect_load(EL_ERR_UNSUPPORTED, p, NULL, "bert", "unknown model_type");

    /* A file of a Hugging Face folder given instead of the folder. */
    snprintf(p, sizeof p, "%s/tiny/vit-hf-f32/model.safetensors", fx);
    expect_load(EL_ERR_ARG, p, NULL, "pass the model's folder", "safetensors file as --model");
    snprintf(p, sizeof p, "%s/tiny/vit-hf-f32/config.json", fx);
    expect_load(EL_ERR_ARG, p, NULL, "pass the model's folder", "config file as --model");

    /* llama2.c: truncated at several lengths, and a header that lies. */
    char bin[512];
    snprintf(bin, sizeof bin, "%s/text/llama2c-tiny.bin", fx);
    long sizes[] = {0, 10, 27, 28, 100, 4096, 50000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const char *cut = copy_prefix(bin, sizes[i], "cut.bin");
        el_model *m = NULL;
        el_status st = el_model_load(cut, NULL, &m);
        CHECK_MSG(st == EL_ERR_FORMAT, "truncated at %ld: %s", sizes[i], el_status_name(st));
        CHECK(strstr(el_last_error(), "cut.bin") != NULL);
        el_model_free(m);
    }
    {
        const char *bad = copy_prefix(bin, 1L << 30, "huge.bin");
        FILE *f = fopen(bad, "r+b");
        int dim = 1 << 30; /* dim out of range: refused before allocating */
        fwrite(&dim, 4, 1, f);
        fclose(f);
        expect_load(EL_ERR_CONFIG, bad, NULL, "sizes out of range", "absurd dim");
        bad = copy_prefix(bin, 1L << 30, "heads.bin");
        f = fopen(bad, "r+b");
        fseek(f, 12, SEEK_SET);
        int heads = 5; /* does not divide dim */
        fwrite(&heads, 4, 1, f);
        fclose(f);
        expect_load(EL_ERR_FORMAT, bad, NULL, "divisible", "heads do not divide dim");
    }

    /* A tokenizer with more tokens than the model's vocabulary. */
    snprintf(p, sizeof p, "%s/tokenizers/llama2c_tok.bin", fx);
    if (access(p, R_OK) == 0) expect_load(EL_ERR_FORMAT, bin, p, "vocab", "tokenizer larger than the vocabulary");
    /* A tokenizer file that is not one. */
    snprintf(p, sizeof p, "%s/text/gpt2-tiny/config.json", fx);
    expect_load(EL_ERR_FORMAT, bin, p, "config.json", "garbage tokenizer");

    check_calls(bin);
    check_family_refusals(fx);

    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0) return 1;
    return el_test_finish("test_text_errors");
}
