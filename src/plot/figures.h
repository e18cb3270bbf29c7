/* Ready-made figures over plain arrays (no JSONL here: the commands turn
 * records into these specs). Each figure computes its own canvas size with
 * *_size() so the caller can create an SVG or PNG canvas of that size. */
#ifndef EL_PLOT_FIGURES_H
#define EL_PLOT_FIGURES_H

#include "plot/plot.h"

/* ------------------------------------------------------------ profiles */

/* One line: mean (and optional +-1 std band) at n points x. */
typedef struct {
    const char *label;   /* legend text */
    int color;           /* palette index */
    int n;
    const double *x, *mean, *std; /* std may be NULL */
} el_series;

typedef struct {
    const char *title;   /* panel title (e.g. the model), may be NULL */
    const el_series *s;
    int n;
} el_panel;

typedef struct {
    const char *title;        /* figure title, may be NULL */
    const char *xlabel, *ylabel;
    const el_panel *panels;
    int n_panels;
    int n_colors;             /* palette size used for series colours */
    const el_legend_entry *legend; /* shared legend (right of the panels) */
    int n_legend;
    const char *legend_title;
    int x_from_zero_to_one;   /* x axis exactly [0, 1] (normalised depth) */
    int markers;              /* dots at each point */
    int width, height;        /* 0: chosen from the panel count */
    double y_min, y_max;      /* fixed y range when y_max > y_min, else from the data */
    int has_ref;              /* a thin grey reference line at y = ref_y (e.g. chance) */
    double ref_y;
} el_profile_fig;

void el_profile_fig_size(const el_profile_fig *f, int *w, int *h);
void el_profile_fig_draw(el_canvas *c, const el_profile_fig *f);

/* ------------------------------------------------------------ heatmaps */

typedef struct {
    const char *title;        /* e.g. the image's base name and label */
    const uint8_t *image;     /* RGBA background (panel x panel), or NULL */
    int panel;                /* panel side in pixels */
    int grid_w, grid_h;       /* patch grid: P = grid_w * grid_h */
    int n_maps;
    const double *maps;       /* n_maps x P, row-major */
    const char *const *map_titles; /* "layer l" */
    double lo, hi;            /* colour range */
    double alpha;             /* overlay opacity when image != NULL (0..1) */
    const char *bar_title;    /* colour bar title, e.g. "entropy (nats)" */
    int cols;                 /* 0: one row up to 6 maps, else 4 to 6 columns */
} el_heatmap_fig;

void el_heatmap_fig_size(const el_heatmap_fig *f, int *w, int *h);
void el_heatmap_fig_draw(el_canvas *c, const el_heatmap_fig *f);

/* ------------------------------------------------------------ scatter */

typedef struct {
    const char *title, *xlabel, *ylabel;
    int n;
    const double *x, *y;
    const int *group;         /* colour index per point */
    int n_colors;
    const el_legend_entry *legend;
    int n_legend;
    const char *legend_title;
    int width, height;        /* 0: defaults */
} el_scatter_fig;

void el_scatter_fig_size(const el_scatter_fig *f, int *w, int *h);
void el_scatter_fig_draw(el_canvas *c, const el_scatter_fig *f);

#endif
