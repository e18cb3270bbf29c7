/* The real tokenizers in ../shared/tokenizers against the independent
 * reference (tools/fixtures/make_tokenizer_goldens.py, from the npm package
 * @huggingface/tokenizers):
 *
 *  - ~560 hard strings (emoji, scripts, marks, zero-width, whitespace runs,
 *    digits, code, special-token look-alikes, NUL): ids with the tokenizer's
 *    own template (--bos auto) identical; "always" is BOS + "never"; the
 *    text's ids decode to what the reference decodes them to (the string
 *    itself wherever the reference round-trips);
 *  - every Debian fortune (~15,000): SHA-256 of all id sequences and of all
 *    decoded texts identical to the reference's. On a mismatch, run
 *    `tools/fixtures/make_tokenizer_goldens.py --check build/entropy-lens`
 *    for the strings that differ.
 *
 * Skips (77) without ../shared; the fortunes part without the fortunes
 * package. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gguf_tok_writer.h"
#include "sha256.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

#define GOLD EL_SOURCE_DIR "/tests/fixtures/tokenizers/real/"
#define FORTUNES "/usr/share/games/fortunes"

typedef struct {
    char *p;
    size_t n;
} text;

static text unhex(const char *h) {
    text t = {NULL, strlen(h) / 2};
    t.p = malloc(t.n + 1);
    for (size_t i = 0; t.p && i < t.n; i++) {
        unsigned v = 0;
        sscanf(h + 2 * i, "%2x", &v);
        t.p[i] = (char)v;
    }
    if (t.p) t.p[t.n] = '\0';
    return t;
}

static int same_ids(const int *a, int na, const cJSON *want) {
    if (na != cJSON_GetArraySize(want)) return 0;
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, want) if (a[i++] != (int)e->valuedouble) return 0;
    return 1;
}

/* One hard string: auto ids as the reference, always = BOS + never, decode. */
static int check_case(const char *name, el_tokenizer *t, const text *s, const cJSON *c, int k) {
    int *ids = NULL, n = 0, *plain = NULL, np = 0, *bos = NULL, nb = 0, bad = 0;
    CHECK(el_tokenizer_encode_n(t, s->p, s->n, EL_BOS_AUTO, &ids, &n) == EL_OK);
    CHECK(el_tokenizer_encode_n(t, s->p, s->n, EL_BOS_NEVER, &plain, &np) == EL_OK);
    CHECK(el_tokenizer_encode_n(t, s->p, s->n, EL_BOS_ALWAYS, &bos, &nb) == EL_OK);
    if (!cJSON_GetObjectItemCaseSensitive(c, "reference_differs_from_hf") &&
        !same_ids(ids, n, cJSON_GetObjectItemCaseSensitive(c, "ids"))) {
        bad = 1;
        char *w = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "ids"));
        fprintf(stderr, "%s: case %d ids differ\n  want %.300s\n  got ", name, k, w);
        for (int i = 0; i < n && i < 60; i++) fprintf(stderr, " %d", ids[i]);
        fputc('\n', stderr);
        free(w);
    }
    int b = el_tokenizer_bos(t);
    CHECK_MSG(nb == np + (b >= 0) && (b < 0 || (nb && bos[0] == b)) &&
                  (np == 0 || !memcmp(bos + (b >= 0), plain, sizeof(int) * (size_t)np)),
              "%s: case %d: --bos always is not BOS + never", name, k);
    char *dec = NULL;
    size_t dl = 0;
    CHECK(el_tokenizer_decode_ex(t, plain, np, EL_DECODE_KEEP_ALL, &dec, &dl) == EL_OK);
    const cJSON *dh = cJSON_GetObjectItemCaseSensitive(c, "decoded_hex");
    text want = cJSON_IsString(dh) ? unhex(dh->valuestring) : *s;
    int dec_ok = dec && dl == want.n && !memcmp(dec, want.p, dl);
    CHECK_MSG(dec_ok, "%s: case %d decodes to \"%.80s\", reference \"%.80s\"", name, k, dec ? dec : "", want.p);
    if (cJSON_IsString(dh)) free(want.p);
    free(dec);
    free(ids);
    free(plain);
    free(bos);
    return bad;
}

