/* Grid layout of panels, figure titles, text fitting. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot/utf8.h"
#include "plot/plot.h"

int el_grid_cols(int n, int max_cols) {
    if (n <= 1) return 1;
    int cols = (int)ceil(sqrt((double)n));
    if (max_cols > 0 && cols > max_cols) cols = max_cols;
    return cols;
}

el_box el_grid_cell(el_box area, int n, int cols, double gap, int k) {
    if (cols < 1) cols = 1;
    int rows = (n + cols - 1) / cols;
    if (rows < 1) rows = 1;
    double cw = (area.w - gap * (cols - 1)) / cols, ch = (area.h - gap * (rows - 1)) / rows;
    el_box b = {area.x + (k % cols) * (cw + gap), area.y + (k / cols) * (ch + gap), cw, ch};
    return b;
}

el_box el_figure_title(el_canvas *c, const el_theme *th, el_box area, const char *title) {
    if (!title || !*title) return area;
    el_text_style tt = el_text_style_make(th->title + 2, th->ink, EL_ALIGN_CENTER, EL_VALIGN_TOP);
    tt.bold = 1;
    char fit[512];
    el_draw_text(c, area.x + area.w / 2, area.y + 10, el_fit_text(title, tt.size, area.w - 20, fit, sizeof fit), &tt);
    double used = 10 + tt.size * 0.7 + 14;
    area.y += used;
    area.h -= used;
    return area;
}

/* Copy the first `head` and last `tail` code points of s around an ellipsis
 * into buf. */
static void head_tail(const char *s, int head, int tail, int have, char *buf, size_t n) {
    const char *p = s, *q = s;
    for (int i = 0; i < head && *p; i++) el_utf8_next(&p);
    for (int i = 0; i < have - tail && *q; i++) el_utf8_next(&q);
    snprintf(buf, n, "%.*s\u2026%s", (int)(p - s), s, q);
}

/* Too long for max_px: keep the start and the end with "…" between, so
 * names that differ only at their end (model variants, checkpoints) stay
 * apart. Widths are measured in the figure font. */
const char *el_fit_text(const char *s, double size, double max_px, char *buf, size_t n) {
    if (!s) return "";
    if (el_text_width(s, size) <= max_px && strlen(s) < n) return s;
    int have = el_utf8_count(s);
    for (int keep = have - 1; keep >= 2; keep--) {
        head_tail(s, (keep + 1) / 2, keep / 2, have, buf, n);
        if (el_text_width(buf, size) <= max_px && strlen(buf) + 1 < n) return buf;
    }
    head_tail(s, 1, 1, have, buf, n);
    return buf;
}
