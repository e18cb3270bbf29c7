/* Entropy-profile figure: one panel per model (or one for all), mean lines
 * with +-1 std bands per group, a shared y range and a shared legend. */
#include <math.h>
#include <stdlib.h>

#include "plot/figures.h"

#define MARGIN 14.0
#define GAP 22.0

static void legend_dims(const el_profile_fig *f, const el_theme *th, double *w, double *h) {
    *w = *h = 0;
    if (f->n_legend > 0) el_legend_size(th, f->legend, f->n_legend, f->legend_title, w, h);
}

void el_profile_fig_size(const el_profile_fig *f, int *w, int *h) {
    el_theme th = el_theme_default();
    double lw, lh;
    legend_dims(f, &th, &lw, &lh);
    int cols = el_grid_cols(f->n_panels, 3), rows = (f->n_panels + cols - 1) / cols;
    if (rows < 1) rows = 1;
    double pw = f->n_panels <= 1 ? 620 : 430, ph = f->n_panels <= 1 ? 400 : 320;
    double W = MARGIN * 2 + cols * pw + (cols - 1) * GAP + (lw > 0 ? lw + GAP : 0);
    double top = f->title && *f->title ? th.title + 2 + 24 : 0;
    double H = MARGIN + top + rows * ph + (rows - 1) * GAP;
    if (H < top + lh + 2 * MARGIN + 30) H = top + lh + 2 * MARGIN + 30;
    *w = f->width > 0 ? f->width : (int)ceil(W);
    *h = f->height > 0 ? f->height : (int)ceil(H);
}

/* Entropies are never negative: when no mean is, bands stop at 0 and the y
 * axis starts there. */
static int all_nonnegative(const el_profile_fig *f) {
    for (int p = 0; p < f->n_panels; p++)
        for (int k = 0; k < f->panels[p].n; k++)
            for (int i = 0; i < f->panels[p].s[k].n; i++)
                if (f->panels[p].s[k].mean[i] < 0) return 0;
    return 1;
}

static void data_range(const el_profile_fig *f, double *xlo, double *xhi, double *ylo, double *yhi) {
    const int floor0 = all_nonnegative(f);
    *xlo = INFINITY, *xhi = -INFINITY, *ylo = 0, *yhi = -INFINITY;
    for (int p = 0; p < f->n_panels; p++)
        for (int k = 0; k < f->panels[p].n; k++) {
            const el_series *s = &f->panels[p].s[k];
            for (int i = 0; i < s->n; i++) {
                double sd = s->std && isfinite(s->std[i]) ? s->std[i] : 0;
                if (!isfinite(s->mean[i]) || !isfinite(s->x[i])) continue;
                if (s->x[i] < *xlo) *xlo = s->x[i];
                if (s->x[i] > *xhi) *xhi = s->x[i];
                if (!floor0 && s->mean[i] - sd < *ylo) *ylo = s->mean[i] - sd;
                if (s->mean[i] + sd > *yhi) *yhi = s->mean[i] + sd;
            }
        }
    if (!isfinite(*xlo)) *xlo = 0, *xhi = 1;
    if (!isfinite(*yhi)) *yhi = 1;
    if (f->x_from_zero_to_one) *xlo = 0, *xhi = 1;
    *yhi *= 1.04; /* head room above the highest band */
    if (f->y_max > f->y_min) *ylo = f->y_min, *yhi = f->y_max;
}

