/* Tokenizers against the Python references (tools/reference/tokenizer_reference.py):
 * ids and decoded text for every corpus string and every fixture tokenizer,
 * round trips, the known aidreams prompt, and hostile files that must fail
 * cleanly with a message naming the file. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "tokenizer/tokenizer.h"

#define FIX EL_SOURCE_DIR "/tests/fixtures/tokenizers/"

static char tmpdir[] = "/tmp/el_tok_test_XXXXXX";

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[n] = '\0';
        if (len) *len = (size_t)n;
    }
    return p;
}

static const char *write_tmp(const char *name, const void *data, size_t len) {
    static char path[4][512];
    static int next = 0;
    char *p = path[next++ % 4];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    /* A fresh file each time: rewriting a truncated one makes ext4 flush on close. */
    remove(p);
    FILE *f = fopen(p, "wb");
    if (!f) return p;
    if (len) fwrite(data, 1, len, f);
    fclose(f);
    return p;
}

static const char *write_json_tmp(const char *name, const cJSON *j) {
    char *s = cJSON_PrintUnformatted(j);
    const char *p = write_tmp(name, s, strlen(s));
    free(s);
    return p;
}

static el_status load(const char *loader, const char *dir, const cJSON *files, int vocab_size,
                      el_tokenizer **t) {
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s%s", dir, cJSON_GetArrayItem(files, 0)->valuestring);
    if (strcmp(loader, "gpt2") == 0) {
        snprintf(b, sizeof b, "%s%s", dir, cJSON_GetArrayItem(files, 1)->valuestring);
        return el_tokenizer_load_gpt2(a, b, t);
    }
    if (strcmp(loader, "hf_json") == 0) return el_tokenizer_load_hf_json(a, t);
    return el_tokenizer_load_llama2c(a, vocab_size, t);
}

static int json_int(const cJSON *o, const char *k) {
    return (int)cJSON_GetObjectItemCaseSensitive(o, k)->valuedouble;
}

/* Every corpus string: ids identical to the reference, decode identical to
 * the reference's, and equal to the input wherever the reference says the
 * round trip is lossless. */
static void check_corpus(const char *name, el_tokenizer *t, const cJSON *corpus, const cJSON *cases,
                         int add_bos) {
    int i = 0, mismatches = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        const char *text = cJSON_GetArrayItem(corpus, i)->valuestring;
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "ids");
        int *ids = NULL, n = -1;
        el_status st = el_tokenizer_encode(t, text, add_bos, &ids, &n);
        CHECK_MSG(st == EL_OK, "%s: encode case %d: %s", name, i, el_last_error());
        int same = st == EL_OK && n == cJSON_GetArraySize(want);
        for (int k = 0; same && k < n; k++) same = ids[k] == (int)cJSON_GetArrayItem(want, k)->valuedouble;
        CHECK_MSG(same, "%s: ids differ from the reference for case %d \"%s\"", name, i, text);
        if (!same && mismatches++ < 3) {
            fprintf(stderr, "  got :");
            for (int k = 0; k < n; k++) fprintf(stderr, " %d", ids[k]);
            char *w = cJSON_PrintUnformatted(want);
            fprintf(stderr, "\n  want: %s\n", w);
            free(w);
        }
        char *dec = NULL;
        st = el_tokenizer_decode(t, ids, n < 0 ? 0 : n, &dec);
        CHECK_MSG(st == EL_OK, "%s: decode case %d: %s", name, i, el_last_error());
        const char *want_dec = cJSON_GetObjectItemCaseSensitive(c, "decoded")->valuestring;
        CHECK_MSG(dec && strcmp(dec, want_dec) == 0, "%s: case %d decodes to \"%s\", reference \"%s\"", name,
                  i, dec ? dec : "(null)", want_dec);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "lossless")))
            CHECK_MSG(dec && strcmp(dec, text) == 0, "%s: case %d does not round-trip", name, i);
        free(dec);
        free(ids);
        i++;
    }
}

