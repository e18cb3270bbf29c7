/* SentencePiece-style BPE as HF tokenizers runs it for Llama 2 / Mistral:
 * spaces become "▁", a "▁" is prepended (normalizer Prepend, or Metaspace's
 * prepend_scheme), then the BPE model with byte fallback runs on the whole
 * segment (or, with Metaspace split, on each "▁"-led word). */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "text/tokenizer_internal.h"

#define META "\xE2\x96\x81" /* U+2581 */

static int starts_meta(const char *s, size_t len) { return len >= 3 && memcmp(s, META, 3) == 0; }

el_status el_tok_encode_spm(const el_tokenizer *t, const char *seg, size_t len, int first,
                            el_tok_ids *out) {
    if (len == 0) return EL_OK; /* Prepend leaves empty text empty */
    if (len > (SIZE_MAX - 3) / 3) return el_fail(EL_ERR_LIMIT, "tokenizer: text too long");
    int prepend = 0;
    /* Metaspace checks after replacing spaces, so text starting with ' ' or
     * with a literal ▁ gets no second one. */
    int has_meta = seg[0] == ' ' || starts_meta(seg, len);
    switch (t->spm_prepend) {
    case EL_SPM_PREPEND_NONE: break;
    case EL_SPM_PREPEND_ALWAYS: prepend = 1; break;
    case EL_SPM_PREPEND_META_ALWAYS: prepend = !has_meta; break;
    case EL_SPM_PREPEND_META_FIRST: prepend = !has_meta && first; break;
    }
    char *s = malloc(3 * len + 3);
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
    el_status st = EL_OK;
    if (!t->spm_split) {
        st = el_tok_hf_bpe_word(t, s, n, out);
    } else {
        for (size_t w = 0; w < n && st == EL_OK;) {
            size_t e = w + (starts_meta(s + w, n - w) ? 3 : 1);
            while (e < n && !starts_meta(s + e, n - e)) e++;
            st = el_tok_hf_bpe_word(t, s + w, e - w, out);
            w = e;
        }
    }
    free(s);
    return st;
}
