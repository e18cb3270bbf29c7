/* Axes: margins sized from the actual tick labels, light grid, frame, ticks,
 * axis titles (the y title rotated) and a bold panel title. */
#include <math.h>
#include <stdio.h>

#include "plot/plot.h"

#define TICK_LEN 4.0
#define GAP 5.0

el_theme el_theme_default(void) {
    el_theme th = {17, 14, 12, el_rgb(34, 34, 34), el_rgb(232, 232, 232), el_rgb(150, 150, 150)};
    return th;
}

static double snap(double v) { return floor(v) + 0.5; }

static double max_label_width(const el_ticks *t, double size) {
    double w = 0;
    char buf[48];
    for (int i = 0; i < t->n; i++) {
        el_tick_label(t, t->v[i], buf, sizeof buf);
        double lw = el_text_width(buf, size);
        if (lw > w) w = lw;
    }
    return w;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

void el_axes_layout(el_axes *ax, const el_theme *th, double x, double y, double w, double h, double xlo, double xhi,
                    double ylo, double yhi, int has_title, int extend) {
    double top = has_title ? th->title * 1.6 : th->tick * 0.8;
    double bottom = TICK_LEN + GAP + th->tick * 0.7 + GAP * 2 + th->label * 0.9 + GAP;
    double ph = h - top - bottom;
    if (ph < 20) ph = 20;
    if (el_nice_ticks(ylo, yhi, clampi((int)(ph / 36), 3, 10), !!(extend & EL_AXES_EXTEND_Y), &ax->yt) != 0) el_nice_ticks(0, 1, 5, 1, &ax->yt);
    double left = TICK_LEN + GAP * 3 + max_label_width(&ax->yt, th->tick) + th->label * 0.9;
    double right = th->tick * 1.5;
    double pw = w - left - right;
    if (pw < 20) pw = 20;
    /* About one label's width of space between x tick labels. */
    double lw = el_text_width("0.00", th->tick) * 1.8;
    if (el_nice_ticks(xlo, xhi, clampi((int)(pw / lw), 3, 11), !!(extend & EL_AXES_EXTEND_X), &ax->xt) != 0)
        el_nice_ticks(0, 1, 5, 1, &ax->xt);
    ax->x = x + left;
    ax->y = y + top;
    ax->w = pw;
    ax->h = ph;
}

double el_axes_px(const el_axes *ax, double v) { return ax->x + (v - ax->xt.lo) / (ax->xt.hi - ax->xt.lo) * ax->w; }

double el_axes_py(const el_axes *ax, double v) {
    return ax->y + ax->h - (v - ax->yt.lo) / (ax->yt.hi - ax->yt.lo) * ax->h;
}

void el_axes_clip(el_canvas *c, const el_axes *ax) { el_clip_push(c, ax->x, ax->y, ax->w, ax->h); }

void el_axes_draw(el_canvas *c, const el_axes *ax, const el_theme *th, const char *title, const char *xlabel,
                  const char *ylabel) {
    const double x0 = floor(ax->x), y0 = floor(ax->y), x1 = floor(ax->x + ax->w), y1 = floor(ax->y + ax->h);
    char buf[48];
    /* Grid. */
    for (int i = 0; i < ax->xt.n; i++) {
        double px = snap(el_axes_px(ax, ax->xt.v[i]));
        if (px > x0 + 1 && px < x1 - 1) el_draw_line(c, px, y0, px, y1, 1, th->grid);
    }
    for (int i = 0; i < ax->yt.n; i++) {
        double py = snap(el_axes_py(ax, ax->yt.v[i]));
        if (py > y0 + 1 && py < y1 - 1) el_draw_line(c, x0, py, x1, py, 1, th->grid);
    }
    el_draw_rect(c, x0 + 0.5, y0 + 0.5, x1 - x0, y1 - y0, EL_NONE, th->frame, 1);
    /* Ticks and labels. */
    el_text_style ts = el_text_style_make(th->tick, th->ink, EL_ALIGN_CENTER, EL_VALIGN_TOP);
    for (int i = 0; i < ax->xt.n; i++) {
        double px = snap(el_axes_px(ax, ax->xt.v[i]));
        el_draw_line(c, px, y1 + 0.5, px, y1 + 0.5 + TICK_LEN, 1, th->ink);
        el_tick_label(&ax->xt, ax->xt.v[i], buf, sizeof buf);
        el_draw_text(c, px, y1 + TICK_LEN + GAP, buf, &ts);
    }
    ts.align = EL_ALIGN_RIGHT;
    ts.valign = EL_VALIGN_MIDDLE;
    for (int i = 0; i < ax->yt.n; i++) {
        double py = snap(el_axes_py(ax, ax->yt.v[i]));
        el_draw_line(c, x0 + 0.5 - TICK_LEN, py, x0 + 0.5, py, 1, th->ink);
        el_tick_label(&ax->yt, ax->yt.v[i], buf, sizeof buf);
        el_draw_text(c, x0 - TICK_LEN - GAP, py, buf, &ts);
    }
    /* Axis titles. */
    el_text_style ls = el_text_style_make(th->label, th->ink, EL_ALIGN_CENTER, EL_VALIGN_TOP);
    if (xlabel && *xlabel) el_draw_text(c, ax->x + ax->w / 2, y1 + TICK_LEN + GAP * 3 + th->tick * 0.7, xlabel, &ls);
    if (ylabel && *ylabel) {
        double lw = max_label_width(&ax->yt, th->tick);
        ls.rotate = 90;
        el_draw_text(c, x0 - TICK_LEN - GAP * 2 - lw - th->label * 0.9, ax->y + ax->h / 2, ylabel, &ls);
    }
    if (title && *title) {
        el_text_style tt = el_text_style_make(th->title, th->ink, EL_ALIGN_CENTER, EL_VALIGN_BASELINE);
        tt.bold = 1;
        char fit[256];
        el_draw_text(c, ax->x + ax->w / 2, y0 - th->title * 0.6,
                     el_fit_text(title, th->title, ax->w + 40, fit, sizeof fit), &tt);
    }
}
