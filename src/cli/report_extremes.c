/* `entropy-lens report`: shared helpers and the most/least certain images
 * section (thumbnails with their patch-entropy maps). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "plot/dataset_plots.h"
#include "plot/figures.h"
#include "plot/html.h"

static void h(el_strbuf *b, const char *s) { el_html_escape(b, s); }

void report_note(el_strbuf *b, const char *fmt, const char *arg) {
    char t[512];
    snprintf(t, sizeof t, fmt, arg ? arg : "");
    el_sb_puts(b, "<p class=\"note\">");
    h(b, t);
    el_sb_puts(b, "</p>\n");
}

void report_fig_or_note(el_strbuf *b, el_canvas *c, const char *alt) {
    if (!c || el_html_figure(b, c, alt) != EL_OK) report_note(b, "Figure not drawn: %s", el_last_error());
}

el_status report_load(const report_args *a, const char *by, int patches, int features, el_dataset *ds) {
    el_dataset_opts o = el_dataset_default_opts();
    o.by = by;
    o.keep_patches = patches;
    o.need_features = features;
    o.model = a->model;
    return el_dataset_load(a->files, a->n_files, &o, ds);
}

/* ---------------------------------------------------------------- extremes */

typedef struct {
    int i;
    double h;
} ranked;

static int cmp_ranked(const void *x, const void *y) {
    const ranked *p = x, *q = y;
    return (p->h > q->h) - (p->h < q->h);
}

static void thumb(el_strbuf *b, const report_args *a, const el_record *r) {
    char buf[PATH_MAX + 256];
    const char *path = el_resolve_image(r, a->root, buf, sizeof buf);
    if (r->patch && r->n_patches > 0) {
        int layers[4], n = 0;
        for (int k = 0; k < 4; k++) {
            int l = r->first_layer + (int)lround(r->n_layers * (k + 1) / 4.0) - 1; /* e.g. 3,6,9,12 */
            if (l < r->first_layer) l = r->first_layer;
            if (n == 0 || layers[n - 1] != l) layers[n++] = l;
        }
        el_heatmap_plot_opts ho = {r, layers, n, path, a->units, 88, n, 0.55, NULL, 1, 0, 0, 0};
        el_canvas *c = NULL;
        if (el_plot_heatmap(&ho, EL_CANVAS_PNG, &c, NULL) == EL_OK) {
            report_fig_or_note(b, c, "patch entropy maps");
            el_canvas_free(c);
            return;
        }
    }
    el_image img = {0}, small = {0};
    if (path && el_image_load(path, 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_OK &&
        el_image_resize(&img, 88, 88, EL_RESAMPLE_BICUBIC, &small) == EL_OK) {
        uint8_t *rgba = malloc(88 * 88 * 4);
        if (rgba) {
            for (int p = 0; p < 88 * 88; p++) {
                memcpy(rgba + p * 4, small.pixels + p * 3, 3);
                rgba[p * 4 + 3] = 255;
            }
            el_html_rgba_img(b, rgba, 88, 88, 88, 88, r->file);
            free(rgba);
        }
    } else {
        el_sb_puts(b, "<span class=\"note\">image not found</span>");
    }
    el_image_free(&img);
    el_image_free(&small);
}

static void extreme_table(el_strbuf *b, const report_args *a, const el_dataset *ds, const ranked *v, int n,
                          const char *caption) {
    el_sb_puts(b, "<table class=\"imgs\"><caption>");
    h(b, caption);
    el_sb_puts(b, "</caption><tr><th>final entropy</th><th>image</th><th>label</th><th>top-1</th>"
                  "<th>p</th><th>right?</th><th>patch entropy");
    if (a->units) {
        el_sb_puts(b, " (");
        h(b, a->units);
        el_sb_putc(b, ')');
    }
    el_sb_puts(b, " / image</th></tr>\n");
    for (int k = 0; k < n; k++) {
        const el_record *r = &ds->rec[v[k].i];
        const char *base = strrchr(r->file, '/');
        el_sb_printf(b, "<tr><td>%.3f</td><td class=\"l\" title=\"", v[k].h);
        h(b, r->file);
        el_sb_puts(b, "\"><code>");
        h(b, base ? base + 1 : r->file);
        el_sb_puts(b, "</code></td><td class=\"l\">");
        h(b, r->label ? r->label : "");
        el_sb_puts(b, "</td><td class=\"l\">"); /* the class name the record carries, else its index */
        if (r->top1_label) h(b, r->top1_label);
        else if (r->top1 >= 0) el_sb_printf(b, "#%d", r->top1);
        if (isfinite(r->prob))
            el_sb_printf(b, "</td><td>%.2f", r->prob);
        else
            el_sb_puts(b, "</td><td>");
        el_sb_printf(b, "</td><td>%s</td><td>", r->correct == 1 ? "yes" : r->correct == 0 ? "no" : "");
        thumb(b, a, r);
        el_sb_puts(b, "</td></tr>\n");
    }
    el_sb_puts(b, "</table>\n");
}

void report_section_extremes(el_strbuf *b, const report_args *a) {
    el_sb_puts(b, "<section id=\"certain\"><h2>Most and least certain images</h2>\n");
    el_dataset ds;
    if (report_load(a, NULL, 1, 0, &ds) != EL_OK) {
        report_note(b, "Not drawn: %s", el_last_error());
        el_sb_puts(b, "</section>\n");
        return;
    }
    ranked *v = malloc(sizeof *v * (size_t)(ds.n ? ds.n : 1));
    int n = 0, with_patches = 0;
    for (int i = 0; v && i < ds.n; i++) {
        const el_record *r = &ds.rec[i];
        if (r->is_text || r->n_layers < 1) continue;
        double fin = r->entropy[r->n_layers - 1];
        if (!isfinite(fin)) continue;
        v[n++] = (ranked){i, fin};
        with_patches += r->patch != NULL;
    }
    if (n == 0) {
        report_note(b, "No image records.%s", "");
    } else {
        qsort(v, (size_t)n, sizeof *v, cmp_ranked);
        int top = a->top < (n + 1) / 2 ? a->top : (n + 1) / 2;
        el_sb_printf(b, "<p>Ranked by the entropy at the last layer (the model's own output distribution). %s</p>\n",
                     with_patches ? "Maps: patch-token lens entropy at four depths over the image (viridis: "
                                    "dark = certain, yellow = uncertain; one colour range per image)."
                                  : "No record has <code>patch_entropy</code> (profile with <code>--tokens "
                                    "cls,patches</code> to get maps).");
        extreme_table(b, a, &ds, v, top, "most certain (lowest final entropy)");
        /* Highest first. */
        for (int k = 0; k < n / 2; k++) {
            ranked t = v[k];
            v[k] = v[n - 1 - k];
            v[n - 1 - k] = t;
        }
        extreme_table(b, a, &ds, v, n - top < top ? n - top : top, "least certain (highest final entropy)");
    }
    free(v);
    el_dataset_free(&ds);
    el_sb_puts(b, "</section>\n");
}
