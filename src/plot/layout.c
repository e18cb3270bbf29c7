/* Grid layout of panels, figure titles, text fitting. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot/font.h"
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

const char *el_fit_text(const char *s, double size, double max_px, char *buf, size_t n) {
    if (!s) return "";
    int have = el_utf8_count(s);
    int fits = (int)floor(max_px / (size * EL_FONT_ADVANCE / EL_FONT_UNITS));
    if (have <= fits && strlen(s) < n) return s;
    if (fits < 4) fits = 4;
    /* Copy fits - 3 code points, then "...". */
    const char *p = s;
    for (int i = 0; i < fits - 3 && *p; i++)
        el_utf8_next(&p);
    size_t len = (size_t)(p - s);
    if (len + 4 > n) len = n > 4 ? n - 4 : 0;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--; /* whole code points */
    memcpy(buf, s, len);
    memcpy(buf + len, "...", 4);
    return buf;
}
