/* The embedded bitmap font: printable ASCII (plus a few symbols) on a 5 x 9
 * grid — 7 rows above the baseline (the capitals), 2 below (descenders).
 *
 * Font model shared by both canvas back ends: with u = size / 10, every
 * character advances 6u (0.6 size), capitals are 7u tall (0.7 size) and
 * descenders reach 2u below the baseline. */
#ifndef EL_PLOT_FONT_H
#define EL_PLOT_FONT_H

#include <stdint.h>

#define EL_FONT_W 5
#define EL_FONT_H 9
#define EL_FONT_ASCENT 7   /* rows above the baseline */
#define EL_FONT_ADVANCE 6  /* cells per character, in font units */
#define EL_FONT_UNITS 10   /* font units per em */

/* The glyph's EL_FONT_H rows (bit 4 = leftmost column) for a Unicode code
 * point; '?' for anything the font lacks. */
void el_font_glyph(uint32_t cp, uint8_t rows[EL_FONT_H]);

/* Decode one UTF-8 code point from *s and advance it; invalid bytes decode
 * as U+FFFD one byte at a time. Returns 0 at the end of the string. */
uint32_t el_utf8_next(const char **s);
/* Number of code points (each one font advance). */
int el_utf8_count(const char *s);

#endif
