/* Accuracy, ROC-AUC (binary and macro one-vs-rest), confusion matrix, precision/recall. */
#include <math.h>
#include <stdlib.h>

#include "analysis/analysis.h"

double el_accuracy(const int *y, const int *pred, int n) {
    if (n <= 0) return NAN;
    int ok = 0;
    for (int i = 0; i < n; i++) ok += y[i] == pred[i];
    return (double)ok / n;
}

typedef struct {
    double s;
    int pos;
} scored;

static int cmp_scored(const void *a, const void *b) {
    double x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x > y) - (x < y);
}

/* AUC = (sum of the positives' mid-ranks - P (P + 1) / 2) / (P N). */
double el_auc(const double *score, const int *pos, int n) {
    long P = 0, N = 0;
    for (int i = 0; i < n; i++) {
        if (pos[i]) P++;
        else N++;
    }
    if (P == 0 || N == 0) return NAN;
    scored *v = malloc(sizeof(scored) * (size_t)n);
    if (!v) return NAN;
    for (int i = 0; i < n; i++) v[i] = (scored){score[i], pos[i] != 0};
    qsort(v, (size_t)n, sizeof *v, cmp_scored);
    double rank_sum = 0;
    for (int i = 0; i < n;) {
        int j = i;
        long npos = 0;
        while (j < n && v[j].s == v[i].s) npos += v[j++].pos;
        /* ranks i+1 .. j share the mid-rank (i + 1 + j) / 2 */
        rank_sum += npos * 0.5 * (double)(i + 1 + j);
        i = j;
    }
    free(v);
    return (rank_sum - 0.5 * (double)P * (double)(P + 1)) / ((double)P * (double)N);
}

double el_auc_ovr_macro(const int *y, const double *proba, int n, int n_classes, int *n_used) {
    int *pos = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    double *s = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    double sum = 0;
    int used = 0;
    if (pos && s) {
        if (n_classes == 2) {
            /* Binary: the AUC of the positive class (classes_[1]); the OvR mean
             * is the same number. */
            for (int i = 0; i < n; i++) {
                pos[i] = y[i] == 1;
                s[i] = proba[(size_t)i * 2 + 1];
            }
            double a = el_auc(s, pos, n);
            if (!isnan(a)) sum = a, used = 1;
        } else {
            for (int c = 0; c < n_classes; c++) {
                for (int i = 0; i < n; i++) {
                    pos[i] = y[i] == c;
                    s[i] = proba[(size_t)i * n_classes + c];
                }
                double a = el_auc(s, pos, n);
                if (!isnan(a)) sum += a, used++;
            }
        }
    }
    free(pos);
    free(s);
    if (n_used) *n_used = used;
    return used ? sum / used : NAN;
}

void el_confusion_add(const int *y, const int *pred, int n, int n_classes, int *conf) {
    for (int i = 0; i < n; i++) conf[(size_t)y[i] * n_classes + pred[i]]++;
}

void el_precision_recall(const int *conf, int n_classes, double *precision, double *recall, int *support) {
    for (int c = 0; c < n_classes; c++) {
        long tp = conf[(size_t)c * n_classes + c], col = 0, row = 0;
        for (int k = 0; k < n_classes; k++) {
            col += conf[(size_t)k * n_classes + c];
            row += conf[(size_t)c * n_classes + k];
        }
        if (precision) precision[c] = col ? (double)tp / col : 0.0;
        if (recall) recall[c] = row ? (double)tp / row : 0.0;
        if (support) support[c] = (int)row;
    }
}
