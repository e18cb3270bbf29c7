/* --no-shuffle folds against scikit-learn: every case of
 * tests/fixtures/analysis/folds_noshuffle.txt (written by
 * tools/reference/sklearn_folds.py from StratifiedKFold(shuffle=False)) must
 * give the same fold for every sample; bad input is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "test_util.h"

#define FIX EL_SOURCE_DIR "/tests/fixtures/analysis/folds_noshuffle.txt"

int main(void) {
    FILE *f = fopen(FIX, "r");
    if (!f) {
        fprintf(stderr, "test_folds_noshuffle: %s missing\n", FIX);
        return 1;
    }
    int k, n, cases = 0;
    while (fscanf(f, "%d %d", &k, &n) == 2) {
        int *y = malloc(sizeof(int) * (size_t)n), *want = malloc(sizeof(int) * (size_t)n), *got = malloc(sizeof(int) * (size_t)n);
        int C = 0;
        for (int i = 0; i < n; i++) {
            CHECK(fscanf(f, "%d", &y[i]) == 1);
            if (y[i] + 1 > C) C = y[i] + 1;
        }
        char colon[2];
        CHECK(fscanf(f, "%1s", colon) == 1 && colon[0] == ':');
        for (int i = 0; i < n; i++) CHECK(fscanf(f, "%d", &want[i]) == 1);
        CHECK(el_stratified_folds_contiguous(y, n, C, k, got) == EL_OK);
        for (int i = 0; i < n; i++)
            CHECK_MSG(got[i] == want[i], "case %d (K=%d, n=%d): sample %d in fold %d, sklearn says %d", cases, k, n, i,
                      got[i], want[i]);
        free(y);
        free(want);
        free(got);
        cases++;
    }
    fclose(f);
    CHECK(cases == 8);

    int y[4] = {0, 1, 0, 1}, fold[4];
    CHECK(el_stratified_folds_contiguous(y, 4, 2, 5, fold) == EL_ERR_ARG);
    CHECK(el_stratified_folds_contiguous(y, 4, 2, 1, fold) == EL_ERR_ARG);
    int bad[3] = {0, 2, 1};
    CHECK(el_stratified_folds_contiguous(bad, 3, 2, 2, fold) == EL_ERR_ARG);
    return el_test_finish("test_folds_noshuffle");
}
