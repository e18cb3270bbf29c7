/* What every tokenizer fuzz target does with a tokenizer that loaded: walk
 * the whole vocabulary through the accessors, encode a fixed set of texts and
 * one from the input, check every id is inside the vocabulary (the loaders
 * promise encode never returns one outside), decode them back, decode ids
 * taken from the input, and check out-of-range ids are refused. */
#ifndef EL_FUZZ_TOKENIZER_H
#define EL_FUZZ_TOKENIZER_H

#include "fuzz_util.h"
#include "tokenizer/tokenizer.h"

static inline void el_fuzz_encode_decode(const el_tokenizer *t, const char *text, int add_bos) {
    int *ids = NULL, n = 0;
    const int V = el_tokenizer_vocab_size(t);
    el_status st = el_tokenizer_encode(t, text, add_bos, &ids, &n);
    if (st != EL_OK) {
        EL_FUZZ_CHECK(ids == NULL && n == 0, "failed encode left %d ids", n);
        return;
    }
    EL_FUZZ_CHECK(n >= 0 && (n == 0 || ids != NULL), "encode gave n = %d, ids %p", n, (void *)ids);
    for (int i = 0; i < n; i++)
        EL_FUZZ_CHECK(ids[i] >= 0 && ids[i] < V, "encode gave id %d (vocab %d) at %d", ids[i], V, i);
    char *back = NULL;
    st = el_tokenizer_decode(t, ids, n, &back);
    EL_FUZZ_CHECK(st == EL_OK && back != NULL, "decode of encoded ids failed: %s", el_last_error());
    if (back) (void)strlen(back);
    free(back);
    /* Every decode mode, with the length it reports. */
    for (int mode = EL_DECODE_SKIP_BOS_EOS; mode <= EL_DECODE_SKIP_SPECIAL; mode++) {
        size_t len = (size_t)-1;
        st = el_tokenizer_decode_ex(t, ids, n, (el_decode_mode)mode, &back, &len);
        EL_FUZZ_CHECK(st == EL_OK && back && back[len] == '\0', "decode_ex mode %d failed: %s", mode, el_last_error());
        free(back);
    }
    free(ids);
    /* The tokenizer's own template, and text with a NUL inside. */
    static const el_bos_mode modes[] = {EL_BOS_AUTO, EL_BOS_NEVER, EL_BOS_ALWAYS};
    size_t tl = strlen(text);
    char *with_nul = malloc(tl + 3);
    if (!with_nul) return;
    memcpy(with_nul, text, tl);
    memcpy(with_nul + tl, "\0x", 3);
    for (int m = 0; m < 3; m++) {
        st = el_tokenizer_encode_n(t, with_nul, tl + 2, modes[m], &ids, &n);
        for (int i = 0; st == EL_OK && i < n; i++)
            EL_FUZZ_CHECK(ids[i] >= 0 && ids[i] < V, "encode_n gave id %d (vocab %d)", ids[i], V);
        if (st == EL_OK) free(ids);
    }
    free(with_nul);
}

static inline void el_fuzz_tokenizer_exercise(el_tokenizer *t, const uint8_t *extra, size_t extra_n) {
    const int V = el_tokenizer_vocab_size(t);
    EL_FUZZ_CHECK(V > 0, "vocab size %d", V);
    const int bos = el_tokenizer_bos(t), eos = el_tokenizer_eos(t);
    EL_FUZZ_CHECK(bos >= -1 && bos < V && eos >= -1 && eos < V, "bos %d eos %d vocab %d", bos, eos, V);
    /* The whole vocabulary (capped: huge vocabs are legal and slow). */
    for (int id = 0; id < V && id < 1 << 16; id++) {
        const char *piece = el_tokenizer_piece(t, id);
        EL_FUZZ_CHECK(piece != NULL, "piece(%d) is NULL inside the vocab", id);
        if (piece) (void)strlen(piece);
        const char *b = NULL;
        size_t len = 0;
        el_status st = el_tokenizer_token_bytes(t, id, &b, &len);
        EL_FUZZ_CHECK(st == EL_OK && b != NULL, "token_bytes(%d) failed", id);
        if (st == EL_OK && b) {
            volatile unsigned s = 0;
            for (size_t i = 0; i < len; i++) s += (unsigned char)b[i];
            (void)s;
            EL_FUZZ_CHECK(b[len] == '\0', "token_bytes(%d) not NUL-terminated", id);
        }
    }
    EL_FUZZ_CHECK(el_tokenizer_piece(t, -1) == NULL && el_tokenizer_piece(t, V) == NULL, "piece out of range");
    const char *b;
    size_t len;
    EL_FUZZ_CHECK(el_tokenizer_token_bytes(t, V, &b, &len) != EL_OK, "token_bytes(V) accepted");

    static const char *texts[] = {
        "",
        " ",
        "Hello world",
        "  leading and  double  spaces\n\ttabs\r\n",
        "Once upon a time, there was a little girl named Lily.",
        "caf\xc3\xa9 na\xc3\xafve \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80 \xe2\x96\x81x",
        "<|endoftext|>hi<s></s><unk> <0x41>",
        "\xff\xfe broken \xc3 utf8 \xe2\x82 \xf0\x9f",
        "1234567890 3.14 don't we'll I'M",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        el_fuzz_encode_decode(t, texts[i], 0);
        el_fuzz_encode_decode(t, texts[i], 1);
    }
    if (extra && extra_n) {
        char *s = el_fuzz_cstr(extra, extra_n < 4096 ? extra_n : 4096);
        el_fuzz_encode_decode(t, s, (int)(extra_n & 1));
        /* Decode arbitrary in-range ids made from the same bytes. */
        int ids[256];
        int n = 0;
        for (size_t i = 0; i + 1 < extra_n && n < 256; i += 2)
            ids[n++] = (int)(((unsigned)extra[i] | (unsigned)extra[i + 1] << 8) % (unsigned)V);
        char *text = NULL;
        el_status st = el_tokenizer_decode(t, ids, n, &text);
        EL_FUZZ_CHECK(st == EL_OK && text != NULL, "decode of in-range ids failed: %s", el_last_error());
        free(text);
        free(s);
    }
    int bad[3] = {0, V, 0};
    char *text = (char *)1;
    EL_FUZZ_CHECK(el_tokenizer_decode(t, bad, 3, &text) == EL_ERR_ARG && text == NULL, "out-of-range id decoded");
    bad[1] = -1;
    EL_FUZZ_CHECK(el_tokenizer_decode(t, bad, 3, &text) == EL_ERR_ARG && text == NULL, "negative id decoded");
}

#endif
