#include "tokenizer/spiece.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/status.h"
#include "tokenizer/tokenizer_pipeline.h"

enum { PIECE_NORMAL = 1, PIECE_UNKNOWN = 2, PIECE_CONTROL = 3, PIECE_USER = 4, PIECE_UNUSED = 5, PIECE_BYTE = 6 };

struct el_spiece {
    el_tokenizer *vocab; /* pieces and the piece -> id table */
    float *score;
    uint8_t *type;
    float unk_score;
    int eos, unk, nfkc;
};

/* ------------------------------------------------------------ protobuf */

typedef struct {
    const uint8_t *p, *end;
} pb;

static int pb_varint(pb *b, uint64_t *v) {
    *v = 0;
    for (int shift = 0; shift < 64 && b->p < b->end; shift += 7) {
        uint8_t c = *b->p++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (c < 0x80) return 0;
    }
    return -1;
}

/* Next field: number, wire type, and for length-delimited fields the
 * sub-buffer; varints in *v, fixed32 bits in *v. -1 when malformed. */
static int pb_next(pb *b, int *num, int *wt, uint64_t *v, pb *sub) {
    uint64_t key;
    if (pb_varint(b, &key)) return -1;
    *num = (int)(key >> 3);
    *wt = (int)(key & 7);
    switch (*wt) {
    case 0: return pb_varint(b, v);
    case 1:
        if (b->end - b->p < 8) return -1;
        b->p += 8;
        return 0;
    case 5:
        if (b->end - b->p < 4) return -1;
        *v = (uint64_t)b->p[0] | (uint64_t)b->p[1] << 8 | (uint64_t)b->p[2] << 16 | (uint64_t)b->p[3] << 24;
        b->p += 4;
        return 0;
    case 2:
        if (pb_varint(b, v) || *v > (uint64_t)(b->end - b->p)) return -1;
        sub->p = b->p;
        sub->end = b->p + *v;
        b->p += *v;
        return 0;
    default: return -1;
    }
}

typedef struct {
    int n, cap, model_type;
    char norm[32];
} spm_header;

/* One SentencePiece message into slot id of s. */
static int read_piece(pb m, el_spiece *s, int id) {
    int num, wt;
    uint64_t v;
    pb sub;
    s->type[id] = PIECE_NORMAL;
    while (m.p < m.end) {
        if (pb_next(&m, &num, &wt, &v, &sub)) return -1;
        if (num == 1 && wt == 2) {
            size_t len = (size_t)(sub.end - sub.p);
            free(s->vocab->piece[id]); /* a repeated field: the last one counts, as in protobuf */
            if (len > EL_TOK_MAX_PIECE || !(s->vocab->piece[id] = malloc(len + 1))) return -1;
            memcpy(s->vocab->piece[id], sub.p, len);
            s->vocab->piece[id][len] = '\0';
            s->vocab->piece_len[id] = (uint32_t)len;
        } else if (num == 2 && wt == 5) {
            uint32_t bits = (uint32_t)v;
            memcpy(&s->score[id], &bits, 4);
        } else if (num == 3 && wt == 0) {
            s->type[id] = (uint8_t)(v < 7 ? v : 0);
        }
    }
    return s->vocab->piece[id] && isfinite(s->score[id]) ? 0 : -1;
}

static el_status grow(el_spiece *s, int cap) {
    el_tokenizer *t = s->vocab;
    char **pc = realloc(t->piece, sizeof(char *) * (size_t)cap);
    if (pc) t->piece = pc;
    uint32_t *pl = realloc(t->piece_len, sizeof(uint32_t) * (size_t)cap);
    if (pl) t->piece_len = pl;
    float *sc = realloc(s->score, sizeof(float) * (size_t)cap);
    if (sc) s->score = sc;
    uint8_t *ty = realloc(s->type, (size_t)cap);
    if (ty) s->type = ty;
    if (!pc || !pl || !sc || !ty) return el_fail(EL_ERR_NOMEM, "spiece: out of memory");
    for (int i = t->n_vocab; i < cap; i++) t->piece[i] = NULL;
    return EL_OK;
}

