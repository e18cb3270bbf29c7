/* Small helpers the tokenizer files share: growable arrays, file reading,
 * UTF-8 stepping. Files are read with el_file_read (base/file.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"

el_status el_tok_ids_push(el_tok_ids *a, int id) {
    if (el_grow(&a->v, &a->cap, a->n, sizeof *a->v, 64))
        return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %zu ids", a->n + 1);
    a->v[a->n++] = id;
    return EL_OK;
}

el_status el_tok_buf_add(el_tok_buf *b, const char *s, size_t n) {
    if (n > SIZE_MAX - b->n - 1) return el_fail(EL_ERR_NOMEM, "tokenizer: text too long");
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1) {
            if (cap > SIZE_MAX / 2) return el_fail(EL_ERR_NOMEM, "tokenizer: text too long");
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %zu bytes", cap);
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return EL_OK;
}

uint32_t el_tok_utf8_next(const char *s, size_t len, size_t i, size_t *adv) {
    const unsigned char *u = (const unsigned char *)s + i;
    size_t left = len - i;
    unsigned c = u[0];
    *adv = 1;
    if (c < 0x80) return c;
    size_t need;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; min = 0x10000; }
    else return 0xFFFD;
    if (left <= need) return 0xFFFD;
    for (size_t k = 1; k <= need; k++) {
        if ((u[k] & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (u[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
    *adv = need + 1;
    return cp;
}

int el_tok_utf8_put(uint32_t cp, char out[4]) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10; /* decoders accept both cases */
    return -1;
}

int el_tok_parse_byte_piece(const char *s, size_t len) {
    if (len != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return -1;
    int hi = hex_digit(s[3]), lo = hex_digit(s[4]);
    if (hi < 0 || lo < 0) return -1;
    return hi * 16 + lo;
}
