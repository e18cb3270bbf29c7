/* PNG and PDF back end: every drawing call goes to a cairo surface, an
 * ARGB32 image for PNG (anti-aliased shapes, the figure font) or a PDF
 * stream (vector graphics with real, selectable text, the font embedded by
 * cairo). The PDF file is assembled in memory (el_strbuf); the image is
 * converted to straight RGBA for PNG encoding and el_canvas_pixels. */
#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "base/strbuf.h"
#include "plot/canvas.h"
#include "plot/png_write.h"
#include "plot/text_cairo.h"

typedef struct {
    el_canvas base;
    cairo_surface_t *surface;
    cairo_t *cr;
    el_strbuf out;   /* PDF: the file so far */
    int depth;       /* clips pushed */
    int image;       /* 1: an image surface (PNG) */
    uint8_t *rgba;   /* image: straight RGBA, made on request */
} cairo_canvas;

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int len) {
    el_strbuf *b = closure;
    el_sb_write(b, (const char *)data, len);
    return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

static void colour(cairo_t *cr, el_rgba c) { cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, c.a / 255.0); }

static void path(cairo_t *cr, const el_pt *p, int n) {
    cairo_move_to(cr, p[0].x, p[0].y);
    for (int i = 1; i < n; i++) cairo_line_to(cr, p[i].x, p[i].y);
}

static void op_polyline(el_canvas *c, const el_pt *p, int n, double width, el_rgba col) {
    cairo_t *cr = ((cairo_canvas *)c)->cr;
    path(cr, p, n);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    colour(cr, col);
    cairo_stroke(cr);
}

static void op_polygon(el_canvas *c, const el_pt *p, int n, el_rgba fill) {
    cairo_t *cr = ((cairo_canvas *)c)->cr;
    path(cr, p, n);
    cairo_close_path(cr);
    colour(cr, fill);
    cairo_fill(cr);
}

static void fill_stroke(cairo_t *cr, el_rgba fill, el_rgba stroke, double sw) {
    if (fill.a) {
        colour(cr, fill);
        cairo_fill_preserve(cr);
    }
    if (stroke.a && sw > 0) {
        colour(cr, stroke);
        cairo_set_line_width(cr, sw);
        cairo_stroke_preserve(cr);
    }
    cairo_new_path(cr);
}

static void op_rect(el_canvas *c, double x, double y, double w, double h, el_rgba fill, el_rgba stroke, double sw) {
    cairo_t *cr = ((cairo_canvas *)c)->cr;
    cairo_rectangle(cr, x, y, w, h);
    fill_stroke(cr, fill, stroke, sw);
}

static void op_circle(el_canvas *c, double cx, double cy, double r, el_rgba fill, el_rgba stroke, double sw) {
    cairo_t *cr = ((cairo_canvas *)c)->cr;
    cairo_new_sub_path(cr);
    cairo_arc(cr, cx, cy, r, 0, 2 * M_PI);
    fill_stroke(cr, fill, stroke, sw);
}

static void op_text(el_canvas *c, double x, double y, const char *s, const el_text_style *st) {
    cairo_t *cr = ((cairo_canvas *)c)->cr;
    double adv = el_text_advance(s, st->size, st->bold); /* same measure as layout */
    double start = st->align == EL_ALIGN_CENTER ? -adv / 2 : st->align == EL_ALIGN_RIGHT ? -adv : 0.0;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (st->rotate == 90) cairo_rotate(cr, -M_PI / 2);
    cairo_move_to(cr, start, 0);
    colour(cr, st->color);
    el_text_show(cr, s, st->size, st->bold, 1);
    cairo_restore(cr);
}

/* Straight RGBA -> cairo's premultiplied ARGB32, scaled with nearest neighbour. */
static void op_image(el_canvas *c, double x, double y, double w, double h, const uint8_t *rgba, int iw, int ih) {
    cairo_t *cr = ((cairo_canvas *)c)->cr;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, iw, ih);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        c->oom = 1;
        cairo_surface_destroy(img);
        return;
    }
    unsigned char *d = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int j = 0; j < ih; j++)
        for (int i = 0; i < iw; i++) {
            const uint8_t *s = rgba + ((size_t)j * iw + i) * 4;
            uint32_t a = s[3], px = a << 24 | (s[0] * a / 255) << 16 | (s[1] * a / 255) << 8 | (s[2] * a / 255);
            memcpy(d + (size_t)j * stride + (size_t)i * 4, &px, 4);
        }
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / iw, h / ih);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, iw, ih);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}

