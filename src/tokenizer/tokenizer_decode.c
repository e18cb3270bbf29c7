/* tokenizer.json decoders: ByteLevel, Metaspace, ByteFallback, Fuse, Strip,
 * Replace, BPEDecoder and Sequence. As in HF tokenizers each works on the
 * list of token strings (decode_chain) and the text is their concatenation.
 * One deliberate difference: bytes that do not form valid UTF-8 (a sequence
 * cut mid-character) stay raw where HF puts U+FFFD, so decoding a prefix
 * gives a byte prefix of the whole. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/tokenizer_pipeline.h"


static el_status parse_strip(const char *path, const cJSON *j, el_tok_dec *d) {
    const cJSON *c = el_tj_get(j, "content"), *a = el_tj_get(j, "start"), *b = el_tj_get(j, "stop");
    size_t adv = 0, n = cJSON_IsString(c) ? strlen(c->valuestring) : 0;
    if (n) el_tok_utf8_next(c->valuestring, n, 0, &adv);
    if (!n || adv != n || !cJSON_IsNumber(a) || !cJSON_IsNumber(b) || !(a->valuedouble >= 0) ||
        !(b->valuedouble >= 0) || a->valuedouble > 1e6 || b->valuedouble > 1e6)
        return el_fail(EL_ERR_FORMAT, "%s: Strip decoder needs one-char content and counts start, stop", path);
    memcpy(d->rep, c->valuestring, n);
    d->rep_len = n;
    d->start = (int)a->valuedouble;
    d->stop = (int)b->valuedouble;
    return EL_OK;
}

static el_status parse_fields(const char *path, const cJSON *j, const char *ty, el_tok_dec *d) {
    if (!strcmp(ty, "ByteLevel")) d->kind = EL_DEC_BYTELEVEL;
    else if (!strcmp(ty, "ByteFallback")) d->kind = EL_DEC_BYTEFALLBACK;
    else if (!strcmp(ty, "Fuse")) d->kind = EL_DEC_FUSE;
    else if (!strcmp(ty, "Metaspace")) {
        d->kind = EL_DEC_METASPACE;
        return el_tok_parse_metaspace(path, j, d->rep, &d->rep_len, &d->prepend);
    } else if (!strcmp(ty, "Strip")) {
        d->kind = EL_DEC_STRIP;
        return parse_strip(path, j, d);
    } else if (!strcmp(ty, "Replace") || !strcmp(ty, "BPEDecoder")) {
        int bpe = ty[0] == 'B';
        d->kind = bpe ? EL_DEC_BPE : EL_DEC_REPLACE;
        const cJSON *v = el_tj_get(j, bpe ? "suffix" : "content");
        const char *s = cJSON_IsString(v) ? v->valuestring : bpe ? "</w>" : NULL;
        if (!s) return el_fail(EL_ERR_FORMAT, "%s: Replace decoder without a string \"content\"", path);
        d->len = strlen(s);
        if (!(d->str = strdup(s))) return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
        if (!bpe) return el_tok_pattern_parse(path, el_tj_get(j, "pattern"), &d->pat);
    } else {
        return el_fail(EL_ERR_UNSUPPORTED, "%s: decoder \"%s\" is not supported", path, ty);
    }
    return EL_OK;
}

static el_status parse_one(const char *path, const cJSON *j, void *ctx) {
    el_tok_pipeline *p = ctx;
    el_tok_dec d;
    memset(&d, 0, sizeof d);
    el_status st = parse_fields(path, j, el_tj_type(j), &d);
    if (st == EL_OK) st = el_tok_append_step(path, "decoder", &p->dec, &p->n_dec, sizeof d, &d);
    if (st != EL_OK) {
        free(d.str);
        el_tok_pattern_free(&d.pat);
    }
    return st;
}

el_status el_tok_parse_decoder(const char *path, const cJSON *j, el_tok_pipeline *p) {
    return el_tok_each_step(path, j, "decoder", "decoders", parse_one, p);
}

/* ------------------------------------------------------------ decode_chain */

static int starts_with(const char *s, size_t len, const char *p, size_t n) {
    return len >= n && memcmp(s, p, n) == 0;
}

