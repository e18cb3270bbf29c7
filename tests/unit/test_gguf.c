/* GGUF reader and ggml block expansion against committed fixtures made by
 * tools/fixtures/make_gguf_fixtures.py: every stored type's expansion must
 * equal, bit for bit, the independent NumPy dequantiser's F32 output
 * (tools/reference/gguf_dequant.py; both compute in float32 in ggml's order,
 * no FMA, so the tolerance is zero). Also metadata of every type, and
 * truncated/corrupted files failing with a message naming the file. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "nn/quant.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"
#include "weights/gguf.h"
#include "weights/gguf_config.h"
#include "weights/gguf_tokenizer.h"

#define DIR "tests/fixtures/gguf/"

static void check_types(const el_gguf *g, const el_gguf *want) {
    static const char *const names[] = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"};
    float got[3 * 256], exp[3 * 256];
    for (int i = 0; i < 8; i++) {
        char name[32];
        snprintf(name, sizeof name, "w.%s", names[i]);
        const el_gguf_tensor *t = el_gguf_find_tensor(g, name), *e = el_gguf_find_tensor(want, name);
        CHECK_MSG(t && e, "%s missing", name);
        if (!t || !e) continue;
        CHECK(!strcmp(el_qtype_name(t->type), names[i]));
        CHECK(t->ne[0] == 256 && t->ne[1] == 3 && e->type == EL_Q_F32);
        CHECK(el_gguf_expand_rows(want, e, 0, 3, exp) == EL_OK);
        memset(got, 0, sizeof got);
        CHECK(el_gguf_expand_rows(g, t, 0, 3, got) == EL_OK);
        int diff = 0;
        for (int k = 0; k < 3 * 256; k++) diff += memcmp(&got[k], &exp[k], 4) != 0;
        CHECK_MSG(diff == 0, "%s: %d of 768 values differ from the reference", name, diff);
        /* One row at a time gives the same values (tiles start at any row). */
        CHECK(el_gguf_expand_rows(g, t, 2, 1, got) == EL_OK);
        CHECK(!memcmp(got, exp + 512, 256 * sizeof(float)));
        CHECK(el_gguf_expand_rows(g, t, 2, 2, got) == EL_ERR_ARG);
    }
}

static void check_metadata(const el_gguf *g) {
    int64_t v = 0;
    double f = 0;
    const char *s = NULL;
    uint64_t len = 0;
    CHECK(g->version == 3 && g->alignment == 32 && g->n_tensors == 8);
    CHECK(el_gguf_get_int(g, "test.u32", &v) == EL_OK && v == 4096);
    CHECK(el_gguf_get_int(g, "test.i8", &v) == EL_OK && v == -5);
    CHECK(el_gguf_get_int(g, "test.u16", &v) == EL_OK && v == 65535);
    CHECK(el_gguf_get_int(g, "test.i16", &v) == EL_OK && v == -300);
    CHECK(el_gguf_get_int(g, "test.i64", &v) == EL_OK && v == -((int64_t)1 << 40));
    CHECK(el_gguf_get_int(g, "test.u64", &v) == EL_OK && v == (int64_t)1 << 40);
    CHECK(el_gguf_get_int(g, "test.bool", &v) == EL_OK && v == 1);
    CHECK(el_gguf_get_float(g, "test.f32", &f) == EL_OK && f == (double)1e-5f);
    CHECK(el_gguf_get_float(g, "test.f64", &f) == EL_OK && f == 0.1);
    CHECK(el_gguf_get_str(g, "general.architecture", &s, &len) == EL_OK && len == 5 && !memcmp(s, "llama", 5));
    CHECK(el_gguf_get_int(g, "general.architecture", &v) == EL_ERR_CONFIG && strstr(el_last_error(), "types.gguf"));
    CHECK(el_gguf_get_int(g, "no.such.key", &v) == EL_ERR_CONFIG && strstr(el_last_error(), "no.such.key"));
    const el_gguf_kv *kv = el_gguf_find_kv(g, "test.strings");
    CHECK(kv && kv->type == EL_GGUF_ARRAY && kv->item_type == EL_GGUF_STRING && kv->n_items == 3);
    if (kv) {
        const uint8_t *p = kv->value;
        p = el_gguf_next_str(p, &s, &len);
        CHECK(len == 1 && s[0] == 'a');
        p = el_gguf_next_str(p, &s, &len);
        CHECK(len == 0);
        el_gguf_next_str(p, &s, &len);
        CHECK(len == 6 && !memcmp(s, "h\xc3\xa9llo", 6));
    }
    kv = el_gguf_find_kv(g, "test.floats");
    CHECK(kv && kv->item_type == EL_GGUF_F32 && kv->n_items == 2);
}