static el_status parse_model(const char *path, pb b, el_spiece *s, spm_header *h) {
    int num, wt;
    uint64_t v;
    pb sub;
    while (b.p < b.end) {
        if (pb_next(&b, &num, &wt, &v, &sub)) return el_fail(EL_ERR_FORMAT, "%s: malformed protobuf", path);
        if (num == 1 && wt == 2) {
            if (s->vocab->n_vocab == EL_TOK_MAX_VOCAB) return el_fail(EL_ERR_LIMIT, "%s: too many pieces", path);
            if (s->vocab->n_vocab == h->cap) EL_TRY(grow(s, h->cap = h->cap ? 2 * h->cap : 1024));
            if (read_piece(sub, s, s->vocab->n_vocab++))
                return el_fail(EL_ERR_FORMAT, "%s: piece %d is malformed", path, s->vocab->n_vocab - 1);
        } else if ((num == 2 || num == 3) && wt == 2) {
            int n2, w2;
            uint64_t v2;
            pb s2;
            while (sub.p < sub.end) {
                if (pb_next(&sub, &n2, &w2, &v2, &s2)) return el_fail(EL_ERR_FORMAT, "%s: malformed spec", path);
                if (num == 2 && n2 == 3 && w2 == 0) h->model_type = (int)v2;
                if (num == 3 && n2 == 1 && w2 == 2 && (size_t)(s2.end - s2.p) < sizeof h->norm) {
                    memcpy(h->norm, s2.p, (size_t)(s2.end - s2.p));
                    h->norm[s2.end - s2.p] = '\0';
                }
            }
        }
    }
    return EL_OK;
}

el_status el_spiece_load(const char *path, el_spiece **out) {
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    EL_TRY(el_file_read(path, EL_FILE_TOKENIZER, &data, &len));
    el_spiece *s = calloc(1, sizeof *s);
    if (s) s->vocab = calloc(1, sizeof *s->vocab);
    if (!s || !s->vocab) {
        free(s);
        free(data);
        return el_fail(EL_ERR_NOMEM, "spiece: out of memory");
    }
    spm_header h = {0, 0, 1, "identity"};
    el_status st = parse_model(path, (pb){(const uint8_t *)data, (const uint8_t *)data + len}, s, &h);
    free(data);
    if (st == EL_OK && h.model_type != 1)
        st = el_fail(EL_ERR_UNSUPPORTED, "%s: model type %d is not Unigram (1)", path, h.model_type);
    if (st == EL_OK && strcmp(h.norm, "identity") && strcmp(h.norm, "nmt_nfkc") && strcmp(h.norm, "nfkc"))
        st = el_fail(EL_ERR_UNSUPPORTED, "%s: normaliser \"%s\" is not supported", path, h.norm);
    if (st == EL_OK && s->vocab->n_vocab == 0) st = el_fail(EL_ERR_FORMAT, "%s: no pieces", path);
    if (st == EL_OK) st = el_tok_build_lookup(s->vocab, NULL);
    if (st == EL_OK) {
        s->nfkc = strcmp(h.norm, "identity") != 0;
        s->eos = el_tok_find(s->vocab, "</s>", 4);
        s->unk = el_tok_find(s->vocab, "<unk>", 5);
        if (s->eos < 0 || s->unk < 0) st = el_fail(EL_ERR_FORMAT, "%s: no </s> or <unk> piece", path);
        float lo = INFINITY;
        for (int i = 0; i < s->vocab->n_vocab; i++)
            if (s->type[i] == PIECE_NORMAL && s->score[i] < lo) lo = s->score[i];
        s->unk_score = (isfinite(lo) ? lo : 0.0f) - 10.0f;
        for (int i = 0; i < s->vocab->n_vocab; i++)
            if (s->vocab->piece_len[i] > s->vocab->max_piece_len) s->vocab->max_piece_len = s->vocab->piece_len[i];
    }
    if (st != EL_OK) {
        el_spiece_free(s);
        return st;
    }
    *out = s;
    return EL_OK;
}

void el_spiece_free(el_spiece *s) {
    if (!s) return;
    el_tokenizer_free(s->vocab);
    free(s->score);
    free(s->type);
    free(s);
}

int el_spiece_vocab_size(const el_spiece *s) { return s->vocab->n_vocab; }

/* ------------------------------------------------------------ encoding */

/* One pass over src: ASCII punctuation dropped (drop_punct), whitespace runs
 * collapsed and the ends stripped; each kept run of words preceded by sep
 * (" " or "▁"), the first one too when lead. */
static el_status canon_pass(const char *src, size_t n, int drop_punct, const char *sep, int lead, el_tok_buf *out) {
    static const char punct[] = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    int pending = 0, any = 0;
    el_status st = EL_OK;
    for (size_t i = 0; st == EL_OK && i < n;) {
        size_t adv;
        uint32_t cp = el_tok_utf8_next(src, n, i, &adv);
        if (drop_punct && cp && cp < 128 && strchr(punct, (int)cp)) {
            /* removed (string.punctuation) */
        } else if (el_tok_is_whitespace(cp)) {
            pending = any;
        } else {
            if ((!any && lead) || pending) st = el_tok_buf_add(out, sep, strlen(sep));
            if (st == EL_OK) st = el_tok_buf_add(out, src + i, adv);
            any = 1;
            pending = 0;
        }
        i += adv;
    }
    return st;
}

