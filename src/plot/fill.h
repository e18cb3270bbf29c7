/* Paths of closed contours and their anti-aliased scanline fill, used by the
 * raster back end for every shape (strokes, discs and glyphs are all
 * contours). Contours are united: each one counts with its own orientation
 * normalised, so overlapping pieces of a stroke never cancel or double. */
#ifndef EL_PLOT_FILL_H
#define EL_PLOT_FILL_H

#include "plot/canvas.h"

typedef struct {
    el_pt *p;
    int n, cap;
    int *start; /* first point of each contour; contour k is start[k]..start[k+1] */
    int ncont, ccap;
    int oom;
} el_path;

typedef struct {
    int x0, y0, x1, y1; /* half-open pixel rectangle */
} el_irect;

void el_path_init(el_path *path);
void el_path_free(el_path *path);
void el_path_reset(el_path *path);
/* One closed contour. */
void el_path_add(el_path *path, const el_pt *p, int n);
void el_path_rect(el_path *path, double x0, double y0, double x1, double y1);
void el_path_circle(el_path *path, double cx, double cy, double r);
/* A polyline of the given width: one quad per segment, round joins (and
 * round ends when closed). */
void el_path_stroke(el_path *path, const el_pt *p, int n, double width, int closed);

/* Called for each covered row y with coverage in [0, 1] for x0 <= x < x1. */
typedef void (*el_span_fn)(void *ctx, int y, int x0, int x1, const float *cov);

/* Fill with 8 sub-scanlines per pixel row and exact horizontal coverage,
 * inside clip. Returns 0, or -1 when out of memory. */
int el_path_fill(const el_path *path, el_irect clip, el_span_fn fn, void *ctx);

#endif
