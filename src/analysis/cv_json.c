/* Cross-validation results as JSON (see cv_json.h). */
#include "analysis/cv_json.h"

#include <stdio.h>
#include <stdlib.h>

cJSON *el_json_doubles(const double *v, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

cJSON *el_json_ints(const int *v, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

void el_cv_result_json(cJSON *o, const el_cv_result *r) {
    cJSON *acc = cJSON_AddObjectToObject(o, "accuracy");
    cJSON_AddNumberToObject(acc, "mean", r->acc_mean);
    cJSON_AddNumberToObject(acc, "std", r->acc_std);
    cJSON_AddNumberToObject(acc, "pooled", r->pooled_acc);
    cJSON_AddItemToObject(acc, "per_fold", el_json_doubles(r->fold_acc, r->n_folds));
    cJSON *auc = cJSON_AddObjectToObject(o, "auc");
    cJSON_AddNumberToObject(auc, "mean", r->auc_mean);
    cJSON_AddNumberToObject(auc, "std", r->auc_std);
    cJSON_AddNumberToObject(auc, "pooled", r->pooled_auc);
    cJSON_AddNumberToObject(auc, "folds_defined", r->auc_folds);
    cJSON_AddItemToObject(auc, "per_fold", el_json_doubles(r->fold_auc, r->n_folds));
    cJSON *base = cJSON_AddObjectToObject(o, "baseline");
    cJSON_AddStringToObject(base, "kind", "stratified random");
    cJSON_AddNumberToObject(base, "mean", r->base_mean);
    cJSON_AddNumberToObject(base, "std", r->base_std);
    cJSON_AddItemToObject(base, "per_fold", el_json_doubles(r->fold_base_acc, r->n_folds));
    cJSON *tt = cJSON_AddObjectToObject(o, "t_test");
    cJSON_AddNumberToObject(tt, "t", r->t);
    cJSON_AddNumberToObject(tt, "df", r->n_folds - 1);
    cJSON_AddNumberToObject(tt, "p", r->p);
}

const char *el_depth_desc(const el_dataset *ds) {
    static _Thread_local char buf[64];
    switch (ds->depth_used) {
    case EL_DEPTH_RESAMPLE: snprintf(buf, sizeof buf, "resample:%d", ds->depth_n); break;
    case EL_DEPTH_PAD: snprintf(buf, sizeof buf, "pad:%d", ds->depth_n); break;
    default: snprintf(buf, sizeof buf, "native"); break;
    }
    return buf;
}

cJSON *el_cv_settings_json(const char *cmd, const char *const *files, int n_files, const el_dataset_opts *o,
                           const el_dataset *ds, const el_cv_params *cv, int dim) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "command", cmd);
    cJSON *fa = cJSON_AddArrayToObject(j, "files");
    for (int i = 0; i < n_files; i++) cJSON_AddItemToArray(fa, cJSON_CreateString(files[i]));
    cJSON_AddStringToObject(j, "features", el_feature_name(o));
    cJSON_AddStringToObject(j, "depth", el_depth_desc(ds));
    cJSON_AddStringToObject(j, "depth_axis", el_depth_axis_name(ds->depth_axis));
    cJSON_AddNumberToObject(j, "dim", dim);
    cJSON_AddNumberToObject(j, "k", cv->k);
    cJSON_AddNumberToObject(j, "folds", cv->folds);
    cJSON_AddNumberToObject(j, "seed", (double)cv->seed);
    cJSON_AddBoolToObject(j, "standardize", cv->standardize);
    cJSON_AddBoolToObject(j, "shuffle", !cv->no_shuffle);
    return j;
}

void el_json_print(cJSON *o) {
    char *s = cJSON_PrintUnformatted(o);
    if (s) puts(s);
    free(s);
    cJSON_Delete(o);
}
