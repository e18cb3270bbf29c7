/* Test helper: a GGUF file holding only tokenizer metadata, written from a
 * Hugging Face tokenizer.json the way llama.cpp's convert_hf_to_gguf.py
 * writes it.
 *
 * SentencePiece-style BPE (byte fallback: Llama 2, Mistral, Gemma), as
 * _set_vocab_sentencepiece writes it from the model's tokenizer.model:
 *
 *   tokenizer.ggml.model       "llama"
 *   tokenizer.ggml.tokens      every piece by id (added tokens included)
 *   tokenizer.ggml.scores      the piece scores. tokenizer.json keeps no scores,
 *                              but its merges are the model's pieces sorted by
 *                              score (transformers' SentencePieceExtractor), so
 *                              a piece made by merge number r gets -r (its
 *                              first merge); pieces no merge makes get
 *                              -(n_merges + id); unknown, control and byte
 *                              pieces 0, as sentencepiece stores them
 *   tokenizer.ggml.token_type  1 normal, 2 unknown, 3 control (special added
 *                              tokens), 4 user-defined (other added tokens),
 *                              6 byte (<0xXX>)
 *   bos/eos/unknown ids, add_bos_token from the post-processor template,
 *   add_eos_token false, add_space_prefix = the normaliser prepends "▁".
 *
 * Byte-level BPE (Llama 3, Qwen 2/3), as _set_vocab_gpt2 writes it:
 *   tokenizer.ggml.model "gpt2", tokenizer.ggml.pre (llama.cpp's name for
 *   the family's regex), tokens, token_type (no unknown or byte types),
 *   tokenizer.ggml.merges "a b", bos id and add_bos_token from the template.
 *
 * el_test_write_gguf_tokenizer(tokenizer_json, out_path, pre): pre NULL
 * writes the SentencePiece form, else the byte-level one with that pre name.
 * 0 on success. */
#ifndef EL_TEST_GGUF_TOK_WRITER_H
#define EL_TEST_GGUF_TOK_WRITER_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* ---- a piece -> id hash (cJSON object lookups are linear) */
typedef struct {
    const char **key;
    int *id;
    size_t mask;
} spm_map;

static uint64_t spm_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static void spm_map_put(spm_map *m, const char *k, int id) {
    for (size_t i = spm_hash(k, strlen(k)) & m->mask;; i = (i + 1) & m->mask)
        if (!m->key[i]) {
            m->key[i] = k;
            m->id[i] = id;
            return;
        } else if (!strcmp(m->key[i], k)) {
            return; /* first id wins */
        }
}

static int spm_map_get2(const spm_map *m, const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < na; i++) h = (h ^ (unsigned char)a[i]) * 1099511628211ull;
    for (size_t i = 0; i < nb; i++) h = (h ^ (unsigned char)b[i]) * 1099511628211ull;
    for (size_t i = h & m->mask; m->key[i]; i = (i + 1) & m->mask)
        if (strlen(m->key[i]) == na + nb && !memcmp(m->key[i], a, na) && !memcmp(m->key[i] + na, b, nb))
            return m->id[i];
    return -1;
}

/* ---- GGUF v3 metadata writer */
enum { SPM_U32 = 4, SPM_I32 = 5, SPM_F32 = 6, SPM_BOOL = 7, SPM_STR = 8, SPM_ARR = 9, SPM_U64 = 10 };


static void spm_u32(FILE *f, uint32_t v) { fwrite(&v, 4, 1, f); } /* little-endian hosts */
static void spm_u64(FILE *f, uint64_t v) { fwrite(&v, 8, 1, f); }
static void spm_str(FILE *f, const char *s) {
    spm_u64(f, strlen(s));
    fwrite(s, 1, strlen(s), f);
}
static void spm_key(FILE *f, const char *k, uint32_t type) {
    spm_str(f, k);
    spm_u32(f, type);
}
static void spm_kv_u32(FILE *f, const char *k, uint32_t v) {
    spm_key(f, k, SPM_U32);
    spm_u32(f, v);
}
static void spm_kv_bool(FILE *f, const char *k, int v) {
    spm_key(f, k, SPM_BOOL);
    fputc(v ? 1 : 0, f);
}