/* Random bytes (invalid UTF-8 included): no crash, every id in range. */
static void fuzz(const char *name, el_tokenizer *t) {
    uint64_t s = 0x9E3779B97F4A7C15ull;
    char text[257];
    int bad = 0;
    for (int iter = 0; iter < 300; iter++) {
        int n = iter % 257;
        for (int k = 0; k < n; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            unsigned v = (unsigned)(s >> 56);
            /* Mostly ASCII/space/UTF-8 lead bytes so merges actually happen. */
            static const char pool[] = " aeiou\xC3\xA9\xE2\x96\x81<|>";
            text[k] = v == 0 ? 'a' : (iter & 1) ? (char)v : pool[v % 14];
        }
        text[n] = '\0';
        int *ids = NULL, m = 0;
        if (el_tokenizer_encode(t, text, iter & 2, &ids, &m) != EL_OK) { bad++; continue; }
        for (int k = 0; k < m; k++) bad += ids[k] < 0 || ids[k] >= el_tokenizer_vocab_size(t);
        char *dec = NULL;
        bad += el_tokenizer_decode(t, ids, m, &dec) != EL_OK;
        free(dec);
        free(ids);
    }
    CHECK_MSG(bad == 0, "%s: %d fuzz failures", name, bad);
}


/* A load that must fail with `want`, leave *t NULL and, for format errors,
 * name the file in the message. */
static void expect_fail(const char *what, el_status got, el_status want, el_tokenizer *t,
                        const char *path) {
    CHECK_MSG(got == want, "%s: status %d, want %d (%s)", what, (int)got, (int)want, el_last_error());
    CHECK_MSG(t == NULL, "%s: tokenizer returned on failure", what);
    if (getenv("EL_TEST_VERBOSE")) fprintf(stderr, "  %-36s -> %s\n", what, el_last_error());
    if (got == EL_ERR_FORMAT && path)
        CHECK_MSG(strstr(el_last_error(), path) != NULL, "%s: message does not name the file: %s", what,
                  el_last_error());
    el_tokenizer_free(t);
}

static size_t token_offset(const unsigned char *d, int id) {
    size_t off = 4;
    for (int i = 0; i < id; i++) {
        int32_t n;
        memcpy(&n, d + off + 4, 4);
        off += 8 + (size_t)n;
    }
    return off;
}

static void put_i32(unsigned char *p, int32_t v) { memcpy(p, &v, 4); }

