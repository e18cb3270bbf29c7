/* HTML escaping and inline figures. */
#include "plot/html.h"

#include <stdlib.h>

#include "plot/utf8.h"
#include "plot/png_write.h"

void el_html_escape(el_strbuf *b, const char *s) {
    if (!s) return;
    const char *p = s;
    while (*p) {
        const char *q = p;
        uint32_t cp = el_utf8_next(&p);
        switch (cp) {
        case '&': el_sb_puts(b, "&amp;"); break;
        case '<': el_sb_puts(b, "&lt;"); break;
        case '>': el_sb_puts(b, "&gt;"); break;
        case '"': el_sb_puts(b, "&quot;"); break;
        case '\'': el_sb_puts(b, "&#39;"); break;
        case 0xFFFD: el_sb_puts(b, "\xEF\xBF\xBD"); break;
        default:
            if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F) break;
            el_sb_write(b, q, (size_t)(p - q));
        }
    }
}

static el_status img_tag(el_strbuf *b, const uint8_t *png, size_t len, int w, int h, const char *alt) {
    char *uri = el_data_uri("image/png", png, len);
    if (!uri) return el_fail(EL_ERR_NOMEM, "out of memory");
    el_sb_printf(b, "<img width=\"%d\" height=\"%d\" alt=\"", w, h);
    el_html_escape(b, alt);
    el_sb_puts(b, "\" src=\"");
    el_sb_puts(b, uri);
    el_sb_puts(b, "\">");
    free(uri);
    return EL_OK;
}

el_status el_html_figure(el_strbuf *b, el_canvas *c, const char *alt) {
    uint8_t *data;
    size_t len;
    EL_TRY(el_canvas_encode(c, &data, &len));
    el_status s = EL_OK;
    if (!el_canvas_is_svg(c)) { /* PNG bytes (encoding already made them) */
        s = img_tag(b, data, len, c->width, c->height, alt);
    } else {
        /* role/aria-label make the inline SVG an image for screen readers. */
        el_sb_puts(b, "<div class=\"fig\" role=\"img\" aria-label=\"");
        el_html_escape(b, alt);
        el_sb_puts(b, "\">");
        el_sb_write(b, (const char *)data, len);
        el_sb_puts(b, "</div>");
    }
    free(data);
    return s;
}

el_status el_html_rgba_img(el_strbuf *b, const uint8_t *rgba, int iw, int ih, int w, int h, const char *alt) {
    uint8_t *png;
    size_t len;
    EL_TRY(el_png_encode_rgba(rgba, iw, ih, &png, &len));
    el_status s = img_tag(b, png, len, w, h, alt);
    free(png);
    return s;
}
