#include "plot/text_cairo.h"

#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot/utf8.h"

/* The family fontconfig is asked for; Debian's fonts-dejavu-core provides it
 * (scripts/deps.sh), any "sans-serif" match stands in otherwise. */
#define EL_FONT_FAMILY "DejaVu Sans"
/* Cairo's toy text API draws a string in one face and has no per-glyph
 * fallback, so code points DejaVu lacks (CJK) are drawn in this face
 * instead (fonts-wqy-microhei in scripts/deps.sh). */
#define EL_FONT_FALLBACK "WenQuanYi Micro Hei"

static void select_face(cairo_t *cr, const char *family, double size, int bold) {
    cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

void el_text_set_font(cairo_t *cr, double size, int bold) { select_face(cr, EL_FONT_FAMILY, size, bold); }

/* 1 when the face selected on cr has a glyph for the len bytes at s (glyph 0 is "missing"). */
static int has_glyph(cairo_t *cr, const char *s, int len) {
    cairo_glyph_t *g = NULL;
    int ng = 0;
    if (cairo_scaled_font_text_to_glyphs(cairo_get_scaled_font(cr), 0, 0, s, len, &g, &ng, NULL, NULL, NULL) !=
        CAIRO_STATUS_SUCCESS)
        return 1;
    int ok = ng < 1 || g[0].index != 0;
    cairo_glyph_free(g);
    return ok;
}

/* s with every byte that is not part of valid UTF-8 replaced by U+FFFD:
 * cairo refuses invalid strings by putting the whole context in an error
 * state (nothing drawn after it), and file names may hold such bytes. */
static char *valid_utf8(const char *s) {
    char *out = malloc(3 * strlen(s) + 1), *o = out;
    if (!out) return NULL;
    for (const char *p = s; *p;) {
        const char *q = p;
        const uint32_t cp = el_utf8_next(&p);
        const int invalid = cp == 0xFFFD && !(p - q == 3 && !memcmp(q, "\xEF\xBF\xBD", 3));
        if (invalid) memcpy(o, "\xEF\xBF\xBD", 3), o += 3;
        else memcpy(o, q, (size_t)(p - q)), o += p - q;
    }
    *o = '\0';
    return out;
}

double el_text_show(cairo_t *cr, const char *text, double size, int bold, int draw) {
    double total = 0;
    char *s = valid_utf8(text);
    char *run = s ? malloc(strlen(s) + 1) : NULL;
    if (!run) {
        free(s);
        return 0;
    }
    for (const char *p = s; *p;) {
        el_text_set_font(cr, size, bold);
        const char *q = p;
        int primary = -1;
        while (*q) {
            const char *n = q;
            el_utf8_next(&n);
            if (n == q) n = q + 1;
            int h = has_glyph(cr, q, (int)(n - q));
            if (primary < 0) primary = h;
            else if (h != primary) break;
            q = n;
        }
        if (!primary) select_face(cr, EL_FONT_FALLBACK, size, bold);
        memcpy(run, p, (size_t)(q - p));
        run[q - p] = 0;
        cairo_text_extents_t ext;
        cairo_text_extents(cr, run, &ext);
        if (draw) cairo_show_text(cr, run); /* moves the current point by the advance */
        total += ext.x_advance;
        p = q;
    }
    free(run);
    free(s);
    return total;
}

/* The string's advance in pixels, measured on a 1 x 1 scratch surface. */
double el_text_advance(const char *s, double size, int bold) {
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t *cr = cairo_create(sf);
    double adv = el_text_show(cr, s, size, bold, 0);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
    return adv;
}