static void hostile_llama2c(int n) {
    size_t len;
    unsigned char *d = (unsigned char *)slurp(FIX "llama2c_tok.bin", &len);
    CHECK(d != NULL);
    if (!d) return;
    el_tokenizer *t = NULL;
    /* Every truncation point: header, score, length and bytes of each token. */
    int bad = 0;
    for (size_t k = 0; k < len; k++) {
        const char *p = write_tmp("trunc.bin", d, k);
        t = NULL;
        el_status st = el_tokenizer_load_llama2c(p, n, &t);
        if (st != EL_ERR_FORMAT || t || !strstr(el_last_error(), p)) {
            if (bad++ < 3) fprintf(stderr, "truncated to %zu: status %d: %s\n", k, (int)st, el_last_error());
        }
        el_tokenizer_free(t);
    }
    CHECK_MSG(bad == 0, "%d truncated tokenizer.bin files not refused as EL_ERR_FORMAT", bad);
    const char *full = write_tmp("full.bin", d, len);
    t = NULL;
    CHECK(el_tokenizer_load_llama2c(full, n, &t) == EL_OK);
    el_tokenizer_free(t);
    t = NULL;
    expect_fail("vocab size one short", el_tokenizer_load_llama2c(full, n - 1, &t), EL_ERR_FORMAT, t, full);
    t = NULL;
    expect_fail("vocab size one over", el_tokenizer_load_llama2c(full, n + 1, &t), EL_ERR_FORMAT, t, full);
    t = NULL;
    expect_fail("vocab size without byte tokens", el_tokenizer_load_llama2c(full, 100, &t), EL_ERR_FORMAT, t,
                full);
    t = NULL;
    expect_fail("vocab size 2^30", el_tokenizer_load_llama2c(full, 1 << 30, &t), EL_ERR_LIMIT, t, full);
    t = NULL;
    expect_fail("vocab size 0", el_tokenizer_load_llama2c(full, 0, &t), EL_ERR_ARG, t, NULL);
    t = NULL;
    expect_fail("missing file", el_tokenizer_load_llama2c(FIX "no_such.bin", n, &t), EL_ERR_IO, t, NULL);

    unsigned char *m = malloc(len);
    static const struct { const char *what; int field; int32_t value; } cases[] = {
        {"max_token_length -1", -1, -1},     {"max_token_length 0", -1, 0},
        {"max_token_length 2^31-1", -1, INT32_MAX}, {"max_token_length below real lengths", -1, 2},
        {"token length -5", 5, -5},          {"token length 2^31-1", 5, INT32_MAX},
        {"token length 100000", 300, 100000}, {"last token length +1", -2, 1},
    };
    for (size_t c = 0; m && c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(m, d, len);
        if (cases[c].field == -1) {
            put_i32(m, cases[c].value);
        } else if (cases[c].field == -2) { /* grow the last token's length by one */
            size_t off = token_offset(d, n - 1);
            int32_t v;
            memcpy(&v, d + off + 4, 4);
            put_i32(m + off + 4, v + cases[c].value);
        } else {
            put_i32(m + token_offset(d, cases[c].field) + 4, cases[c].value);
        }
        const char *p = write_tmp("patched.bin", m, len);
        t = NULL;
        expect_fail(cases[c].what, el_tokenizer_load_llama2c(p, n, &t), EL_ERR_FORMAT, t, p);
    }
    /* NaN scores are odd but not unsafe: such a pair never merges, like run.c. */
    if (m) {
        memcpy(m, d, len);
        float nan = NAN;
        for (int id = 259; id < n; id++) memcpy(m + token_offset(d, id), &nan, 4);
        const char *p = write_tmp("nan.bin", m, len);
        t = NULL;
        CHECK(el_tokenizer_load_llama2c(p, n, &t) == EL_OK);
        int *ids = NULL, k = 0;
        CHECK(t && el_tokenizer_encode(t, "the keeper", 1, &ids, &k) == EL_OK && k == 12);
        free(ids);
        el_tokenizer_free(t);
    }
    free(m);
    free(d);
}

static void hostile_gpt2(void) {
    const char *merges = FIX "gpt2_merges.txt", *vocab = FIX "gpt2_vocab.json";
    el_tokenizer *t;
    size_t len;
    char *d = slurp(vocab, &len);
    CHECK(d != NULL);
    int bad = 0;
    for (size_t k = 0; d && k < len; k += 37) {
        const char *p = write_tmp("vocab.json", d, k);
        t = NULL;
        el_status st = el_tokenizer_load_gpt2(p, merges, &t);
        bad += st != EL_ERR_FORMAT || t || !strstr(el_last_error(), p);
        el_tokenizer_free(t);
    }
    CHECK_MSG(bad == 0, "%d truncated vocab.json files not refused", bad);
    free(d);
    static const struct { const char *what, *json; } vocabs[] = {
        {"vocab array", "[1, 2]"},
        {"fractional id", "{\"a\": 1.5}"},
        {"negative id", "{\"a\": -1}"},
        {"string id", "{\"a\": \"0\"}"},
        {"huge id", "{\"a\": 0, \"b\": 1e9}"},
        {"sparse id", "{\"a\": 0, \"b\": 100000}"},
        {"shared id", "{\"a\": 0, \"b\": 0}"},
        {"duplicate piece", "{\"a\": 0, \"a\": 1}"},
        {"empty vocab", "{}"},
    };
    for (size_t c = 0; c < sizeof vocabs / sizeof vocabs[0]; c++) {
        const char *p = write_tmp("vocab.json", vocabs[c].json, strlen(vocabs[c].json));
        t = NULL;
        expect_fail(vocabs[c].what, el_tokenizer_load_gpt2(p, merges, &t), EL_ERR_FORMAT, t, p);
    }
    static const struct { const char *what, *txt; } merge_files[] = {
        {"unknown merge token", "#version: 0.2\nh e\n\xC4\xA0 NOTATOKEN\n"},
        {"three-part merge", "#version: 0.2\nh e x\n"},
        {"merge without space", "#version: 0.2\nhe\n"},
        {"empty line", "#version: 0.2\nh e\n\n\xC4\xA0 t\n"},
        {"merged token not in vocab", "{ }\n"},
    };
    for (size_t c = 0; c < sizeof merge_files / sizeof merge_files[0]; c++) {
        const char *p = write_tmp("merges.txt", merge_files[c].txt, strlen(merge_files[c].txt));
        t = NULL;
        expect_fail(merge_files[c].what, el_tokenizer_load_gpt2(vocab, p, &t), EL_ERR_FORMAT, t, p);
        if (c == 0) CHECK(strstr(el_last_error(), "NOTATOKEN") != NULL);
    }
    const char *empty = write_tmp("merges.txt", "", 0);
    t = NULL;
    CHECK(el_tokenizer_load_gpt2(vocab, empty, &t) == EL_OK); /* no merges: bytes only */
    el_tokenizer_free(t);
    t = NULL;
    expect_fail("missing merges", el_tokenizer_load_gpt2(vocab, FIX "nope.txt", &t), EL_ERR_IO, t, NULL);
}

