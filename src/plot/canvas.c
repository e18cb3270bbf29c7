/* Front of the drawing API: argument checks, text alignment, saving. */
#include "plot/canvas.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "plot/utf8.h"
#include "plot/text_cairo.h"

el_status el_canvas_new(el_canvas_kind kind, int width, int height, el_rgba background, el_canvas **out) {
    return el_canvas_new_scaled(kind, width, height, 1.0, background, out);
}

el_status el_canvas_new_scaled(el_canvas_kind kind, int width, int height, double scale, el_rgba background,
                               el_canvas **out) {
    *out = NULL;
    if (!(scale > 0) || !isfinite(scale)) scale = 1.0;
    const double ow = round(width * scale), oh = round(height * scale);
    if (width <= 0 || height <= 0 || !(ow >= 1 && oh >= 1 && ow <= 16384 && oh <= 16384))
        return el_fail(EL_ERR_ARG, "canvas size %d x %d at scale %g out of range (1..16384)", width, height, scale);
    if (kind != EL_CANVAS_SVG) return el_cairo_canvas_new(kind, width, height, scale, background, out);
    EL_TRY(el_svg_canvas_new(width, height, background, out));
    (*out)->scale = scale;
    return EL_OK;
}

double el_canvas_dpi_scale(el_canvas_kind kind, int dpi) { return kind == EL_CANVAS_PNG && dpi > 0 ? dpi / 96.0 : 1.0; }

int el_canvas_out_width(const el_canvas *c) { return (int)round(c->width * c->scale); }

int el_canvas_out_height(const el_canvas *c) { return (int)round(c->height * c->scale); }

void el_canvas_free(el_canvas *c) {
    if (c) c->ops->destroy(c);
}

el_status el_canvas_encode(el_canvas *c, uint8_t **out, size_t *len) {
    *out = NULL;
    *len = 0;
    if (c->oom) return el_fail(EL_ERR_NOMEM, "out of memory while drawing");
    return c->ops->encode(c, out, len);
}

el_status el_canvas_save(el_canvas *c, const char *path) {
    uint8_t *data;
    size_t len;
    EL_TRY(el_canvas_encode(c, &data, &len));
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(data);
        return el_fail(EL_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    }
    int svg = el_canvas_is_svg(c);
    int ok = 1;
    if (svg) ok = fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f) >= 0;
    ok = ok && fwrite(data, 1, len, f) == len;
    if (svg && ok) ok = fputc('\n', f) != EOF;
    ok = (fclose(f) == 0) && ok;
    free(data);
    if (!ok) return el_fail(EL_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    return EL_OK;
}

int el_canvas_kind_from_path(const char *path) {
    size_t n = strlen(path);
    if (n < 4) return -1;
    const char *ext = path + n - 4;
    char e[5];
    for (int i = 0; i < 4; i++)
        e[i] = (char)tolower((unsigned char)ext[i]);
    e[4] = '\0';
    if (!strcmp(e, ".svg")) return EL_CANVAS_SVG;
    if (!strcmp(e, ".png")) return EL_CANVAS_PNG;
    if (!strcmp(e, ".pdf")) return EL_CANVAS_PDF;
    return -1;
}

static int finite_pt(double x, double y) { return isfinite(x) && isfinite(y); }

void el_draw_line(el_canvas *c, double x0, double y0, double x1, double y1, double width, el_rgba col) {
    el_pt p[2] = {{x0, y0}, {x1, y1}};
    el_draw_polyline(c, p, 2, width, col);
}

void el_draw_polyline(el_canvas *c, const el_pt *p, int n, double width, el_rgba col) {
    if (n < 2 || !(width > 0) || col.a == 0) return;
    for (int i = 0; i < n; i++)
        if (!finite_pt(p[i].x, p[i].y)) return;
    c->ops->polyline(c, p, n, width, col);
}

void el_draw_polygon(el_canvas *c, const el_pt *p, int n, el_rgba fill) {
    if (n < 3 || fill.a == 0) return;
    for (int i = 0; i < n; i++)
        if (!finite_pt(p[i].x, p[i].y)) return;
    c->ops->polygon(c, p, n, fill);
}

void el_draw_rect(el_canvas *c, double x, double y, double w, double h, el_rgba fill, el_rgba stroke,
                  double stroke_width) {
    if (!finite_pt(x, y) || !finite_pt(w, h) || w < 0 || h < 0) return;
    if (fill.a == 0 && (stroke.a == 0 || !(stroke_width > 0))) return;
    c->ops->rect(c, x, y, w, h, fill, stroke, stroke_width > 0 ? stroke_width : 0);
}

void el_draw_circle(el_canvas *c, double cx, double cy, double r, el_rgba fill, el_rgba stroke, double stroke_width) {
    if (!finite_pt(cx, cy) || !(r > 0) || !isfinite(r)) return;
    if (fill.a == 0 && (stroke.a == 0 || !(stroke_width > 0))) return;
    c->ops->circle(c, cx, cy, r, fill, stroke, stroke_width > 0 ? stroke_width : 0);
}

void el_draw_text(el_canvas *c, double x, double y, const char *s, const el_text_style *st) {
    if (!s || !*s || !(st->size > 0) || st->color.a == 0 || !finite_pt(x, y)) return;
    /* Move across the reading direction to the baseline. */
    double shift = st->valign == EL_VALIGN_MIDDLE ? 0.35 * st->size
                   : st->valign == EL_VALIGN_TOP  ? 0.7 * st->size
                                                  : 0.0;
    if (st->rotate == 90)
        x += shift;
    else
        y += shift;
    c->ops->text(c, x, y, s, st);
}

void el_draw_image(el_canvas *c, double x, double y, double w, double h, const uint8_t *rgba, int iw, int ih) {
    if (!rgba || iw <= 0 || ih <= 0 || !finite_pt(x, y) || !(w > 0) || !(h > 0)) return;
    c->ops->image(c, x, y, w, h, rgba, iw, ih);
}

void el_clip_push(el_canvas *c, double x, double y, double w, double h) {
    if (!(w >= 0) || !(h >= 0)) w = h = 0;
    c->ops->clip_push(c, x, y, w, h);
}

void el_clip_pop(el_canvas *c) { c->ops->clip_pop(c); }

double el_text_width(const char *s, double size) {
    return s && *s ? el_text_advance(s, size, 0) : 0.0;
}

el_text_style el_text_style_make(double size, el_rgba col, el_align align, el_valign valign) {
    el_text_style st = {size, col, align, valign, 0, 0};
    return st;
}

el_rgba el_rgb(uint8_t r, uint8_t g, uint8_t b) { return (el_rgba){r, g, b, 255}; }

el_rgba el_rgba_with_alpha(el_rgba c, uint8_t a) {
    c.a = a;
    return c;
}

el_rgba el_rgba_hex(uint32_t v) { return (el_rgba){(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v, 255}; }
