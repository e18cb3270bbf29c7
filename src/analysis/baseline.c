/* Stratified random baseline (DummyClassifier(strategy='stratified')); see analysis.h. */
#include <stdlib.h>

#include "analysis/analysis.h"

void el_baseline_predict(const int *ytr, int n_train, int n_classes, int n_test, el_rng *rng, int *pred) {
    long *cum = calloc((size_t)n_classes, sizeof(long));
    if (!cum || n_train <= 0) {
        for (int i = 0; i < n_test; i++) pred[i] = 0;
        free(cum);
        return;
    }
    for (int i = 0; i < n_train; i++) cum[ytr[i]]++;
    for (int c = 1; c < n_classes; c++) cum[c] += cum[c - 1];
    for (int i = 0; i < n_test; i++) {
        long r = (long)el_rng_below(rng, (uint64_t)n_train);
        int c = 0;
        while (c < n_classes - 1 && r >= cum[c]) c++;
        pred[i] = c;
    }
    free(cum);
}
