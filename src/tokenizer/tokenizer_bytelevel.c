/* GPT-2 byte-level BPE: bytes_to_unicode() and the per-segment encoder. */
#include <stdlib.h>

#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"

/* encoder.py's bytes_to_unicode(): printable Latin-1 bytes stand for
 * themselves, the other 68 bytes take 256, 257, ... in byte order. */
static int printable(unsigned b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174; }

/* The 68 others are 0..32, 127..160 and 173. */
uint32_t el_tok_byte_to_unicode(unsigned b) {
    if (printable(b)) return b;
    if (b <= 32) return 256 + b;
    if (b <= 160) return 256 + 33 + (b - 127);
    return 256 + 67; /* 173 */
}

int el_tok_unicode_to_byte(uint32_t cp) {
    if (cp < 256) return printable(cp) ? (int)cp : -1;
    if (cp >= 256 + 68) return -1;
    uint32_t n = cp - 256;
    if (n < 33) return (int)n;
    if (n < 67) return (int)(127 + n - 33);
    return 173;
}

el_status el_tok_encode_bytelevel(const el_tokenizer *t, const char *seg, size_t len, el_tok_ids *out) {
    /* HF ByteLevel(add_prefix_space): a segment not starting with ' ' gets one. */
    int prefix = t->add_prefix_space && seg[0] != ' ';
    size_t n = len + (size_t)prefix;
    char *s = malloc(n), *mapped = malloc(2 * n); /* every byte maps to a 1- or 2-byte char */
    if (!s || !mapped) {
        free(s);
        free(mapped);
        return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %zu bytes of text", len);
    }
    if (prefix) s[0] = ' ';
    for (size_t i = 0; i < len; i++) s[i + (size_t)prefix] = seg[i];
    el_status st = EL_OK;
    for (size_t i = 0; i < n && st == EL_OK;) {
        size_t end = el_tok_gpt2_pretoken(s, n, i), m = 0;
        for (size_t k = i; k < end; k++)
            m += (size_t)el_tok_utf8_put(el_tok_byte_to_unicode((unsigned char)s[k]), mapped + m);
        st = el_tok_hf_bpe_word(t, mapped, m, out);
        i = end;
    }
    free(s);
    free(mapped);
    return st;
}
