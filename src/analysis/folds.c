/* Stratified k-fold assignment: with a seeded shuffle, or contiguous blocks as
 * StratifiedKFold(shuffle=False) makes them (algorithms in analysis.h). */
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

el_status el_stratified_folds_contiguous(const int *y, int n, int n_classes, int k, int *fold) {
    if (k < 2 || k > n) return el_fail(EL_ERR_ARG, "%d folds need at least %d samples (have %d)", k, k < 2 ? 2 : k, n);
    /* rank[c]: class c's place in the order of first appearance; count[c]. */
    int *rank = malloc(sizeof(int) * (size_t)n_classes), *count = calloc((size_t)n_classes, sizeof(int));
    int *start = malloc(sizeof(int) * (size_t)n_classes), *seen = calloc((size_t)n_classes, sizeof(int));
    el_status st = EL_OK;
    if (!rank || !count || !start || !seen) {
        st = el_fail(EL_ERR_NOMEM, "out of memory");
        goto done;
    }
    int r = 0;
    for (int i = 0; i < n; i++) {
        if (y[i] < 0 || y[i] >= n_classes) {
            st = el_fail(EL_ERR_ARG, "class labels outside 0..%d", n_classes - 1);
            goto done;
        }
        if (!count[y[i]]++) rank[y[i]] = r++;
    }
    /* Classes sorted by rank occupy consecutive positions of y_order. */
    for (int q = 0, pos = 0; q < r; q++)
        for (int c = 0; c < n_classes; c++)
            if (count[c] && rank[c] == q) start[c] = pos, pos += count[c];
    for (int i = 0; i < n; i++) {
        /* The j-th sample (in data order) of class c goes to the fold whose
         * block of c's allocation holds j: fold f gets the positions
         * p in [start, start + count) with p % k == f. */
        const int c = y[i], j = seen[c]++;
        int f = 0, before = 0;
        for (; f < k; f++) {
            const int s0 = start[c], s1 = start[c] + count[c];
            const int first = s0 + ((f - s0 % k) % k + k) % k; /* first p >= s0 with p % k == f */
            const int in_f = first < s1 ? (s1 - first + k - 1) / k : 0;
            if (j < before + in_f) break;
            before += in_f;
        }
        fold[i] = f;
    }
done:
    free(rank);
    free(count);
    free(start);
    free(seen);
    return st;
}
