/* entropy-lens report: one self-contained HTML page summarising a run —
 * profiles, classification and correctness tables, an embedding, and the
 * most and least certain images with their patch-entropy maps. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/correctness.h"
#include "analysis/dataset.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "base/strbuf.h"
#include "cli/report.h"
#include "plot/dataset_plots.h"
#include "plot/figures.h"
#include "plot/html.h"

static const char *help = "Usage: entropy-lens report FILES... -o report.html [--by FIELD] [--title TEXT]\n"
                          "                           [--k 29] [--folds 10] [--seed 42] [--no-shuffle] [--standardize] [--top 5]\n"
                          "                           [--image-root DIR] [--no-tsne]\n"
                          "\n"
                          "One self-contained HTML file (figures inlined as SVG and PNG data URIs; no\n"
                          "network, no JavaScript) summarising the JSONL files written by `entropy-lens\n"
                          "profile` or `entropy-lens text`:\n"
                          "  - the runs: files, records, models (each with its own accuracy), units;\n"
                          "  - entropy profiles by FIELD (and by `correct` when records have it);\n"
                          "  - classification of FIELD from the profiles: cross-validated k-NN accuracy\n"
                          "    and ROC-AUC against a stratified random baseline, per-class precision and\n"
                          "    recall, the confusion matrix (as `entropy-lens classify`);\n"
                          "  - correctness: how well profiles predict a right top-1 answer, beside two\n"
                          "    baselines (the last layer's entropy alone, the top-1 probability), and\n"
                          "    the ROC-AUC of -entropy at each depth (as `entropy-lens correctness`);\n"
                          "  - a 2-D embedding of the profiles: PCA, and exact t-SNE up to 1000 records;\n"
                          "  - the most and least certain images by final-layer entropy, with their\n"
                          "    patch-entropy maps when the records have `patch_entropy`.\n"
                          "Sections that do not apply (no labels, one class, no `correct`) say why.\n"
                          "With several models in the files, the sections after the first come once\n"
                          "per model: accuracies, classifiers and embeddings are never pooled.\n"
                          "\n"
                          "  --by FIELD        the grouping field (default: label)\n"
                          "  --title TEXT      page title (default \"entropy-lens report\")\n"
                          "  --k K, --folds K, --seed S   cross-validation settings (defaults 29, 10, 42;\n"
                          "                    folds are lowered to the record count when needed)\n"
                          "  --no-shuffle      contiguous folds, as StratifiedKFold(shuffle=False)\n"
                          "  --standardize     z-score features with the training fold's statistics\n"
                          "  --top N           images in each of the most/least certain lists (default 5)\n"
                          "  --image-root DIR  where the images are (see heatmap --help)\n"
                          "  --no-tsne         PCA only\n"
                          "  -o, --output OUT  the HTML file\n"
                          "\n"
                          "Exit codes: 0 done; 2 usage error; 3 fatal (unreadable or malformed input,\n"
                          "no records, or the output cannot be written).\n";

static void h(el_strbuf *b, const char *s) { el_html_escape(b, s); }

/* ---------------------------------------------------------------- summary */

/* The model names in the records, in first-seen order (pointers into ds). */
static int distinct_models(const el_dataset *ds, const char **out, int cap) {
    int n = 0;
    for (int i = 0; i < ds->n && n < cap; i++) {
        int seen = 0;
        for (int k = 0; k < n && !seen; k++) seen = !strcmp(out[k], ds->rec[i].model);
        if (!seen) out[n++] = ds->rec[i].model;
    }
    return n;
}

