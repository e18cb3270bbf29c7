/* Numerics for `classify`, `correctness` and `embed`: seeded RNG, stratified
 * folds, k-NN, metrics, statistics, cross-validation, PCA and t-SNE. Every
 * convention is spelled out here and in docs/analysis.md; the Python
 * reference (tools/reference/analysis_reference.py) reimplements the RNG and the folds
 * bit for bit.
 *
 * Matrices are row-major doubles: X[i * dim + j] is feature j of sample i;
 * classes are 0..n_classes-1. */
#ifndef EL_ANALYSIS_H
#define EL_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

/* ---- rng.c: SplitMix64 ----
 * state += 0x9E3779B97F4A7C15; z = state;
 * z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
 * return z ^ (z >> 31)                    (all mod 2^64; the seed is the initial state)
 * below(m)   = next() % m                 (bias < m / 2^64, negligible and reproducible)
 * uniform()  = (next() >> 11) * 2^-53     in [0, 1)
 * normal()   = sqrt(-2 ln(1 - u1)) * cos(2 pi u2), u1 then u2 = uniform() */
typedef struct {
    uint64_t s;
} el_rng;
void el_rng_seed(el_rng *r, uint64_t seed);
uint64_t el_rng_next(el_rng *r);
uint64_t el_rng_below(el_rng *r, uint64_t m);
double el_rng_uniform(el_rng *r);
double el_rng_normal(el_rng *r);

/* ---- folds.c: stratified k-fold assignment ----
 * 1. rng = SplitMix64(seed).
 * 2. For each class c = 0, 1, ... in order: take the indices i with y[i] == c
 *    in increasing order and shuffle them with Fisher-Yates using rng:
 *    for j = m-1 down to 1: swap(a[j], a[below(j + 1)]).
 * 3. Deal: a counter t starts at 0 and runs on across classes; walking the
 *    classes in order and each shuffled list in order, fold[i] = t % k, t++.
 * Each class is spread over the folds with counts differing by at most one,
 * and fold sizes differ by at most one. k must be in [2, n]. */
el_status el_stratified_folds(const int *y, int n, int n_classes, int k, uint64_t seed, int *fold);
/* Without a shuffle (--no-shuffle), exactly as scikit-learn's
 * StratifiedKFold(shuffle=False) (>= 0.22): classes are ranked by first
 * appearance in y; y_order lists the ranked labels sorted; fold f's share
 * of class c is the number of positions p of c's run in y_order with
 * p % k == f; then class c's samples, in data order, fill fold 0's share,
 * then fold 1's, ... (contiguous blocks). */
el_status el_stratified_folds_contiguous(const int *y, int n, int n_classes, int k, int *fold);

/* ---- knn.c: k nearest neighbours ----
 * Squared Euclidean distance; the k_eff = min(k, n_train) training samples
 * with the smallest (distance, training index) — equal distances go to the
 * lower index — vote with uniform weights. proba[c] = votes[c] / k_eff
 * (scikit-learn's predict_proba); the prediction is the class with most votes,
 * ties to the lowest class index (scikit-learn's argmax). proba is n_test x
 * n_classes, pred n_test (either may be NULL). */
el_status el_knn_predict(const double *Xtr, const int *ytr, int n_train, const double *Xte, int n_test, int dim,
                         int n_classes, int k, double *proba, int *pred);

/* ---- baseline.c: stratified random baseline ----
 * For each test sample in order: r = below(n_train), the predicted class is
 * the c whose cumulative training count range holds r (c = smallest with
 * r < count[0] + ... + count[c]) — i.e. a class drawn with the training
 * frequencies (scikit-learn's DummyClassifier(strategy='stratified')). */
void el_baseline_predict(const int *ytr, int n_train, int n_classes, int n_test, el_rng *rng, int *pred);

/* ---- metrics.c ---- */
double el_accuracy(const int *y, const int *pred, int n);
/* Binary ROC-AUC of score for the positive set (pos[i] != 0): the
 * Mann-Whitney statistic with ties counted one half — equal to the area under
 * the trapezoidal ROC curve (scikit-learn's roc_auc_score). NaN when either
 * set is empty. */
double el_auc(const double *score, const int *pos, int n);
/* Macro one-vs-rest AUC from class probabilities (n x C): the mean over the
 * classes c that occur in y and not everywhere of AUC(y == c, proba[:, c]).
 * With 2 classes this equals the plain AUC of the positive class 1. NaN if
 * no class qualifies. n_used (may be NULL) gets the number of classes averaged. */
double el_auc_ovr_macro(const int *y, const double *proba, int n, int n_classes, int *n_used);
/* conf[t * C + p] += 1 for each sample (true t, predicted p); not cleared. */
void el_confusion_add(const int *y, const int *pred, int n, int n_classes, int *conf);
/* From a confusion matrix: precision (of predictions of c), recall (of true
 * c), support (true c). Precision with no predictions of c is 0 (scikit-learn's
 * zero_division default, which also warns). */