/* SiglipTokenizer's text: lower-cased (do_lower_case), canonicalize_text
 * (punctuation removed, whitespace collapsed, stripped), then
 * sentencepiece's normaliser and "▁" for every space, one "▁" in front. */
static el_status siglip_text(const el_spiece *s, const char *text, el_tok_buf *out) {
    el_tok_buf low = {0}, canon = {0}, nf = {0};
    el_status st = el_tok_unicode_lower(text, strlen(text), &low);
    if (st == EL_OK && low.n) st = canon_pass(low.p, low.n, 1, " ", 0, &canon);
    const el_tok_buf *cur = &canon;
    if (st == EL_OK && s->nfkc && canon.n) {
        st = el_tok_unicode_normalize(EL_NORM_NFKC, canon.p, canon.n, &nf);
        cur = &nf;
    }
    if (st == EL_OK && cur->n) st = canon_pass(cur->p, cur->n, 0, "\xe2\x96\x81", 1, out);
    free(low.p);
    free(canon.p);
    free(nf.p);
    return st;
}

/* Viterbi over s[0..n): best[j] = highest total score of a segmentation of
 * s[0..j); ties keep the first found (shorter start, then shorter piece). */
static el_status viterbi(const el_spiece *sp, const char *s, size_t n, el_tok_ids *out) {
    double *best = malloc(sizeof(double) * (n + 1));
    size_t *from = malloc(sizeof(size_t) * (n + 1));
    int *tok = malloc(sizeof(int) * (n + 1));
    el_status st = EL_OK;
    if (!best || !from || !tok) st = el_fail(EL_ERR_NOMEM, "spiece: out of memory");
    for (size_t i = 0; st == EL_OK && i <= n; i++) best[i] = -INFINITY;
    if (st == EL_OK) best[0] = 0;
    for (size_t i = 0; st == EL_OK && i < n; i++) {
        if (best[i] == -INFINITY) continue;
        size_t clen;
        el_tok_utf8_next(s, n, i, &clen);
        int single = 0;
        for (size_t len = 1; len <= sp->vocab->max_piece_len && i + len <= n; len++) {
            int id = el_tok_find(sp->vocab, s + i, len);
            if (id < 0 || (sp->type[id] != PIECE_NORMAL && sp->type[id] != PIECE_USER)) continue;
            single |= len == clen;
            double sc = best[i] + sp->score[id];
            if (sc > best[i + len]) best[i + len] = sc, from[i + len] = i, tok[i + len] = id;
        }
        if (!single && best[i] + sp->unk_score > best[i + clen])
            best[i + clen] = best[i] + sp->unk_score, from[i + clen] = i, tok[i + clen] = sp->unk;
    }
    /* Walk back, then reverse; runs of <unk> fuse into one. */
    size_t start = out->n;
    for (size_t j = n; st == EL_OK && j > 0; j = from[j]) st = el_tok_ids_push(out, tok[j]);
    for (size_t a = start, b = out->n; st == EL_OK && a + 1 < b; a++, b--) {
        int t = out->v[a];
        out->v[a] = out->v[b - 1];
        out->v[b - 1] = t;
    }
    size_t w = start;
    for (size_t r = start; st == EL_OK && r < out->n; r++)
        if (!(out->v[r] == sp->unk && w > start && out->v[w - 1] == sp->unk)) out->v[w++] = out->v[r];
    if (st == EL_OK) out->n = w;
    free(best);
    free(from);
    free(tok);
    return st;
}

el_status el_spiece_encode_siglip(const el_spiece *s, const char *text, int max_length, int *ids) {
    if (max_length < 1) return el_fail(EL_ERR_ARG, "spiece: max_length %d", max_length);
    if (strlen(text) > EL_TOK_MAX_TEXT) return el_fail(EL_ERR_LIMIT, "spiece: text longer than %zu bytes", EL_TOK_MAX_TEXT);
    el_tok_buf canon = {0};
    el_tok_ids seg = {0};
    el_status st = siglip_text(s, text, &canon);
    if (st == EL_OK && canon.n) st = viterbi(s, canon.p, canon.n, &seg);
    if (st == EL_OK) {
        int k = 0;
        for (size_t i = 0; i < seg.n && k < max_length - 1; i++) ids[k++] = seg.v[i];
        while (k < max_length) ids[k++] = s->eos; /* </s>, then </s> as padding */
    }
    free(canon.p);
    free(seg.v);
    return st;
}