static void section_summary(el_strbuf *b, const report_args *a, const el_dataset *ds) {
    el_sb_puts(b, "<section id=\"run\"><h2>Run</h2>\n<table class=\"kv\">\n<tr><th>files</th><td>");
    for (int i = 0; i < a->n_files; i++) {
        if (i) el_sb_puts(b, "<br>");
        el_sb_puts(b, "<code>");
        h(b, a->files[i]);
        el_sb_puts(b, "</code>");
    }
    el_sb_printf(b, "</td></tr>\n<tr><th>records</th><td>%d", ds->n);
    if (ds->n_error_records) el_sb_printf(b, " (and %d error records, skipped)", ds->n_error_records);
    el_sb_puts(b, "</td></tr>\n<tr><th>models</th><td>");
    for (int i = 0; i < ds->n; i++) {
        int seen = 0, count = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = !strcmp(ds->rec[j].model, ds->rec[i].model);
        if (seen) continue;
        int right = 0, judged = 0; /* each model's own accuracy: never pooled */
        for (int j = i; j < ds->n; j++)
            if (!strcmp(ds->rec[j].model, ds->rec[i].model)) {
                count++;
                judged += ds->rec[j].correct >= 0;
                right += ds->rec[j].correct == 1;
            }
        if (i) el_sb_puts(b, "<br>");
        el_sb_puts(b, "<code>");
        h(b, *ds->rec[i].model ? ds->rec[i].model : "(unnamed)");
        el_sb_printf(b, "</code>: %d %s record%s, %d layers", count, ds->rec[i].is_text ? "text" : "image",
                     count == 1 ? "" : "s", ds->rec[i].n_layers);
        if (judged)
            el_sb_printf(b, "; top-1 accuracy %.1f%% (%d of %d)", 100.0 * right / judged, right, judged);
    }
    el_sb_puts(b, "</td></tr>\n<tr><th>units</th><td>");
    h(b, a->units ? a->units : "not recorded");
    int right = 0, wrong = 0, labelled = 0;
    for (int i = 0; i < ds->n; i++) {
        right += ds->rec[i].correct == 1;
        wrong += ds->rec[i].correct == 0;
        labelled += ds->rec[i].label != NULL;
    }
    el_sb_printf(b, "</td></tr>\n<tr><th>labelled</th><td>%d of %d</td></tr>\n", labelled, ds->n);
    const char *models[2];
    if ((right + wrong) && distinct_models(ds, models, 2) == 1)
        el_sb_printf(b, "<tr><th>model top-1 accuracy</th><td>%.1f%% (%d right, %d wrong)</td></tr>\n",
                     100.0 * right / (right + wrong), right, wrong);
    el_sb_puts(b, "</table></section>\n");
}

/* ---------------------------------------------------------------- profiles */

static void profile_figure(el_strbuf *b, const report_args *a, const char *by, const char *title) {
    el_dataset ds;
    if (report_load(a, by, 0, 0, &ds) != EL_OK) {
        report_note(b, "Not drawn: %s", el_last_error());
        return;
    }
    if (ds.n == 0) {
        el_dataset_free(&ds);
        return;
    }
    el_profile_plot_opts po = {.by = by, .band = 1, .title = title, .units = a->units, .depth_axis = EL_DEPTH_AXIS_ENDS};
    el_canvas *c = NULL;
    if (el_plot_profiles(&ds, &po, EL_CANVAS_SVG, &c) != EL_OK) c = NULL;
    report_fig_or_note(b, c, title);
    el_canvas_free(c);
    el_dataset_free(&ds);
}

static void section_profiles(el_strbuf *b, const report_args *a, const el_dataset *all, int has_by, int has_correct) {
    el_sb_puts(b, "<section id=\"profiles\"><h2>Entropy profiles</h2>\n");
    el_sb_puts(b, "<p>Lens entropy after every block (images: the classification token; text: the last "
                  "position, averaged over the generated steps) against normalised depth (0 = first reported "
                  "layer, 1 = last): the mean of each group, with a band of &plusmn;1 standard deviation.</p>\n");
    char title[256];
    if (has_by) {
        snprintf(title, sizeof title, "Entropy profiles by %s", a->by);
        profile_figure(b, a, a->by, title);
    } else {
        report_note(b, "No record has `%s`: all records as one group.", a->by);
        profile_figure(b, a, NULL, "Entropy profiles");
    }
    if (has_correct && strcmp(a->by, "correct"))
        profile_figure(b, a, "correct", "Right (true) and wrong (false) top-1 answers");
    (void)all;
    el_sb_puts(b, "</section>\n");
}

/* ---------------------------------------------------------------- classify */

/* A mean +- std row; a statistic that is undefined says why instead of "nan". */
static void metric_row(el_strbuf *b, const char *name, double m, double s, const char *extra, const char *why) {
    el_sb_puts(b, "<tr><th>");
    h(b, name);
    if (isfinite(m)) el_sb_printf(b, "</th><td>%.3f &plusmn; %.3f</td><td>", m, s);
    else el_sb_puts(b, "</th><td>undefined</td><td>");
    h(b, isfinite(m) ? extra : why);
    el_sb_puts(b, "</td></tr>\n");
}