/* Every prefix of the file (and a flipped count) must fail cleanly. */
static void check_hostile(const el_gguf *g) {
    const char *tmp = "build/test_gguf_truncated.gguf";
    int failures = 0;
    for (size_t cut = 0; cut < g->size; cut += cut < 1200 ? 1 : 509) {
        FILE *fp = fopen(tmp, "wb");
        if (!fp) return;
        fwrite(g->map, 1, cut, fp);
        fclose(fp);
        el_gguf h;
        el_status st = el_gguf_open(&h, tmp);
        if (st == EL_OK) el_gguf_close(&h);
        failures += st != EL_OK && strstr(el_last_error(), tmp) != NULL;
        CHECK_MSG(st != EL_OK, "a GGUF cut at %zu bytes was accepted", cut);
    }
    CHECK(failures > 0);
    uint8_t *copy = malloc(g->size);
    memcpy(copy, g->map, g->size);
    memset(copy + 8, 0xff, 8); /* tensor count 2^64-1 */
    FILE *fp = fopen(tmp, "wb");
    fwrite(copy, 1, g->size, fp);
    fclose(fp);
    el_gguf h;
    CHECK(el_gguf_open(&h, tmp) == EL_ERR_FORMAT && strstr(el_last_error(), "tensors"));
    free(copy);
    remove(tmp);
}

static void check_config(void) {
    el_gguf g;
    el_gguf_config c;
    if (el_gguf_open(&g, DIR "llama_meta.gguf") != EL_OK) {
        CHECK_MSG(0, "%s", el_last_error());
        return;
    }
    CHECK(el_gguf_read_config(&g, &c) == EL_OK);
    CHECK(!strcmp(c.arch, "llama") && c.n_layers == 2 && c.dim == 32 && c.mlp_dim == 64);
    CHECK(c.n_heads == 4 && c.n_kv_heads == 2 && c.head_dim == 8 && c.rope_dim == 8 && c.context == 128);
    CHECK(c.vocab == 10 && c.tied_embeddings && c.rope_interleaved && c.norm == EL_GGUF_NORM_RMS);
    CHECK(c.eps == (double)1e-6f && c.rope_theta == 500000.0 && c.sliding_window == 0);
    char name[64];
    el_gguf_tensor_name(name, sizeof name, 3, "attn_q", "weight");
    CHECK(!strcmp(name, "blk.3.attn_q.weight"));
    el_gguf_tokenizer t;
    CHECK(el_gguf_read_tokenizer(&g, &t) == EL_OK);
    CHECK(!strcmp(t.model, "gpt2") && !strcmp(t.pre, "llama-bpe") && t.pre_regex && strstr(t.pre_regex, "{1,3}"));
    CHECK(t.tokens && t.tokens->n_items == 10 && t.merges && t.merges->n_items == 1 && !t.scores);
    CHECK(t.token_type && t.bos_id == 8 && t.eos_id == -1 && t.add_bos == -1);
    CHECK(el_gguf_pre_regex("no-such-pre") == NULL);
    el_gguf_close(&g);
    /* Linear RoPE: the older rope.scale_linear key is the factor; a factor
     * below 1 under rope.scaling.type linear is refused with the file. */
    CHECK(el_gguf_open(&g, DIR "rope_scale_linear.gguf") == EL_OK);
    CHECK(el_gguf_read_config(&g, &c) == EL_OK && c.rope_linear == 4.0);
    el_gguf_close(&g);
    CHECK(el_gguf_open(&g, DIR "rope_bad_factor.gguf") == EL_OK);
    CHECK(el_gguf_read_config(&g, &c) == EL_ERR_CONFIG && strstr(el_last_error(), "rope_bad_factor.gguf") &&
          strstr(el_last_error(), "factor"));
    el_gguf_close(&g);
    /* types.gguf says llama but has no hyperparameters: the error names the key. */
    CHECK(el_gguf_open(&g, DIR "types.gguf") == EL_OK);
    CHECK(el_gguf_read_config(&g, &c) == EL_ERR_CONFIG && strstr(el_last_error(), "llama.block_count"));
    el_gguf_close(&g);
}

/* The pre names' regexes (written from llama.cpp's table) are the patterns
 * the real tokenizer.json files carry: Llama 3 and Qwen3 from ../shared,
 * GPT-2's from the ByteLevel pre-tokenizer. Skipped without ../shared. */
