/* Patch-entropy maps: a grid of panels (one per layer), each the image with a
 * semi-transparent viridis overlay of the patch grid, and one colour bar. */
#include <math.h>
#include <stdlib.h>

#include "plot/figures.h"

#define MARGIN 14.0
#define GAP 14.0
#define BAR_W 16.0

static double panel_title_h(const el_theme *th) { return th->tick * 1.6; }

static void grid_dims(const el_heatmap_fig *f, int *cols, int *rows) {
    /* One row up to 6 maps, then 4 (12 layers: 4 x 3), 5, 6 columns. */
    int n = f->n_maps;
    *cols = f->cols > 0 ? f->cols : n <= 6 ? n : n <= 12 ? 4 : n <= 15 ? 5 : 6;
    if (*cols > f->n_maps) *cols = f->n_maps > 0 ? f->n_maps : 1;
    *rows = (f->n_maps + *cols - 1) / *cols;
    if (*rows < 1) *rows = 1;
}

static double top_h(const el_heatmap_fig *f, const el_theme *th) {
    return f->title && *f->title ? th->title + 2 + 24 - MARGIN * 0.5 : 0;
}

void el_heatmap_fig_size(const el_heatmap_fig *f, int *w, int *h) {
    el_theme th = el_theme_default();
    int cols, rows;
    grid_dims(f, &cols, &rows);
    double cell_h = panel_title_h(&th) + f->panel;
    double W = MARGIN * 2 + cols * f->panel + (cols - 1) * GAP + GAP * 1.5 +
               el_colorbar_width(&th, BAR_W, f->lo, f->hi, f->bar_title);
    double H = MARGIN * 1.5 + top_h(f, &th) + rows * cell_h + (rows - 1) * GAP;
    /* The title must fit too. */
    if (f->title) {
        double tw = el_text_width(f->title, th.title + 2) + 2 * MARGIN + 24;
        if (tw > W) W = tw;
    }
    *w = (int)ceil(W);
    *h = (int)ceil(H);
}

void el_heatmap_fig_draw(el_canvas *c, const el_heatmap_fig *f) {
    el_theme th = el_theme_default();
    int cols, rows;
    grid_dims(f, &cols, &rows);
    el_box area = {MARGIN, MARGIN * 0.5, c->width - 2 * MARGIN, c->height - MARGIN * 1.5};
    area = el_figure_title(c, &th, area, f->title);
    const int P = f->grid_w * f->grid_h;
    uint8_t *ov = malloc((size_t)(P > 0 ? P : 1) * 4);
    if (!ov) {
        c->oom = 1;
        return;
    }
    const double span = f->hi > f->lo ? f->hi - f->lo : 1.0;
    const uint8_t a = f->image ? (uint8_t)lround(255 * (f->alpha > 0 && f->alpha <= 1 ? f->alpha : 0.55)) : 255;
    const double cell_h = panel_title_h(&th) + f->panel;
    el_text_style ts = el_text_style_make(th.tick, th.ink, EL_ALIGN_CENTER, EL_VALIGN_BASELINE);
    for (int m = 0; m < f->n_maps; m++) {
        double x = floor(area.x + (m % cols) * (f->panel + GAP));
        double y = floor(area.y + (m / cols) * (cell_h + GAP));
        if (f->map_titles && f->map_titles[m])
            el_draw_text(c, x + f->panel / 2.0, y + th.tick * 1.05, f->map_titles[m], &ts);
        double py = y + panel_title_h(&th);
        if (f->image) el_draw_image(c, x, py, f->panel, f->panel, f->image, f->panel, f->panel);
        const double *v = f->maps + (size_t)m * (size_t)P;
        for (int i = 0; i < P; i++) {
            el_rgba col = el_viridis((v[i] - f->lo) / span);
            ov[i * 4] = col.r;
            ov[i * 4 + 1] = col.g;
            ov[i * 4 + 2] = col.b;
            ov[i * 4 + 3] = a;
        }
        el_draw_image(c, x, py, f->panel, f->panel, ov, f->grid_w, f->grid_h);
        el_draw_rect(c, x - 0.5, py - 0.5, f->panel + 1, f->panel + 1, EL_NONE, th.frame, 1);
    }
    free(ov);
    double bx = area.x + cols * f->panel + (cols - 1) * GAP + GAP * 1.5;
    double by = area.y + panel_title_h(&th);
    double bh = rows * cell_h + (rows - 1) * GAP - panel_title_h(&th);
    if (bh > 320) { /* centre a shorter bar on the grid */
        by += (bh - 320) / 2;
        bh = 320;
    }
    el_colorbar_draw(c, &th, bx, by, BAR_W, bh, f->lo, f->hi, f->bar_title);
}
