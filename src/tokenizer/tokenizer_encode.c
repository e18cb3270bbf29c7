/* The HF tokenizers encode pipeline for one text (Tokenizer::encode_single_sequence):
 *
 *   1. added tokens that are not "normalized" are cut out of the raw text;
 *   2. each piece in between is normalised, then the "normalized" added
 *      tokens are cut out of it;
 *   3. each remaining piece is pre-tokenised into words;
 *   4. the BPE model turns each word into ids.
 *
 * The post-processor's special tokens are added by the caller. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_pipeline.h"

el_status el_tok_scratch_init(el_tok_scratch *sc) {
    memset(sc, 0, sizeof *sc);
    sc->region = el_tok_region_new();
    return sc->region ? EL_OK : el_fail(EL_ERR_NOMEM, "tokenizer: out of memory");
}

void el_tok_scratch_free(el_tok_scratch *sc) {
    el_tok_region_free(sc->region);
    free(sc->matches.v);
    el_tok_splits_free(&sc->a);
    el_tok_splits_free(&sc->b);
    free(sc->nbuf.p);
    memset(sc, 0, sizeof *sc);
}

/* Steps 3 and 4 for one piece. */
static el_status encode_piece(const el_tokenizer *t, const char *s, size_t len, int at_start, el_tok_scratch *sc,
                              el_tok_ids *out) {
    if (t->pipe->n_pre == 0) return el_tok_hf_bpe_word(t, s, len, out);
    EL_TRY(el_tok_pre_tokenize(t->pipe, s, len, at_start, sc));
    for (size_t i = 0; i < sc->a.n; i++)
        EL_TRY(el_tok_hf_bpe_word(t, sc->a.buf.p + sc->a.v[i].off, sc->a.v[i].len, out));
    return EL_OK;
}

/* Step 2 and on for one piece of raw text. */
static el_status encode_raw_piece(const el_tokenizer *t, const el_tok_span *r, const char *s, el_tok_scratch *sc,
                                  el_tok_buf *norm, el_tok_splits *parts, el_tok_ids *out) {
    size_t n = r->len;
    if (t->pipe->n_norm) {
        EL_TRY(el_tok_normalize(t->pipe, s, n, sc, norm));
        s = norm->p;
        n = norm->n;
    }
    el_tok_splits_clear(parts);
    EL_TRY(el_tok_split_added(t, 1, s, n, r->at_start, parts));
    for (size_t k = 0; k < parts->n; k++) {
        const el_tok_span *q = &parts->v[k];
        if (q->id >= 0) EL_TRY(el_tok_ids_push(out, q->id));
        else EL_TRY(encode_piece(t, parts->buf.p + q->off, q->len, q->at_start, sc, out));
    }
    return EL_OK;
}

el_status el_tok_encode_pipeline(const el_tokenizer *t, const char *text, size_t len, el_tok_ids *out) {
    el_tok_scratch sc;
    el_tok_splits raw = {0}, parts = {0};
    el_tok_buf norm = {0};
    el_status st = el_tok_scratch_init(&sc);
    if (st == EL_OK) st = el_tok_split_added(t, 0, text, len, 1, &raw);
    for (size_t i = 0; st == EL_OK && i < raw.n; i++) {
        const el_tok_span *r = &raw.v[i];
        if (r->id >= 0) st = el_tok_ids_push(out, r->id);
        else st = encode_raw_piece(t, r, raw.buf.p + r->off, &sc, &norm, &parts, out);
    }
    el_tok_splits_free(&raw);
    el_tok_splits_free(&parts);
    free(norm.p);
    el_tok_scratch_free(&sc);
    return st;
}
