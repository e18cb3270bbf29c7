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

double el_text_show(cairo_t *cr, const char *s, double size, int bold, int draw) {
    double total = 0;
    char *run = malloc(strlen(s) + 1);
    if (!run) return 0;
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
    return total;
}

/* The string's advance in pixels, measured on a 1 x 1 scratch surface. */
static double advance(const char *s, const el_text_style *st);

double el_text_advance(const char *s, double size, int bold) {
    el_text_style st = {.size = size, .bold = bold};
    return advance(s, &st);
}

static double advance(const char *s, const el_text_style *st) {
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t *cr = cairo_create(sf);
    double adv = el_text_show(cr, s, st->size, st->bold, 0);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
    return adv;
}

int el_text_raster(double x, double y, const char *s, const el_text_style *st, el_irect clip,
                   el_span_fn fn, void *ctx) {
    const double adv = advance(s, st);
    const double start = st->align == EL_ALIGN_CENTER ? -adv / 2 : st->align == EL_ALIGN_RIGHT ? -adv : 0.0;
    /* A box around the anchor that holds the text in either direction. */
    const double reach = fabs(start) + adv + 2 * st->size + 4;
    int bx0 = (int)floor(x - reach), by0 = (int)floor(y - reach);
    int bx1 = (int)ceil(x + reach), by1 = (int)ceil(y + reach);
    if (bx0 < clip.x0) bx0 = clip.x0;
    if (by0 < clip.y0) by0 = clip.y0;
    if (bx1 > clip.x1) bx1 = clip.x1;
    if (by1 > clip.y1) by1 = clip.y1;
    if (bx1 <= bx0 || by1 <= by0) return 0;
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_A8, bx1 - bx0, by1 - by0);
    float *cov = malloc(sizeof(float) * (size_t)(bx1 - bx0));
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS || !cov) {
        cairo_surface_destroy(sf);
        free(cov);
        return -1;
    }
    cairo_t *cr = cairo_create(sf);
    cairo_translate(cr, x - bx0, y - by0);
    if (st->rotate == 90) cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, start, 0);
    el_text_show(cr, s, st->size, st->bold, 1);
    cairo_destroy(cr);
    cairo_surface_flush(sf);
    const unsigned char *data = cairo_image_surface_get_data(sf);
    const int stride = cairo_image_surface_get_stride(sf);
    for (int row = 0; row < by1 - by0; row++) {
        const unsigned char *a = data + (size_t)row * (size_t)stride;
        int any = 0;
        for (int i = 0; i < bx1 - bx0; i++) {
            cov[i] = a[i] / 255.0f;
            any |= a[i];
        }
        if (any) fn(ctx, by0 + row, bx0, bx1, cov);
    }
    cairo_surface_destroy(sf);
    free(cov);
    return 0;
}