static void draw_panel(el_canvas *c, const el_theme *th, const el_profile_fig *f, const el_panel *p, el_box b,
                       double xlo, double xhi, double ylo, double yhi, int floor0) {
    if (!f->x_from_zero_to_one) { /* layer numbers: this panel's own range */
        double lo = INFINITY, hi = -INFINITY;
        for (int k = 0; k < p->n; k++)
            for (int i = 0; i < p->s[k].n; i++)
                if (isfinite(p->s[k].x[i])) lo = fmin(lo, p->s[k].x[i]), hi = fmax(hi, p->s[k].x[i]);
        if (isfinite(lo)) xlo = lo, xhi = hi;
    }
    el_axes ax;
    el_axes_layout(&ax, th, b.x, b.y, b.w, b.h, xlo, xhi, ylo, yhi, p->title && *p->title, EL_AXES_EXTEND_X | EL_AXES_EXTEND_Y);
    if (!f->x_from_zero_to_one) {
        /* Layer numbers: keep the exact range, ticks inside it. */
        el_ticks t;
        int maxt = (int)(ax.w / 40);
        if (maxt > (int)(xhi - xlo) + 1) maxt = (int)(xhi - xlo) + 1; /* whole layers only */
        if (maxt < 2) maxt = 2;
        if (el_nice_ticks(xlo, xhi, maxt, 0, &t) == 0 && t.n >= 1) ax.xt = t;
        double pad = (xhi - xlo) * 0.02;
        ax.xt.lo = xlo - pad;
        ax.xt.hi = xhi + pad;
    }
    el_axes_draw(c, &ax, th, p->title, f->xlabel, f->ylabel);
    el_axes_clip(c, &ax);
    if (f->has_ref) {
        double y = floor(el_axes_py(&ax, f->ref_y)) + 0.5;
        el_draw_line(c, ax.x, y, ax.x + ax.w, y, 1.2, el_rgb(140, 140, 140));
    }
    int maxn = 0;
    for (int k = 0; k < p->n; k++)
        if (p->s[k].n > maxn) maxn = p->s[k].n;
    el_pt *pts = malloc(sizeof *pts * (size_t)(2 * maxn + 2));
    if (!pts) {
        c->oom = 1;
        el_clip_pop(c);
        return;
    }
    for (int k = 0; k < p->n; k++) { /* bands under every line */
        const el_series *s = &p->s[k];
        if (!s->std || s->n < 2) continue;
        for (int i = 0; i < s->n; i++) {
            pts[i] = (el_pt){el_axes_px(&ax, s->x[i]), el_axes_py(&ax, s->mean[i] + s->std[i])};
            pts[2 * s->n - 1 - i] =
                (el_pt){el_axes_px(&ax, s->x[i]),
                        el_axes_py(&ax, floor0 ? fmax(0, s->mean[i] - s->std[i]) : s->mean[i] - s->std[i])};
        }
        el_draw_polygon(c, pts, 2 * s->n, el_rgba_with_alpha(el_palette_category(s->color, f->n_colors), 46));
    }
    for (int k = 0; k < p->n; k++) {
        const el_series *s = &p->s[k];
        el_rgba col = el_palette_category(s->color, f->n_colors);
        for (int i = 0; i < s->n; i++)
            pts[i] = (el_pt){el_axes_px(&ax, s->x[i]), el_axes_py(&ax, s->mean[i])};
        el_draw_polyline(c, pts, s->n, 2.2, col);
        if (f->markers)
            for (int i = 0; i < s->n; i++)
                el_draw_circle(c, pts[i].x, pts[i].y, 3.0, col, el_rgb(255, 255, 255), 0.9);
    }
    free(pts);
    el_clip_pop(c);
}

void el_profile_fig_draw(el_canvas *c, const el_profile_fig *f) {
    el_theme th = el_theme_default();
    double lw, lh;
    legend_dims(f, &th, &lw, &lh);
    el_box area = {MARGIN, MARGIN * 0.5, c->width - 2 * MARGIN, c->height - MARGIN * 1.5};
    area = el_figure_title(c, &th, area, f->title);
    double xlo, xhi, ylo, yhi;
    data_range(f, &xlo, &xhi, &ylo, &yhi);
    el_box panels = area;
    if (lw > 0) panels.w -= lw + GAP;
    int cols = el_grid_cols(f->n_panels, 3);
    for (int p = 0; p < f->n_panels; p++)
        draw_panel(c, &th, f, &f->panels[p], el_grid_cell(panels, f->n_panels, cols, GAP, p), xlo, xhi, ylo, yhi,
                   all_nonnegative(f));
    if (lw > 0) {
        int has_title = f->n_panels > 0 && f->panels[0].title && *f->panels[0].title;
        double ly = area.y + (has_title ? th.title * 1.6 : th.tick * 0.8);
        el_legend_draw(c, &th, panels.x + panels.w + GAP, ly, f->legend, f->n_legend, f->legend_title);
    }
}
