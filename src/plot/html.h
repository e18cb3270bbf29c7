/* Small helpers for self-contained HTML pages: escaping, and figures inlined
 * as <svg> elements or PNG data URIs (no external files, no scripts). */
#ifndef EL_PLOT_HTML_H
#define EL_PLOT_HTML_H

#include "base/strbuf.h"
#include "plot/canvas.h"

/* Text content or attribute value: & < > " ' escaped, control characters
 * dropped, invalid UTF-8 replaced by U+FFFD. */
void el_html_escape(el_strbuf *b, const char *s);
/* Inline the figure: an SVG canvas as its <svg> element, a PNG canvas as an
 * <img> with a data URI. alt describes it. Returns EL_OK or the encode error. */
el_status el_html_figure(el_strbuf *b, el_canvas *c, const char *alt);
/* An <img> of RGBA pixels (PNG data URI) shown at w x h CSS pixels. */
el_status el_html_rgba_img(el_strbuf *b, const uint8_t *rgba, int iw, int ih, int w, int h, const char *alt);

#endif
