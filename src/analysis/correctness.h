/* Does the entropy profile know when the model is right? The analysis behind
 * `entropy-lens correctness` and the report's correctness section: records
 * with `correct` true/false are selected, every feature scored on its own
 * (ROC-AUC of -entropy, mean profile of right and wrong answers) and a
 * cross-validated k-NN predicts `correct` from the whole profile. Beside it,
 * two baselines that need no profile, scored on the same records:
 *   - the last layer's entropy alone: ROC-AUC of -H_L, H_L the record's last
 *     `entropy` value (the model's own output entropy; text records with
 *     windows: the mean of the windows' last values);
 *   - the maximum softmax probability: ROC-AUC of `prob` (image records: the
 *     top-1 probability; text records: its mean over the generated steps);
 *     NaN when a selected record has no `prob`. */
#ifndef EL_ANALYSIS_CORRECTNESS_H
#define EL_ANALYSIS_CORRECTNESS_H

#include "analysis/analysis.h"
#include "analysis/dataset.h"

typedef struct {
    int n;              /* records with `correct` true or false */
    int n_right;        /* of those, right answers */
    int n_unknown;      /* records with `correct` null or absent */
    int dim;            /* features per record */
    double *X;          /* n x dim, the selected records' features */
    int *y;             /* n: 1 right, 0 wrong */
    double *layer_auc;  /* dim: ROC-AUC of -feature (NaN-free only with both classes) */
    double *mean_right; /* dim: mean feature of right answers */
    double *mean_wrong; /* dim: mean feature of wrong answers */
    int best;           /* feature with the highest layer_auc (first on ties) */
    double auc_last_entropy; /* baseline: ROC-AUC of -(last layer's entropy) (NaN without both classes) */
    double auc_prob;         /* baseline: ROC-AUC of `prob` (NaN when a record lacks it) */
    int n_prob;              /* selected records with a finite `prob` */
} el_correctness;

/* Selects the records with `correct` and, when both right and wrong answers
 * are present, fills layer_auc, the means and best. EL_ERR_OOM only. */
el_status el_correctness_select(const el_dataset *ds, el_correctness *c);
void el_correctness_free(el_correctness *c);

#endif
