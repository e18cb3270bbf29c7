/* Added tokens (<|endoftext|>, <s>, ...): HF cuts them out of the text with
 * a leftmost-longest literal match before the model sees the rest. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"

el_status el_tok_add_added(el_tokenizer *t, int id, int normalized) {
    el_tok_added *a = realloc(t->added, ((size_t)t->n_added + 1) * sizeof *a);
    if (!a) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for added tokens");
    t->added = a;
    a[t->n_added++] = (el_tok_added){id, normalized, NULL, 0};
    return EL_OK;
}

/* Whether this token is looked for in normalised rather than raw text. */
static int in_normalized(const el_tokenizer *t, const el_tok_added *a) {
    return t->added_norm_split && a->normalized;
}

el_status el_tok_prepare_added(el_tokenizer *t) {
    for (int k = 0; k < t->n_added; k++) {
        el_tok_added *a = &t->added[k];
        const char *p = t->piece[a->id];
        size_t n = t->piece_len[a->id];
        char *pat;
        size_t len;
        if (in_normalized(t, a)) {
            /* HF normalises the token's content too: "<s>" is found as "▁<s>". */
            EL_TRY(el_tok_spm_normalize(t, p, n, 1, &pat, &len));
        } else {
            pat = malloc(n + 1);
            if (!pat) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory");
            memcpy(pat, p, n + 1);
            len = n;
        }
        a->pat = pat;
        a->len = (uint32_t)len;
    }
    /* Longest first so the first hit at a position is the longest; insertion
     * sort keeps equal lengths in id order (the list is short). */
    for (int i = 1; i < t->n_added; i++) {
        el_tok_added v = t->added[i];
        int j = i;
        while (j > 0 && t->added[j - 1].len < v.len) {
            t->added[j] = t->added[j - 1];
            j--;
        }
        t->added[j] = v;
    }
    for (int k = 0; k < t->n_added; k++)
        if (t->added[k].len) t->added_first[in_normalized(t, &t->added[k])][(unsigned char)t->added[k].pat[0]] = 1;
    return EL_OK;
}

int el_tok_match_added(const el_tokenizer *t, const char *s, size_t len, size_t i, int normalized_text,
                       size_t *mlen) {
    if (!t->added_first[normalized_text][(unsigned char)s[i]]) return -1; /* the common case */
    for (int k = 0; k < t->n_added; k++) {
        const el_tok_added *a = &t->added[k];
        if (in_normalized(t, a) != normalized_text) continue;
        if (a->len && a->len <= len - i && memcmp(s + i, a->pat, a->len) == 0) {
            *mlen = a->len;
            return a->id;
        }
    }
    return -1;
}
