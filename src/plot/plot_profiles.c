/* Records -> mean +- std profile series -> el_profile_fig. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/file.h"
#include "plot/dataset_plots.h"
#include "plot/figures.h"
#include "plot/plot.h"
#include "records/json_read.h"

typedef struct {
    int panel;
    int color;
    char *label;
    int *idx; /* record indices */
    int n;
    double *x, *mean, *std;
    int npts;
} series_acc;

typedef struct {
    const char **models;
    int n_models;
    series_acc *s;
    int n_series;
    int one_panel; /* every series on one axes */
    int pairs;     /* series per (model, group): models overlaid */
} builder;

static int find_str(const char **v, int n, const char *s) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i], s)) return i;
    return -1;
}

/* Record i's profile averaged over its windows into out[L]. */
static void record_profile(const el_record *r, double *out) {
    const int L = r->n_layers, W = r->n_windows > 0 ? r->n_windows : 1;
    for (int l = 0; l < L; l++) {
        double s = 0;
        for (int w = 0; w < W; w++)
            s += r->entropy[(size_t)w * L + l];
        out[l] = s / W;
    }
}

/* Mean and population std over the series' records at each x. */
static int series_stats(const el_dataset *ds, series_acc *s, int depth_layer, el_depth_axis axis) {
    int maxL = 0, sameL = 1, lo = 1 << 30, hi = -(1 << 30);
    for (int k = 0; k < s->n; k++) {
        const el_record *r = &ds->rec[s->idx[k]];
        if (r->n_layers > maxL) maxL = r->n_layers;
        if (r->n_layers != ds->rec[s->idx[0]].n_layers) sameL = 0;
        if (r->first_layer < lo) lo = r->first_layer;
        if (r->first_layer + r->n_layers - 1 > hi) hi = r->first_layer + r->n_layers - 1;
    }
    int npts = depth_layer ? hi - lo + 1 : maxL;
    if (npts < 1) npts = 1;
    double *prof = malloc(sizeof(double) * (size_t)maxL), *res = malloc(sizeof(double) * (size_t)npts);
    double *sum = calloc((size_t)npts, sizeof(double)), *sq = calloc((size_t)npts, sizeof(double));
    int *cnt = calloc((size_t)npts, sizeof(int));
    s->x = malloc(sizeof(double) * (size_t)npts);
    s->mean = malloc(sizeof(double) * (size_t)npts);
    s->std = malloc(sizeof(double) * (size_t)npts);
    int ok = prof && res && sum && sq && cnt && s->x && s->mean && s->std;
    for (int k = 0; ok && k < s->n; k++) {
        const el_record *r = &ds->rec[s->idx[k]];
        record_profile(r, prof);
        const double *v = prof;
        int off = 0, n = r->n_layers;
        if (depth_layer)
            off = r->first_layer - lo;
        else if (!sameL) {
            el_profile_resample_axis(axis, prof, r->n_layers, r->first_layer, 1, res, npts, 1);
            v = res;
            n = npts;
        }
        for (int j = 0; j < n; j++) {
            if (!isfinite(v[j])) continue;
            sum[off + j] += v[j];
            sq[off + j] += v[j] * v[j];
            cnt[off + j]++;
        }
    }
    s->npts = 0;
    for (int j = 0; ok && j < npts; j++) {
        if (!cnt[j]) continue;
        double m = sum[j] / cnt[j], var = sq[j] / cnt[j] - m * m;
        s->x[s->npts] = depth_layer ? lo + j : el_depth_x(axis, j, npts, sameL ? ds->rec[s->idx[0]].first_layer : 1);
        s->mean[s->npts] = m;
        s->std[s->npts] = var > 0 ? sqrt(var) : 0.0;
        s->npts++;
    }
    free(prof);
    free(res);
    free(sum);
    free(sq);
    free(cnt);
    return ok ? 0 : -1;
}

static void builder_free(builder *b) {
    for (int i = 0; i < b->n_series; i++) {
        EL_FREE_ALL(b->s[i].label, b->s[i].idx, b->s[i].x, b->s[i].mean, b->s[i].std);
    }
    EL_FREE_ALL(b->s, b->models);
}

static char *label_for(const char *group, const char *model, int with_model) {
    const char *g = group && *group ? group : "all records";
    size_t n = strlen(g) + (with_model ? strlen(model) + 4 : 0) + 1;
    char *s = malloc(n);
    if (!s) return NULL;
    if (with_model)
        snprintf(s, n, "%s (%s)", g, model);
    else
        snprintf(s, n, "%s", g);
    return s;
}

