#include "base/strbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(el_strbuf *s, size_t extra) {
    if (s->oom) return 0;
    if (s->len + extra + 1 <= s->cap) return 1;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + extra + 1) cap *= 2;
    char *p = realloc(s->data, cap);
    if (!p) {
        s->oom = 1;
        return 0;
    }
    s->data = p;
    s->cap = cap;
    return 1;
}

void el_sb_reset(el_strbuf *s) {
    s->len = 0;
    s->oom = 0;
    if (s->data) s->data[0] = '\0';
}

void el_sb_free(el_strbuf *s) {
    free(s->data);
    memset(s, 0, sizeof *s);
}

void el_sb_write(el_strbuf *s, const char *p, size_t n) {
    if (!grow(s, n)) return;
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
}

void el_sb_putc(el_strbuf *s, char c) { el_sb_write(s, &c, 1); }
void el_sb_puts(el_strbuf *s, const char *str) { el_sb_write(s, str, strlen(str)); }

void el_sb_printf(el_strbuf *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        el_sb_write(s, small, (size_t)n);
        return;
    }
    if (!grow(s, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(s->data + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

/* Length of a valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static int utf8_len(const unsigned char *p) {
    unsigned c = p[0];
    if (c < 0x80) return 1;
    int n;
    unsigned min;
    if ((c & 0xe0) == 0xc0) n = 2, min = 0x80, c &= 0x1f;
    else if ((c & 0xf0) == 0xe0) n = 3, min = 0x800, c &= 0x0f;
    else if ((c & 0xf8) == 0xf0) n = 4, min = 0x10000, c &= 0x07;
    else return 0;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    return n;
}

void el_sb_json_str(el_strbuf *s, const char *str) {
    el_sb_putc(s, '"');
    const unsigned char *p = (const unsigned char *)str;
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            el_sb_putc(s, '\\');
            el_sb_putc(s, (char)c);
            p++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': el_sb_puts(s, "\\n"); break;
            case '\r': el_sb_puts(s, "\\r"); break;
            case '\t': el_sb_puts(s, "\\t"); break;
            default: el_sb_printf(s, "\\u%04x", c);
            }
            p++;
        } else if (c < 0x80) {
            el_sb_putc(s, (char)c);
            p++;
        } else {
            int n = utf8_len(p);
            if (n) {
                el_sb_write(s, (const char *)p, (size_t)n);
                p += n;
            } else {
                el_sb_printf(s, "\\udc%02x", c);
                p++;
            }
        }
    }
    el_sb_putc(s, '"');
}

void el_sb_json_float(el_strbuf *s, double v) {
    if (!isfinite(v)) {
        el_sb_puts(s, "null");
        return;
    }
    el_sb_printf(s, "%.7g", v);
}

void el_sb_csv_str(el_strbuf *s, const char *str) {
    if (!strpbrk(str, ",\"\r\n")) {
        el_sb_puts(s, str);
        return;
    }
    el_sb_putc(s, '"');
    for (const char *p = str; *p; p++) {
        if (*p == '"') el_sb_putc(s, '"');
        el_sb_putc(s, *p);
    }
    el_sb_putc(s, '"');
}
