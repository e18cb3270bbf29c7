/* Scatter plot of an embedding: points coloured by group, legend on the right. */
#include "plot/scatter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot/plot.h"

#define MAX_LEGEND 40

el_status el_scatter_save(const el_scatter *s, const char *path) {
    int kind = el_canvas_kind_from_path(path);
    if (kind < 0) return el_fail(EL_ERR_ARG, "%s: the plot file must end in .svg, .png or .pdf", path);
    const int W = s->width > 0 ? s->width : 900, H = s->height > 0 ? s->height : 640;
    el_theme th = el_theme_default();
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int i = 0; i < s->n; i++) {
        double x = s->xy[2 * i], y = s->xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y)) continue;
        xlo = fmin(xlo, x), xhi = fmax(xhi, x), ylo = fmin(ylo, y), yhi = fmax(yhi, y);
    }
    if (!(xlo <= xhi)) xlo = 0, xhi = 1, ylo = 0, yhi = 1;
    /* A little air around the points. */
    double mx = (xhi - xlo) * 0.04, my = (yhi - ylo) * 0.04;
    xlo -= mx, xhi += mx, ylo -= my, yhi += my;

    int ng = s->n_groups < MAX_LEGEND ? s->n_groups : MAX_LEGEND;
    el_legend_entry *e = calloc((size_t)(ng + 1), sizeof *e);
    char (*labels)[64] = calloc((size_t)(ng + 1), sizeof *labels);
    if (!e || !labels) {
        free(e);
        free(labels);
        return el_fail(EL_ERR_NOMEM, "out of memory drawing %s", path);
    }
    for (int g = 0; g < ng; g++) {
        e[g].label = el_fit_text(s->groups[g][0] ? s->groups[g] : "(empty)", th.tick, 200, labels[g],
                                 sizeof labels[g]);
        e[g].color = el_palette_category(g, s->n_groups);
        e[g].kind = EL_KEY_DOT;
    }
    int ne = ng;
    if (s->n_groups > ng) {
        snprintf(labels[ng], sizeof labels[ng], "... %d more", s->n_groups - ng);
        e[ng].label = labels[ng];
        e[ng].color = EL_NONE;
        e[ng].kind = EL_KEY_BOX;
        ne++;
    }
    double lw, lh;
    el_legend_size(&th, e, ne, s->legend_heading, &lw, &lh);

    el_canvas *c;
    el_status st = el_canvas_new_scaled((el_canvas_kind)kind, W, H, el_canvas_dpi_scale((el_canvas_kind)kind, s->dpi),
                                        el_rgb(255, 255, 255), &c);
    if (st != EL_OK) {
        free(e);
        free(labels);
        return st;
    }
    el_axes ax;
    double plot_w = W - lw - 30;
    el_axes_layout(&ax, &th, 10, 10, plot_w, H - 20, xlo, xhi, ylo, yhi, s->title != NULL, 0);
    el_axes_draw(c, &ax, &th, s->title, s->xlabel, s->ylabel);
    el_axes_clip(c, &ax);
    double r = s->n > 2000 ? 2.2 : s->n > 500 ? 3.0 : 4.0;
    for (int i = 0; i < s->n; i++) {
        double x = s->xy[2 * i], y = s->xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y)) continue;
        el_rgba col = el_rgba_with_alpha(el_palette_category(s->group[i], s->n_groups), 210);
        el_draw_circle(c, el_axes_px(&ax, x), el_axes_py(&ax, y), r, col, el_rgb(255, 255, 255), 0.6);
    }
    el_clip_pop(c);
    el_legend_draw(c, &th, plot_w + 20, ax.y, e, ne, s->legend_heading);
    if (c->oom) st = el_fail(EL_ERR_NOMEM, "out of memory drawing %s", path);
    else st = el_canvas_save(c, path);
    el_canvas_free(c);
    free(e);
    free(labels);
    return st;
}