void el_precision_recall(const int *conf, int n_classes, double *precision, double *recall, int *support);

/* ---- stats.c ---- */
/* z-score the n_fit rows of fit (row-major, dim columns) and the n_also rows
 * of also with fit's mean and population std (std 0 -> 1), as
 * scikit-learn's StandardScaler fitted on fit. */
void el_standardize(double *fit, int n_fit, double *also, int n_also, int dim);
/* Regularised incomplete beta I_x(a, b) (continued fraction, Lentz). */
double el_betainc(double a, double b, double x);
/* Student t with df degrees of freedom: two-sided p = P(|T| >= |t|)
 * = I_{df/(df+t^2)}(df/2, 1/2). */
double el_t_two_sided_p(double t, double df);
/* Paired t-test of a against b (n pairs): t = mean(d) / (sd(d) / sqrt(n)),
 * d = a - b, sd with n-1, df = n-1; two-sided p (as scipy.stats.ttest_rel).
 * sd = 0: t = +-inf and p = 0 when mean(d) != 0; t = p = NaN when d == 0. */
void el_paired_t(const double *a, const double *b, int n, double *t, double *p);
double el_mean(const double *v, int n);
double el_std(const double *v, int n, int ddof); /* NaN values are not skipped */

/* ---- cv.c: cross-validated k-NN with the baseline and the paired t-test ---- */
typedef struct {
    int k;            /* neighbours (capped at the training-set size per fold) */
    int folds;
    uint64_t seed;    /* folds use seed; the baseline uses seed + 1 */
    int standardize;  /* z-score with the training fold's mean and (population) std */
    int no_shuffle;   /* contiguous folds (el_stratified_folds_contiguous), seed unused for them */
} el_cv_params;

/* The paper's protocol: k = 29, 10 folds, seed 42, not standardised. */
el_cv_params el_cv_default_params(void);

typedef struct {
    int n, n_classes, n_folds;
    int *fold;              /* n: fold of each sample */
    double *proba;          /* n x C: out-of-fold k-NN vote fractions */
    int *pred;              /* n: out-of-fold k-NN prediction */
    int *base_pred;         /* n: out-of-fold baseline prediction */
    double *fold_acc;       /* per fold: k-NN accuracy */
    double *fold_auc;       /* per fold: macro OvR AUC (NaN if undefined) */
    double *fold_base_acc;  /* per fold: baseline accuracy */
    int *fold_size;
    double acc_mean, acc_std;   /* over folds; std with ddof 0 (numpy's default) */
    double auc_mean, auc_std;   /* over folds where defined */
    int auc_folds;              /* folds where the AUC is defined */
    double base_mean, base_std;
    double pooled_acc, pooled_auc; /* on all out-of-fold predictions at once */
    double t, p;                /* paired t-test, per-fold accuracies k-NN vs baseline */
    int *confusion;             /* C x C (true row, predicted column), out-of-fold */
    double *precision, *recall;
    int *support;
} el_cv_result;

el_status el_cv_knn(const double *X, const int *y, int n, int dim, int n_classes, const el_cv_params *p,
                    el_cv_result *out);
void el_cv_free(el_cv_result *r);

/* ---- eigen.c: symmetric eigen-decomposition ----
 * A (m x m, symmetric, row-major, overwritten by the eigenvectors as columns:
 * A[i * m + j] = component i of vector j), w = eigenvalues in descending
 * order. Householder tridiagonalisation + implicit QL (EISPACK tred2/tql2). */
el_status el_eigen_sym(double *A, int m, double *w);

/* ---- pca.c ----
 * Centre the columns; the principal axes are the top n_comp eigenvectors of
 * the covariance Xc^T Xc (or, when n < dim, obtained from the Gram matrix
 * Xc Xc^T); coordinates Y = Xc V (n x n_comp) — numpy's U S from the SVD of
 * Xc, up to sign. Sign convention: each axis is flipped so that its
 * largest-|.| loading is positive (scikit-learn's svd_flip on V). var_ratio
 * (may be NULL) gets each component's share of the total variance. */
el_status el_pca(const double *X, int n, int dim, int n_comp, double *Y, double *var_ratio);

/* ---- tsne.c: exact t-SNE (van der Maaten & Hinton 2008, as scikit-learn's
 * method='exact') ---- */
typedef struct {
    double perplexity;     /* 20; must be < n (the caller clamps) */
    int iterations;        /* 1000 in total */
    int exaggeration_iters;/* 250 with P x 12 and momentum 0.5; then momentum 0.8, with
                              the update and the gains restarted (scikit-learn) */
    double exaggeration;   /* 12 */
    double learning_rate;  /* 200 */
    uint64_t seed;         /* initial Y ~ N(0, 1e-4^2) from SplitMix64(seed) */
} el_tsne_params;
el_tsne_params el_tsne_default_params(void);
/* Y: n x 2. kl (may be NULL) gets the final KL divergence KL(P || Q). */
el_status el_tsne(const double *X, int n, int dim, const el_tsne_params *p, double *Y, double *kl);

#endif