/* Records into series: one per (panel, group), or per (model, group) when
 * models share one panel. 0 or -1 (memory). */
static int group_series(const el_dataset *ds, const el_profile_plot_opts *o, builder *b, int *panel_of) {
    for (int i = 0; i < ds->n; i++) {
        int m = find_str(b->models, b->n_models, ds->rec[i].model);
        if (m < 0) b->models[m = b->n_models++] = ds->rec[i].model;
        panel_of[i] = m;
    }
    const int by_model = o->by && !strcmp(o->by, "model");
    b->one_panel = o->overlay || by_model || b->n_models == 1;
    b->pairs = b->one_panel && b->n_models > 1 && !by_model; /* series per (model, group) */
    for (int i = 0; i < ds->n; i++) {
        int panel = b->one_panel ? 0 : panel_of[i];
        int k;
        for (k = 0; k < b->n_series; k++) {
            const series_acc *s = &b->s[k];
            const el_record *r0 = &ds->rec[s->idx[0]];
            if (s->panel == panel && r0->group_index == ds->rec[i].group_index &&
                (!b->pairs || panel_of[s->idx[0]] == panel_of[i]))
                break;
        }
        series_acc *s = &b->s[k];
        if (k == b->n_series) {
            s->panel = panel;
            s->idx = malloc(sizeof(int) * (size_t)ds->n);
            s->label = label_for(ds->rec[i].group, ds->rec[i].model, b->pairs);
            if (!s->idx || !s->label) return -1;
            s->color = ds->rec[i].group_index;
            b->n_series++;
        }
        s->idx[s->n++] = i;
    }
    /* Series in group order (then model order) so legends read sorted. */
    for (int a = 1; a < b->n_series; a++)
        for (int c = a; c > 0; c--) {
            series_acc *p = &b->s[c - 1], *q = &b->s[c];
            int gp = ds->rec[p->idx[0]].group_index, gq = ds->rec[q->idx[0]].group_index;
            int mp = panel_of[p->idx[0]], mq = panel_of[q->idx[0]];
            if (gp < gq || (gp == gq && mp <= mq)) break;
            series_acc t = *p;
            *p = *q;
            *q = t;
        }
    for (int k = 0; k < b->n_series; k++) {
        if (series_stats(ds, &b->s[k], o->depth_layer, o->depth_axis)) return -1;
        if (b->pairs) b->s[k].color = k;
    }
    return 0;
}

/* Legend: one entry per colour, with the record count when the figure has a
 * single panel. Returns the entries made (texts malloc'd in leg_text). */
static int make_legend(const builder *b, int n_panels, int n_colors, int band, el_legend_entry *leg, char **leg_text) {
    int nleg = 0;
    for (int k = 0; k < b->n_series; k++) {
        int dup = 0;
        for (int j = 0; j < nleg; j++)
            if (n_panels > 1 && !strcmp(leg[j].label, b->s[k].label)) dup = 1;
        if (dup) continue;
        size_t n = strlen(b->s[k].label) + 24;
        leg_text[nleg] = malloc(n);
        if (!leg_text[nleg]) break;
        char fit[256]; /* 26 characters at most, so the count stays visible */
        const char *lab = el_fit_text(b->s[k].label, 10, 6 * 26, fit, sizeof fit);
        if (n_panels == 1) snprintf(leg_text[nleg], n, "%s (n=%d)", lab, b->s[k].n);
        else snprintf(leg_text[nleg], n, "%s", lab);
        leg[nleg] = (el_legend_entry){leg_text[nleg], el_palette_category(b->s[k].color, n_colors),
                                      band ? EL_KEY_BAND : EL_KEY_LINE};
        nleg++;
    }
    return nleg;
}