/* Edits a parsed tokenizer.json and expects the load to fail with want. */
typedef void (*json_edit)(cJSON *root);
static void edit_model_type(cJSON *r) {
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "model"), "type", cJSON_CreateString("WordPiece"));
}
static void edit_unknown_merge(cJSON *r) {
    cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "model"), "merges"),
                         cJSON_CreateString("\xE2\x96\x81 NOTATOKEN"));
}
static void edit_merge_number(cJSON *r) {
    cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "model"), "merges"), cJSON_CreateNumber(4));
}
static void edit_merge_nospace(cJSON *r) {
    cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "model"), "merges"),
                         cJSON_CreateString("nospace"));
}
static void edit_merge_short_pair(cJSON *r) {
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, cJSON_CreateString("a"));
    cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "model"), "merges"), pair);
}
static void edit_unk(cJSON *r) {
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "model"), "unk_token", cJSON_CreateString("<nope>"));
}
static void edit_vocab_array(cJSON *r) {
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "model"), "vocab", cJSON_CreateArray());
}
static void edit_vocab_huge_id(cJSON *r) {
    cJSON_AddItemToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "model"), "vocab"), "zzz",
                          cJSON_CreateNumber(3e9));
}
static void edit_added_conflict(cJSON *r) {
    cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "added_tokens"), 1); /* <s> */
    cJSON_ReplaceItemInObject(a, "id", cJSON_CreateNumber(5));
}
static void edit_added_huge(cJSON *r) {
    cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "added_tokens"), 1);
    cJSON_ReplaceItemInObject(a, "id", cJSON_CreateNumber(1e7));
}
static void edit_added_no_content(cJSON *r) {
    cJSON_DeleteItemFromObject(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "added_tokens"), 0), "content");
}
static void edit_no_model(cJSON *r) { cJSON_DeleteItemFromObject(r, "model"); }
/* Replaces a pipeline field with {"type": ty} (plus one string field). */
static void set_component(cJSON *r, const char *field, const char *ty, const char *k, const char *v) {
    cJSON *n = cJSON_CreateObject();
    cJSON_AddStringToObject(n, "type", ty);
    if (k) cJSON_AddStringToObject(n, k, v);
    cJSON_ReplaceItemInObject(r, field, n);
}
static void edit_bert_normalizer(cJSON *r) { set_component(r, "normalizer", "BertNormalizer", NULL, NULL); }
static void edit_bert_pre(cJSON *r) { set_component(r, "pre_tokenizer", "BertPreTokenizer", NULL, NULL); }
static void edit_wordpiece_decoder(cJSON *r) { set_component(r, "decoder", "WordPiece", NULL, NULL); }
static void edit_unknown_post(cJSON *r) { set_component(r, "post_processor", "Frobnicate", NULL, NULL); }
static void edit_split_no_behavior(cJSON *r) { set_component(r, "pre_tokenizer", "Split", "behavior", NULL); }
static void edit_bad_behavior(cJSON *r) {
    set_component(r, "pre_tokenizer", "Split", "behavior", "Sideways");
    cJSON *pat = cJSON_CreateObject();
    cJSON_AddStringToObject(pat, "String", " ");
    cJSON_AddItemToObject(cJSON_GetObjectItem(r, "pre_tokenizer"), "pattern", pat);
}
static void edit_bad_regex(cJSON *r) {
    set_component(r, "pre_tokenizer", "Split", "behavior", "Isolated");
    cJSON *pat = cJSON_CreateObject();
    cJSON_AddStringToObject(pat, "Regex", "(unclosed[");
    cJSON_AddItemToObject(cJSON_GetObjectItem(r, "pre_tokenizer"), "pattern", pat);
}
static void edit_template_unknown(cJSON *r) {
    cJSON *pp = cJSON_Parse("{\"type\":\"TemplateProcessing\",\"single\":[{\"SpecialToken\":{\"id\":\"<x>\"}},"
                            "{\"Sequence\":{\"id\":\"A\"}}],\"special_tokens\":{}}");
    cJSON_ReplaceItemInObject(r, "post_processor", pp);
}

