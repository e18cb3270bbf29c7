/* SentencePiece-style BPE as HF tokenizers runs it for Llama 2 / Mistral:
 * spaces become "▁", a "▁" is prepended (normalizer Prepend, or Metaspace's
 * prepend_scheme), then the BPE model with byte fallback runs on the whole
 * segment (or, with Metaspace split, on each "▁"-led word). */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"

#define META "\xE2\x96\x81" /* U+2581 */

static int starts_meta(const char *s, size_t len) { return len >= 3 && memcmp(s, META, 3) == 0; }

el_status el_tok_spm_normalize(const el_tokenizer *t, const char *seg, size_t len, int first,
                               char **out, size_t *out_len) {
    *out = NULL;
    *out_len = 0;
    if (len > (SIZE_MAX - 4) / 3) return el_fail(EL_ERR_LIMIT, "tokenizer: text too long");
    int prepend = 0;
    /* Metaspace checks after replacing spaces, so text starting with ' ' or
     * with a literal ▁ gets no second one; Prepend skips only empty text. */
    int has_meta = len > 0 && (seg[0] == ' ' || starts_meta(seg, len));
    switch (t->spm_prepend) {
    case EL_SPM_PREPEND_NONE: break;
    case EL_SPM_PREPEND_ALWAYS: prepend = len > 0; break;
    case EL_SPM_PREPEND_META_ALWAYS: prepend = len > 0 && !has_meta; break;
    case EL_SPM_PREPEND_META_FIRST: prepend = len > 0 && !has_meta && first; break;
    }
    char *s = malloc(3 * len + 4);
    if (!s) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %zu bytes of text", len);
    size_t n = 0;
    if (prepend) {
        memcpy(s, META, 3);
        n = 3;
    }
    for (size_t i = 0; i < len; i++) {
        if (seg[i] == ' ') {
            memcpy(s + n, META, 3);
            n += 3;
        } else {
            s[n++] = seg[i];
        }
    }
    s[n] = '\0';
    *out = s;
    *out_len = n;
    return EL_OK;
}

/* The model on one normalised piece: whole, or split before each ▁. */
static el_status encode_piece(const el_tokenizer *t, const char *s, size_t n, el_tok_ids *out) {
    if (!t->spm_split) return el_tok_hf_bpe_word(t, s, n, out);
    for (size_t w = 0; w < n;) {
        size_t e = w + (starts_meta(s + w, n - w) ? 3 : 1);
        while (e < n && !starts_meta(s + e, n - e)) e++;
        EL_TRY(el_tok_hf_bpe_word(t, s + w, e - w, out));
        w = e;
    }
    return EL_OK;
}

el_status el_tok_encode_spm(const el_tokenizer *t, const char *seg, size_t len, int first,
                            el_tok_ids *out) {
    char *s;
    size_t n;
    EL_TRY(el_tok_spm_normalize(t, seg, len, first, &s, &n));
    el_status st = EL_OK;
    size_t piece = 0, i = 0;
    /* Normalised added tokens are cut out of the normalised text; the parts
     * between them are not normalised again. */
    while (st == EL_OK && t->added_norm_split && i < n) {
        size_t mlen;
        int id = el_tok_match_added(t, s, n, i, 1, &mlen);
        if (id < 0) {
            i++;
            continue;
        }
        if (i > piece) st = encode_piece(t, s + piece, i - piece, out);
        if (st == EL_OK) st = el_tok_ids_push(out, id);
        i += mlen;
        piece = i;
    }
    if (st == EL_OK && n > piece) st = encode_piece(t, s + piece, n - piece, out);
    free(s);
    return st;
}
