/* GGUF decoder models end to end (tests/fixtures/gguf/models, made by
 * tools/fixtures/make_gguf_models.py): Qwen2 and Llama fixtures stored as
 * F32, F16, BF16, Q8_0 and Q4_0 (text/qwen2-tiny: F32 values, no tokenizer
 * metadata, so it runs on ids), and a Qwen2 with rows of 256 whose matrices
 * mix Q4_K, Q5_K and Q6_K (q, k, v of three types: a three-part fused
 * matrix). Each against its golden from tools/reference/reference_gguf.py:
 * NumPy dequantisation of the file and the transformers-derived reference
 * run in F32 on those weights. Greedy ids and per-layer lens entropies
 * within 1e-4 nats, one prompt at a time and all prompts batched, and the
 * tokenizer built from the file's tokenizer.ggml.* metadata gives the
 * reference's prompt ids (BOS from add_bos_token included). Run twice: the
 * default threading, and 3 threads with every kernel parallel.
 *
 * Qwen3 and Gemma 1/2/3 files (F32, BF16, Q8_0) cover q/k norms, Gemma's
 * stored 1 + w norms, embedding scale, sandwich norms, soft-caps, sliding
 * layers (llama.cpp's fixed patterns), Gemma 3's local RoPE and linear
 * scaling (a six-layer file reaches a global layer), Gemma 2's key defaults,
 * the 27B attention scale (46 and 62 blocks), and the SentencePiece
 * tokenizer from tokenizer.ggml.scores. A broken Gemma/Qwen3 file (a
 * missing norm, an unknown RoPE scaling, a NaN or negative soft-cap) is
 * refused with its name and the reason. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entropy_lens.h"
#include "model/model_internal.h"
#include "nn/kernels.h"
#include "test_util.h"
#include "text_golden_util.h"

#define TOL_ENTROPY 1e-4
#define MAX_IDS 256
#define MAX_CASES 8

static const char *const files[] = {
    "qwen2.5-tiny-F32", "qwen2.5-tiny-F16", "qwen2.5-tiny-BF16", "qwen2.5-tiny-Q8_0", "qwen2.5-tiny-Q4_0",
    "llama3-tiny-F32",  "llama3-tiny-F16",  "llama3-tiny-BF16",  "llama3-tiny-Q8_0",  "llama3-tiny-Q4_0",
    "qwen2-tiny-F32",   "qwen2-tiny-F16",   "qwen2-tiny-BF16",   "qwen2-tiny-Q8_0",   "qwen2-tiny-Q4_0",
    "qwen2-k256-kquants",
    "qwen3-tiny-F32",   "qwen3-tiny-BF16",  "qwen3-tiny-Q8_0",
    "gemma-tiny-F32",   "gemma-tiny-BF16",  "gemma-tiny-Q8_0",
    "gemma2-tiny-F32",  "gemma2-tiny-BF16", "gemma2-tiny-Q8_0",
    "gemma3-tiny-F32",  "gemma3-tiny-BF16", "gemma3-tiny-Q8_0",
    "gemma3-six-Q8_0",  /* six layers: layer 5 is global (RoPE base 1e6, linear scaling) */
    "gemma2-nokeys-Q8_0", /* no soft-cap / window keys: llama.cpp's defaults */
    "gemma2-46L-F16", "gemma3-62L-F16", /* llama.cpp's 27B block counts: scale 1/sqrt(dim / heads) */
    "phi3-tiny-F32",    "phi3-tiny-BF16",   "phi3-tiny-Q8_0",
    "pythia-tiny-F32",  "pythia-tiny-BF16", "pythia-tiny-Q8_0",
    "neox-seq-tiny-F32", "neox-seq-tiny-BF16", "neox-seq-tiny-Q8_0",
    "gpt2-tiny-F32",    "gpt2-tiny-BF16",   "gpt2-tiny-Q8_0",
};

static el_state_params g_sparams;

static void compare(const char *what, const el_text_result *r, const cJSON *c) {
    el_golden_compare_steps(what, r, c, TOL_ENTROPY);
}

static void check_tokens(const char *what, el_model *m, const cJSON *c) {
    int want[MAX_IDS], *got = NULL, n_got = 0;
    int n = el_golden_ids(cJSON_GetObjectItemCaseSensitive(c, "prompt_ids"), want, MAX_IDS);
    const char *prompt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "prompt"));
    if (!prompt) return; /* a model without a tokenizer: ids only */
    el_status st = el_text_tokenize(m, prompt, &got, &n_got);
    CHECK_MSG(st == EL_OK, "%s: tokenize: %s", what, el_last_error());
    int same = !st && n_got == n;
    for (int i = 0; same && i < n; i++) same = got[i] == want[i];
    CHECK_MSG(same, "%s: '%s' tokenizes to %d ids, the reference to %d", what, prompt, n_got, n);
    free(got);
}

