/* The correctness analysis shared by `correctness` and `report`. */
#include "analysis/correctness.h"
#include "base/buffer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void score_features(el_correctness *c) {
    const int n = c->n, D = c->dim, n_wrong = c->n - c->n_right;
    double *score = malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (!score) return;
    for (int j = 0; j < D; j++) {
        for (int i = 0; i < n; i++) {
            double v = c->X[(size_t)i * D + j];
            score[i] = -v;
            if (c->y[i]) c->mean_right[j] += v;
            else c->mean_wrong[j] += v;
        }
        c->mean_right[j] /= c->n_right;
        c->mean_wrong[j] /= n_wrong;
        c->layer_auc[j] = el_auc(score, c->y, n);
        if (c->layer_auc[j] > c->layer_auc[c->best]) c->best = j;
    }
    free(score);
}

/* The two baselines on the selected records (i_sel: their indices in ds). */
static void score_baselines(const el_dataset *ds, const int *i_sel, el_correctness *c) {
    c->auc_last_entropy = c->auc_prob = NAN;
    double *h = malloc(sizeof(double) * (size_t)c->n), *p = malloc(sizeof(double) * (size_t)c->n);
    if (h && p) {
        for (int s = 0; s < c->n; s++) {
            const el_record *r = &ds->rec[i_sel[s]];
            const int L = r->n_layers, W = r->n_windows > 0 ? r->n_windows : 1;
            double sum = 0.0;
            for (int w = 0; w < W; w++) sum += r->entropy[(size_t)w * L + L - 1];
            h[s] = -sum / W;
            p[s] = r->prob;
            if (isfinite(r->prob)) c->n_prob++;
        }
        c->auc_last_entropy = el_auc(h, c->y, c->n);
        if (c->n_prob == c->n) c->auc_prob = el_auc(p, c->y, c->n);
    }
    free(h);
    free(p);
}

el_status el_correctness_select(const el_dataset *ds, el_correctness *c) {
    memset(c, 0, sizeof *c);
    const int D = ds->dim, nalloc = ds->n ? ds->n : 1, dalloc = D ? D : 1;
    c->dim = D;
    c->X = malloc(sizeof(double) * (size_t)nalloc * (size_t)dalloc);
    c->y = malloc(sizeof(int) * (size_t)nalloc);
    c->layer_auc = calloc((size_t)dalloc, sizeof(double));
    c->mean_right = calloc((size_t)dalloc, sizeof(double));
    c->mean_wrong = calloc((size_t)dalloc, sizeof(double));
    int *i_sel = malloc(sizeof(int) * (size_t)nalloc);
    if (!c->X || !c->y || !c->layer_auc || !c->mean_right || !c->mean_wrong || !i_sel) {
        free(i_sel);
        el_correctness_free(c);
        return el_fail(EL_ERR_NOMEM, "correctness: out of memory for %d records x %d features", ds->n, D);
    }
    for (int i = 0; i < ds->n; i++) {
        if (ds->rec[i].correct < 0) continue;
        memcpy(c->X + (size_t)c->n * D, ds->X + (size_t)i * D, sizeof(double) * (size_t)D);
        c->y[c->n] = ds->rec[i].correct;
        i_sel[c->n] = i;
        c->n_right += c->y[c->n];
        c->n++;
    }
    c->n_unknown = ds->n - c->n;
    c->auc_last_entropy = c->auc_prob = NAN;
    if (c->n_right > 0 && c->n_right < c->n) {
        score_features(c);
        score_baselines(ds, i_sel, c);
    }
    free(i_sel);
    return EL_OK;
}

void el_correctness_free(el_correctness *c) {
    EL_FREE_ALL(c->X, c->y, c->layer_auc, c->mean_right, c->mean_wrong);
    memset(c, 0, sizeof *c);
}
