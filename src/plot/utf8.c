/* UTF-8 decoding for figure text (SVG escaping, HTML, label fitting). The
 * glyphs themselves come from a real font through cairo (text_cairo.c). */
#include "plot/utf8.h"

#include <stddef.h>

uint32_t el_utf8_next(const char **ps) {
    const unsigned char *s = (const unsigned char *)*ps;
    if (!*s) return 0;
    uint32_t c = s[0];
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0) {
        *ps += 1;
        return 0xFFFD;
    }
    uint32_t cp = n == 0 ? c : c & (0x3Fu >> n);
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *ps += 1;
            return 0xFFFD;
        }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        *ps += 1;
        return 0xFFFD;
    }
    *ps += n + 1;
    return cp;
}

int el_utf8_count(const char *s) {
    int n = 0;
    while (el_utf8_next(&s))
        n++;
    return n;
}