/* The cross-validation table. k is the requested neighbour count: a
 * training fold smaller than k caps it, and the table says so. */
static void cv_table(el_strbuf *b, const el_cv_result *r, const char *auc_name, int k) {
    char extra[160];
    el_sb_puts(b, "<table class=\"num\"><tr><th></th><th>mean &plusmn; std over folds</th><th></th></tr>\n");
    int n = 0, min_train = -1;
    for (int f = 0; f < r->n_folds; f++) n += r->fold_size[f];
    for (int f = 0; f < r->n_folds; f++)
        if (min_train < 0 || n - r->fold_size[f] < min_train) min_train = n - r->fold_size[f];
    int len = snprintf(extra, sizeof extra, "pooled out-of-fold %.3f", r->pooled_acc);
    if (min_train >= 0 && k > min_train)
        snprintf(extra + len, sizeof extra - (size_t)len, "; k capped at %d, the smallest training fold", min_train);
    metric_row(b, "k-NN accuracy", r->acc_mean, r->acc_std, extra, "no fold could be scored");
    len = snprintf(extra, sizeof extra, "pooled out-of-fold %.3f", r->pooled_auc);
    if (r->auc_folds < r->n_folds)
        snprintf(extra + len, sizeof extra - (size_t)len, "; defined on %d of %d folds (the others hold one class)",
                 r->auc_folds, r->n_folds);
    metric_row(b, auc_name, r->auc_mean, r->auc_std, extra,
               "every test fold holds a single class, and ROC-AUC needs both");
    metric_row(b, "baseline accuracy", r->base_mean, r->base_std, "stratified random", "no fold could be scored");
    if (isfinite(r->p))
        snprintf(extra, sizeof extra, "t = %.3g, df = %d, two-sided p = %.3g", r->t, r->n_folds - 1, r->p);
    else
        snprintf(extra, sizeof extra, "undefined: the k-NN and baseline accuracies differ by the same amount in every "
                                      "fold (no variance)");
    el_sb_printf(b, "<tr><th>paired t-test, k-NN vs baseline</th><td colspan=\"2\">");
    h(b, extra);
    el_sb_puts(b, "</td></tr></table>\n");
}

static int effective_folds(const report_args *a, int n) { return a->cv.folds < n ? a->cv.folds : n; }

static void section_classify(el_strbuf *b, const report_args *a, const el_dataset *ds) {
    el_sb_puts(b, "<section id=\"classify\"><h2>Classification by ");
    h(b, a->by);
    el_sb_puts(b, "</h2>\n");
    if (ds->n_groups < 2 || ds->n < 2) {
        report_note(b, "Not run: needs at least two distinct values of `%s`.", a->by);
        el_sb_puts(b, "</section>\n");
        return;
    }
    el_cv_params cv = a->cv;
    cv.folds = effective_folds(a, ds->n);
    int *y = malloc(sizeof(int) * (size_t)ds->n), *count = calloc((size_t)ds->n_groups, sizeof(int));
    el_cv_result r;
    memset(&r, 0, sizeof r);
    if (!y || !count) goto done;
    for (int i = 0; i < ds->n; i++)
        count[y[i] = ds->rec[i].group_index]++;
    if (el_cv_knn(ds->X, y, ds->n, ds->dim, ds->n_groups, &cv, &r) != EL_OK) {
        report_note(b, "Not run: %s", el_last_error());
        goto done;
    }
    el_sb_printf(b,
                 "<p>k-nearest-neighbour classifier (k = %d, Euclidean distance) on the profiles (%d values "
                 "each), %d-fold stratified cross-validation, seed %llu; as <code>entropy-lens classify</code>.",
                 cv.k, ds->dim, cv.folds, (unsigned long long)cv.seed);
    int small = 0;
    for (int c = 0; c < ds->n_groups; c++)
        small += count[c] < cv.folds;
    if (small)
        el_sb_printf(b, " %d of %d classes have fewer records than folds, so some test folds lack them.", small,
                     ds->n_groups);
    el_sb_puts(b, "</p>\n");
    cv_table(b, &r, "macro one-vs-rest ROC-AUC", cv.k);
    el_sb_puts(b, "<div class=\"row\"><table class=\"num\"><tr><th class=\"l\">class</th><th>n</th><th>precision</th>"
                  "<th>recall</th></tr>\n");
    for (int c = 0; c < ds->n_groups; c++) {
        el_sb_puts(b, "<tr><td class=\"l\">");
        h(b, ds->groups[c]);
        el_sb_printf(b, "</td><td>%d</td><td>%.3f</td><td>%.3f</td></tr>\n", count[c], r.precision[c], r.recall[c]);
    }
    el_sb_puts(b, "</table>\n");
    const int C = ds->n_groups;
    if (C <= 30) {
        el_sb_puts(b, "<table class=\"cm\"><caption>confusion matrix: rows true, columns predicted "
                      "(out-of-fold)</caption><tr><th></th>");
        for (int c = 0; c < C; c++) {
            el_sb_printf(b, "<th title=\"");
            h(b, ds->groups[c]);
            el_sb_printf(b, "\">%d</th>", c + 1);
        }
        el_sb_puts(b, "</tr>\n");
        for (int t = 0; t < C; t++) {
            el_sb_printf(b, "<tr><th class=\"l\">%d ", t + 1);
            h(b, ds->groups[t]);
            el_sb_puts(b, "</th>");
            int row = 0;
            for (int p = 0; p < C; p++)
                row += r.confusion[t * C + p];
            for (int p = 0; p < C; p++) {
                int v = r.confusion[t * C + p];
                double f = row ? (double)v / row : 0;
                el_sb_printf(b, "<td style=\"background:rgba(0,114,178,%.2f)%s\">%d</td>", 0.85 * f,
                             f > 0.55 ? ";color:#fff" : "", v);
            }
            el_sb_puts(b, "</tr>\n");
        }
        el_sb_puts(b, "</table>");
    } else {
        report_note(b, "Confusion matrix omitted: %s classes.", "more than 30");
    }
    el_sb_puts(b, "</div>\n");
done:
    el_cv_free(&r);
    free(y);
    free(count);
    el_sb_puts(b, "</section>\n");
}

