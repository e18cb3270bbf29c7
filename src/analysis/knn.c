/* k nearest neighbours, Euclidean, uniform weights; ties as documented in analysis.h. */
#include <stdlib.h>

#include "analysis/analysis.h"

typedef struct {
    double d;
    int i;
} nb;

/* Is a before b: smaller distance, then smaller training index. */
static int before(const nb *a, const nb *b) { return a->d < b->d || (a->d == b->d && a->i < b->i); }

el_status el_knn_predict(const double *Xtr, const int *ytr, int n_train, const double *Xte, int n_test, int dim,
                         int n_classes, int k, double *proba, int *pred) {
    if (n_train <= 0) return el_fail(EL_ERR_ARG, "k-NN needs training samples");
    if (k < 1) return el_fail(EL_ERR_ARG, "k-NN needs k >= 1");
    int ke = k < n_train ? k : n_train;
    nb *best = malloc(sizeof(nb) * (size_t)ke);
    int *votes = malloc(sizeof(int) * (size_t)n_classes);
    if (!best || !votes) {
        free(best);
        free(votes);
        return el_fail(EL_ERR_NOMEM, "out of memory");
    }
    for (int q = 0; q < n_test; q++) {
        const double *x = Xte + (size_t)q * dim;
        int m = 0; /* best[0..m-1] sorted ascending */
        for (int i = 0; i < n_train; i++) {
            const double *t = Xtr + (size_t)i * dim;
            double d = 0;
            for (int j = 0; j < dim; j++) {
                double e = x[j] - t[j];
                d += e * e;
            }
            nb c = {d, i};
            if (m == ke && !before(&c, &best[m - 1])) continue;
            int pos = m < ke ? m++ : m - 1;
            while (pos > 0 && before(&c, &best[pos - 1])) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = c;
        }
        for (int c = 0; c < n_classes; c++) votes[c] = 0;
        for (int j = 0; j < ke; j++) votes[ytr[best[j].i]]++;
        int arg = 0;
        for (int c = 1; c < n_classes; c++)
            if (votes[c] > votes[arg]) arg = c;
        if (pred) pred[q] = arg;
        if (proba)
            for (int c = 0; c < n_classes; c++) proba[(size_t)q * n_classes + c] = (double)votes[c] / ke;
    }
    free(best);
    free(votes);
    return EL_OK;
}
