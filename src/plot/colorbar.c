/* Vertical viridis colour bar with nice ticks and a rotated title. */
#include <math.h>
#include <stdlib.h>

#include "plot/plot.h"

#define GAP 5.0

static double labels_width(const el_theme *th, const el_ticks *t) {
    double w = 0;
    char buf[48];
    for (int i = 0; i < t->n; i++) {
        el_tick_label(t, t->v[i], buf, sizeof buf);
        double lw = el_text_width(buf, th->tick);
        if (lw > w) w = lw;
    }
    return w;
}

double el_colorbar_width(const el_theme *th, double bw, double lo, double hi, const char *title) {
    el_ticks t;
    if (el_nice_ticks(lo, hi, 8, 0, &t) != 0) return bw; /* the finest ticks draw could use */
    return bw + 4 + GAP + labels_width(th, &t) + (title && *title ? GAP * 2 + th->label * 0.9 : 0);
}

void el_colorbar_draw(el_canvas *c, const el_theme *th, double x, double y, double bw, double h, double lo, double hi,
                      const char *title) {
    el_ticks t;
    if (!(hi > lo)) hi = lo + 1;
    if (el_nice_ticks(lo, hi, (int)fmax(4, fmin(8, h / 28)), 0, &t) != 0) return;
    /* The gradient as a 1 x N image: crisp in both back ends. */
    enum { N = 128 };
    uint8_t px[N * 4];
    for (int i = 0; i < N; i++) {
        el_rgba col = el_viridis(1.0 - (i + 0.5) / N);
        px[i * 4] = col.r;
        px[i * 4 + 1] = col.g;
        px[i * 4 + 2] = col.b;
        px[i * 4 + 3] = 255;
    }
    el_draw_image(c, x, y, bw, h, px, 1, N);
    el_draw_rect(c, floor(x) + 0.5, floor(y) + 0.5, floor(bw), floor(h), EL_NONE, th->frame, 1);
    el_text_style ts = el_text_style_make(th->tick, th->ink, EL_ALIGN_LEFT, EL_VALIGN_MIDDLE);
    char buf[48];
    for (int i = 0; i < t.n; i++) {
        double py = floor(y + h - (t.v[i] - lo) / (hi - lo) * h) + 0.5;
        el_draw_line(c, x + bw, py, x + bw + 4, py, 1, th->ink);
        el_tick_label(&t, t.v[i], buf, sizeof buf);
        el_draw_text(c, x + bw + 4 + GAP, py, buf, &ts);
    }
    if (title && *title) {
        el_text_style ls = el_text_style_make(th->label, th->ink, EL_ALIGN_CENTER, EL_VALIGN_TOP);
        ls.rotate = 90;
        el_draw_text(c, x + bw + 4 + GAP * 3 + labels_width(th, &t), y + h / 2, title, &ls);
    }
}
