/* Text rendered from a real font for the cairo back end: cairo with
 * fontconfig picks the face ("DejaVu Sans" by default, any installed sans
 * with the glyphs via fontconfig's choice), so any UTF-8 label the font
 * covers (Latin, Cyrillic, Greek, ...) is drawn, anti-aliased. */
#ifndef EL_PLOT_TEXT_CAIRO_H
#define EL_PLOT_TEXT_CAIRO_H

#include <cairo.h>

#include "plot/canvas.h"

/* The advance (width) of s in pixels at em size `size` in the figure font:
 * what layout uses for PNG, PDF and SVG alike (SVG asks for the same face). */
double el_text_advance(const char *s, double size, int bold);

/* Measure, and with draw != 0 show from the current point, s in the figure
 * font, runs of code points it lacks (CJK) in the fallback face. Returns the
 * advance in pixels. */
double el_text_show(cairo_t *cr, const char *s, double size, int bold, int draw);

/* Select the figure font at em size `size` on a cairo context (PDF, PNG). */
void el_text_set_font(cairo_t *cr, double size, int bold);

#endif
