/* Cross-validation results as JSON, one shape for every command that
 * prints them (classify --json, correctness --json). */
#ifndef EL_ANALYSIS_CV_JSON_H
#define EL_ANALYSIS_CV_JSON_H

#include <cjson/cJSON.h>

#include "analysis/analysis.h"

/* Adds to o: "accuracy" and "auc" {mean, std, pooled, per_fold; auc also
 * folds_defined}, "baseline" {kind, mean, std, per_fold} and "t_test" {t, df, p}. */
void el_cv_result_json(cJSON *o, const el_cv_result *r);
cJSON *el_json_doubles(const double *v, int n);
cJSON *el_json_ints(const int *v, int n);

#endif
