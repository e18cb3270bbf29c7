/* Stratified k-fold assignment with a seeded shuffle (algorithm in analysis.h). */
#include <stdlib.h>

#include "analysis/analysis.h"

el_status el_stratified_folds(const int *y, int n, int n_classes, int k, uint64_t seed, int *fold) {
    if (k < 2 || k > n) return el_fail(EL_ERR_ARG, "%d folds need at least %d samples (have %d)", k, k < 2 ? 2 : k, n);
    int *idx = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    if (!idx) return el_fail(EL_ERR_NOMEM, "out of memory");
    el_rng rng;
    el_rng_seed(&rng, seed);
    long t = 0;
    for (int c = 0; c < n_classes; c++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (y[i] == c) idx[m++] = i;
        for (int j = m - 1; j >= 1; j--) {
            int r = (int)el_rng_below(&rng, (uint64_t)j + 1);
            int tmp = idx[j];
            idx[j] = idx[r];
            idx[r] = tmp;
        }
        for (int j = 0; j < m; j++) fold[idx[j]] = (int)(t++ % k);
    }
    free(idx);
    if (t != n) return el_fail(EL_ERR_ARG, "class labels outside 0..%d", n_classes - 1);
    return EL_OK;
}
