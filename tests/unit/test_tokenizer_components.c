/* tokenizer.json components one by one (tests/fixtures/tokenizers/components,
 * made by tools/fixtures/make_tokenizer_components.py):
 *
 *  - against the independent reference (npm @huggingface/tokenizers): ids
 *    with the template and decoded text, for every fixture it implements
 *    as HF does;
 *  - by hand, from HF tokenizers' definitions, where tokenizers.js differs:
 *    the Split behaviours, Punctuation, Whitespace, single_word added tokens,
 *    continuing_subword_prefix. Each expectation lists the pre-tokenised
 *    pieces HF produces; their ids come from encoding each piece alone with
 *    the plain byte-level fixture (checked against the reference above);
 *  - the BOS modes and decode modes on a BOS ... EOS template. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tokenizer/tokenizer.h"

#define DIR EL_SOURCE_DIR "/tests/fixtures/tokenizers/components/"

static el_tokenizer *load(const char *name) {
    char path[512];
    snprintf(path, sizeof path, DIR "%s.json", name);
    el_tokenizer *t = NULL;
    el_status st = el_tokenizer_load_hf_json(path, &t);
    CHECK_MSG(st == EL_OK, "%s: %s", name, el_last_error());
    return t;
}

static int same(const int *a, int na, const int *b, int nb) {
    return na == nb && (na == 0 || !memcmp(a, b, sizeof(int) * (size_t)na));
}

static void print_ids(const char *what, const int *a, int n) {
    fprintf(stderr, "  %s:", what);
    for (int i = 0; i < n; i++) fprintf(stderr, " %d", a[i]);
    fputc('\n', stderr);
}

static void against_reference(const cJSON *strings, const char *name, const cJSON *rows) {
    el_tokenizer *t = load(name);
    if (!t) return;
    int k = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, rows) {
        const char *s = cJSON_GetArrayItem(strings, k)->valuestring;
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(r, "ids"), *e;
        int w[1024], nw = 0, *ids = NULL, n = 0;
        cJSON_ArrayForEach(e, want) if (nw < 1024) w[nw++] = (int)e->valuedouble;
        CHECK(el_tokenizer_encode_n(t, s, strlen(s), EL_BOS_AUTO, &ids, &n) == EL_OK);
        int ok = same(ids, n, w, nw);
        CHECK_MSG(ok, "%s: \"%s\": ids differ from the reference", name, s);
        if (!ok) {
            print_ids("want", w, nw);
            print_ids("got ", ids, n);
        }
        char *dec = NULL;
        CHECK(el_tokenizer_decode_ex(t, w, nw, EL_DECODE_KEEP_ALL, &dec, NULL) == EL_OK);
        const char *wd = cJSON_GetObjectItemCaseSensitive(r, "decoded")->valuestring;
        CHECK_MSG(dec && !strcmp(dec, wd), "%s: \"%s\" decodes to \"%s\", reference \"%s\"", name, s, dec ? dec : "", wd);
        free(dec);
        free(ids);
        k++;
    }
    el_tokenizer_free(t);
}

/* The ids of pieces[] each encoded alone by the plain byte-level fixture. */
static int piece_ids(const el_tokenizer *plain, const char *const *pieces, int *out, int cap) {
    int n = 0;
    for (; *pieces; pieces++) {
        int *ids = NULL, k = 0;
        CHECK(el_tokenizer_encode(plain, *pieces, 0, &ids, &k) == EL_OK);
        for (int i = 0; i < k && n < cap; i++) out[n++] = ids[i];
        free(ids);
    }
    return n;
}

static void by_hand(const el_tokenizer *plain, const char *name, const char *text, const char *const *pieces) {
    el_tokenizer *t = load(name);
    if (!t) return;
    int want[512], nw = piece_ids(plain, pieces, want, 512), *ids = NULL, n = 0;
    CHECK(el_tokenizer_encode(t, text, 0, &ids, &n) == EL_OK);
    int ok = same(ids, n, want, nw);
    CHECK_MSG(ok, "%s: \"%s\" is not cut into HF's pieces", name, text);
    if (!ok) {
        print_ids("want", want, nw);
        print_ids("got ", ids, n);
    }
    free(ids);
    el_tokenizer_free(t);
}

