/* Legend box: a key (line, band, dot or box) and a label per entry. */
#include "plot/plot.h"

#define PAD 8.0
#define KEY_W 26.0
#define MAX_CHARS 32 /* longer labels end in "..." */

static const char *fit(const el_theme *th, const char *s, char *buf, size_t n) {
    return el_fit_text(s, th->tick, el_text_width("M", th->tick) * MAX_CHARS, buf, n);
}

static double row_h(const el_theme *th) { return th->tick * 1.6; }

void el_legend_size(const el_theme *th, const el_legend_entry *e, int n, const char *heading, double *w, double *h) {
    double tw = heading && *heading ? el_text_width(heading, th->tick) : 0;
    char buf[256];
    for (int i = 0; i < n; i++) {
        double lw = KEY_W + PAD * 0.75 + el_text_width(fit(th, e[i].label, buf, sizeof buf), th->tick);
        if (lw > tw) tw = lw;
    }
    *w = tw + 2 * PAD;
    *h = (n + (heading && *heading ? 1 : 0)) * row_h(th) + 2 * PAD - th->tick * 0.4;
}

void el_legend_draw(el_canvas *c, const el_theme *th, double x, double y, const el_legend_entry *e, int n,
                    const char *heading) {
    double w, h;
    el_legend_size(th, e, n, heading, &w, &h);
    el_draw_rect(c, x + 0.5, y + 0.5, w, h, el_rgba_with_alpha(el_rgb(255, 255, 255), 235), th->frame, 1);
    double cy = y + PAD + th->tick * 0.6;
    el_text_style ts = el_text_style_make(th->tick, th->ink, EL_ALIGN_LEFT, EL_VALIGN_MIDDLE);
    if (heading && *heading) {
        ts.bold = 1;
        el_draw_text(c, x + PAD, cy, heading, &ts);
        ts.bold = 0;
        cy += row_h(th);
    }
    for (int i = 0; i < n; i++, cy += row_h(th)) {
        double kx = x + PAD, kh = th->tick * 0.9;
        switch (e[i].kind) {
        case EL_KEY_BAND:
            el_draw_rect(c, kx, cy - kh / 2, KEY_W, kh, el_rgba_with_alpha(e[i].color, 64), EL_NONE, 0);
            el_draw_line(c, kx, cy, kx + KEY_W, cy, 2.5, e[i].color);
            break;
        case EL_KEY_DOT: el_draw_circle(c, kx + KEY_W / 2, cy, 4.5, e[i].color, el_rgb(255, 255, 255), 0.8); break;
        case EL_KEY_BOX: el_draw_rect(c, kx + KEY_W / 2 - kh / 2, cy - kh / 2, kh, kh, e[i].color, EL_NONE, 0); break;
        default: el_draw_line(c, kx, cy, kx + KEY_W, cy, 2.5, e[i].color);
        }
        char buf[256];
        el_draw_text(c, kx + KEY_W + PAD * 0.75, cy, fit(th, e[i].label, buf, sizeof buf), &ts);
    }
}
