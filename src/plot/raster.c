/* Raster back end: an RGBA image, shapes filled through fill.c with
 * anti-aliasing, straight-alpha "over" compositing, text from a real
 * font (cairo + fontconfig, text_cairo.c), PNG output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "plot/canvas.h"
#include "plot/fill.h"
#include "plot/utf8.h"
#include "plot/png_write.h"
#include "plot/text_cairo.h"

#define MAX_CLIP 32

typedef struct {
    el_canvas base;
    uint8_t *px;
    el_irect clip[MAX_CLIP + 1];
    int nclip; /* clip[nclip] is the current one; clip[0] is the canvas */
    el_path path;
} raster;

typedef struct {
    raster *r;
    el_rgba col;
} blend_ctx;

static void blend_px(uint8_t *d, el_rgba c, float cov) {
    float sa = c.a / 255.0f * cov;
    if (sa <= 0.0f) return;
    float da = d[3] / 255.0f;
    float oa = sa + da * (1.0f - sa);
    const uint8_t s[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; k++) {
        float v = (s[k] * sa + d[k] * da * (1.0f - sa)) / oa;
        d[k] = (uint8_t)(v + 0.5f);
    }
    d[3] = (uint8_t)(oa * 255.0f + 0.5f);
}

static void blend_span(void *ctx, int y, int x0, int x1, const float *cov) {
    blend_ctx *b = ctx;
    uint8_t *row = b->r->px + ((size_t)y * (size_t)b->r->base.width + (size_t)x0) * 4;
    for (int x = 0; x < x1 - x0; x++)
        if (cov[x] > 0.0f) blend_px(row + (size_t)x * 4, b->col, cov[x]);
}

/* Fill the accumulated path with col, then empty it. */
static void flush(raster *r, el_rgba col) {
    blend_ctx b = {r, col};
    if (el_path_fill(&r->path, r->clip[r->nclip], blend_span, &b) != 0) r->base.oom = 1;
    el_path_reset(&r->path);
}

static void op_polyline(el_canvas *c, const el_pt *p, int n, double width, el_rgba col) {
    raster *r = (raster *)c;
    el_path_stroke(&r->path, p, n, width, 0);
    flush(r, col);
}

static void op_polygon(el_canvas *c, const el_pt *p, int n, el_rgba fill) {
    raster *r = (raster *)c;
    el_path_add(&r->path, p, n);
    flush(r, fill);
}

static void op_rect(el_canvas *c, double x, double y, double w, double h, el_rgba fill, el_rgba stroke, double sw) {
    raster *r = (raster *)c;
    if (fill.a) {
        el_path_rect(&r->path, x, y, x + w, y + h);
        flush(r, fill);
    }
    if (stroke.a && sw > 0) {
        double o = sw / 2;
        el_path_rect(&r->path, x - o, y - o, x + w + o, y + o);         /* top */
        el_path_rect(&r->path, x - o, y + h - o, x + w + o, y + h + o); /* bottom */
        el_path_rect(&r->path, x - o, y + o, x + o, y + h - o);         /* left */
        el_path_rect(&r->path, x + w - o, y + o, x + w + o, y + h - o); /* right */
        flush(r, stroke);
    }
}

static void op_circle(el_canvas *c, double cx, double cy, double rad, el_rgba fill, el_rgba stroke, double sw) {
    raster *r = (raster *)c;
    if (fill.a) {
        el_path_circle(&r->path, cx, cy, rad);
        flush(r, fill);
    }
    if (stroke.a && sw > 0) {
        int n = (int)ceil(2 * M_PI * rad / 1.5);
        if (n < 12) n = 12;
        if (n > 256) n = 256;
        el_pt q[256];
        for (int i = 0; i < n; i++) {
            q[i].x = cx + rad * cos(2 * M_PI * i / n);
            q[i].y = cy + rad * sin(2 * M_PI * i / n);
        }
        el_path_stroke(&r->path, q, n, sw, 1);
        flush(r, stroke);
    }
}

/* Text from a real font through cairo (text_cairo.c), composited like
 * every other shape. */