static void hand_cases(void) {
    el_tokenizer *plain = load("pre_bytelevel_plain");
    if (!plain) return;
    /* "a--b-c" cut on "-": a | - | - | b | - | c, matches marked. */
    by_hand(plain, "hand_split_removed", "a--b-c", (const char *const[]){"a", "b", "c", NULL});
    by_hand(plain, "hand_split_mergedwithprevious", "a--b-c", (const char *const[]){"a-", "-", "b-", "c", NULL});
    by_hand(plain, "hand_split_mergedwithnext", "a--b-c", (const char *const[]){"a", "-", "-b", "-c", NULL});
    by_hand(plain, "hand_split_contiguous", "a--b-c", (const char *const[]){"a", "--", "b", "-", "c", NULL});
    by_hand(plain, "hand_split_contiguous", "-ab--", (const char *const[]){"-", "ab", "--", NULL});
    /* Punctuation, Isolated: every punctuation char alone (spaces are not punctuation). */
    by_hand(plain, "hand_punctuation", "x=1+2; y=(3*4)/5.",
            (const char *const[]){"x", "=", "1", "+", "2", ";", " y", "=", "(", "3", "*", "4", ")", "/", "5", ".", NULL});
    by_hand(plain, "hand_punctuation", "«quoted»—dash", (const char *const[]){"«", "quoted", "»", "—", "dash", NULL});
    /* Whitespace: \w+|[^\w\s]+ with Unicode \w, the rest dropped. */
    by_hand(plain, "hand_whitespace", "The keeper's LOG:  12 café naïve!?",
            (const char *const[]){"The", "keeper", "'", "s", "LOG", ":", "12", "café", "naïve", "!?", NULL});
    el_tokenizer_free(plain);

    /* single_word "word": only where no word char touches it. */
    el_tokenizer *t = load("hand_single_word");
    if (t) {
        int *a = NULL, na = 0, *b = NULL, nb = 0, *c = NULL, nc = 0;
        int word = el_tokenizer_vocab_size(t) - 1;
        CHECK(el_tokenizer_encode(t, "sword wordy word words", 0, &a, &na) == EL_OK);
        CHECK(el_tokenizer_encode(t, "sword wordy ", 0, &b, &nb) == EL_OK);
        CHECK(el_tokenizer_encode(t, " words", 0, &c, &nc) == EL_OK);
        int ok = na == nb + 1 + nc && !memcmp(a, b, sizeof(int) * (size_t)nb) && a[nb] == word &&
                 !memcmp(a + nb + 1, c, sizeof(int) * (size_t)nc);
        CHECK_MSG(ok, "single_word token matched inside a word or missed alone");
        free(a);
        free(b);
        free(c);
        el_tokenizer_free(t);
    }
}

/* continuing_subword_prefix "##": every char after the first looked up as
 * "##c"; a merge a + ##b makes "ab". */
static void hand_prefix(void) {
    el_tokenizer *t = load("hand_bpe_prefix");
    if (!t) return;
    static const char *want[] = {"H", "##e", "##l", "##lo", "wor", "##l", "##d", "[UNK]"};
    int *ids = NULL, n = 0;
    CHECK(el_tokenizer_encode(t, "Hello world \xE2\x98\x83", 0, &ids, &n) == EL_OK);
    CHECK_MSG(n == 8, "prefix: %d tokens", n);
    for (int i = 0; i < n && i < 8; i++)
        CHECK_MSG(!strcmp(el_tokenizer_piece(t, ids[i]), want[i]), "prefix: token %d is %s, want %s", i,
                  el_tokenizer_piece(t, ids[i]), want[i]);
    free(ids);
    el_tokenizer_free(t);
}

/* Template <|endoftext|> A <|endoftext|>: the three BOS modes and the
 * decode modes. */
static void modes(void) {
    el_tokenizer *t = load("post_template_bos_eos");
    if (!t) return;
    int eot = el_tokenizer_bos(t), *a = NULL, na = 0, *n = NULL, nn = 0, *w = NULL, nw = 0;
    CHECK(eot >= 0);
    CHECK(el_tokenizer_encode_n(t, "Hello", 5, EL_BOS_AUTO, &a, &na) == EL_OK);
    CHECK(el_tokenizer_encode_n(t, "Hello", 5, EL_BOS_NEVER, &n, &nn) == EL_OK);
    CHECK(el_tokenizer_encode_n(t, "Hello", 5, EL_BOS_ALWAYS, &w, &nw) == EL_OK);
    CHECK(na == nn + 2 && a[0] == eot && a[na - 1] == eot && !memcmp(a + 1, n, sizeof(int) * (size_t)nn));
    CHECK(nw == nn + 1 && w[0] == eot && !memcmp(w + 1, n, sizeof(int) * (size_t)nn));
    char *s = NULL;
    CHECK(el_tokenizer_decode_ex(t, a, na, EL_DECODE_KEEP_ALL, &s, NULL) == EL_OK && s &&
          !strcmp(s, "<|endoftext|>Hello<|endoftext|>"));
    free(s);
    CHECK(el_tokenizer_decode_ex(t, a, na, EL_DECODE_SKIP_SPECIAL, &s, NULL) == EL_OK && s && !strcmp(s, "Hello"));
    free(s);
    CHECK(el_tokenizer_decode(t, a, na, &s) == EL_OK && s && !strcmp(s, "Hello"));
    free(s);
    CHECK(el_bos_mode_parse("auto") == EL_BOS_AUTO && el_bos_mode_parse("always") == EL_BOS_ALWAYS &&
          el_bos_mode_parse("never") == EL_BOS_NEVER && el_bos_mode_parse("sometimes") == -1 &&
          el_bos_mode_parse(NULL) == -1);
    free(a);
    free(n);
    free(w);
    el_tokenizer_free(t);
}

int main(void) {
    cJSON *e = el_test_load_json(DIR "expected.json");
    CHECK(e != NULL);
    const cJSON *strings = cJSON_GetObjectItemCaseSensitive(e, "strings"), *tk;
    int n = 0;
    cJSON_ArrayForEach(tk, cJSON_GetObjectItemCaseSensitive(e, "tokenizers")) {
        against_reference(strings, tk->string, tk);
        n++;
    }
    CHECK(n >= 14);
    hand_cases();
    hand_prefix();
    modes();
    cJSON_Delete(e);
    return el_test_finish("test_tokenizer_components");
}