/* ---------------------------------------------------------------- correctness */

/* The single-depth ROC-AUC figure and its sentence. */
static void correctness_layers(el_strbuf *b, const el_dataset *ds, const el_correctness *c) {
    double *xs = malloc(sizeof(double) * (size_t)ds->depth_n);
    if (!xs) return;
    for (int j = 0; j < ds->depth_n; j++) xs[j] = el_depth_x(ds->depth_axis, j, ds->depth_n, ds->depth_used == EL_DEPTH_RESAMPLE ? 1 : ds->rec[0].first_layer);
    char where[64];
    if (ds->depth_used == EL_DEPTH_RESAMPLE) snprintf(where, sizeof where, "depth %.2f", xs[c->best]);
    else snprintf(where, sizeof where, "layer %d", ds->rec[0].first_layer + c->best);
    el_sb_printf(b,
                 "<p>Each depth on its own: the ROC-AUC of &minus;entropy as a score for a right answer "
                 "(low entropy &rarr; confident &rarr; predicted right; 0.5 is chance), on all %d records. "
                 "Best: %s, AUC %.3f.</p>\n",
                 c->n, where, c->layer_auc[c->best]);
    el_series s = {"ROC-AUC of -entropy", 0, ds->depth_n, xs, c->layer_auc, NULL};
    el_panel p = {NULL, &s, 1};
    el_legend_entry leg[2] = {{"ROC-AUC of -entropy", el_palette_category(0, 2), EL_KEY_LINE},
                              {"chance (0.5)", el_rgb(140, 140, 140), EL_KEY_LINE}};
    el_profile_fig f = {"Single-depth ROC-AUC for a right answer", "normalised depth", "ROC-AUC", &p, 1, 2, leg, 2,
                        NULL, 1, ds->depth_n <= 48, 0, 0, 0, 1, 1, 0.5};
    int w, hh;
    el_profile_fig_size(&f, &w, &hh);
    el_canvas *cv = NULL;
    if (el_canvas_new(EL_CANVAS_SVG, w, hh * 3 / 4, el_rgb(255, 255, 255), &cv) == EL_OK) el_profile_fig_draw(cv, &f);
    report_fig_or_note(b, cv, "single-depth ROC-AUC");
    el_canvas_free(cv);
    free(xs);
}

