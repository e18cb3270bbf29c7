/* UTF-8 decoding for figure text. (The hand-drawn bitmap font that lived
 * here is gone: text is drawn from a real font by cairo, text_cairo.h.) */
#ifndef EL_PLOT_UTF8_H
#define EL_PLOT_UTF8_H

#include <stdint.h>

/* Decode one UTF-8 code point from *s and advance it; invalid bytes decode
 * as U+FFFD one byte at a time. Returns 0 at the end of the string. */
uint32_t el_utf8_next(const char **s);
/* Number of code points. */
int el_utf8_count(const char *s);

#endif