/* The hard strings through the tokenizer at path (label names it in
 * messages) against the reference's answers for the folder `name`. */
static void check_hard_strings(const char *path, const char *label, const cJSON *strings, const char *name) {
    char gold[1024];
    snprintf(gold, sizeof gold, GOLD "%s.json", name);
    cJSON *g = el_test_load_json(gold);
    CHECK_MSG(g != NULL, "%s: cannot read", gold);
    el_tokenizer *t = NULL;
    el_status st = el_tokenizer_load_path(path, &t);
    CHECK_MSG(st == EL_OK, "%s: %s", label, el_last_error());
    if (!g || st != EL_OK) {
        cJSON_Delete(g);
        return;
    }
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(g, "cases"), *c;
    CHECK(cJSON_GetArraySize(cases) == cJSON_GetArraySize(strings));
    int k = 0, bad = 0, skipped = 0;
    cJSON_ArrayForEach(c, cases) {
        text s = unhex(cJSON_GetArrayItem(strings, k)->valuestring);
        bad += check_case(label, t, &s, c, k);
        skipped += cJSON_GetObjectItemCaseSensitive(c, "reference_differs_from_hf") != NULL;
        free(s.p);
        k++;
    }
    CHECK_MSG(bad == 0, "%s: %d of %d hard strings differ from the reference", label, bad, k);
    fprintf(stderr, "%s: %d hard strings (%d where the reference itself differs from HF not compared)\n", label, k,
            skipped);
    el_tokenizer_free(t);
    cJSON_Delete(g);
}

/* The fortunes in the generator's order (fortune_corpus()). */
static text *fortunes(size_t *n) {
    struct dirent **names;
    int m = scandir(FORTUNES, &names, NULL, alphasort);
    text *out = NULL;
    *n = 0;
    for (int i = 0; i < m; i++) {
        const char *f = names[i]->d_name;
        size_t l = strlen(f);
        char path[1024];
        snprintf(path, sizeof path, FORTUNES "/%s", f);
        size_t len = 0;
        char *d = (f[0] == '.' || (l > 4 && !strcmp(f + l - 4, ".dat")) || (l > 3 && !strcmp(f + l - 3, ".u8")))
                      ? NULL : el_test_slurp(path, &len);
        for (size_t a = 0; d && a < len;) {
            char *e = strstr(d + a, "\n%\n");
            size_t b = e ? (size_t)(e - d) : len;
            if (b > a) {
                out = realloc(out, (*n + 1) * sizeof *out);
                out[*n].n = b - a;
                out[*n].p = malloc(b - a + 1);
                memcpy(out[*n].p, d + a, b - a);
                out[(*n)++].p[b - a] = '\0';
            }
            a = e ? b + 3 : len;
        }
        free(d);
        free(names[i]);
    }
    if (m > 0) free(names);
    return out;
}

/* Every fortune through the tokenizer at path against the reference's
 * SHA-256 of all ids and all decoded texts (want: its entry for one folder). */
static void check_fortunes(const char *path, const char *label, const text *f, size_t n, const cJSON *want) {
    char ids_hex[65], dec_hex[65];
    el_tokenizer *t = NULL;
    CHECK_MSG(el_tokenizer_load_path(path, &t) == EL_OK, "%s: %s", label, el_last_error());
    if (!t) return;
    el_sha256 hi, hd;
    el_sha256_init(&hi);
    el_sha256_init(&hd);
    for (size_t i = 0; i < n; i++) {
        int *ids = NULL, k = 0, end = -1;
        char *dec = NULL;
        size_t dl = 0;
        CHECK(el_tokenizer_encode_n(t, f[i].p, f[i].n, EL_BOS_NEVER, &ids, &k) == EL_OK);
        for (int j = 0; j < k; j++) el_sha256_update(&hi, &ids[j], 4); /* little-endian hosts */
        el_sha256_update(&hi, &end, 4);
        CHECK(el_tokenizer_decode_ex(t, ids, k, EL_DECODE_KEEP_ALL, &dec, &dl) == EL_OK);
        el_sha256_update(&hd, dec, dl);
        el_sha256_update(&hd, "\xff", 1);
        free(dec);
        free(ids);
    }
    el_sha256_final(&hi, ids_hex);
    el_sha256_final(&hd, dec_hex);
    const char *wi = cJSON_GetObjectItemCaseSensitive(want, "ids_sha256")->valuestring;
    const char *wd = cJSON_GetObjectItemCaseSensitive(want, "decoded_sha256")->valuestring;
    CHECK_MSG(!strcmp(ids_hex, wi), "%s: fortunes ids differ from the reference (run make_tokenizer_goldens.py --check)",
              label);
    CHECK_MSG(!strcmp(dec_hex, wd), "%s: fortunes decode differently from the reference", label);
    fprintf(stderr, "%s: %zu fortunes\n", label, n);
    el_tokenizer_free(t);
}

