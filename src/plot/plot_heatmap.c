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

static int clampi(long v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : (int)v;
}

/* The part [x0, x1) x [y0, y1) of img, resized to dw x dh, written as grey
 * RGBA into the panel at (dx, dy). */
static el_status paste_region(const el_image *img, int x0, int y0, int x1, int y1, uint8_t *rgba, int panel, int dx,
                              int dy, int dw, int dh) {
    el_image sub = {x1 - x0, y1 - y0, 3, malloc((size_t)(x1 - x0) * (size_t)(y1 - y0) * 3)}, small = {0};
    if (!sub.pixels) return el_fail(EL_ERR_NOMEM, "out of memory");
    for (int y = y0; y < y1; y++)
        memcpy(sub.pixels + (size_t)(y - y0) * (size_t)sub.width * 3,
               img->pixels + ((size_t)y * (size_t)img->width + (size_t)x0) * 3, (size_t)sub.width * 3);
    el_status s = el_image_resize(&sub, dw, dh, EL_RESAMPLE_BICUBIC, &small);
    el_image_free(&sub);
    if (s != EL_OK) return s;
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            const uint8_t *q = small.pixels + ((size_t)y * (size_t)dw + (size_t)x) * 3;
            double luma = 0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2];
            uint8_t *o = rgba + ((size_t)(dy + y) * (size_t)panel + (size_t)(dx + x)) * 4;
            for (int k = 0; k < 3; k++) o[k] = (uint8_t)(luma * 0.85 + 255 * 0.15 + 0.5);
        }
    el_image_free(&small);
    return EL_OK;
}

uint8_t *el_heatmap_backdrop(const char *path, int panel, const double *view) {
    el_image img = {0};
    if (el_image_load(path, 3, EL_DEFAULT_MAX_PIXELS, &img) != EL_OK) return NULL;
    const double whole[4] = {0, 0, img.width, img.height};
    const double *v = view ? view : whole;
    uint8_t *rgba = malloc((size_t)panel * (size_t)panel * 4);
    if (!rgba) {
        el_image_free(&img);
        return NULL;
    }
    /* Black where the view lies outside the image: the crop's zero padding. */
    for (size_t i = 0; i < (size_t)panel * (size_t)panel; i++) memcpy(rgba + i * 4, "\0\0\0\xff", 4);
    /* The image pixels inside the view, and where they land in the panel. */
    const int x0 = clampi(lround(v[0]), 0, img.width), x1 = clampi(lround(v[0] + v[2]), 0, img.width);
    const int y0 = clampi(lround(v[1]), 0, img.height), y1 = clampi(lround(v[1] + v[3]), 0, img.height);
    const int dx0 = clampi(lround((x0 - v[0]) * panel / v[2]), 0, panel);
    const int dx1 = clampi(lround((x1 - v[0]) * panel / v[2]), 0, panel);
    const int dy0 = clampi(lround((y0 - v[1]) * panel / v[3]), 0, panel);
    const int dy1 = clampi(lround((y1 - v[1]) * panel / v[3]), 0, panel);
    if (x1 > x0 && y1 > y0 && dx1 > dx0 && dy1 > dy0 &&
        paste_region(&img, x0, y0, x1, y1, rgba, panel, dx0, dy0, dx1 - dx0, dy1 - dy0) != EL_OK) {
        free(rgba);
        rgba = NULL;
    }
    el_image_free(&img);
    return rgba;
}

/* "file · label L · top-1 T p=0.93 (right)" */
static void heatmap_title(const el_heatmap_plot_opts *o, const el_record *r, char *title, size_t size) {
    if (o->compact) {
        title[0] = '\0';
        return;
    }
    if (o->title) {
        snprintf(title, size, "%s", o->title);
        return;
    }
    int len = snprintf(title, size, "%s", base_name(r->file));
    if (r->label && len < (int)size) len += snprintf(title + len, size - (size_t)len, " \xC2\xB7 label %s", r->label);
    if (r->top1_label && len < (int)size)
        len += snprintf(title + len, size - (size_t)len, " \xC2\xB7 top-1 %s", r->top1_label);
    else if (r->top1 >= 0 && len < (int)size)
        len += snprintf(title + len, size - (size_t)len, " \xC2\xB7 top-1 #%d", r->top1);
    if (isfinite(r->prob) && len < (int)size) len += snprintf(title + len, size - (size_t)len, " p=%.2f", r->prob);
    if (r->correct >= 0 && len < (int)size)
        snprintf(title + len, size - (size_t)len, " (%s)", r->correct ? "right" : "wrong");
}