static void check_pre_regexes_against_real_files(void) {
    static const struct { const char *pre, *dir; } cases[] = {{"llama-bpe", "llama3"}, {"qwen2", "qwen3"}};
    CHECK(!strcmp(el_gguf_pre_regex("gpt-2"), EL_TOK_GPT2_REGEX));
    const char *shared = el_test_shared_dir();
    if (!shared) {
        printf("test_gguf: ../shared not found, real tokenizer regexes not compared\n");
        return;
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tokenizers/%s/tokenizer.json", shared, cases[i].dir);
        cJSON *root = el_test_load_json(path);
        CHECK_MSG(root != NULL, "cannot read %s", path);
        if (!root) continue;
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "pre_tokenizer"),
                                                            "pretokenizers");
        const cJSON *re = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(seq, 0), "pattern"), "Regex");
        CHECK_MSG(cJSON_IsString(re) && !strcmp(re->valuestring, el_gguf_pre_regex(cases[i].pre)),
                  "GGUF pre \"%s\": regex differs from %s", cases[i].pre, path);
        cJSON_Delete(root);
    }
}

static void expect_ids(el_tokenizer *t, const char *text, int bos, const int *want, int n_want) {
    int *ids = NULL, n = 0;
    CHECK(el_tokenizer_encode_n(t, text, strlen(text), bos ? EL_BOS_AUTO : EL_BOS_NEVER, &ids, &n) == EL_OK);
    int same = n == n_want;
    for (int i = 0; same && i < n; i++) same = ids[i] == want[i];
    CHECK_MSG(same, "SentencePiece GGUF: \"%s\" gives %d ids (first %d), want %d (first %d)", text, n, n ? ids[0] : -1,
              n_want, want[0]);
    free(ids);
}

/* spm_tiny.gguf (make_gguf_fixtures.py): ids worked out by hand with
 * llama.cpp's SPM rules. Scores: "ba" -0.5 > "ab" -1 > "▁a" -2 > "▁ab" -3;
 * 259 "▁", 260 "a", 261 "b", 262 "ab", 263 "▁a", 264 "▁ab", 265 "ba",
 * 266 "<ctl>" (user-defined), bytes <0xXX> at 3 + XX. */
static void check_spm_tokenizer(void) {
    el_tokenizer *t = NULL;
    CHECK_MSG(el_tokenizer_load_path(DIR "spm_tiny.gguf", &t) == EL_OK, "%s", el_last_error());
    if (!t) return;
    /* ▁ a b: "ab" first, then "▁"+"ab"; BOS by default (add_bos_token absent). */
    expect_ids(t, "ab", 1, (int[]){1, 264}, 2);
    /* ▁ b a b: "ba" (-0.5) beats "ab" (-1); nothing joins "▁" to "ba". */
    expect_ids(t, "bab", 0, (int[]){259, 265, 261}, 3);
    /* ▁ a b a b: "ba" in the middle first, then "▁a"; "ab" never forms. */
    expect_ids(t, "abab", 0, (int[]){263, 265, 261}, 3);
    /* "c" is no piece: its byte; a space is "▁". */
    expect_ids(t, "c a", 0, (int[]){259, 3 + 'c', 263}, 3);
    /* A user-defined token is cut out first; text after it gets "▁" again. */
    expect_ids(t, "a<ctl>b", 0, (int[]){263, 266, 259, 261}, 4);
    char *dec = NULL;
    CHECK(el_tokenizer_decode(t, (int[]){264, 259, 3 + 'c'}, 3, &dec) == EL_OK && dec && !strcmp(dec, "ab c"));
    free(dec);
    el_tokenizer_free(t);
    /* add_space_prefix false (Gemma): no "▁" in front. */
    CHECK_MSG(el_tokenizer_load_path(DIR "spm_noprefix.gguf", &t) == EL_OK, "%s", el_last_error());
    if (t) expect_ids(t, "ab", 0, (int[]){262}, 1);
    el_tokenizer_free(t);
    t = NULL;
    CHECK(el_tokenizer_load_path(DIR "spm_noscores.gguf", &t) == EL_ERR_CONFIG && !t &&
          strstr(el_last_error(), "spm_noscores.gguf") && strstr(el_last_error(), "scores"));
}

int main(void) {
    el_gguf g, want;
    if (el_gguf_open(&g, DIR "types.gguf") != EL_OK || el_gguf_open(&want, DIR "types_expected.gguf") != EL_OK) {
        fprintf(stderr, "%s\n", el_last_error());
        return 1;
    }
    check_types(&g, &want);
    check_metadata(&g);
    check_hostile(&g);
    check_config();
    check_pre_regexes_against_real_files();
    check_spm_tokenizer();
    el_gguf_close(&g);
    el_gguf_close(&want);
    el_gguf h;
    CHECK(el_gguf_open(&h, DIR "missing.gguf") == EL_ERR_IO && strstr(el_last_error(), "missing.gguf"));
    return el_test_finish("test_gguf");
}
