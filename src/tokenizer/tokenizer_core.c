/* The tokenizer handle: construction, accessors, and the encode/decode entry
 * points that dispatch to the per-format code. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"

el_status el_tok_new(el_tok_kind kind, int n_vocab, el_tokenizer **out) {
    *out = NULL;
    if (n_vocab <= 0 || n_vocab > EL_TOK_MAX_VOCAB)
        return el_fail(EL_ERR_LIMIT, "tokenizer: vocab size %d outside 1..%d", n_vocab,
                       EL_TOK_MAX_VOCAB);
    el_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory");
    t->kind = kind;
    t->n_vocab = n_vocab;
    t->bos = t->eos = t->unk = -1;
    for (int b = 0; b < 256; b++) t->byte_id[b] = -1;
    size_t n = (size_t)n_vocab;
    t->piece = calloc(n, sizeof(char *));
    t->piece_len = calloc(n, sizeof(uint32_t));
    t->text = calloc(n, sizeof(char *));
    t->text_len = calloc(n, sizeof(uint32_t));
    if (!t->piece || !t->piece_len || !t->text || !t->text_len) {
        el_tokenizer_free(t);
        return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %d tokens", n_vocab);
    }
    *out = t;
    return EL_OK;
}

el_status el_tok_set_piece(el_tokenizer *t, int id, const char *s, size_t len) {
    if (id < 0 || id >= t->n_vocab || t->piece[id] || len > EL_TOK_MAX_PIECE)
        return el_fail(EL_ERR_ARG, "tokenizer: bad piece slot %d", id);
    char *p = malloc(len + 1);
    if (!p) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory");
    if (len) memcpy(p, s, len);
    p[len] = '\0';
    t->piece[id] = p;
    t->piece_len[id] = (uint32_t)len;
    if (len > t->max_piece_len) t->max_piece_len = (uint32_t)len;
    return EL_OK;
}

/* What a token stands for once the format's escapes are undone. */
static el_status token_text(const el_tokenizer *t, int id, el_tok_buf *b) {
    const char *p = t->piece[id];
    size_t len = t->piece_len[id];
    int byte = el_tok_parse_byte_piece(p, len);
    if (t->kind != EL_TOK_BYTELEVEL && byte >= 0) {
        char c = (char)byte;
        return el_tok_buf_add(b, &c, 1);
    }
    if (t->kind == EL_TOK_LLAMA2C) return el_tok_buf_add(b, p, len);
    if (t->kind == EL_TOK_SPM) {
        for (size_t i = 0; i < len;) {
            if (len - i >= 3 && memcmp(p + i, "\xE2\x96\x81", 3) == 0) {
                EL_TRY(el_tok_buf_add(b, " ", 1));
                i += 3;
            } else {
                EL_TRY(el_tok_buf_add(b, p + i, 1));
                i++;
            }
        }
        return el_tok_buf_add(b, "", 0);
    }
    /* Byte-level: every char maps back to one byte; HF's decoder keeps a
     * token's own UTF-8 when any char is outside the map (added tokens). */
    size_t start = b->n;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = el_tok_utf8_next(p, len, i, &adv);
        int v = adv == 1 && (unsigned char)p[i] >= 0x80 ? -1 : el_tok_unicode_to_byte(cp);
        if (v < 0) {
            b->n = start;
            return el_tok_buf_add(b, p, len);
        }
        char c = (char)v;
        EL_TRY(el_tok_buf_add(b, &c, 1));
        i += adv;
    }
    return el_tok_buf_add(b, "", 0);
}

el_status el_tok_finish(el_tokenizer *t) {
    for (int id = 0; id < t->n_vocab; id++) {
        if (!t->piece[id]) continue;
        el_tok_buf b = {0};
        el_status st = token_text(t, id, &b);
        if (st == EL_OK && !b.p) st = el_tok_buf_add(&b, "", 0);
        if (st != EL_OK) {
            free(b.p);
            return st;
        }
        t->text[id] = b.p;
        t->text_len[id] = (uint32_t)b.n;
    }
    for (int byte = 0; byte < 256; byte++) {
        char s[8];
        size_t n;
        if (t->kind == EL_TOK_BYTELEVEL) {
            n = (size_t)el_tok_utf8_put(el_tok_byte_to_unicode((unsigned)byte), s);
        } else {
            static const char hex[] = "0123456789ABCDEF";
            memcpy(s, "<0x", 3);
            s[3] = hex[byte >> 4];
            s[4] = hex[byte & 15];
            s[5] = '>';
            n = 6;
        }
        t->byte_id[byte] = el_tok_find(t, s, n);
    }
    return el_tok_prepare_added(t);
}

/* HF order: added tokens are cut out of the raw text first, and each piece
 * between them is encoded on its own (normalized ones, under a ▁
 * normalizer, are cut later from the normalised piece: el_tok_encode_spm). */
static el_status encode_hf(const el_tokenizer *t, const char *text, size_t len, el_tok_ids *out) {
    size_t seg = 0, i = 0;
    while (i <= len) {
        size_t mlen = 0;
        int id = -1;
        if (i < len && t->n_added) id = el_tok_match_added(t, text, len, i, 0, &mlen);
        if (id < 0 && i < len) {
            i++;
            continue;
        }
        if (i > seg) {
            if (t->kind == EL_TOK_BYTELEVEL)
                EL_TRY(el_tok_encode_bytelevel(t, text + seg, i - seg, out));
            else
                EL_TRY(el_tok_encode_spm(t, text + seg, i - seg, seg == 0, out));
        }
        if (id < 0) break; /* i == len */
        EL_TRY(el_tok_ids_push(out, id));
        i += mlen;
        seg = i;
    }
    return EL_OK;
}