/* The requested layers' maps (n x P) and panel titles; *lo, *hi: the range
 * of the finite values. */
static el_status gather_maps(const el_heatmap_plot_opts *o, int n, double *maps, char **titles, double *lo,
                             double *hi) {
    const el_record *r = o->rec;
    const int P = r->n_patches, L = r->n_layers;
    *lo = INFINITY, *hi = -INFINITY;
    for (int k = 0; k < n; k++) {
        int layer = o->n_layers > 0 ? o->layers[k] : r->first_layer + k, row = layer - r->first_layer;
        if (row < 0 || row >= L)
            return el_fail(EL_ERR_ARG, "layer %d is not in %s (layers %d..%d)", layer, r->file, r->first_layer,
                           r->first_layer + L - 1);
        memcpy(maps + (size_t)k * P, r->patch + (size_t)row * P, sizeof(double) * (size_t)P);
        for (int p = 0; p < P; p++) {
            double v = maps[(size_t)k * P + p];
            if (isfinite(v)) *lo = fmin(*lo, v), *hi = fmax(*hi, v);
        }
        if (!(titles[k] = malloc(32))) return el_fail(EL_ERR_NOMEM, "out of memory");
        snprintf(titles[k], 32, "layer %d", layer);
    }
    if (!isfinite(*lo)) *lo = 0, *hi = 1;
    if (*hi <= *lo) *hi = *lo + 1e-6;
    return EL_OK;
}

el_status el_plot_heatmap(const el_heatmap_plot_opts *o, el_canvas_kind kind, el_canvas **out, int *image_used) {
    *out = NULL;
    if (image_used) *image_used = 0;
    const el_record *r = o->rec;
    const int P = r->n_patches;
    if (!r->patch || P <= 0)
        return el_fail(EL_ERR_FORMAT, "%s:%d: record has no `patch_entropy` (profile with --tokens patches)", r->source,
                       r->line);
    const int g = (int)lround(sqrt((double)P));
    if (g * g != P)
        return el_fail(EL_ERR_FORMAT, "%s:%d: `patch_entropy` has %d patches per layer, not a square grid", r->source,
                       r->line, P);
    const int n = o->n_layers > 0 ? o->n_layers : r->n_layers;
    double *maps = malloc(sizeof(double) * (size_t)n * (size_t)P), lo = 0, hi = 1;
    char **titles = calloc((size_t)n, sizeof(char *));
    el_status st = maps && titles ? gather_maps(o, n, maps, titles, &lo, &hi) : el_fail(EL_ERR_NOMEM, "out of memory");
    if (st == EL_OK) {
        const int panel = o->panel > 0 ? o->panel : 144;
        uint8_t *img = NULL;
        if (o->image_path) {
            img = el_heatmap_backdrop(o->image_path, panel, r->has_view ? r->view : NULL);
            if (image_used) *image_used = img != NULL;
        }
        char title[512];
        heatmap_title(o, r, title, sizeof title);
        el_heatmap_fig f = {title, img, panel, g, g, n, maps, (const char *const *)titles, lo, hi,
                            o->alpha > 0 ? o->alpha : 0.55, o->compact ? NULL : el_units_axis_label(o->units), o->cols};
        int w, h;
        el_heatmap_fig_size(&f, &w, &h);
        double scale = el_canvas_dpi_scale(kind, o->dpi);
        if (o->fit_w > 0 && o->fit_h > 0) scale = fmin((double)o->fit_w / w, (double)o->fit_h / h);
        st = el_canvas_new_scaled(kind, w, h, scale, el_rgb(255, 255, 255), out);
        if (st == EL_OK) el_heatmap_fig_draw(*out, &f);
        free(img);
    }
    for (int k = 0; titles && k < n; k++) free(titles[k]);
    free(titles);
    free(maps);
    return st;
}
