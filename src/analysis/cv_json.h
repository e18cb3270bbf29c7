/* Cross-validation results as JSON, one shape for every command that
 * prints them (classify --json, correctness --json). */
#ifndef EL_ANALYSIS_CV_JSON_H
#define EL_ANALYSIS_CV_JSON_H

#include <cjson/cJSON.h>

#include "analysis/analysis.h"
#include "analysis/dataset.h"

/* Adds to o: "accuracy" and "auc" {mean, std, pooled, per_fold; auc also
 * folds_defined}, "baseline" {kind, mean, std, per_fold} and "t_test" {t, df, p}. */
void el_cv_result_json(cJSON *o, const el_cv_result *r);
/* A new object with the run's settings: command, files, features, depth
 * (as the data set resolved it), depth_axis, dim, k, folds, seed, standardize. */
cJSON *el_cv_settings_json(const char *cmd, const char *const *files, int n_files, const el_dataset_opts *o,
                           const el_dataset *ds, const el_cv_params *cv, int dim);
/* "native", "resample:N" or "pad:N": how the data set aligned its profiles. */
const char *el_depth_desc(const el_dataset *ds);
/* Prints o on one line of stdout and deletes it. */
void el_json_print(cJSON *o);
cJSON *el_json_doubles(const double *v, int n);
cJSON *el_json_ints(const int *v, int n);

#endif
