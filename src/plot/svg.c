/* SVG back end: one element per primitive, written into a string buffer.
 * Text is escaped for XML (& < > " ' and control characters; invalid UTF-8
 * becomes U+FFFD). Clips are <clipPath> + <g clip-path>. Every canvas has its
 * own id prefix so several SVGs can be inlined in one HTML page. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "base/strbuf.h"
#include "plot/canvas.h"
#include "plot/html.h"
#include "plot/utf8.h"
#include "plot/png_write.h"

#define MAX_CLIP 32

typedef struct {
    el_canvas base;
    el_strbuf body;
    el_rgba bg;
    unsigned id;   /* canvas id: element ids are "elp<id>c<k>" */
    int nclip_ids; /* clip paths made so far */
    int depth;     /* open clip groups */
} svg;

static unsigned next_canvas_id = 0;

/* Numbers with at most 2 decimals, trailing zeros dropped. */
static void num(el_strbuf *b, double v) {
    char t[64];
    if (fabs(v) < 0.005) v = 0.0;
    snprintf(t, sizeof t, "%.2f", v);
    char *dot = strchr(t, '.');
    if (dot) {
        char *e = t + strlen(t) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot) *e = '\0';
    }
    el_sb_puts(b, t);
}

static void attr_num(el_strbuf *b, const char *name, double v) {
    el_sb_printf(b, " %s=\"", name);
    num(b, v);
    el_sb_putc(b, '"');
}

static void paint(el_strbuf *b, const char *what, el_rgba c) {
    if (c.a == 0) {
        el_sb_printf(b, " %s=\"none\"", what);
        return;
    }
    el_sb_printf(b, " %s=\"#%02x%02x%02x\"", what, c.r, c.g, c.b);
    if (c.a != 255) el_sb_printf(b, " %s-opacity=\"%.3g\"", what, c.a / 255.0);
}

/* fill="..." [stroke="..." stroke-width="..."]/> closing a shape element. */
static void fill_stroke(el_strbuf *b, el_rgba fill, el_rgba stroke, double sw) {
    paint(b, "fill", fill);
    if (stroke.a && sw > 0) {
        paint(b, "stroke", stroke);
        attr_num(b, "stroke-width", sw);
    }
    el_sb_puts(b, "/>\n");
}

static void points(el_strbuf *b, const el_pt *p, int n) {
    el_sb_puts(b, " points=\"");
    for (int i = 0; i < n; i++) {
        if (i) el_sb_putc(b, ' ');
        num(b, p[i].x);
        el_sb_putc(b, ',');
        num(b, p[i].y);
    }
    el_sb_putc(b, '"');
}

static void op_polyline(el_canvas *c, const el_pt *p, int n, double width, el_rgba col) {
    el_strbuf *b = &((svg *)c)->body;
    el_sb_puts(b, "<polyline");
    points(b, p, n);
    el_sb_puts(b, " fill=\"none\"");
    paint(b, "stroke", col);
    attr_num(b, "stroke-width", width);
    el_sb_puts(b, " stroke-linejoin=\"round\"/>\n");
}

static void op_polygon(el_canvas *c, const el_pt *p, int n, el_rgba fill) {
    el_strbuf *b = &((svg *)c)->body;
    el_sb_puts(b, "<polygon");
    points(b, p, n);
    paint(b, "fill", fill);
    el_sb_puts(b, "/>\n");
}

static void op_rect(el_canvas *c, double x, double y, double w, double h, el_rgba fill, el_rgba stroke, double sw) {
    el_strbuf *b = &((svg *)c)->body;
    el_sb_puts(b, "<rect");
    attr_num(b, "x", x);
    attr_num(b, "y", y);
    attr_num(b, "width", w);
    attr_num(b, "height", h);
    fill_stroke(b, fill, stroke, sw);
}

static void op_circle(el_canvas *c, double cx, double cy, double r, el_rgba fill, el_rgba stroke, double sw) {
    el_strbuf *b = &((svg *)c)->body;
    el_sb_puts(b, "<circle");
    attr_num(b, "cx", cx);
    attr_num(b, "cy", cy);
    attr_num(b, "r", r);
    fill_stroke(b, fill, stroke, sw);
}