static void section_correctness(el_strbuf *b, const report_args *a, const el_dataset *ds) {
    el_sb_puts(b, "<section id=\"correctness\"><h2>Does the profile know when the model is right?</h2>\n");
    el_correctness c;
    el_cv_result r;
    memset(&r, 0, sizeof r);
    if (el_correctness_select(ds, &c) != EL_OK) goto done;
    if (c.n < 2 || c.n_right == 0 || c.n_right == c.n) {
        report_note(b, "Not run: needs records with `correct` true and false (profile with labels)%s.",
             c.n ? "; all answers are on one side" : "");
        goto done;
    }
    el_cv_params cv = a->cv;
    cv.folds = effective_folds(a, c.n);
    if (el_cv_knn(c.X, c.y, c.n, c.dim, 2, &cv, &r) != EL_OK) {
        report_note(b, "Not run: %s", el_last_error());
        goto done;
    }
    el_sb_printf(b,
                 "<p>%d records with <code>correct</code>: %d right, %d wrong. k-NN (k = %d, %d folds) predicts "
                 "<code>correct</code> from the profile; the ROC-AUC scores the fraction of right neighbours. As "
                 "<code>entropy-lens correctness</code>.</p>\n",
                 c.n, c.n_right, c.n - c.n_right, cv.k, cv.folds);
    cv_table(b, &r, "ROC-AUC (correct)", cv.k);
    el_sb_printf(b, "<table class=\"num\"><tr><th>baselines (no profile), ROC-AUC on all %d records</th><th></th></tr>\n", c.n);
    el_sb_printf(b, "<tr><th>last layer's entropy alone (&minus;H)</th><td>%.3f</td></tr>\n", c.auc_last_entropy);
    if (isfinite(c.auc_prob))
        el_sb_printf(b, "<tr><th>maximum softmax probability (<code>prob</code>)</th><td>%.3f</td></tr></table>\n", c.auc_prob);
    else
        el_sb_printf(b, "<tr><th>maximum softmax probability (<code>prob</code>)</th><td>n/a (%d of %d records have it)</td></tr></table>\n",
                     c.n_prob, c.n);
    if (ds->feat_rows == 1 && ds->feat_cols == ds->depth_n) correctness_layers(b, ds, &c);
done:
    el_cv_free(&r);
    el_correctness_free(&c);
    el_sb_puts(b, "</section>\n");
}

/* ---------------------------------------------------------------- embedding */

static void scatter(el_strbuf *b, const el_dataset *ds, const double *Y, const char *title, const char *xl,
                    const char *yl, const char *by) {
    double *x = malloc(sizeof(double) * (size_t)ds->n), *y = malloc(sizeof(double) * (size_t)ds->n);
    int *g = malloc(sizeof(int) * (size_t)ds->n);
    el_legend_entry *leg = calloc((size_t)ds->n_groups + 1, sizeof *leg);
    if (!x || !y || !g || !leg) goto done;
    for (int i = 0; i < ds->n; i++) {
        x[i] = Y[2 * i];
        y[i] = Y[2 * i + 1];
        g[i] = ds->rec[i].group_index;
    }
    int nl = ds->n_groups <= 30 && by ? ds->n_groups : 0;
    for (int c = 0; c < nl; c++)
        leg[c] = (el_legend_entry){ds->groups[c], el_palette_category(c, ds->n_groups), EL_KEY_DOT};
    el_scatter_fig f = {title, xl, yl, ds->n, x, y, g, ds->n_groups, leg, nl, by, 540, 450}; /* two per row */
    int w, hh;
    el_scatter_fig_size(&f, &w, &hh);
    el_canvas *c = NULL;
    if (el_canvas_new(EL_CANVAS_SVG, w, hh, el_rgb(255, 255, 255), &c) == EL_OK) el_scatter_fig_draw(c, &f);
    report_fig_or_note(b, c, title);
    el_canvas_free(c);
done:
    free(x);
    free(y);
    free(g);
    free(leg);
}

