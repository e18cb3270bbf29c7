/* tokenizer.json normalizers: NFC, NFD, NFKC, NFKD, Lowercase, Strip,
 * Replace, Prepend and Sequence, with the semantics of HF tokenizers'
 * normalizers/ (offsets aside). */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/tokenizer_pipeline.h"

static el_status dup_field(const char *path, const cJSON *j, const char *field, const char *type, char **s,
                           size_t *len) {
    const cJSON *v = el_tj_get(j, field);
    if (!cJSON_IsString(v)) return el_fail(EL_ERR_FORMAT, "%s: %s without a string \"%s\"", path, type, field);
    *len = strlen(v->valuestring);
    *s = strdup(v->valuestring);
    return *s ? EL_OK : el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
}

static el_status parse_one(const char *path, const cJSON *j, void *ctx) {
    el_tok_pipeline *p = ctx;
    const char *ty = el_tj_type(j);
    el_tok_norm n;
    memset(&n, 0, sizeof n);
    if (!strcmp(ty, "NFC")) n.kind = EL_NORM_NFC;
    else if (!strcmp(ty, "NFD")) n.kind = EL_NORM_NFD;
    else if (!strcmp(ty, "NFKC")) n.kind = EL_NORM_NFKC;
    else if (!strcmp(ty, "NFKD")) n.kind = EL_NORM_NFKD;
    else if (!strcmp(ty, "Lowercase")) n.kind = EL_NORM_LOWERCASE;
    else if (!strcmp(ty, "Strip")) {
        n.kind = EL_NORM_STRIP;
        n.left = el_tj_flag(j, "strip_left", 1);
        n.right = el_tj_flag(j, "strip_right", 1);
    } else if (!strcmp(ty, "Prepend")) {
        n.kind = EL_NORM_PREPEND;
        EL_TRY(dup_field(path, j, "prepend", "Prepend normalizer", &n.str, &n.len));
    } else if (!strcmp(ty, "Replace")) {
        n.kind = EL_NORM_REPLACE;
        EL_TRY(dup_field(path, j, "content", "Replace normalizer", &n.str, &n.len));
        el_status st = el_tok_pattern_parse(path, el_tj_get(j, "pattern"), &n.pat);
        if (st != EL_OK) {
            free(n.str);
            return st;
        }
    } else {
        return el_fail(EL_ERR_UNSUPPORTED, "%s: normalizer \"%s\" is not supported", path, ty);
    }
    el_status st = el_tok_append_step(path, "normalizer", &p->norm, &p->n_norm, sizeof n, &n);
    if (st != EL_OK) {
        free(n.str);
        el_tok_pattern_free(&n.pat);
    }
    return st;
}

el_status el_tok_parse_normalizer(const char *path, const cJSON *j, el_tok_pipeline *p) {
    return el_tok_each_step(path, j, "normalizer", "normalizers", parse_one, p);
}

static el_status strip(const el_tok_norm *n, const char *s, size_t len, el_tok_buf *out) {
    size_t a = 0, b = len;
    while (n->left && a < b) {
        size_t adv;
        if (!el_tok_is_whitespace(el_tok_utf8_next(s, b, a, &adv))) break;
        a += adv;
    }
    while (n->right && b > a) {
        size_t k = b - 1, adv; /* back to the start of the last char */
        while (k > a && ((unsigned char)s[k] & 0xC0) == 0x80 && b - k < 4) k--;
        uint32_t cp = el_tok_utf8_next(s, b, k, &adv);
        if (k + adv != b) k = b - 1, cp = 0xFFFD; /* not one whole char: a stray byte */
        if (!el_tok_is_whitespace(cp)) break;
        b = k;
    }
    return el_tok_buf_add(out, s + a, b - a);
}

static el_status apply(const el_tok_norm *n, const char *s, size_t len, el_tok_scratch *sc, el_tok_buf *out) {
    switch (n->kind) {
    case EL_NORM_NFC:
    case EL_NORM_NFD:
    case EL_NORM_NFKC:
    case EL_NORM_NFKD: return el_tok_unicode_normalize(n->kind, s, len, out);
    case EL_NORM_LOWERCASE: return el_tok_unicode_lower(s, len, out);
    case EL_NORM_STRIP: return strip(n, s, len, out);
    case EL_NORM_REPLACE: return el_tok_replace(&n->pat, n->str, n->len, s, len, sc->region, &sc->matches, out);
    case EL_NORM_PREPEND:
        if (len) EL_TRY(el_tok_buf_add(out, n->str, n->len));
        return el_tok_buf_add(out, s, len);
    }
    return el_fail(EL_ERR_ARG, "tokenizer: bad normalizer");
}

el_status el_tok_normalize(const el_tok_pipeline *p, const char *s, size_t len, el_tok_scratch *sc,
                           el_tok_buf *out) {
    el_tok_buf bufs[2] = {*out, sc->nbuf};
    int w = 0;
    el_status st = EL_OK;
    bufs[0].n = 0;
    if (p->n_norm == 0) st = el_tok_buf_add(&bufs[0], s, len);
    else w = 1;
    for (int i = 0; i < p->n_norm && st == EL_OK; i++) {
        el_tok_buf *dst = &bufs[i & 1];
        dst->n = 0;
        st = apply(&p->norm[i], s, len, sc, dst);
        if (st == EL_OK && !dst->p) st = el_tok_buf_add(dst, "", 0);
        s = dst->p;
        len = dst->n;
        w = i & 1;
    }
    *out = bufs[w];
    sc->nbuf = bufs[!w];
    return st;
}
