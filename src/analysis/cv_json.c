/* Cross-validation results as JSON (see cv_json.h). */
#include "analysis/cv_json.h"

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