static void op_clip_push(el_canvas *c, double x, double y, double w, double h) {
    cairo_canvas *p = (cairo_canvas *)c;
    cairo_save(p->cr);
    cairo_rectangle(p->cr, x, y, w, h);
    cairo_clip(p->cr);
    p->depth++;
}

static void op_clip_pop(el_canvas *c) {
    cairo_canvas *p = (cairo_canvas *)c;
    if (p->depth > 0) {
        cairo_restore(p->cr);
        p->depth--;
    }
}

static el_status op_encode(el_canvas *c, uint8_t **out, size_t *len) {
    cairo_canvas *p = (cairo_canvas *)c;
    if (p->image) {
        const uint8_t *px = el_canvas_pixels(c);
        if (!px) return el_fail(EL_ERR_NOMEM, "PNG: out of memory");
        return el_png_encode_rgba(px, el_canvas_out_width(c), el_canvas_out_height(c), out, len);
    }
    if (p->cr) {
        cairo_destroy(p->cr);
        p->cr = NULL;
        cairo_surface_finish(p->surface);
    }
    if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS || p->out.oom)
        return el_fail(EL_ERR_NOMEM, "PDF: %s", cairo_status_to_string(cairo_surface_status(p->surface)));
    *out = malloc(p->out.len ? p->out.len : 1);
    if (!*out) return el_fail(EL_ERR_NOMEM, "PDF: out of memory");
    memcpy(*out, p->out.data, p->out.len);
    *len = p->out.len;
    return EL_OK;
}

static void op_destroy(el_canvas *c) {
    cairo_canvas *p = (cairo_canvas *)c;
    if (p->cr) cairo_destroy(p->cr);
    cairo_surface_destroy(p->surface);
    el_sb_free(&p->out);
    free(p->rgba);
    free(p);
}

static const el_canvas_ops cairo_ops = {op_polyline, op_polygon,   op_rect,     op_circle, op_text,
                                      op_image,    op_clip_push, op_clip_pop, op_encode, op_destroy};

/* PDF: one page of width x height points (1 canvas pixel = 1 pt); PNG: a
 * width x height image. */
el_status el_cairo_canvas_new(el_canvas_kind kind, int width, int height, double scale, el_rgba background,
                              el_canvas **out) {
    cairo_canvas *p = calloc(1, sizeof *p);
    if (!p) return el_fail(EL_ERR_NOMEM, "canvas: out of memory");
    p->base.ops = &cairo_ops;
    p->base.width = width;
    p->base.height = height;
    p->base.scale = scale;
    p->image = kind != EL_CANVAS_PDF;
    const int ow = el_canvas_out_width(&p->base), oh = el_canvas_out_height(&p->base);
    p->surface = p->image ? cairo_image_surface_create(CAIRO_FORMAT_ARGB32, ow, oh)
                          : cairo_pdf_surface_create_for_stream(write_cb, &p->out, ow, oh);
    p->cr = cairo_create(p->surface);
    if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
        op_destroy(&p->base);
        return el_fail(EL_ERR_NOMEM, "%d x %d canvas: cairo could not start", ow, oh);
    }
    cairo_scale(p->cr, scale, scale); /* draw in layout units */
    if (background.a) op_rect(&p->base, 0, 0, width, height, background, EL_NONE, 0);
    *out = &p->base;
    return EL_OK;
}

/* cairo's premultiplied native-endian ARGB32 back to straight RGBA. */
const uint8_t *el_canvas_pixels(const el_canvas *c) {
    if (c->ops != &cairo_ops || !((const cairo_canvas *)c)->image) return NULL;
    cairo_canvas *p = (cairo_canvas *)c; /* the RGBA copy is a cache of the surface */
    const int W = el_canvas_out_width(c), H = el_canvas_out_height(c);
    if (!p->rgba && !(p->rgba = malloc((size_t)W * H * 4))) return NULL;
    cairo_surface_flush(p->surface);
    const unsigned char *d = cairo_image_surface_get_data(p->surface);
    const int stride = cairo_image_surface_get_stride(p->surface);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint32_t v;
            memcpy(&v, d + (size_t)y * stride + (size_t)x * 4, 4);
            const uint32_t a = v >> 24;
            uint8_t *o = p->rgba + ((size_t)y * W + x) * 4;
            for (int k = 0; k < 3; k++) {
                const uint32_t ch = (v >> (16 - 8 * k)) & 255;
                o[k] = (uint8_t)(a ? (ch * 255 + a / 2) / a : 0);
            }
            o[3] = (uint8_t)a;
        }
    return p->rgba;
}