static void section_embedding(el_strbuf *b, const report_args *a, const el_dataset *ds, int has_by) {
    el_sb_puts(b, "<section id=\"embedding\"><h2>Embedding</h2>\n");
    if (ds->n < 3) {
        report_note(b, "Not drawn: needs at least 3 records.%s", "");
        el_sb_puts(b, "</section>\n");
        return;
    }
    double *Y = malloc(sizeof(double) * 2 * (size_t)ds->n), var[2] = {0, 0};
    if (!Y) goto done;
    el_sb_puts(b, "<p>Each record's profile as a point; colours by group.</p>\n<div class=\"row\">");
    if (el_pca(ds->X, ds->n, ds->dim, ds->dim >= 2 ? 2 : 1, Y, var) == EL_OK) {
        if (ds->dim < 2)
            for (int i = ds->n - 1; i >= 0; i--)
                Y[2 * i] = Y[i], Y[2 * i + 1] = 0;
        char xl[64], yl[64];
        snprintf(xl, sizeof xl, "PC1 (%.0f%% of variance)", 100 * var[0]);
        snprintf(yl, sizeof yl, "PC2 (%.0f%%)", 100 * var[1]);
        scatter(b, ds, Y, "PCA", xl, yl, has_by ? a->by : NULL);
    } else {
        report_note(b, "PCA failed: %s", el_last_error());
    }
    if (a->tsne && ds->n >= 5 && ds->n <= 1000) {
        el_tsne_params tp = el_tsne_default_params();
        if (tp.perplexity >= (ds->n - 1) / 3.0) tp.perplexity = (ds->n - 1) / 3.0;
        if (el_tsne(ds->X, ds->n, ds->dim, &tp, Y, NULL) == EL_OK) {
            char t[64];
            snprintf(t, sizeof t, "t-SNE (perplexity %.3g)", tp.perplexity);
            scatter(b, ds, Y, t, "t-SNE 1", "t-SNE 2", has_by ? a->by : NULL);
        } else {
            report_note(b, "t-SNE failed: %s", el_last_error());
        }
    }
    el_sb_puts(b, "</div>\n");
done:
    free(Y);
    el_sb_puts(b, "</section>\n");
}

/* ---------------------------------------------------------------- page */

static const char *css =
    "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;background:#fff;margin:0}"
    "main{max-width:1180px;margin:0 auto;padding:16px 28px 40px}"
    "h1{font-size:26px;margin:12px 0 4px}h2{font-size:20px;margin:34px 0 10px;padding-bottom:4px;"
    "border-bottom:2px solid #0072b2}"
    "nav a{margin-right:14px;color:#0072b2}p{line-height:1.45;max-width:900px}"
    "table{border-collapse:collapse;margin:10px 18px 14px 0;font-size:14px}"
    "th,td{padding:4px 9px;border-bottom:1px solid #ddd;text-align:right;vertical-align:middle}"
    "th{background:#f3f5f7}td.l,th.l,.kv th,.kv td{text-align:left}caption{text-align:left;padding:4px 0;"
    "color:#555;font-size:13px}.cm td{min-width:22px;text-align:center}"
    ".row{display:flex;flex-wrap:wrap;align-items:flex-start;gap:12px}"
    ".fig svg,img{max-width:100%;height:auto}.note{color:#8a5a00;background:#fff6e0;padding:6px 10px;"
    "border-left:3px solid #e69f00}.bar{display:inline-block;height:10px;background:#0072b2}"
    ".imgs th{text-align:left}.imgs "
    "img{max-width:none}code{font-size:13px}footer{margin-top:40px;color:#777;font-size:12px}";

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, report_args *a) {
    *a = (report_args){.by = "label", .title = "entropy-lens report", .cv = el_cv_default_params(), .top = 5, .tsne = 1};
    const el_opt opts[] = {
        EL_OPT_STR("by", &a->by),
        EL_OPT_STR("title", &a->title),
        EL_OPT_STR("image-root", &a->root),
        EL_OPTS_CV(a->cv),
        EL_OPT_NUM("top", &a->top, 1, 100),
        EL_OPT_STR_SHORT("output", 'o', &a->output),
        EL_OPT_UNSET("no-tsne", &a->tsne),
        EL_OPT_TABLE_END};
    const el_cli cli = {"report", help, NULL, opts, EL_CLI_ANY, "no input files"};
    int rc = el_cli_parse(&cli, argc, argv, &a->files, &a->n_files);
    if (rc != EL_CLI_RUN) return rc;
    if (!a->output) {
        fprintf(stderr, "entropy-lens report: -o report.html is required\n");
        return EL_EXIT_USAGE;
    }
    return EL_CLI_RUN;
}


/* Profiles, classification, correctness, embedding and the certain/uncertain
 * images of the records of a->model (every record when NULL). */
