/* Cross-validated k-NN: stratified folds, per-fold and pooled metrics, the
 * stratified random baseline and the paired t-test over folds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

void el_cv_free(el_cv_result *r) {
    if (!r) return;
    free(r->fold);
    free(r->proba);
    free(r->pred);
    free(r->base_pred);
    free(r->fold_acc);
    free(r->fold_auc);
    free(r->fold_base_acc);
    free(r->fold_size);
    free(r->confusion);
    free(r->precision);
    free(r->recall);
    free(r->support);
    memset(r, 0, sizeof *r);
}

/* z-score train and test with the training mean and population std (std 0 -> 1),
 * as scikit-learn's StandardScaler fitted on the training fold. */
static void standardize(double *tr, int ntr, double *te, int nte, int dim) {
    for (int j = 0; j < dim; j++) {
        double m = 0, s = 0;
        for (int i = 0; i < ntr; i++) m += tr[(size_t)i * dim + j];
        m /= ntr;
        for (int i = 0; i < ntr; i++) {
            double e = tr[(size_t)i * dim + j] - m;
            s += e * e;
        }
        s = sqrt(s / ntr);
        if (s == 0) s = 1;
        for (int i = 0; i < ntr; i++) tr[(size_t)i * dim + j] = (tr[(size_t)i * dim + j] - m) / s;
        for (int i = 0; i < nte; i++) te[(size_t)i * dim + j] = (te[(size_t)i * dim + j] - m) / s;
    }
}

el_status el_cv_knn(const double *X, const int *y, int n, int dim, int C, const el_cv_params *p, el_cv_result *r) {
    memset(r, 0, sizeof *r);
    int K = p->folds;
    r->n = n;
    r->n_classes = C;
    r->n_folds = K;
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
    double *Xtr = malloc(sizeof(double) * (size_t)n * dim);
    double *Xte = malloc(sizeof(double) * (size_t)n * dim);
    int *ytr = malloc(sizeof(int) * (size_t)n), *yte = malloc(sizeof(int) * (size_t)n);
    int *tei = malloc(sizeof(int) * (size_t)n);
    double *pte = malloc(sizeof(double) * (size_t)n * C);
    int *prte = malloc(sizeof(int) * (size_t)n), *bte = malloc(sizeof(int) * (size_t)n);
    el_status s = EL_OK;
    if (!r->fold || !r->proba || !r->pred || !r->base_pred || !r->fold_acc || !r->fold_auc || !r->fold_base_acc ||
        !r->fold_size || !r->confusion || !r->precision || !r->recall || !r->support || !Xtr || !Xte || !ytr ||
        !yte || !tei || !pte || !prte || !bte) {
        s = el_fail(EL_ERR_NOMEM, "out of memory (%d samples x %d features)", n, dim);
        goto done;
    }
    s = el_stratified_folds(y, n, C, K, p->seed, r->fold);
    if (s != EL_OK) goto done;
    el_rng brng;
    el_rng_seed(&brng, p->seed + 1);
    for (int f = 0; f < K; f++) {
        int ntr = 0, nte = 0;
        for (int i = 0; i < n; i++) {
            if (r->fold[i] == f) {
                memcpy(Xte + (size_t)nte * dim, X + (size_t)i * dim, sizeof(double) * (size_t)dim);
                yte[nte] = y[i];
                tei[nte++] = i;
            } else {
                memcpy(Xtr + (size_t)ntr * dim, X + (size_t)i * dim, sizeof(double) * (size_t)dim);
                ytr[ntr++] = y[i];
            }
        }
        r->fold_size[f] = nte;
        if (p->standardize) standardize(Xtr, ntr, Xte, nte, dim);
        s = el_knn_predict(Xtr, ytr, ntr, Xte, nte, dim, C, p->k, pte, prte);
        if (s != EL_OK) goto done;
        el_baseline_predict(ytr, ntr, C, nte, &brng, bte);
        r->fold_acc[f] = el_accuracy(yte, prte, nte);
        r->fold_base_acc[f] = el_accuracy(yte, bte, nte);
        r->fold_auc[f] = el_auc_ovr_macro(yte, pte, nte, C, NULL);
        for (int q = 0; q < nte; q++) {
            int i = tei[q];
            r->pred[i] = prte[q];
            r->base_pred[i] = bte[q];
            memcpy(r->proba + (size_t)i * C, pte + (size_t)q * C, sizeof(double) * (size_t)C);
        }
    }
    r->acc_mean = el_mean(r->fold_acc, K);
    r->acc_std = el_std(r->fold_acc, K, 0);
    r->base_mean = el_mean(r->fold_base_acc, K);
    r->base_std = el_std(r->fold_base_acc, K, 0);
    {
        double *tmp = pte; /* reuse: defined fold AUCs */
        int m = 0;
        for (int f = 0; f < K; f++)
            if (!isnan(r->fold_auc[f])) tmp[m++] = r->fold_auc[f];
        r->auc_folds = m;
        r->auc_mean = m ? el_mean(tmp, m) : NAN;
        r->auc_std = m ? el_std(tmp, m, 0) : NAN;
    }
    r->pooled_acc = el_accuracy(y, r->pred, n);
    r->pooled_auc = el_auc_ovr_macro(y, r->proba, n, C, NULL);
    el_confusion_add(y, r->pred, n, C, r->confusion);
    el_precision_recall(r->confusion, C, r->precision, r->recall, r->support);
    el_paired_t(r->fold_acc, r->fold_base_acc, K, &r->t, &r->p);
done:
    free(Xtr);
    free(Xte);
    free(ytr);
    free(yte);
    free(tei);
    free(pte);
    free(prte);
    free(bte);
    if (s != EL_OK) el_cv_free(r);
    return s;
}