typedef struct {
    const char **piece;
    float *score;
    int32_t *type;
    int n;
} spm_vocab;

static int spm_special_id(const cJSON *post, int bos_slot) {
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(post, "single");
    const cJSON *first = cJSON_GetArrayItem(single, bos_slot);
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(first, "SpecialToken");
    const cJSON *specials = cJSON_GetObjectItemCaseSensitive(post, "special_tokens");
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sp, "id"));
    const cJSON *e = id ? cJSON_GetObjectItemCaseSensitive(specials, id) : NULL;
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(e, "ids");
    return cJSON_IsArray(ids) ? (int)cJSON_GetArrayItem(ids, 0)->valuedouble : -1;
}

/* A merge "a b" or ["a", "b"] into its two pieces; 0 on success. */
static int spm_merge_parts(const cJSON *e, char *a, char *b) {
    if (cJSON_IsString(e)) {
        const char *sp = strchr(e->valuestring, ' ');
        if (!sp || (size_t)(sp - e->valuestring) >= 1024 || strlen(sp + 1) >= 1024) return -1;
        memcpy(a, e->valuestring, (size_t)(sp - e->valuestring));
        a[sp - e->valuestring] = 0;
        strcpy(b, sp + 1);
        return 0;
    }
    if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 2 || strlen(e->child->valuestring) >= 1024 ||
        strlen(e->child->next->valuestring) >= 1024)
        return -1;
    strcpy(a, e->child->valuestring);
    strcpy(b, e->child->next->valuestring);
    return 0;
}

/* Pieces, types and scores from the parsed tokenizer.json; 0 on success. */
static int spm_build(const cJSON *root, spm_vocab *v, spm_map *map) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab"), *e;
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(root, "added_tokens");
    int n = 0;
    cJSON_ArrayForEach(e, vocab) if ((int)e->valuedouble + 1 > n) n = (int)e->valuedouble + 1;
    cJSON_ArrayForEach(e, added) {
        int id = cJSON_GetObjectItemCaseSensitive(e, "id")->valueint;
        if (id + 1 > n) n = id + 1;
    }
    v->n = n;
    v->piece = calloc((size_t)n, sizeof *v->piece);
    v->score = calloc((size_t)n, sizeof *v->score);
    v->type = calloc((size_t)n, sizeof *v->type);
    size_t cap = 1;
    while (cap < 2 * (size_t)n) cap <<= 1;
    map->key = calloc(cap, sizeof *map->key);
    map->id = calloc(cap, sizeof *map->id);
    map->mask = cap - 1;
    if (!v->piece || !v->score || !v->type || !map->key || !map->id) return -1;
    cJSON_ArrayForEach(e, vocab) v->piece[(int)e->valuedouble] = e->string, v->type[(int)e->valuedouble] = 1;
    cJSON_ArrayForEach(e, added) {
        int id = cJSON_GetObjectItemCaseSensitive(e, "id")->valueint;
        v->piece[id] = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "content"));
        v->type[id] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special")) ? 3 : 4;
    }
    const char *unk = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(model, "unk_token"));
    for (int i = 0; i < n; i++) {
        if (!v->piece[i]) return -1; /* a hole in the ids */
        unsigned byte;
        char end;
        if (strlen(v->piece[i]) == 6 && sscanf(v->piece[i], "<0x%2X%c", &byte, &end) == 2 && end == '>') v->type[i] = 6;
        if (unk && !strcmp(v->piece[i], unk)) v->type[i] = 2;
        spm_map_put(map, v->piece[i], i);
    }
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    const int n_merges = cJSON_GetArraySize(merges);
    for (int i = 0; i < n; i++) v->score[i] = v->type[i] == 1 ? -(float)(n_merges + i) : 0.0f;
    int r = 0;
    cJSON_ArrayForEach(e, merges) {
        char a[1024], b[1024];
        if (spm_merge_parts(e, a, b)) return -1;
        int id = spm_map_get2(map, a, b);
        if (id >= 0 && v->type[id] == 1 && -(float)r > v->score[id]) v->score[id] = -(float)r;
        r++;
    }
    return 0;
}

