/* Building a tokenizer from JSON vocabularies and merge lists (vocab.json,
 * tokenizer.json), with every id and merge checked against the vocab. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include <cjson/cJSON.h>

#include "tokenizer/tokenizer_internal.h"

/* Pieces are quoted in messages cut to this many bytes. */
#define CLIP 40

static el_status json_id(const char *path, const char *what, const char *name, const cJSON *v,
                         int *id) {
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble >= EL_TOK_MAX_VOCAB ||
        v->valuedouble != floor(v->valuedouble))
        return el_fail(EL_ERR_FORMAT, "%s: %s \"%.*s\": id is not an integer in 0..%d", path, what,
                       CLIP, name, EL_TOK_MAX_VOCAB - 1);
    *id = (int)v->valuedouble;
    return EL_OK;
}

static el_status added_fields(const char *path, const cJSON *a, int *id, const char **content) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "content");
    if (!cJSON_IsObject(a) || !cJSON_IsString(c))
        return el_fail(EL_ERR_FORMAT, "%s: added_tokens entry without a string \"content\"", path);
    *content = c->valuestring;
    return json_id(path, "added token", c->valuestring, cJSON_GetObjectItemCaseSensitive(a, "id"), id);
}

static int json_flag(const cJSON *o, const char *k, int dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

/* HF's AddedToken: special ones are not normalised unless they say so. */
static void added_flags(const cJSON *e, el_tok_added *a) {
    a->special = json_flag(e, "special", 0);
    a->normalized = json_flag(e, "normalized", !a->special);
    a->lstrip = json_flag(e, "lstrip", 0);
    a->rstrip = json_flag(e, "rstrip", 0);
    a->single_word = json_flag(e, "single_word", 0);
}

el_status el_tok_vocab_from_json(const char *path, const cJSON *vocab, const cJSON *added,
                                 el_tok_kind kind, el_tokenizer **out) {
    *out = NULL;
    if (!cJSON_IsObject(vocab)) return el_fail(EL_ERR_FORMAT, "%s: vocab is not a JSON object", path);
    if (added && !cJSON_IsArray(added))
        return el_fail(EL_ERR_FORMAT, "%s: added_tokens is not an array", path);
    /* First pass: validate ids and size the table before allocating it. */
    size_t count = 0;
    int max_id = -1, id = 0;
    const char *content = "";
    const cJSON *e;
    cJSON_ArrayForEach(e, vocab) {
        EL_TRY(json_id(path, "vocab entry", e->string ? e->string : "", e, &id));
        if (id > max_id) max_id = id;
        count++;
    }
    cJSON_ArrayForEach(e, added) {
        EL_TRY(added_fields(path, e, &id, &content));
        if (id > max_id) max_id = id;
        count++;
    }
    if (count == 0) return el_fail(EL_ERR_FORMAT, "%s: empty vocab", path);
    /* Ids index arrays: a handful of holes is fine, a huge id is not. */
    if ((size_t)max_id >= 2 * count + 256)
        return el_fail(EL_ERR_FORMAT, "%s: id %d is far beyond the %zu vocab entries", path, max_id, count);
    el_tokenizer *t;
    EL_TRY(el_tok_new(kind, max_id + 1, &t));
    el_status st = EL_OK;
    cJSON_ArrayForEach(e, vocab) {
        json_id(path, "", "", e, &id);
        const char *s = e->string ? e->string : "";
        if (t->piece[id]) {
            st = el_fail(EL_ERR_FORMAT, "%s: id %d given to both \"%.*s\" and \"%.*s\"", path, id, CLIP,
                         t->piece[id], CLIP, s);
            break;
        }
        st = el_tok_set_piece(t, id, s, strlen(s));
        if (st != EL_OK) break;
    }
    cJSON_ArrayForEach(e, added) {
        if (st != EL_OK) break;
        added_fields(path, e, &id, &content);
        if (t->piece[id] && strcmp(t->piece[id], content) != 0) {
            st = el_fail(EL_ERR_FORMAT, "%s: added token \"%.*s\" has id %d, which the vocab gives to \"%.*s\"",
                         path, CLIP, content, id, CLIP, t->piece[id]);
            break;
        }
        if (!t->piece[id]) st = el_tok_set_piece(t, id, content, strlen(content));
        if (st == EL_OK && content[0]) st = el_tok_add_added(t, &(el_tok_added){.id = id});
        if (st == EL_OK && content[0]) added_flags(e, &t->added[t->n_added - 1]);
    }
    int dup = -1;
    if (st == EL_OK) st = el_tok_build_lookup(t, &dup);
    if (st == EL_OK && dup >= 0)
        st = el_fail(EL_ERR_FORMAT, "%s: \"%.*s\" appears under ids %d and %d", path, CLIP, t->piece[dup],
                     el_tok_find(t, t->piece[dup], t->piece_len[dup]), dup);
    if (st != EL_OK) {
        el_tokenizer_free(t);
        return st;
    }
    *out = t;
    return EL_OK;
}

el_status el_tok_add_merge(el_tokenizer *t, const char *path, int rank, const char *a, size_t alen,
                           const char *b, size_t blen) {
    int ia = el_tok_find(t, a, alen), ib = el_tok_find(t, b, blen);
    /* HF: the merged token is a + b without its continuing_subword_prefix. */
    size_t cut = t->prefix_len;
    if (blen < cut) cut = blen;
    int im = el_tok_find2(t, a, alen, b + cut, blen - cut);
    if (ia < 0 || ib < 0 || im < 0) {
        int ca = (int)(alen < CLIP ? alen : CLIP), cb = (int)(blen < CLIP ? blen : CLIP);
        if (ia < 0 || ib < 0)
            return el_fail(EL_ERR_FORMAT, "%s: merge %d \"%.*s %.*s\" names \"%.*s\", which is not in the vocab",
                           path, rank, ca, a, cb, b, ia < 0 ? ca : cb, ia < 0 ? a : b);
        return el_fail(EL_ERR_FORMAT, "%s: merge %d \"%.*s %.*s\": the merged token is not in the vocab",
                       path, rank, ca, a, cb, b);
    }
    el_tok_pairmap_put(&t->merges, ia, ib, rank, im);
    return EL_OK;
}
