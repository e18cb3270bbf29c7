/* GPT-2 byte-level BPE: bytes_to_unicode(), its inverse, and the mapping of
 * text into byte-level chars. */
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

el_status el_tok_bytelevel_map(const char *s, size_t len, el_tok_buf *out) {
    if (len > (SIZE_MAX - out->n - 1) / 2) return el_fail(EL_ERR_NOMEM, "tokenizer: text too long");
    EL_TRY(el_tok_buf_add(out, "", 0));
    if (out->n + 2 * len + 1 > out->cap) { /* every byte maps to a 1- or 2-byte char */
        size_t cap = out->cap;
        while (cap < out->n + 2 * len + 1) cap *= 2;
        char *p = realloc(out->p, cap);
        if (!p) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %zu bytes of text", len);
        out->p = p;
        out->cap = cap;
    }
    char *o = out->p + out->n;
    for (size_t i = 0; i < len; i++) {
        uint32_t cp = el_tok_byte_to_unicode((unsigned char)s[i]);
        if (cp < 0x80) {
            *o++ = (char)cp;
        } else { /* all stand-ins are below U+0800 */
            *o++ = (char)(0xC0 | (cp >> 6));
            *o++ = (char)(0x80 | (cp & 0x3F));
        }
    }
    out->n = (size_t)(o - out->p);
    out->p[out->n] = '\0';
    return EL_OK;
}

el_status el_tok_bytelevel_unmap(const char *s, size_t len, el_tok_buf *out) {
    size_t start = out->n;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = el_tok_utf8_next(s, len, i, &adv);
        int v = cp == 0xFFFD && adv == 1 ? -1 : el_tok_unicode_to_byte(cp);
        if (v < 0) { /* HF's decoder keeps a token's own UTF-8 when a char is outside the map */
            out->n = start;
            return el_tok_buf_add(out, s, len);
        }
        char c = (char)v;
        EL_TRY(el_tok_buf_add(out, &c, 1));
        i += adv;
    }
    return el_tok_buf_add(out, "", 0);
}
