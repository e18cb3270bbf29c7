/* The drawing API every plot is written against, with two back ends: SVG
 * text (svg.c: labels stay searchable text, and figures inlined side by side
 * in one HTML report share no ids) and cairo (cairo_canvas.c: PNG images and
 * PDF pages).
 *
 * Coordinates are canvas pixels, origin top-left, y down. Colours carry
 * alpha (straight, not premultiplied): 255 is opaque. Text is set in one
 * real font (DejaVu Sans through cairo + fontconfig, text_cairo.h): `size`
 * is the em height in pixels, the cap height about 0.7 size, and
 * el_text_width() measures in that font, so layout holds for PNG and for SVG
 * (which asks the viewer for the same face). */
#ifndef EL_PLOT_CANVAS_H
#define EL_PLOT_CANVAS_H

#include <stddef.h>
#include <stdint.h>

#include "entropy_lens.h"

typedef struct {
    uint8_t r, g, b, a;
} el_rgba;

typedef struct {
    double x, y;
} el_pt;

typedef enum { EL_ALIGN_LEFT = 0, EL_ALIGN_CENTER, EL_ALIGN_RIGHT } el_align;
/* Where y is relative to the text: its baseline, the middle of its capital
 * letters, or the top of its capitals. */
typedef enum { EL_VALIGN_BASELINE = 0, EL_VALIGN_MIDDLE, EL_VALIGN_TOP } el_valign;

typedef struct {
    double size;       /* em height, pixels */
    el_rgba color;
    el_align align;    /* along the reading direction */
    el_valign valign;
    int rotate;        /* 0, or 90: read bottom to top (y-axis titles) */
    int bold;
} el_text_style;

typedef struct el_canvas el_canvas;

/* Back-end operations. Text arrives with the anchor moved across the reading
 * direction to the baseline (valign resolved); along it, (x, y) is still the
 * anchor that st->align refers to. */
typedef struct {
    void (*polyline)(el_canvas *c, const el_pt *p, int n, double width, el_rgba col);
    void (*polygon)(el_canvas *c, const el_pt *p, int n, el_rgba fill);
    void (*rect)(el_canvas *c, double x, double y, double w, double h, el_rgba fill, el_rgba stroke,
                 double stroke_width);
    void (*circle)(el_canvas *c, double cx, double cy, double r, el_rgba fill, el_rgba stroke,
                   double stroke_width);
    void (*text)(el_canvas *c, double x, double y, const char *s, const el_text_style *st);
    /* RGBA pixels iw x ih stretched to the rectangle (nearest neighbour). */
    void (*image)(el_canvas *c, double x, double y, double w, double h, const uint8_t *rgba, int iw,
                  int ih);
    void (*clip_push)(el_canvas *c, double x, double y, double w, double h);
    void (*clip_pop)(el_canvas *c);
    /* The finished file in memory (malloc'd): SVG text or PNG bytes. */
    el_status (*encode)(el_canvas *c, uint8_t **out, size_t *len);
    void (*destroy)(el_canvas *c);
} el_canvas_ops;

struct el_canvas {
    const el_canvas_ops *ops;
    int width, height; /* the drawing's units (layout); the file is scale times that */
    double scale;      /* output size / drawing size: --dpi for PNG, --size for heatmaps */
    int oom; /* sticky: an allocation failed while drawing */
};

typedef enum { EL_CANVAS_SVG = 0, EL_CANVAS_PNG, EL_CANVAS_PDF } el_canvas_kind;

/* A blank canvas filled with `background` (alpha 0 for transparent). */
el_status el_canvas_new(el_canvas_kind kind, int width, int height, el_rgba background, el_canvas **out);
/* The same drawn at scale: the file is round(scale * width) x round(scale *
 * height) pixels (PNG), points (PDF) or user units (SVG, through viewBox),
 * with every coordinate scaled. */
el_status el_canvas_new_scaled(el_canvas_kind kind, int width, int height, double scale, el_rgba background,
                               el_canvas **out);
/* The scale --dpi asks for: dpi / 96 for PNG (96 dpi = one pixel per drawing
 * unit), 1 for the vector kinds, whose size does not depend on a resolution. */
double el_canvas_dpi_scale(el_canvas_kind kind, int dpi);
/* The file's size in pixels / points: round(scale * width or height). */
int el_canvas_out_width(const el_canvas *c);
int el_canvas_out_height(const el_canvas *c);
void el_canvas_free(el_canvas *c);
/* Write the canvas to a file (SVG, PNG or PDF by kind). */
el_status el_canvas_save(el_canvas *c, const char *path);
/* SVG: the <svg> element without the XML declaration (for inline HTML);
 * PNG: the file bytes. malloc'd. */
el_status el_canvas_encode(el_canvas *c, uint8_t **out, size_t *len);
/* Kind from a file name: ".svg", ".png" or ".pdf" (case-insensitive); -1 otherwise. */
int el_canvas_kind_from_path(const char *path);

/* PNG canvases only: the RGBA pixels so far (out width * out height * 4, straight
 * alpha), else NULL. The buffer belongs to the canvas and is refreshed by
 * every call: call again after drawing. */
const uint8_t *el_canvas_pixels(const el_canvas *c);

/* Drawing. Lines of width <= 0 and colours of alpha 0 draw nothing. */
void el_draw_line(el_canvas *c, double x0, double y0, double x1, double y1, double width, el_rgba col);
void el_draw_polyline(el_canvas *c, const el_pt *p, int n, double width, el_rgba col);
void el_draw_polygon(el_canvas *c, const el_pt *p, int n, el_rgba fill);
void el_draw_rect(el_canvas *c, double x, double y, double w, double h, el_rgba fill, el_rgba stroke,
                  double stroke_width);
void el_draw_circle(el_canvas *c, double cx, double cy, double r, el_rgba fill, el_rgba stroke,
                    double stroke_width);
void el_draw_text(el_canvas *c, double x, double y, const char *s, const el_text_style *st);
void el_draw_image(el_canvas *c, double x, double y, double w, double h, const uint8_t *rgba, int iw,
                   int ih);
/* Clips nest: each push intersects with the current clip. */
void el_clip_push(el_canvas *c, double x, double y, double w, double h);
void el_clip_pop(el_canvas *c);

/* Width of s in the figure font (text_cairo.h). */
double el_text_width(const char *s, double size);
el_text_style el_text_style_make(double size, el_rgba col, el_align align, el_valign valign);

/* Colour helpers. */
el_rgba el_rgb(uint8_t r, uint8_t g, uint8_t b);
el_rgba el_rgba_with_alpha(el_rgba c, uint8_t a);
el_rgba el_rgba_hex(uint32_t rrggbb);
#define EL_NONE ((el_rgba){0, 0, 0, 0})

/* Back-end constructors (el_canvas_new dispatches to these). */
el_status el_svg_canvas_new(int width, int height, el_rgba background, el_canvas **out); /* set ->scale after */
el_status el_cairo_canvas_new(el_canvas_kind kind, int width, int height, double scale, el_rgba background,
                              el_canvas **out);
/* 1 for an SVG canvas (its file gets an XML declaration). */
int el_canvas_is_svg(const el_canvas *c);

#endif
