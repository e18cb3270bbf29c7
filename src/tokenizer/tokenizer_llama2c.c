/* llama2.c tokenizer.bin: loader and run.c's encode().
 *
 * File: int32 max_token_length, then per token float32 score, int32 length,
 * length bytes (no NUL). Little-endian, as export.py writes it. */
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int32_t le_i32(const unsigned char *p) {
    uint32_t u = le32(p);
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static float le_f32(const unsigned char *p) {
    uint32_t u = le32(p);
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static el_status parse(const char *path, const unsigned char *d, size_t len, int vocab_size,
                       el_tokenizer *t) {
    if (len < 4) return el_fail(EL_ERR_FORMAT, "%s: truncated header (%zu bytes)", path, len);
    int32_t max_len = le_i32(d);
    if (max_len <= 0 || max_len > EL_TOK_MAX_PIECE)
        return el_fail(EL_ERR_FORMAT, "%s: max_token_length %d outside 1..%d", path, (int)max_len,
                       EL_TOK_MAX_PIECE);
    size_t off = 4;
    for (int id = 0; id < vocab_size; id++) {
        if (len - off < 8)
            return el_fail(EL_ERR_FORMAT, "%s: truncated at token %d of %d (vocab size mismatch?)",
                           path, id, vocab_size);
        float score = le_f32(d + off);
        int32_t n = le_i32(d + off + 4);
        off += 8;
        if (n < 0 || n > max_len)
            return el_fail(EL_ERR_FORMAT, "%s: token %d has length %d outside 0..%d (max_token_length)",
                           path, id, (int)n, (int)max_len);
        if (len - off < (size_t)n)
            return el_fail(EL_ERR_FORMAT, "%s: truncated in the bytes of token %d", path, id);
        t->score[id] = score;
        EL_TRY(el_tok_set_piece(t, id, (const char *)d + off, (size_t)n));
        off += (size_t)n;
    }
    if (off != len)
        return el_fail(EL_ERR_FORMAT, "%s: %zu bytes left after %d tokens (vocab size mismatch?)",
                       path, len - off, vocab_size);
    return EL_OK;
}

el_status el_tokenizer_load_llama2c(const char *path, int vocab_size, el_tokenizer **out) {
    if (!out) return el_fail(EL_ERR_ARG, "tokenizer: NULL output");
    *out = NULL;
    if (!path || vocab_size <= 0) return el_fail(EL_ERR_ARG, "tokenizer: bad path or vocab size %d", vocab_size);
    /* Byte fallback writes ids byte + 3, so the vocab must reach id 258. */
    if (vocab_size < 259)
        return el_fail(EL_ERR_FORMAT, "%s: vocab size %d leaves no room for the 256 byte tokens (ids 3..258)",
                       path, vocab_size);
    if (vocab_size > EL_TOK_MAX_VOCAB)
        return el_fail(EL_ERR_LIMIT, "%s: vocab size %d over the limit %d", path, vocab_size, EL_TOK_MAX_VOCAB);
    char *data;
    size_t len;
    EL_TRY(el_file_read(path, EL_FILE_TOKENIZER, &data, &len));
    /* Each token takes at least 8 bytes: refuse before allocating per-token arrays. */
    if (len < 4 || (len - 4) / 8 < (size_t)vocab_size) {
        free(data);
        return el_fail(EL_ERR_FORMAT, "%s: %zu bytes cannot hold %d tokens (truncated or vocab size mismatch)",
                       path, len, vocab_size);
    }
    el_tokenizer *t;
    el_status st = el_tok_new(EL_TOK_LLAMA2C, vocab_size, &t);
    if (st != EL_OK) {
        free(data);
        return st;
    }
    t->score = malloc((size_t)vocab_size * sizeof(float));
    if (!t->score) st = el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    if (st == EL_OK) st = parse(path, (const unsigned char *)data, len, vocab_size, t);
    free(data);
    if (st == EL_OK) st = el_tok_build_lookup(t, NULL);
    if (st == EL_OK && el_tok_find(t, " ", 1) < 0)
        st = el_fail(EL_ERR_FORMAT, "%s: no \" \" token for the dummy prefix", path);
    if (st == EL_OK) {
        t->unk = 0; /* fixed ids in llama2.c */
        t->bos = 1;
        t->eos = 2;
        st = el_tok_finish(t);
    }
    if (st != EL_OK) {
        el_tokenizer_free(t);
        return st;
    }
    *out = t;
    return EL_OK;
}

el_status el_tok_encode_llama2c(const el_tokenizer *t, const char *text, size_t len, el_tok_ids *out) {
    if (len > 0) EL_TRY(el_tok_ids_push(out, el_tok_find(t, " ", 1))); /* add_dummy_prefix */
    /* run.c's codepoint split: a lead byte starts a new buffer, at most 4
     * bytes per lookup; misses fall back to one token per byte. */
    char buf[4];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c & 0xC0) != 0x80) n = 0;
        buf[n++] = (char)c;
        if (i + 1 < len && ((unsigned char)text[i + 1] & 0xC0) == 0x80 && n < 4) continue;
        int id = el_tok_find(t, buf, n);
        if (id >= 0) {
            EL_TRY(el_tok_ids_push(out, id));
        } else {
            for (size_t k = 0; k < n; k++) EL_TRY(el_tok_ids_push(out, (unsigned char)buf[k] + 3));
        }
        n = 0;
    }
    /* run.c merges over the whole list, BOS included. */
    return el_tok_bpe(t, out->v, &out->n, el_tok_pair_by_score);
}