/* The series laid out in panels, with the legend, drawn on a new canvas. */
static el_status draw_figure(const builder *b, const el_profile_plot_opts *o, int n_groups, el_canvas_kind kind,
                             el_canvas **out) {
    const int n_panels = b->one_panel ? 1 : b->n_models, n_colors = b->pairs ? b->n_series : n_groups;
    el_panel *panels = calloc((size_t)n_panels, sizeof *panels);
    el_series *ser = calloc((size_t)b->n_series, sizeof *ser);
    el_legend_entry *leg = calloc((size_t)b->n_series, sizeof *leg);
    char **leg_text = calloc((size_t)b->n_series, sizeof *leg_text);
    el_status st = panels && ser && leg && leg_text ? EL_OK : el_fail(EL_ERR_NOMEM, "out of memory while plotting");
    int nser = 0, nleg = 0, maxpts = 0;
    for (int p = 0; p < n_panels && st == EL_OK; p++) {
        panels[p].s = ser + nser;
        panels[p].title = n_panels > 1 || (b->n_models == 1) ? b->models[p] : NULL;
        for (int k = 0; k < b->n_series; k++)
            if (b->s[k].panel == p) {
                ser[nser++] = (el_series){b->s[k].label, b->s[k].color, b->s[k].npts,
                                          b->s[k].x,     b->s[k].mean,  o->band ? b->s[k].std : NULL};
                panels[p].n++;
                if (b->s[k].npts > maxpts) maxpts = b->s[k].npts;
            }
    }
    if (st == EL_OK) {
        nleg = make_legend(b, n_panels, n_colors, o->band, leg, leg_text);
        char title[256];
        if (o->title) snprintf(title, sizeof title, "%s", o->title);
        else if (o->by) snprintf(title, sizeof title, "Entropy profiles by %s", o->by);
        else snprintf(title, sizeof title, "Entropy profiles");
        el_profile_fig f = {title, o->depth_layer ? "layer" : "normalised depth", el_units_axis_label(o->units),
                            panels, n_panels, n_colors, leg, nleg, o->by ? o->by : "", !o->depth_layer,
                            maxpts <= 48, o->width, o->height, 0, 0, 0, 0};
        int w, h;
        el_profile_fig_size(&f, &w, &h);
        st = el_canvas_new_scaled(kind, w, h, el_canvas_dpi_scale(kind, o->dpi), el_rgb(255, 255, 255), out);
        if (st == EL_OK) el_profile_fig_draw(*out, &f);
    }
    for (int j = 0; j < nleg; j++) free(leg_text[j]);
    free(leg_text);
    free(leg);
    free(ser);
    free(panels);
    return st;
}

el_status el_plot_profiles(const el_dataset *ds, const el_profile_plot_opts *o, el_canvas_kind kind, el_canvas **out) {
    *out = NULL;
    if (ds->n == 0) return el_fail(EL_ERR_ARG, "no records to plot");
    builder b = {0};
    b.models = malloc(sizeof(char *) * (size_t)ds->n);
    int *panel_of = malloc(sizeof(int) * (size_t)ds->n);
    b.s = calloc((size_t)ds->n, sizeof *b.s);
    el_status st = b.models && panel_of && b.s && group_series(ds, o, &b, panel_of) == 0
                       ? draw_figure(&b, o, ds->n_groups, kind, out)
                       : el_fail(EL_ERR_NOMEM, "out of memory while plotting");
    free(panel_of);
    builder_free(&b);
    return st;
}

char *el_jsonl_units(const char *const *files, int n, int *mixed) {
    char *units = NULL;
    *mixed = 0;
    for (int f = 0; f < n; f++) {
        /* Only a regular file within the records limit (a FIFO would block
         * here); the loader reports what is wrong with the others. */
        FILE *fp;
        if (el_file_fopen(files[f], EL_FILE_RECORDS, &fp) != EL_OK) continue;
        char *line = NULL;
        size_t cap = 0;
        long len;
        uint64_t used = 0;
        while (el_file_getline(fp, files[f], EL_FILE_RECORDS, &used, &line, &cap, &len) == EL_OK && len > 0) {
            cJSON *o = el_json_parse(line, (size_t)len, NULL);
            const cJSON *u = o ? cJSON_GetObjectItemCaseSensitive(o, "units") : NULL;
            int found = cJSON_IsString(u);
            if (found) {
                if (!units)
                    units = strdup(u->valuestring);
                else if (strcmp(units, u->valuestring))
                    *mixed = 1;
            }
            cJSON_Delete(o);
            if (found) break;
        }
        free(line);
        fclose(fp);
    }
    return units;
}

const char *el_units_axis_label(const char *units) {
    if (!units) return "entropy";
    if (!strcmp(units, "nats")) return "entropy (nats)";
    if (!strcmp(units, "bits")) return "entropy (bits)";
    if (!strcmp(units, "normalized")) return "normalised entropy";
    return "entropy";
}