/* Every case one by one, then all of them in one batch. */
static void run_cases(const char *name, el_model *m, el_state *s, const cJSON *cases) {
    static int ids[MAX_CASES][MAX_IDS];
    const int *idp[MAX_CASES];
    int n_ids[MAX_CASES], n = 0, steps = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        if (n == MAX_CASES) break;
        n_ids[n] = el_golden_ids(cJSON_GetObjectItemCaseSensitive(c, "prompt_ids"), ids[n], MAX_IDS);
        idp[n] = ids[n];
        steps = cJSON_GetObjectItemCaseSensitive(c, "n_steps")->valueint;
        el_text_params tp = el_text_default_params();
        tp.n_tokens = steps;
        el_text_result r;
        char what[160];
        snprintf(what, sizeof what, "%s case %d", name, n);
        el_status st = el_text_generate_ids(s, ids[n], n_ids[n], &tp, &r);
        CHECK_MSG(st == EL_OK, "%s: %s", what, el_last_error());
        if (!st) compare(what, &r, c);
        el_text_result_free(&r);
        check_tokens(what, m, c);
        n++;
    }
    el_text_params tp = el_text_default_params();
    tp.n_tokens = steps;
    el_text_result res[MAX_CASES];
    el_status st = el_text_generate_ids_batch(s, idp, n_ids, n, &tp, res);
    CHECK_MSG(st == EL_OK, "%s batch: %s", name, el_last_error());
    for (int i = 0; !st && i < n; i++) {
        char what[160];
        snprintf(what, sizeof what, "%s batch item %d", name, i);
        CHECK_MSG(res[i].error == NULL, "%s: %s", what, res[i].error);
        if (!res[i].error) compare(what, &res[i], cJSON_GetArrayItem(cases, i));
        el_text_result_free(&res[i]);
    }
}

static void check_file(const char *name) {
    char path[512], gp[600];
    snprintf(path, sizeof path, "%s/tests/fixtures/gguf/models/%s.gguf", EL_SOURCE_DIR, name);
    snprintf(gp, sizeof gp, "%s/tests/fixtures/gguf/models/%s.golden.json", EL_SOURCE_DIR, name);
    cJSON *g = el_test_load_json(gp);
    CHECK_MSG(g != NULL, "cannot read %s", gp);
    if (!g) return;
    el_model_params mp = el_model_default_params();
    el_model *m = NULL;
    el_state *s = NULL;
    el_status st = el_model_load(path, &mp, &m);
    CHECK_MSG(st == EL_OK, "%s: %s", name, el_last_error());
    if (!st) st = el_state_new(m, &g_sparams, &s);
    CHECK_MSG(st == EL_OK, "%s: %s", name, el_last_error());
    if (!st) run_cases(name, m, s, cJSON_GetObjectItemCaseSensitive(g, "cases"));
    if (s) el_state_free(s);
    if (m) el_model_free(m);
    cJSON_Delete(g);
}

/* A fixture with the first occurrence of the n bytes `from` overwritten by
 * `to` must be refused with a message naming the file and `want`. */
static void check_refused_n(const char *name, const char *from, const char *to, size_t n, const char *want) {
    char path[512], tmp[128];
    snprintf(path, sizeof path, "%s/tests/fixtures/gguf/models/%s.gguf", EL_SOURCE_DIR, name);
    snprintf(tmp, sizeof tmp, "/tmp/el_gguf_bad_%d.gguf", (int)getpid());
    size_t len = 0;
    char *d = el_test_slurp(path, &len);
    CHECK_MSG(d != NULL, "cannot read %s", path);
    if (!d) return;
    char *at = NULL;
    for (size_t i = 0; i + n <= len && !at; i++)
        if (!memcmp(d + i, from, n)) at = d + i;
    CHECK_MSG(at != NULL, "%s: no \"%s\" to change", name, from);
    FILE *f = at ? fopen(tmp, "wb") : NULL;
    if (f) {
        memcpy(at, to, n);
        fwrite(d, 1, len, f);
        fclose(f);
        el_model_params mp = el_model_default_params();
        el_model *m = NULL;
        el_status st = el_model_load(tmp, &mp, &m);
        CHECK_MSG(st != EL_OK && !m && strstr(el_last_error(), tmp) && strstr(el_last_error(), want),
                  "%s with \"%s\": status %d, \"%s\"", name, to, (int)st, el_last_error());
        el_model_free(m);
        remove(tmp);
    }
    free(d);
}

/* from and to: string literals of one length (they may hold NUL bytes) */
#define check_refused(name, from, to, want)                                                                          \
    do {                                                                                                             \
        _Static_assert(sizeof(from) == sizeof(to), "same length");                                                   \
        check_refused_n(name, from, to, sizeof(from) - 1, want);                                                     \
    } while (0)

/* gemma2.attn_logit_softcapping (GGUF type 6, F32) = 5.0, little-endian */
#define G2_ATTN_CAP "gemma2.attn_logit_softcapping\x06\x00\x00\x00\x00\x00\xa0\x40"

int main(void) {
    /* Broken Gemma files: a missing sandwich norm, a RoPE scaling we do not run. */
    check_refused("gemma2-tiny-Q8_0", "blk.1.post_ffw_norm.weight", "blk.1.post_ffw_norm.weighx",
                  "missing tensor 'blk.1.post_ffw_norm.weight'");
    check_refused("gemma3-tiny-Q8_0", "linear", "yarnxx", "rope.scaling.type 'yarnxx'");
    check_refused("qwen3-tiny-Q8_0", "blk.0.attn_k_norm.weight", "blk.0.attn_k_norm.weighx",
                  "missing tensor 'blk.0.attn_k_norm.weight'");
    /* soft-caps of NaN or -5 would run as nonsense */
    check_refused("gemma2-tiny-Q8_0", G2_ATTN_CAP, "gemma2.attn_logit_softcapping\x06\x00\x00\x00\x00\x00\xc0\x7f",
                  "soft-caps (attn nan, final 8)");
    check_refused("gemma2-tiny-Q8_0", G2_ATTN_CAP, "gemma2.attn_logit_softcapping\x06\x00\x00\x00\x00\x00\xa0\xc0",
                  "soft-caps (attn -5, final 8)");
    g_sparams = el_state_default_params();
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) check_file(files[i]);
    el_set_par_min_work(0);
    g_sparams.n_threads = 3;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) check_file(files[i]);
    return el_test_finish("test_gguf_models");
}