static void hostile_hf_json(void) {
    size_t len;
    char *d = slurp(FIX "llama_tokenizer.json", &len);
    CHECK(d != NULL);
    if (!d) return;
    el_tokenizer *t;
    int bad = 0;
    for (size_t k = 0; k < len; k += 53) {
        const char *p = write_tmp("tokenizer.json", d, k);
        t = NULL;
        el_status st = el_tokenizer_load_hf_json(p, &t);
        bad += st != EL_ERR_FORMAT || t || !strstr(el_last_error(), p);
        el_tokenizer_free(t);
    }
    CHECK_MSG(bad == 0, "%d truncated tokenizer.json files not refused", bad);
    static const struct { const char *what; json_edit edit; el_status want; const char *named; } edits[] = {
        {"model type WordPiece", edit_model_type, EL_ERR_UNSUPPORTED, "WordPiece"},
        {"merge naming an unknown token", edit_unknown_merge, EL_ERR_FORMAT, NULL},
        {"merge that is a number", edit_merge_number, EL_ERR_FORMAT, NULL},
        {"merge without a space", edit_merge_nospace, EL_ERR_FORMAT, NULL},
        {"merge pair of one", edit_merge_short_pair, EL_ERR_FORMAT, NULL},
        {"unk_token not in vocab", edit_unk, EL_ERR_FORMAT, NULL},
        {"vocab is an array", edit_vocab_array, EL_ERR_FORMAT, NULL},
        {"vocab id 3e9", edit_vocab_huge_id, EL_ERR_FORMAT, NULL},
        {"added token id clash", edit_added_conflict, EL_ERR_FORMAT, NULL},
        {"added token id 1e7", edit_added_huge, EL_ERR_FORMAT, NULL},
        {"added token without content", edit_added_no_content, EL_ERR_FORMAT, NULL},
        {"no model", edit_no_model, EL_ERR_FORMAT, NULL},
        {"BertNormalizer", edit_bert_normalizer, EL_ERR_UNSUPPORTED, "BertNormalizer"},
        {"BertPreTokenizer", edit_bert_pre, EL_ERR_UNSUPPORTED, "BertPreTokenizer"},
        {"WordPiece decoder", edit_wordpiece_decoder, EL_ERR_UNSUPPORTED, "WordPiece"},
        {"unknown post_processor", edit_unknown_post, EL_ERR_UNSUPPORTED, "Frobnicate"},
        {"Split without a behavior", edit_split_no_behavior, EL_ERR_FORMAT, NULL},
        {"Split behavior Sideways", edit_bad_behavior, EL_ERR_UNSUPPORTED, NULL},
        {"Split regex that does not compile", edit_bad_regex, EL_ERR_FORMAT, NULL},
        {"template token not in special_tokens", edit_template_unknown, EL_ERR_FORMAT, NULL},
    };
    for (size_t c = 0; c < sizeof edits / sizeof edits[0]; c++) {
        cJSON *root = cJSON_Parse(d);
        edits[c].edit(root);
        const char *p = write_json_tmp("tokenizer.json", root);
        cJSON_Delete(root);
        t = NULL;
        expect_fail(edits[c].what, el_tokenizer_load_hf_json(p, &t), edits[c].want, t, p);
        if (edits[c].named) /* unknown components are refused by name */
            CHECK_MSG(strstr(el_last_error(), edits[c].named) != NULL, "%s: message does not name it: %s",
                      edits[c].what, el_last_error());
    }
    const char *arr = write_tmp("tokenizer.json", "[]", 2);
    t = NULL;
    expect_fail("root array", el_tokenizer_load_hf_json(arr, &t), EL_ERR_FORMAT, t, arr);
    free(d);
}