static void op_text(el_canvas *c, double x, double y, const char *s, const el_text_style *st) {
    raster *r = (raster *)c;
    blend_ctx b = {r, st->color};
    if (el_text_raster(x, y, s, st, r->clip[r->nclip], blend_span, &b) != 0) r->base.oom = 1;
}

static void op_image(el_canvas *c, double x, double y, double w, double h, const uint8_t *rgba, int iw, int ih) {
    raster *r = (raster *)c;
    el_irect cl = r->clip[r->nclip];
    int x0 = (int)ceil(x - 0.5), x1 = (int)ceil(x + w - 0.5);
    int y0 = (int)ceil(y - 0.5), y1 = (int)ceil(y + h - 0.5);
    if (x0 < cl.x0) x0 = cl.x0;
    if (y0 < cl.y0) y0 = cl.y0;
    if (x1 > cl.x1) x1 = cl.x1;
    if (y1 > cl.y1) y1 = cl.y1;
    for (int py = y0; py < y1; py++) {
        int sy = (int)floor((py + 0.5 - y) / h * ih);
        if (sy < 0) sy = 0;
        if (sy >= ih) sy = ih - 1;
        for (int px = x0; px < x1; px++) {
            int sx = (int)floor((px + 0.5 - x) / w * iw);
            if (sx < 0) sx = 0;
            if (sx >= iw) sx = iw - 1;
            const uint8_t *s = rgba + ((size_t)sy * (size_t)iw + (size_t)sx) * 4;
            el_rgba col = {s[0], s[1], s[2], s[3]};
            blend_px(r->px + ((size_t)py * (size_t)c->width + (size_t)px) * 4, col, 1.0f);
        }
    }
}

static void op_clip_push(el_canvas *c, double x, double y, double w, double h) {
    raster *r = (raster *)c;
    el_irect cur = r->clip[r->nclip];
    el_irect n = {(int)floor(x + 0.5), (int)floor(y + 0.5), (int)floor(x + w + 0.5), (int)floor(y + h + 0.5)};
    if (n.x0 < cur.x0) n.x0 = cur.x0;
    if (n.y0 < cur.y0) n.y0 = cur.y0;
    if (n.x1 > cur.x1) n.x1 = cur.x1;
    if (n.y1 > cur.y1) n.y1 = cur.y1;
    if (n.x1 < n.x0) n.x1 = n.x0;
    if (n.y1 < n.y0) n.y1 = n.y0;
    if (r->nclip < MAX_CLIP) r->clip[++r->nclip] = n;
}

static void op_clip_pop(el_canvas *c) {
    raster *r = (raster *)c;
    if (r->nclip > 0) r->nclip--;
}

static el_status op_encode(el_canvas *c, uint8_t **out, size_t *len) {
    raster *r = (raster *)c;
    return el_png_encode_rgba(r->px, c->width, c->height, out, len);
}

static void op_destroy(el_canvas *c) {
    raster *r = (raster *)c;
    el_path_free(&r->path);
    free(r->px);
    free(r);
}

static const el_canvas_ops raster_ops = {op_polyline, op_polygon,   op_rect,     op_circle, op_text,
                                         op_image,    op_clip_push, op_clip_pop, op_encode, op_destroy};

el_status el_raster_canvas_new(int width, int height, el_rgba bg, el_canvas **out) {
    raster *r = calloc(1, sizeof *r);
    size_t n = (size_t)width * (size_t)height;
    if (r) r->px = malloc(n * 4);
    if (!r || !r->px) {
        free(r);
        return el_fail(EL_ERR_NOMEM, "out of memory for a %d x %d canvas", width, height);
    }
    for (size_t i = 0; i < n; i++)
        memcpy(r->px + i * 4, &bg, 4);
    r->base.ops = &raster_ops;
    r->base.width = width;
    r->base.height = height;
    r->clip[0] = (el_irect){0, 0, width, height};
    el_path_init(&r->path);
    *out = &r->base;
    return EL_OK;
}

const uint8_t *el_canvas_pixels(const el_canvas *c) { return c->ops == &raster_ops ? ((const raster *)c)->px : NULL; }