static void op_text(el_canvas *c, double x, double y, const char *s, const el_text_style *st) {
    el_strbuf *b = &((svg *)c)->body;
    static const char *anchor[] = {"start", "middle", "end"};
    el_sb_puts(b, "<text");
    attr_num(b, "x", x);
    attr_num(b, "y", y);
    attr_num(b, "font-size", st->size);
    if (st->align != EL_ALIGN_LEFT) el_sb_printf(b, " text-anchor=\"%s\"", anchor[st->align]);
    if (st->bold) el_sb_puts(b, " font-weight=\"bold\"");
    paint(b, "fill", st->color);
    if (st->rotate == 90) {
        el_sb_puts(b, " transform=\"rotate(-90 ");
        num(b, x);
        el_sb_putc(b, ' ');
        num(b, y);
        el_sb_puts(b, ")\"");
    }
    el_sb_putc(b, '>');
    el_html_escape(b, s);
    el_sb_puts(b, "</text>\n");
}

static void op_image(el_canvas *c, double x, double y, double w, double h, const uint8_t *rgba, int iw, int ih) {
    el_strbuf *b = &((svg *)c)->body;
    uint8_t *png;
    size_t len;
    if (el_png_encode_rgba(rgba, iw, ih, &png, &len) != EL_OK) {
        c->oom = 1;
        return;
    }
    char *uri = el_data_uri("image/png", png, len);
    free(png);
    if (!uri) {
        c->oom = 1;
        return;
    }
    el_sb_puts(b, "<image");
    attr_num(b, "x", x);
    attr_num(b, "y", y);
    attr_num(b, "width", w);
    attr_num(b, "height", h);
    el_sb_puts(b, " preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" xlink:href=\"");
    el_sb_puts(b, uri);
    el_sb_puts(b, "\"/>\n");
    free(uri);
}

static void op_clip_push(el_canvas *c, double x, double y, double w, double h) {
    svg *s = (svg *)c;
    el_strbuf *b = &s->body;
    if (s->depth >= MAX_CLIP) return;
    int k = s->nclip_ids++;
    el_sb_printf(b, "<clipPath id=\"elp%uc%d\"><rect", s->id, k);
    attr_num(b, "x", x);
    attr_num(b, "y", y);
    attr_num(b, "width", w);
    attr_num(b, "height", h);
    el_sb_printf(b, "/></clipPath>\n<g clip-path=\"url(#elp%uc%d)\">\n", s->id, k);
    s->depth++;
}

static void op_clip_pop(el_canvas *c) {
    svg *s = (svg *)c;
    if (s->depth == 0) return;
    el_sb_puts(&s->body, "</g>\n");
    s->depth--;
}

static el_status op_encode(el_canvas *c, uint8_t **out, size_t *len) {
    svg *s = (svg *)c;
    el_strbuf doc = {0};
    el_sb_printf(&doc,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"DejaVu Sans, WenQuanYi Micro Hei, Verdana, Arial, Helvetica, sans-serif\">\n",
                 el_canvas_out_width(c), el_canvas_out_height(c), c->width, c->height);
    if (s->bg.a) {
        el_sb_printf(&doc, "<rect width=\"%d\" height=\"%d\"", c->width, c->height);
        paint(&doc, "fill", s->bg);
        el_sb_puts(&doc, "/>\n");
    }
    el_sb_write(&doc, s->body.data ? s->body.data : "", s->body.len);
    for (int i = 0; i < s->depth; i++)
        el_sb_puts(&doc, "</g>\n");
    el_sb_puts(&doc, "</svg>");
    if (doc.oom || s->body.oom) {
        el_sb_free(&doc);
        return el_fail(EL_ERR_NOMEM, "svg: out of memory");
    }
    *out = (uint8_t *)doc.data;
    *len = doc.len;
    return EL_OK;
}

static void op_destroy(el_canvas *c) {
    svg *s = (svg *)c;
    el_sb_free(&s->body);
    free(s);
}

static const el_canvas_ops svg_ops = {op_polyline, op_polygon,   op_rect,     op_circle, op_text,
                                      op_image,    op_clip_push, op_clip_pop, op_encode, op_destroy};

el_status el_svg_canvas_new(int width, int height, el_rgba bg, el_canvas **out) {
    svg *s = calloc(1, sizeof *s);
    if (!s) return el_fail(EL_ERR_NOMEM, "svg: out of memory");
    s->base.ops = &svg_ops;
    s->base.width = width;
    s->base.height = height;
    s->base.scale = 1.0;
    s->bg = bg;
    s->id = next_canvas_id++;
    *out = &s->base;
    return EL_OK;
}
int el_canvas_is_svg(const el_canvas *c) { return c->ops == &svg_ops; }