/* Long inputs: the merge loops must not be quadratic (SentencePiece-style
 * files merge a whole paragraph as one word), and the round trip holds. */
static void check_long_text(void) {
    static const char unit[] = "The keeper's log: 12 ships, caf\xC3\xA9, \xE7\x81\xAF\xE5\xA1\x94 \xF0\x9F\x98\x80 and  more.\n";
    size_t reps = 4000, ul = sizeof unit - 1;
    char *text = malloc(reps * ul + 1);
    if (!text) return;
    for (size_t i = 0; i < reps; i++) memcpy(text + i * ul, unit, ul);
    text[reps * ul] = '\0';
    const char *files[] = {FIX "llama_tokenizer.json", FIX "gpt2_tokenizer.json"};
    for (int f = 0; f < 2; f++) {
        el_tokenizer *t = NULL;
        CHECK(el_tokenizer_load_hf_json(files[f], &t) == EL_OK);
        int *ids = NULL, n = 0;
        char *back = NULL;
        CHECK(t && el_tokenizer_encode(t, text, 1, &ids, &n) == EL_OK && n > (int)reps);
        CHECK(t && el_tokenizer_decode(t, ids, n, &back) == EL_OK && strcmp(back, text) == 0);
        free(ids);
        free(back);
        el_tokenizer_free(t);
    }
    free(text);
}

static void check_fixture_tokenizers(const cJSON *root, const char *shared) {
    const cJSON *corpus = cJSON_GetObjectItemCaseSensitive(root, "corpus");
    const cJSON *tk;
    cJSON_ArrayForEach(tk, cJSON_GetObjectItemCaseSensitive(root, "tokenizers")) {
        const char *name = cJSON_GetObjectItemCaseSensitive(tk, "name")->valuestring;
        const char *loader = cJSON_GetObjectItemCaseSensitive(tk, "loader")->valuestring;
        char dir[1024];
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tk, "shared"))) {
            if (!shared) {
                printf("SKIP section %s: ../shared not found\n", name);
                continue;
            }
            snprintf(dir, sizeof dir, "%s/", shared);
        } else {
            snprintf(dir, sizeof dir, "%s", FIX);
        }
        el_tokenizer *t = NULL;
        el_status st = load(loader, dir, cJSON_GetObjectItemCaseSensitive(tk, "files"),
                            json_int(tk, "vocab_size"), &t);
        CHECK_MSG(st == EL_OK, "%s: load failed: %s", name, el_last_error());
        if (st != EL_OK) continue;
        CHECK(el_tokenizer_vocab_size(t) == json_int(tk, "vocab_size"));
        CHECK(el_tokenizer_bos(t) == json_int(tk, "bos"));
        CHECK(el_tokenizer_eos(t) == json_int(tk, "eos"));
        check_corpus(name, t, corpus, cJSON_GetObjectItemCaseSensitive(tk, "cases"), json_int(tk, "add_bos"));
        fuzz(name, t);
        fprintf(stderr, "%s: checked %d corpus strings\n", name, cJSON_GetArraySize(corpus));
        el_tokenizer_free(t);
    }
}

/* The prompt every llama2.c user sees first: known ids from run.c. */
static void check_aidreams_prompt(const char *shared) {
    if (!shared) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/models/aidreams260K/tok512.bin", shared);
    el_tokenizer *t;
    el_status st = el_tokenizer_load_llama2c(path, 512, &t);
    CHECK_MSG(st == EL_OK, "%s", el_last_error());
    if (st != EL_OK) return;
    int *ids, n;
    CHECK(el_tokenizer_encode(t, "Echoes of", 1, &ids, &n) == EL_OK);
    static const int want[] = {1, 388, 355, 260, 275};
    CHECK(n == 5 && memcmp(ids, want, sizeof want) == 0);
    char *s;
    CHECK(el_tokenizer_decode(t, ids, n, &s) == EL_OK && strcmp(s, "Echoes of") == 0);
    free(s);
    free(ids);
    /* On its own the first piece keeps the space the dummy prefix gave it. */
    const char *b;
    size_t len;
    CHECK(el_tokenizer_token_bytes(t, 388, &b, &len) == EL_OK && len == 2 && memcmp(b, " E", 2) == 0);
    CHECK(strcmp(el_tokenizer_piece(t, 355), "cho") == 0);
    el_tokenizer_free(t);
}

