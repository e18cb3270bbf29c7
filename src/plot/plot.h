/* Plotting on top of the canvas: palettes, nice ticks, axes, legends, a
 * colour bar and a grid layout of panels. */
#ifndef EL_PLOT_PLOT_H
#define EL_PLOT_PLOT_H

#include "plot/canvas.h"

/* ------------------------------------------------------------ palette.c */

/* Colour i of a colour-blind-safe categorical palette for n groups:
 * Okabe-Ito for up to 8 groups, Tableau 10 beyond (cycling after 10). */
el_rgba el_palette_category(int i, int n);
/* Viridis at t in [0, 1] (clamped; NaN gives grey). */
el_rgba el_viridis(double t);

/* ------------------------------------------------------------ ticks.c */

#define EL_MAX_TICKS 24

typedef struct {
    double lo, hi;   /* the axis range, widened to whole steps when asked */
    double step;
    int n;
    double v[EL_MAX_TICKS];
    int decimals;    /* digits after the point that show every tick exactly */
} el_ticks;

/* Ticks at 1, 2 or 5 x 10^k spacing covering [lo, hi] with at most
 * max_ticks ticks (>= 2). extend: widen lo/hi out to the outer ticks,
 * else keep [lo, hi] and list only ticks inside. An empty range is
 * widened around its value. Returns 0, or -1 for non-finite input. */
int el_nice_ticks(double lo, double hi, int max_ticks, int extend, el_ticks *t);
/* Tick label of v ("0.25", "-1", "1e+06"); buf of 32 bytes is enough. */
void el_tick_label(const el_ticks *t, double v, char *buf, size_t n);

/* ------------------------------------------------------------ axes.c */

typedef struct {
    double title, label, tick; /* font sizes */
    el_rgba ink, grid, frame;
} el_theme;

el_theme el_theme_default(void);

typedef struct {
    double x, y, w, h; /* the plot area, canvas pixels */
    el_ticks xt, yt;
} el_axes;

/* el_axes_layout's `extend`: widen that axis's range to whole tick steps
 * (profiles, whose ranges are layer numbers and entropies); without it the
 * axis spans exactly the range given (scatter plots: the data plus a small
 * margin, not up to twice the data's width). */
enum { EL_AXES_EXTEND_X = 1, EL_AXES_EXTEND_Y = 2 };

/* Outer box (x, y, w, h) of a panel -> its plot area, leaving room for the
 * title (if any), tick labels and axis titles, with ticks at nice numbers. */
void el_axes_layout(el_axes *ax, const el_theme *th, double x, double y, double w, double h, double xlo,
                    double xhi, double ylo, double yhi, int has_title, int extend);
double el_axes_px(const el_axes *ax, double v); /* data x -> canvas x */
double el_axes_py(const el_axes *ax, double v); /* data y -> canvas y */
/* Grid, frame, ticks, tick labels, axis titles and the panel title. */
void el_axes_draw(el_canvas *c, const el_axes *ax, const el_theme *th, const char *title, const char *xlabel,
                  const char *ylabel);
/* Clip to the plot area (pair with el_clip_pop). */
void el_axes_clip(el_canvas *c, const el_axes *ax);

/* ------------------------------------------------------------ legend.c */

typedef enum { EL_KEY_LINE = 0, EL_KEY_BAND, EL_KEY_DOT, EL_KEY_BOX } el_key_kind;

typedef struct {
    const char *label;
    el_rgba color;
    el_key_kind kind;
} el_legend_entry;

/* Size of the legend box for these entries (and optional heading). */
void el_legend_size(const el_theme *th, const el_legend_entry *e, int n, const char *heading, double *w,
                    double *h);
/* Draw it with its top-left corner at (x, y). */
void el_legend_draw(el_canvas *c, const el_theme *th, double x, double y, const el_legend_entry *e, int n,
                    const char *heading);

/* ------------------------------------------------------------ colorbar.c */

/* Width needed by a vertical colour bar of bar width bw with tick labels and
 * a rotated title. */
double el_colorbar_width(const el_theme *th, double bw, double lo, double hi, const char *title);
/* A vertical viridis bar in (x, y, bw, h) for values lo..hi (low at the
 * bottom), ticks and labels on its right, title rotated beside them. */
void el_colorbar_draw(el_canvas *c, const el_theme *th, double x, double y, double bw, double h, double lo,
                      double hi, const char *title);

/* ------------------------------------------------------------ layout.c */

typedef struct {
    double x, y, w, h;
} el_box;

/* Columns for n panels: about square, never more than max_cols. */
int el_grid_cols(int n, int max_cols);
/* Panel k of n in a grid of cols columns filling `area`, gap pixels apart. */
el_box el_grid_cell(el_box area, int n, int cols, double gap, int k);
/* Draw a figure title centred at the top of `area` and return what is left. */
el_box el_figure_title(el_canvas *c, const el_theme *th, el_box area, const char *title);
/* Shorten s to fit max_px at font size (ending in "..."), into buf. */
const char *el_fit_text(const char *s, double size, double max_px, char *buf, size_t n);

#endif
