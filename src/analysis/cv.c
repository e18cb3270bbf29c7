/* Cross-validated k-NN: stratified folds, per-fold and pooled metrics, the
 * stratified random baseline and the paired t-test over folds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/buffer.h"

void el_cv_free(el_cv_result *r) {
    if (!r) return;
    EL_FREE_ALL(r->fold, r->proba, r->pred, r->base_pred, r->fold_acc, r->fold_auc, r->fold_base_acc, r->fold_size,
                r->confusion, r->precision, r->recall, r->support);
    memset(r, 0, sizeof *r);
}

/* Per-fold scratch: the fold's training and test rows. */
typedef struct {
    double *Xtr, *Xte, *pte;
    int *ytr, *yte, *tei, *prte, *bte;
} fold_work;

static void fold_work_free(fold_work *w) {
    free(w->Xtr), free(w->Xte), free(w->pte);
    free(w->ytr), free(w->yte), free(w->tei), free(w->prte), free(w->bte);
}

/* 0 when every result and scratch array is allocated. */
static int alloc_all(el_cv_result *r, fold_work *w, int n, int dim, int C, int K) {
    r->fold = malloc(sizeof(int) * (size_t)n);
    r->proba = calloc((size_t)n * C, sizeof(double));
    r->pred = malloc(sizeof(int) * (size_t)n);
    r->base_pred = malloc(sizeof(int) * (size_t)n);
    r->fold_acc = malloc(sizeof(double) * (size_t)K);
    r->fold_auc = malloc(sizeof(double) * (size_t)K);
    r->fold_base_acc = malloc(sizeof(double) * (size_t)K);
    r->fold_size = calloc((size_t)K, sizeof(int));
    r->confusion = calloc((size_t)C * C, sizeof(int));
    r->precision = malloc(sizeof(double) * (size_t)C);
    r->recall = malloc(sizeof(double) * (size_t)C);
    r->support = malloc(sizeof(int) * (size_t)C);
    w->Xtr = malloc(sizeof(double) * (size_t)n * dim);
    w->Xte = malloc(sizeof(double) * (size_t)n * dim);
    w->ytr = malloc(sizeof(int) * (size_t)n), w->yte = malloc(sizeof(int) * (size_t)n);
    w->tei = malloc(sizeof(int) * (size_t)n);
    w->pte = malloc(sizeof(double) * (size_t)n * C);
    w->prte = malloc(sizeof(int) * (size_t)n), w->bte = malloc(sizeof(int) * (size_t)n);
    return !r->fold || !r->proba || !r->pred || !r->base_pred || !r->fold_acc || !r->fold_auc ||
                   !r->fold_base_acc || !r->fold_size || !r->confusion || !r->precision || !r->recall ||
                   !r->support || !w->Xtr || !w->Xte || !w->ytr || !w->yte || !w->tei || !w->pte || !w->prte ||
                   !w->bte
               ? -1
               : 0;
}

/* Fold f: train on the other folds, predict this one (k-NN and the
 * stratified random baseline), scatter its predictions into r. */
static el_status run_fold(const double *X, const int *y, int n, int dim, int C, const el_cv_params *p, int f,
                          el_rng *brng, fold_work *w, el_cv_result *r) {
    int ntr = 0, nte = 0;
    for (int i = 0; i < n; i++) {
        if (r->fold[i] == f) {
            memcpy(w->Xte + (size_t)nte * dim, X + (size_t)i * dim, sizeof(double) * (size_t)dim);
            w->yte[nte] = y[i];
            w->tei[nte++] = i;
        } else {
            memcpy(w->Xtr + (size_t)ntr * dim, X + (size_t)i * dim, sizeof(double) * (size_t)dim);
            w->ytr[ntr++] = y[i];
        }
    }
    r->fold_size[f] = nte;
    if (p->standardize) el_standardize(w->Xtr, ntr, w->Xte, nte, dim);
    EL_TRY(el_knn_predict(w->Xtr, w->ytr, ntr, w->Xte, nte, dim, C, p->k, w->pte, w->prte));
    el_baseline_predict(w->ytr, ntr, C, nte, brng, w->bte);
    r->fold_acc[f] = el_accuracy(w->yte, w->prte, nte);
    r->fold_base_acc[f] = el_accuracy(w->yte, w->bte, nte);
    r->fold_auc[f] = el_auc_ovr_macro(w->yte, w->pte, nte, C, NULL);
    for (int q = 0; q < nte; q++) {
        int i = w->tei[q];
        r->pred[i] = w->prte[q];
        r->base_pred[i] = w->bte[q];
        memcpy(r->proba + (size_t)i * C, w->pte + (size_t)q * C, sizeof(double) * (size_t)C);
    }
    return EL_OK;
}

/* Means over folds (AUC over the folds where it is defined), pooled scores,
 * confusion, per-class precision/recall and the paired t-test. tmp [K]. */
static void summarize(const int *y, int n, int C, int K, double *tmp, el_cv_result *r) {
    r->acc_mean = el_mean(r->fold_acc, K);
    r->acc_std = el_std(r->fold_acc, K, 0);
    r->base_mean = el_mean(r->fold_base_acc, K);
    r->base_std = el_std(r->fold_base_acc, K, 0);
    int m = 0;
    for (int f = 0; f < K; f++)
        if (!isnan(r->fold_auc[f])) tmp[m++] = r->fold_auc[f];
    r->auc_folds = m;
    r->auc_mean = m ? el_mean(tmp, m) : NAN;
    r->auc_std = m ? el_std(tmp, m, 0) : NAN;
    r->pooled_acc = el_accuracy(y, r->pred, n);
    r->pooled_auc = el_auc_ovr_macro(y, r->proba, n, C, NULL);
    el_confusion_add(y, r->pred, n, C, r->confusion);
    el_precision_recall(r->confusion, C, r->precision, r->recall, r->support);
    el_paired_t(r->fold_acc, r->fold_base_acc, K, &r->t, &r->p);
}

el_status el_cv_knn(const double *X, const int *y, int n, int dim, int C, const el_cv_params *p, el_cv_result *r) {
    memset(r, 0, sizeof *r);
    int K = p->folds;
    r->n = n;
    r->n_classes = C;
    r->n_folds = K;
    fold_work w = {0};
    el_status s = EL_OK;
    if (alloc_all(r, &w, n, dim, C, K) != 0) {
        s = el_fail(EL_ERR_NOMEM, "out of memory (%d samples x %d features)", n, dim);
        goto done;
    }
    s = p->no_shuffle ? el_stratified_folds_contiguous(y, n, C, K, r->fold) : el_stratified_folds(y, n, C, K, p->seed, r->fold);
    if (s != EL_OK) goto done;
    el_rng brng;
    el_rng_seed(&brng, p->seed + 1);
    for (int f = 0; f < K && s == EL_OK; f++) s = run_fold(X, y, n, dim, C, p, f, &brng, &w, r);
    if (s == EL_OK) summarize(y, n, C, K, w.pte, r); /* pte holds >= K doubles: n >= K */
done:
    fold_work_free(&w);
    if (s != EL_OK) el_cv_free(r);
    return s;
}

el_cv_params el_cv_default_params(void) { return (el_cv_params){.k = 29, .folds = 10, .seed = 42, .standardize = 0}; }