static void check_accessors(void) {
    el_tokenizer *g, *l;
    CHECK(el_tokenizer_load_gpt2(FIX "gpt2_vocab.json", FIX "gpt2_merges.txt", &g) == EL_OK);
    CHECK(el_tokenizer_load_hf_json(FIX "llama_tokenizer.json", &l) == EL_OK);
    if (!g || !l) return;
    const char *b;
    size_t len;
    int *ids, n;
    /* Byte-level: "Ġthe" stands for " the". */
    CHECK(el_tokenizer_encode(g, " the", 0, &ids, &n) == EL_OK && n == 1);
    CHECK(strcmp(el_tokenizer_piece(g, ids[0]), "\xC4\xA0the") == 0);
    CHECK(el_tokenizer_token_bytes(g, ids[0], &b, &len) == EL_OK && len == 4 && memcmp(b, " the", 4) == 0);
    free(ids);
    /* SentencePiece: <0x0A> is a newline, ▁ a space. */
    CHECK(el_tokenizer_token_bytes(l, 3 + '\n', &b, &len) == EL_OK && len == 1 && b[0] == '\n');
    CHECK(strcmp(el_tokenizer_piece(l, 3 + '\n'), "<0x0A>") == 0);
    CHECK(el_tokenizer_piece(l, -1) == NULL && el_tokenizer_piece(l, el_tokenizer_vocab_size(l)) == NULL);
    CHECK(el_tokenizer_token_bytes(l, 100000, &b, &len) == EL_ERR_ARG);
    int bad[] = {5, el_tokenizer_vocab_size(l)};
    char *s = NULL;
    CHECK(el_tokenizer_decode(l, bad, 2, &s) == EL_ERR_ARG && s == NULL);
    CHECK(el_tokenizer_set_bos_eos(l, 2, 1) == EL_OK && el_tokenizer_bos(l) == 2);
    CHECK(el_tokenizer_set_bos_eos(l, 100000, 1) == EL_ERR_ARG);
    CHECK(el_tokenizer_encode(l, "", 1, &ids, &n) == EL_OK && n == 1 && ids[0] == 2);
    free(ids);
    size_t big = ((size_t)16 << 20) + 1; /* one byte over the text limit */
    char *huge = malloc(big + 1);
    if (huge) {
        memset(huge, 'a', big);
        huge[big] = '\0';
        ids = NULL;
        CHECK(el_tokenizer_encode(g, huge, 0, &ids, &n) == EL_ERR_LIMIT && ids == NULL);
        free(huge);
    }
    el_tokenizer_free(g);
    el_tokenizer_free(l);
}

static int llama2c_fixture_vocab(const cJSON *root) {
    const cJSON *tk;
    cJSON_ArrayForEach(tk, cJSON_GetObjectItemCaseSensitive(root, "tokenizers"))
        if (strcmp(cJSON_GetObjectItemCaseSensitive(tk, "name")->valuestring, "llama2c_fixture") == 0)
            return json_int(tk, "vocab_size");
    return 0;
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    size_t len;
    char *json = slurp(FIX "expected.json", &len);
    CHECK(json != NULL);
    cJSON *root = json ? cJSON_Parse(json) : NULL;
    CHECK(root != NULL);
    const char *shared = el_test_shared_dir();
    if (root) check_fixture_tokenizers(root, shared);
    if (!shared) printf("SKIP section aidreams prompt: ../shared not found\n");
    check_aidreams_prompt(shared);
    check_accessors();
    hostile_llama2c(llama2c_fixture_vocab(root));
    hostile_gpt2();
    hostile_hf_json();
    check_long_text();
    cJSON_Delete(root);
    free(json);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return el_test_finish("test_tokenizers");
}
