/* One record's patch-entropy maps over its image -> el_heatmap_fig. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/dataset_plots.h"
#include "plot/figures.h"

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

const char *el_resolve_image(const el_record *r, const char *root, char *buf, size_t n) {
    if (!r->file || !*r->file || r->is_text) return NULL;
    if (root) {
        snprintf(buf, n, "%s/%s", root, r->file);
        if (access(buf, R_OK) == 0) return buf;
        snprintf(buf, n, "%s/%s", root, base_name(r->file));
        return access(buf, R_OK) == 0 ? buf : NULL;
    }
    snprintf(buf, n, "%s", r->file);
    if (access(buf, R_OK) == 0) return buf;
    if (r->file[0] != '/' && r->source) {
        const char *slash = strrchr(r->source, '/');
        if (slash) {
            snprintf(buf, n, "%.*s/%s", (int)(slash - r->source), r->source, r->file);
            if (access(buf, R_OK) == 0) return buf;
        }
    }
    return NULL;
}

/* The image as a panel x panel RGBA picture in grey (so the viridis overlay
 * reads), slightly lightened; NULL when it cannot be loaded. */
static uint8_t *load_panel_image(const char *path, int panel) {
    el_image img = {0}, small = {0};
    if (el_image_load(path, 3, EL_DEFAULT_MAX_PIXELS, &img) != EL_OK) return NULL;
    el_status s = el_image_resize(&img, panel, panel, EL_RESAMPLE_BICUBIC, &small);
    el_image_free(&img);
    if (s != EL_OK) return NULL;
    uint8_t *rgba = malloc((size_t)panel * (size_t)panel * 4);
    if (rgba)
        for (size_t i = 0; i < (size_t)panel * (size_t)panel; i++) {
            const uint8_t *q = small.pixels + i * 3;
            double luma = 0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2];
            for (int k = 0; k < 3; k++)
                rgba[i * 4 + k] = (uint8_t)(luma * 0.85 + 255 * 0.15 + 0.5);
            rgba[i * 4 + 3] = 255;
        }
    el_image_free(&small);
    return rgba;
}

el_status el_plot_heatmap(const el_heatmap_plot_opts *o, el_canvas_kind kind, el_canvas **out, int *image_used) {
    *out = NULL;
    if (image_used) *image_used = 0;
    const el_record *r = o->rec;
    const int P = r->n_patches, L = r->n_layers;
    if (!r->patch || P <= 0)
        return el_fail(EL_ERR_FORMAT, "%s:%d: record has no `patch_entropy` (profile with --tokens patches)", r->source,
                       r->line);
    int g = (int)lround(sqrt((double)P));
    if (g * g != P)
        return el_fail(EL_ERR_FORMAT, "%s:%d: `patch_entropy` has %d patches per layer, not a square grid", r->source,
                       r->line, P);
    int n = o->n_layers > 0 ? o->n_layers : L;
    int *rows = malloc(sizeof(int) * (size_t)n);
    double *maps = malloc(sizeof(double) * (size_t)n * (size_t)P);
    char **titles = calloc((size_t)n, sizeof(char *));
    if (!rows || !maps || !titles) {
        free(rows), free(maps), free(titles);
        return el_fail(EL_ERR_NOMEM, "out of memory");
    }
    el_status st = EL_OK;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n && st == EL_OK; k++) {
        int layer = o->n_layers > 0 ? o->layers[k] : r->first_layer + k;
        rows[k] = layer - r->first_layer;
        if (rows[k] < 0 || rows[k] >= L) {
            st = el_fail(EL_ERR_ARG, "layer %d is not in %s (layers %d..%d)", layer, r->file, r->first_layer,
                         r->first_layer + L - 1);
            break;
        }
        memcpy(maps + (size_t)k * P, r->patch + (size_t)rows[k] * P, sizeof(double) * (size_t)P);
        for (int p = 0; p < P; p++) {
            double v = maps[(size_t)k * P + p];
            if (isfinite(v)) lo = fmin(lo, v), hi = fmax(hi, v);
        }
        titles[k] = malloc(32);
        if (!titles[k])
            st = el_fail(EL_ERR_NOMEM, "out of memory");
        else
            snprintf(titles[k], 32, "layer %d", layer);
    }
    if (st == EL_OK) {
        if (!isfinite(lo)) lo = 0, hi = 1;
        if (hi <= lo) hi = lo + 1e-6;
        const int panel = o->panel > 0 ? o->panel : 144;
        uint8_t *img = NULL;
        if (o->image_path) {
            img = load_panel_image(o->image_path, panel);
            if (image_used) *image_used = img != NULL;
        }
        char title[512];
        if (o->compact) {
            title[0] = '\0';
        } else if (o->title) {
            snprintf(title, sizeof title, "%s", o->title);
        } else {
            int len = snprintf(title, sizeof title, "%s", base_name(r->file));
            if (r->label && len < (int)sizeof title)
                len += snprintf(title + len, sizeof title - (size_t)len, " \xC2\xB7 label %s", r->label);
            if (r->top1_label && len < (int)sizeof title)
                len += snprintf(title + len, sizeof title - (size_t)len, " \xC2\xB7 top-1 %s", r->top1_label);
            else if (r->top1 >= 0 && len < (int)sizeof title)
                len += snprintf(title + len, sizeof title - (size_t)len, " \xC2\xB7 top-1 #%d", r->top1);
            if (isfinite(r->prob) && len < (int)sizeof title)
                len += snprintf(title + len, sizeof title - (size_t)len, " p=%.2f", r->prob);
            if (r->correct >= 0 && len < (int)sizeof title)
                snprintf(title + len, sizeof title - (size_t)len, " (%s)", r->correct ? "right" : "wrong");
        }
        el_heatmap_fig f = {title,
                            img,
                            panel,
                            g,
                            g,
                            n,
                            maps,
                            (const char *const *)titles,
                            lo,
                            hi,
                            o->alpha > 0 ? o->alpha : 0.55,
                            o->compact ? NULL : el_units_axis_label(o->units),
                            o->cols};
        int w, h;
        el_heatmap_fig_size(&f, &w, &h);
        st = el_canvas_new(kind, w, h, el_rgb(255, 255, 255), out);
        if (st == EL_OK) el_heatmap_fig_draw(*out, &f);
        free(img);
    }
    for (int k = 0; k < n; k++)
        free(titles[k]);
    free(titles);
    free(rows);
    free(maps);
    return st;
}