static void spm_kv_array_head(FILE *f, const char *k, uint32_t item, uint64_t n) {
    spm_key(f, k, SPM_ARR);
    spm_u32(f, item);
    spm_u64(f, n);
}

/* The byte-level form's merges as "a b" strings. */
static int spm_write_merges(FILE *f, const cJSON *merges) {
    const cJSON *e;
    spm_kv_array_head(f, "tokenizer.ggml.merges", SPM_STR, (uint64_t)cJSON_GetArraySize(merges));
    cJSON_ArrayForEach(e, merges) {
        char a[1024], b[1024], ab[2050];
        if (spm_merge_parts(e, a, b)) return -1;
        snprintf(ab, sizeof ab, "%s %s", a, b);
        spm_str(f, ab);
    }
    return 0;
}

static int el_test_write_gguf_tokenizer(const char *tokenizer_json, const char *out, const char *pre) {
    cJSON *root = el_test_load_json(tokenizer_json);
    spm_vocab v = {0};
    spm_map map = {0};
    FILE *f = NULL;
    int rc = -1;
    if (!root || spm_build(root, &v, &map) || !(f = fopen(out, "wb"))) goto done;
    const cJSON *post = cJSON_GetObjectItemCaseSensitive(root, "post_processor");
    const int bos = spm_special_id(post, 0);
    const char *norm = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "normalizer"));
    const int prefix = norm && strstr(norm, "\"Prepend\"") != NULL;
    free((void *)norm);
    int eos = -1, unk = -1;
    for (int i = 0; i < v.n; i++) {
        if (!pre && v.type[i] == 2) unk = unk < 0 ? i : unk;
        if (pre && v.type[i] != 3 && v.type[i] != 4) v.type[i] = 1; /* byte-level: no byte or unknown pieces */
        if (eos < 0 && (!strcmp(v.piece[i], "</s>") || !strcmp(v.piece[i], "<eos>"))) eos = i;
    }
    fwrite("GGUF", 1, 4, f);
    spm_u32(f, 3);
    spm_u64(f, 0); /* tensors */
    spm_u64(f, 8 + (bos >= 0) + (eos >= 0) + (unk >= 0)); /* key-value pairs */
    spm_key(f, "general.architecture", SPM_STR);
    spm_str(f, "llama");
    spm_key(f, "tokenizer.ggml.model", SPM_STR);
    spm_str(f, pre ? "gpt2" : "llama");
    spm_kv_array_head(f, "tokenizer.ggml.tokens", SPM_STR, (uint64_t)v.n);
    for (int i = 0; i < v.n; i++) spm_str(f, v.piece[i]);
    spm_kv_array_head(f, "tokenizer.ggml.token_type", SPM_I32, (uint64_t)v.n);
    fwrite(v.type, 4, (size_t)v.n, f);
    if (pre) {
        spm_key(f, "tokenizer.ggml.pre", SPM_STR);
        spm_str(f, pre);
        if (spm_write_merges(f, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "model"),
                                                                 "merges")))
            goto done;
    } else {
        spm_kv_array_head(f, "tokenizer.ggml.scores", SPM_F32, (uint64_t)v.n);
        fwrite(v.score, 4, (size_t)v.n, f);
        spm_kv_bool(f, "tokenizer.ggml.add_space_prefix", prefix);
    }
    if (bos >= 0) spm_kv_u32(f, "tokenizer.ggml.bos_token_id", (uint32_t)bos);
    if (eos >= 0) spm_kv_u32(f, "tokenizer.ggml.eos_token_id", (uint32_t)eos);
    if (unk >= 0) spm_kv_u32(f, "tokenizer.ggml.unknown_token_id", (uint32_t)unk);
    spm_kv_bool(f, "tokenizer.ggml.add_bos_token", bos >= 0);
    spm_kv_bool(f, "tokenizer.ggml.add_eos_token", 0);
    while (ftell(f) % 32) fputc(0, f); /* alignment before the (empty) data section */
    rc = ferror(f) ? -1 : 0;
done:
    if (f && fclose(f)) rc = -1;
    free(v.piece);
    free(v.score);
    free(v.type);
    free(map.key);
    free(map.id);
    cJSON_Delete(root);
    return rc;
}

#endif