/* The folders again as GGUF files (tests/gguf_tok_writer.h): the tokenizer
 * built from tokenizer.ggml.* metadata must give the reference's ids too.
 * SentencePiece ones (pre NULL) merge by score as llama.cpp does; byte-level
 * ones get the regex of their llama.cpp pre name. */
static const struct {
    const char *name, *pre;
} gguf_cases[] = {{"mistral-7b-v0.1", NULL}, {"gemma3", NULL}, {"llama3", "llama-bpe"}, {"qwen3", "qwen2"}};
enum { N_GGUF = sizeof gguf_cases / sizeof gguf_cases[0] };

static int write_ggufs(const char *shared, char paths[][1024]) {
    for (int i = 0; i < N_GGUF; i++) {
        char json[1024];
        snprintf(json, sizeof json, "%s/tokenizers/%s/tokenizer.json", shared, gguf_cases[i].name);
        snprintf(paths[i], 1024, "/tmp/el_test_tok_%d_%s.gguf", (int)getpid(), gguf_cases[i].name);
        if (el_test_write_gguf_tokenizer(json, paths[i], gguf_cases[i].pre)) {
            CHECK_MSG(0, "cannot write %s from %s", paths[i], json);
            return -1;
        }
    }
    return 0;
}

int main(void) {
    REQUIRE_SHARED(shared);
    cJSON *hs = el_test_load_json(GOLD "hard_strings.json");
    CHECK(hs != NULL);
    const cJSON *strings = cJSON_GetObjectItemCaseSensitive(hs, "strings");
    static const char *names[] = {"gpt2", "llama3", "qwen3", "gemma3", "mistral-7b-v0.1"};
    char path[1024], label[160], gguf[N_GGUF][1024];
    const int have_gguf = write_ggufs(shared, gguf) == 0;
    for (size_t i = 0; hs && i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/tokenizers/%s", shared, names[i]);
        check_hard_strings(path, names[i], strings, names[i]);
    }
    for (int i = 0; hs && have_gguf && i < N_GGUF; i++) {
        snprintf(label, sizeof label, "%s as GGUF", gguf_cases[i].name);
        check_hard_strings(gguf[i], label, strings, gguf_cases[i].name);
    }
    cJSON_Delete(hs);
    cJSON *fs = el_test_load_json(GOLD "fortunes_sha256.json");
    CHECK(fs != NULL);
    size_t n = 0;
    text *f = fortunes(&n);
    if (!n) printf("SKIP section fortunes: " FORTUNES " not found (Debian package fortunes)\n");
    else CHECK_MSG((int)n == cJSON_GetObjectItemCaseSensitive(fs, "n_strings")->valueint, "%zu fortunes", n);
    const cJSON *tk, *want = cJSON_GetObjectItemCaseSensitive(fs, "tokenizers");
    cJSON_ArrayForEach(tk, want) {
        if (!n) break;
        snprintf(path, sizeof path, "%s/tokenizers/%s", shared, tk->string);
        check_fortunes(path, tk->string, f, n, tk);
    }
    for (int i = 0; n && have_gguf && i < N_GGUF; i++) {
        snprintf(label, sizeof label, "%s as GGUF", gguf_cases[i].name);
        check_fortunes(gguf[i], label, f, n, cJSON_GetObjectItemCaseSensitive(want, gguf_cases[i].name));
    }
    for (int i = 0; have_gguf && i < N_GGUF; i++) remove(gguf[i]);
    for (size_t i = 0; i < n; i++) free(f[i].p);
    free(f);
    cJSON_Delete(fs);
    return el_test_finish("test_tokenizer_real");
}
