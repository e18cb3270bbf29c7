/* The tokenizer handle: construction, accessors, and the encode/decode entry
 * points that dispatch to the per-format code. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_pipeline.h"

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
    return el_tok_bytelevel_unmap(p, len, b);
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
    for (int byte = 0; byte < 256; byte++) { /* byte fallback's <0xXX>, upper-case hex as HF writes it */
        static const char hex[] = "0123456789ABCDEF";
        char s[6] = {'<', '0', 'x', hex[byte >> 4], hex[byte & 15], '>'};
        t->byte_id[byte] = el_tok_find(t, s, 6);
    }
    if (t->n_added && !(t->special = calloc((size_t)t->n_vocab, 1)))
        return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory");
    for (int k = 0; k < t->n_added; k++) t->special[t->added[k].id] |= (uint8_t)t->added[k].special;
    return el_tok_prepare_added(t);
}

int el_bos_mode_parse(const char *s) {
    if (!s) return -1;
    if (!strcmp(s, "auto")) return EL_BOS_AUTO;
    if (!strcmp(s, "always")) return EL_BOS_ALWAYS;
    if (!strcmp(s, "never")) return EL_BOS_NEVER;
    return -1;
}

static el_status push_all(el_tok_ids *out, const int *ids, int n) {
    for (int i = 0; i < n; i++) EL_TRY(el_tok_ids_push(out, ids[i]));
    return EL_OK;
}

el_status el_tokenizer_encode_n(const el_tokenizer *t, const char *text, size_t len, el_bos_mode mode,
                                int **ids, int *n_ids) {
    if (ids) *ids = NULL;
    if (n_ids) *n_ids = 0;
    if (!t || (!text && len) || !ids || !n_ids) return el_fail(EL_ERR_ARG, "tokenizer encode: NULL argument");
    if (len > EL_TOK_MAX_TEXT)
        return el_fail(EL_ERR_LIMIT, "tokenizer encode: text over %zu bytes", EL_TOK_MAX_TEXT);
    if (!text) text = "";
    el_tok_ids out = {0};
    el_status st = EL_OK;
    const el_tok_pipeline *p = t->pipe;
    int bos_first = mode == EL_BOS_ALWAYS || (mode == EL_BOS_AUTO && t->kind == EL_TOK_LLAMA2C);
    if (bos_first && t->bos >= 0) st = el_tok_ids_push(&out, t->bos);
    if (st == EL_OK && mode == EL_BOS_AUTO && p) st = push_all(&out, p->post_before, p->n_before);
    if (st == EL_OK)
        st = t->kind == EL_TOK_LLAMA2C ? el_tok_encode_llama2c(t, text, len, &out)
                                       : el_tok_encode_pipeline(t, text, len, &out);
    if (st == EL_OK && mode == EL_BOS_AUTO && p) st = push_all(&out, p->post_after, p->n_after);
    if (st != EL_OK) {
        free(out.v);
        return st;
    }
    *ids = out.v;
    *n_ids = (int)out.n; /* out.n <= 2 * len + 130 < INT_MAX by the text limit */
    return EL_OK;
}

el_status el_tokenizer_encode(const el_tokenizer *t, const char *text, int add_bos, int **ids,
                              int *n_ids) {
    if (ids) *ids = NULL;
    if (n_ids) *n_ids = 0;
    if (!text) return el_fail(EL_ERR_ARG, "tokenizer encode: NULL argument");
    size_t len = strnlen(text, EL_TOK_MAX_TEXT + 1);
    return el_tokenizer_encode_n(t, text, len, add_bos ? EL_BOS_ALWAYS : EL_BOS_NEVER, ids, n_ids);
}

static int skipped(const el_tokenizer *t, int id, el_decode_mode mode) {
    if (mode == EL_DECODE_KEEP_ALL) return 0;
    if (id == t->bos || id == t->eos) return 1;
    return mode == EL_DECODE_SKIP_SPECIAL && t->special && t->special[id];
}

/* run.c's decode: the piece after BOS loses the space the dummy prefix added. */
static el_status decode_llama2c(const el_tokenizer *t, const int *ids, int n, el_decode_mode mode, el_tok_buf *b) {
    for (int i = 0; i < n; i++) {
        int id = ids[i];
        if (skipped(t, id, mode) || !t->text[id]) continue;
        const char *s = t->text[id];
        size_t len = t->text_len[id];
        if (i > 0 && ids[i - 1] == t->bos && s[0] == ' ') {
            s++;
            len--;
        }
        EL_TRY(el_tok_buf_add(b, s, len));
    }
    return EL_OK;
}

static el_status decode_pipeline(const el_tokenizer *t, const int *ids, int n, el_decode_mode mode, el_tok_buf *b) {
    el_tok_scratch sc;
    el_status st = el_tok_scratch_init(&sc);
    for (int i = 0; i < n && st == EL_OK; i++)
        if (!skipped(t, ids[i], mode) && t->piece[ids[i]])
            st = el_tok_splits_add(&sc.a, t->piece[ids[i]], t->piece_len[ids[i]], ids[i], 0);
    if (st == EL_OK) st = el_tok_decode_pieces(t->pipe, &sc, b);
    el_tok_scratch_free(&sc);
    return st;
}

el_status el_tokenizer_decode_ex(const el_tokenizer *t, const int *ids, int n, el_decode_mode mode, char **text,
                                 size_t *len) {
    if (text) *text = NULL;
    if (len) *len = 0;
    if (!t || !text || n < 0 || (n > 0 && !ids)) return el_fail(EL_ERR_ARG, "tokenizer decode: bad arguments");
    for (int i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= t->n_vocab)
            return el_fail(EL_ERR_ARG, "tokenizer decode: id %d at position %d outside 0..%d", ids[i], i,
                           t->n_vocab - 1);
    el_tok_buf b = {0};
    el_status st = el_tok_buf_add(&b, "", 0);
    if (st == EL_OK)
        st = t->pipe ? decode_pipeline(t, ids, n, mode, &b) : decode_llama2c(t, ids, n, mode, &b);
    if (st != EL_OK) {
        free(b.p);
        return st;
    }
    *text = b.p;
    if (len) *len = b.n;
    return EL_OK;
}

el_status el_tokenizer_decode(const el_tokenizer *t, const int *ids, int n, char **text) {
    return el_tokenizer_decode_ex(t, ids, n, EL_DECODE_SKIP_BOS_EOS, text, NULL);
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
    for (int k = 0; k < 2; k++) {
        free(t->trie[k].child);
        free(t->trie[k].sibling);
        free(t->trie[k].byte);
        free(t->trie[k].token);
    }
    free(t->special);
    free(t->subword_prefix);
    free(t->word_suffix);
    el_tok_pipeline_free(t->pipe);
    free(t);
}