el_status el_tokenizer_encode(const el_tokenizer *t, const char *text, int add_bos, int **ids,
                              int *n_ids) {
    if (ids) *ids = NULL;
    if (n_ids) *n_ids = 0;
    if (!t || !text || !ids || !n_ids) return el_fail(EL_ERR_ARG, "tokenizer encode: NULL argument");
    size_t len = strnlen(text, EL_TOK_MAX_TEXT + 1);
    if (len > EL_TOK_MAX_TEXT)
        return el_fail(EL_ERR_LIMIT, "tokenizer encode: text over %zu bytes", EL_TOK_MAX_TEXT);
    el_tok_ids out = {0};
    el_status st = EL_OK;
    if (add_bos && t->bos >= 0) st = el_tok_ids_push(&out, t->bos);
    if (st == EL_OK) {
        if (t->kind == EL_TOK_LLAMA2C)
            st = el_tok_encode_llama2c(t, text, len, &out);
        else
            st = encode_hf(t, text, len, &out);
    }
    if (st != EL_OK) {
        free(out.v);
        return st;
    }
    *ids = out.v;
    *n_ids = (int)out.n; /* out.n <= 2 * len + 2 < INT_MAX by the text limit */
    return EL_OK;
}

el_status el_tokenizer_decode(const el_tokenizer *t, const int *ids, int n, char **text) {
    if (text) *text = NULL;
    if (!t || !text || n < 0 || (n > 0 && !ids))
        return el_fail(EL_ERR_ARG, "tokenizer decode: bad arguments");
    el_tok_buf b = {0};
    el_status st = el_tok_buf_add(&b, "", 0);
    int emitted = 0;
    for (int i = 0; i < n && st == EL_OK; i++) {
        int id = ids[i];
        if (id < 0 || id >= t->n_vocab) {
            st = el_fail(EL_ERR_ARG, "tokenizer decode: id %d at position %d outside 0..%d", id, i,
                         t->n_vocab - 1);
            break;
        }
        if (id == t->bos || id == t->eos || !t->text[id]) continue;
        const char *s = t->text[id];
        size_t len = t->text_len[id];
        const char *p = t->piece[id];
        /* run.c: the piece after BOS loses the space the dummy prefix added. */
        if (t->kind == EL_TOK_LLAMA2C && i > 0 && ids[i - 1] == t->bos && p[0] == ' ') {
            s++;
            len--;
        }
        if (t->strip_mode == EL_STRIP_FIRST_PIECE && !emitted &&
            strncmp(p, "\xE2\x96\x81", 3) == 0) {
            s++;
            len--;
        }
        st = el_tok_buf_add(&b, s, len);
        emitted = 1;
    }
    if (st == EL_OK && t->strip_mode == EL_STRIP_FUSED) {
        size_t cut = 0;
        while (cut < b.n && (int)cut < t->strip_count && b.p[cut] == ' ') cut++;
        memmove(b.p, b.p + cut, b.n - cut + 1);
        b.n -= cut;
    }
    if (st != EL_OK) {
        free(b.p);
        return st;
    }
    *text = b.p;
    return EL_OK;
}

el_status el_tokenizer_token_bytes(const el_tokenizer *t, int id, const char **bytes, size_t *len) {
    if (!t || !bytes || !len || id < 0 || id >= t->n_vocab)
        return el_fail(EL_ERR_ARG, "tokenizer: id %d out of range", id);
    *bytes = t->text[id] ? t->text[id] : "";
    *len = t->text[id] ? t->text_len[id] : 0;
    return EL_OK;
}

const char *el_tokenizer_piece(const el_tokenizer *t, int id) {
    if (!t || id < 0 || id >= t->n_vocab) return NULL;
    return t->piece[id] ? t->piece[id] : "";
}

int el_tokenizer_vocab_size(const el_tokenizer *t) { return t ? t->n_vocab : 0; }
int el_tokenizer_bos(const el_tokenizer *t) { return t ? t->bos : -1; }
int el_tokenizer_eos(const el_tokenizer *t) { return t ? t->eos : -1; }

el_status el_tokenizer_set_bos_eos(el_tokenizer *t, int bos, int eos) {
    if (!t || bos < -1 || bos >= t->n_vocab || eos < -1 || eos >= t->n_vocab)
        return el_fail(EL_ERR_ARG, "tokenizer: BOS %d / EOS %d outside the vocab", bos, eos);
    t->bos = bos;
    t->eos = eos;
    return EL_OK;
}

void el_tokenizer_free(el_tokenizer *t) {
    if (!t) return;
    for (int i = 0; i < t->n_vocab; i++) {
        if (t->piece) free(t->piece[i]);
        if (t->text) free(t->text[i]);
    }
    free(t->piece);
    free(t->piece_len);
    free(t->text);
    free(t->text_len);
    free(t->score);
    free(t->lookup.slot);
    el_tok_pairmap_free(&t->merges);
    for (int k = 0; k < t->n_added; k++) free(t->added[k].pat);
    free(t->added);
    free(t);
}
