/* Scatter plot of 2-D points coloured by group, with a legend. */
#include <math.h>

#include "plot/figures.h"

#define MARGIN 14.0
#define GAP 22.0

void el_scatter_fig_size(const el_scatter_fig *f, int *w, int *h) {
    el_theme th = el_theme_default();
    double lw = 0, lh = 0;
    if (f->n_legend > 0) el_legend_size(&th, f->legend, f->n_legend, f->legend_title, &lw, &lh);
    double W = MARGIN * 2 + 520 + (lw > 0 ? lw + GAP : 0);
    double H = MARGIN * 1.5 + (f->title && *f->title ? th.title + 26 : 0) + 440;
    if (H < lh + 80) H = lh + 80;
    *w = f->width > 0 ? f->width : (int)ceil(W);
    *h = f->height > 0 ? f->height : (int)ceil(H);
}

void el_scatter_fig_draw(el_canvas *c, const el_scatter_fig *f) {
    el_theme th = el_theme_default();
    double lw = 0, lh = 0;
    if (f->n_legend > 0) el_legend_size(&th, f->legend, f->n_legend, f->legend_title, &lw, &lh);
    el_box area = {MARGIN, MARGIN * 0.5, c->width - 2 * MARGIN, c->height - MARGIN * 1.5};
    area = el_figure_title(c, &th, area, f->title);
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int i = 0; i < f->n; i++) {
        if (!isfinite(f->x[i]) || !isfinite(f->y[i])) continue;
        xlo = fmin(xlo, f->x[i]), xhi = fmax(xhi, f->x[i]);
        ylo = fmin(ylo, f->y[i]), yhi = fmax(yhi, f->y[i]);
    }
    if (!isfinite(xlo)) xlo = ylo = 0, xhi = yhi = 1;
    /* A little room so edge points are not cut by the frame. */
    double px = (xhi - xlo) * 0.04, py = (yhi - ylo) * 0.04;
    el_axes ax;
    el_axes_layout(&ax, &th, area.x, area.y, area.w - (lw > 0 ? lw + GAP : 0), area.h, xlo - px, xhi + px, ylo - py,
                   yhi + py, 0, 0);
    el_axes_draw(c, &ax, &th, NULL, f->xlabel, f->ylabel);
    el_axes_clip(c, &ax);
    for (int i = 0; i < f->n; i++) {
        el_rgba col = el_rgba_with_alpha(el_palette_category(f->group ? f->group[i] : 0, f->n_colors), 220);
        el_draw_circle(c, el_axes_px(&ax, f->x[i]), el_axes_py(&ax, f->y[i]), 4.2, col, el_rgb(255, 255, 255), 0.8);
    }
    el_clip_pop(c);
    if (lw > 0) el_legend_draw(c, &th, ax.x + ax.w + GAP, ax.y, f->legend, f->n_legend, f->legend_title);
}