static void model_sections(el_strbuf *b, report_args *a) {
    el_dataset all, grouped;
    memset(&grouped, 0, sizeof grouped);
    if (report_load(a, NULL, 0, 1, &all) != EL_OK) {
        report_note(b, "Not shown: %s", el_last_error());
        return;
    }
    if (report_load(a, a->by, 0, 1, &grouped) != EL_OK) {
        fprintf(stderr, "entropy-lens report: warning: %s\n", el_last_error());
        memset(&grouped, 0, sizeof grouped);
    }
    int has_by = grouped.n > 0, has_correct = 0;
    for (int i = 0; i < all.n; i++) has_correct |= all.rec[i].correct >= 0;
    section_profiles(b, a, &all, has_by, has_correct);
    if (has_by) {
        section_classify(b, a, &grouped);
    } else {
        el_sb_puts(b, "<section id=\"classify\"><h2>Classification</h2>\n");
        report_note(b, "Not run: no record has `%s`.", a->by);
        el_sb_puts(b, "</section>\n");
    }
    section_correctness(b, a, &all);
    section_embedding(b, a, has_by ? &grouped : &all, has_by);
    report_section_extremes(b, a);
    el_dataset_free(&grouped);
    el_dataset_free(&all);
}

/* One part per model when the files hold several: accuracies, classifiers
 * and embeddings are never pooled across models. Ids get a per-model prefix. */
static void per_model(el_strbuf *b, report_args *a, const el_dataset *all) {
    const char *models[64];
    const int n = distinct_models(all, models, 64);
    if (n < 2) {
        model_sections(b, a);
        return;
    }
    for (int m = 0; m < n; m++) {
        el_strbuf part = {0};
        a->model = models[m];
        model_sections(&part, a);
        el_sb_printf(b, "<h2 class=\"model\" id=\"model-%d\">Model <code>", m + 1);
        h(b, models[m]);
        el_sb_puts(b, "</code></h2>\n");
        /* Section ids stay unique on the page (the figures' own ids already
         * are: each canvas numbers them, and their url(#...) references
         * must keep matching). */
        static const char tag[] = "<section id=\"";
        char prefix[48];
        snprintf(prefix, sizeof prefix, "%sm%d-", tag, m + 1);
        for (const char *p = part.data; p && *p;) {
            const char *q = strstr(p, tag);
            el_sb_write(b, p, q ? (size_t)(q - p) : strlen(p));
            if (!q) break;
            el_sb_puts(b, m ? prefix : tag);
            p = q + sizeof tag - 1;
        }
        if (part.oom) b->oom = 1;
        el_sb_free(&part);
    }
    a->model = NULL;
}

int cmd_report(int argc, char **argv) {
    report_args a;
    memset(&a, 0, sizeof a);
    int code = parse_args(argc, argv, &a);
    if (code != EL_CLI_RUN) {
        free(a.files);
        return code;
    }
    el_dataset all;
    const el_status st = report_load(&a, NULL, 0, 1, &all);
    if (st != EL_OK || all.n == 0) {
        if (st != EL_OK) fprintf(stderr, "entropy-lens report: %s\n", el_last_error());
        else fprintf(stderr, "entropy-lens report: no records (%d error records)\n", all.n_error_records);
        el_dataset_free(&all);
        free(a.files);
        return EL_EXIT_FATAL;
    }
    int mixed = 0;
    a.units = el_jsonl_units(a.files, a.n_files, &mixed);
    el_strbuf b = {0};
    el_sb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    h(&b, a.title);
    el_sb_printf(&b, "</title><style>%s</style></head>\n<body><main>\n<h1>", css);
    h(&b, a.title);
    el_sb_puts(&b, "</h1>\n<nav><a href=\"#run\">run</a><a href=\"#profiles\">profiles</a>"
                   "<a href=\"#classify\">classification</a><a href=\"#correctness\">correctness</a>"
                   "<a href=\"#embedding\">embedding</a><a href=\"#certain\">certain / uncertain</a></nav>\n");
    section_summary(&b, &a, &all);
    per_model(&b, &a, &all);
    el_sb_puts(&b, "<footer>Generated by entropy-lens " EL_VERSION_STRING " (<code>entropy-lens report</code>). Figures "
                   "are inline; the page needs no network and no scripts.</footer>\n</main></body></html>\n");
    code = el_cli_write_file("report", a.output, &b) ? EL_EXIT_FATAL : EL_EXIT_OK;
    el_sb_free(&b);
    free(a.units);
    el_dataset_free(&all);
    free(a.files);
    return code;
}
