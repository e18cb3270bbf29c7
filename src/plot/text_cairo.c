#include "plot/text_cairo.h"

#include <cairo.h>
#include <math.h>
#include <stdlib.h>

/* The family fontconfig is asked for; Debian's fonts-dejavu-core provides it
 * (scripts/deps.sh), any "sans-serif" match stands in otherwise. */
#define EL_FONT_FAMILY "DejaVu Sans"

void el_text_set_font(cairo_t *cr, double size, int bold) {
    cairo_select_font_face(cr, EL_FONT_FAMILY, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static void set_font(cairo_t *cr, const el_text_style *st) { el_text_set_font(cr, st->size, st->bold); }

/* The string's advance in pixels, measured on a 1 x 1 scratch surface. */
static double advance(const char *s, const el_text_style *st);

double el_text_advance(const char *s, double size, int bold) {
    el_text_style st = {.size = size, .bold = bold};
    return advance(s, &st);
}

static double advance(const char *s, const el_text_style *st) {
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1);
    cairo_t *cr = cairo_create(sf);
    set_font(cr, st);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, s, &ext);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
    return ext.x_advance;
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
    set_font(cr, st);
    cairo_move_to(cr, start, 0);
    cairo_show_text(cr, s);
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