/* Per-token rewrites: Metaspace, Strip, Replace, BPEDecoder. */
static el_status rewrite(const el_tok_dec *d, const char *s, size_t len, size_t i, size_t n_tok,
                         el_tok_scratch *sc, el_tok_buf *o) {
    if (d->kind == EL_DEC_METASPACE) {
        if (i == 0 && d->prepend != EL_PREPEND_NEVER && starts_with(s, len, d->rep, d->rep_len)) {
            s += d->rep_len;
            len -= d->rep_len;
        }
        for (size_t k = 0; k < len;) {
            if (starts_with(s + k, len - k, d->rep, d->rep_len)) {
                EL_TRY(el_tok_buf_add(o, " ", 1));
                k += d->rep_len;
            } else {
                EL_TRY(el_tok_buf_add(o, s + k++, 1));
            }
        }
        return el_tok_buf_add(o, "", 0);
    }
    if (d->kind == EL_DEC_STRIP) {
        for (int k = 0; k < d->start && starts_with(s, len, d->rep, d->rep_len); k++) s += d->rep_len, len -= d->rep_len;
        for (int k = 0; k < d->stop && len >= d->rep_len && !memcmp(s + len - d->rep_len, d->rep, d->rep_len); k++)
            len -= d->rep_len;
        return el_tok_buf_add(o, s, len);
    }
    el_tok_pattern lit = {.kind = EL_PAT_STRING, .str = d->str, .len = d->len};
    const el_tok_pattern *pat = d->kind == EL_DEC_BPE ? &lit : &d->pat;
    const char *with = d->kind == EL_DEC_BPE ? (i + 1 == n_tok ? "" : " ") : d->str;
    size_t with_len = d->kind == EL_DEC_BPE ? strlen(with) : d->len;
    return el_tok_replace(pat, with, with_len, s, len, sc->region, &sc->matches, o);
}

/* Ends the token being joined at out->buf[*open..]. */
static el_status close_token(el_tok_splits *out, size_t *open) {
    if (*open == SIZE_MAX) return EL_OK;
    el_status st = el_tok_splits_mark(out, *open, -1, 0);
    *open = SIZE_MAX;
    return st;
}

static el_status apply(const el_tok_dec *d, const el_tok_splits *in, el_tok_scratch *sc, el_tok_splits *out) {
    size_t open = SIZE_MAX; /* start of a token being joined in out->buf */
    for (size_t i = 0; i < in->n; i++) {
        const char *s = in->buf.p + in->v[i].off;
        size_t len = in->v[i].len;
        int byte = d->kind == EL_DEC_BYTEFALLBACK ? el_tok_parse_byte_piece(s, len) : -1;
        int joins = d->kind == EL_DEC_BYTELEVEL || d->kind == EL_DEC_FUSE || byte >= 0;
        if (!joins) EL_TRY(close_token(out, &open));
        if (joins && open == SIZE_MAX) open = out->buf.n;
        if (d->kind == EL_DEC_BYTELEVEL) EL_TRY(el_tok_bytelevel_unmap(s, len, &out->buf));
        else if (byte >= 0) {
            char c = (char)byte;
            EL_TRY(el_tok_buf_add(&out->buf, &c, 1));
        } else if (joins || d->kind == EL_DEC_BYTEFALLBACK) {
            EL_TRY(joins ? el_tok_buf_add(&out->buf, s, len) : el_tok_splits_add(out, s, len, -1, 0));
        } else {
            size_t at = out->buf.n;
            EL_TRY(rewrite(d, s, len, i, in->n, sc, &out->buf));
            EL_TRY(el_tok_splits_mark(out, at, -1, 0));
        }
    }
    return close_token(out, &open);
}

el_status el_tok_decode_pieces(const el_tok_pipeline *p, el_tok_scratch *sc, el_tok_buf *out) {
    for (int i = 0; i < p->n_dec; i++) {
        el_tok_splits_clear(&sc->b);
        EL_TRY(apply(&p->dec[i], &sc->a, sc, &sc->b));
        el_tok_splits t = sc->a;
        sc->a = sc->b;
        sc->b = t;
    }
    EL_TRY(el_tok_buf_add(out, "", 0));
    for (size_t i = 0; i < sc->a.n; i++) {
        if (p->n_dec == 0 && i > 0) EL_TRY(el_tok_buf_add(out, " ", 1)); /* HF: no decoder joins with " " */
        EL_TRY(el_tok_buf_add(out, sc->a.buf.p + sc->a.v[i].off, sc->a.v[i].len));
    }
    return EL_OK;
}
