/* entropy-lens classify: cross-validated k-NN classification of entropy
 * profiles by a record field, against a stratified random baseline. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/cv_json.h"
#include "analysis/dataset.h"
#include "base/buffer.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "base/strbuf.h"

static const char *help =
    "Usage: entropy-lens classify FILES... --by FIELD [--k 29] [--folds 10] [--seed 42]\n"
    "                             [--features cls|patches|mean|renyi:A]\n"
    "                             [--depth native|resample:N|pad:N] [--depth-axis ends|fraction] [--no-shuffle] [--standardize]\n"
    "                             [--json] [--folds-out FILE.csv]\n"
    "\n"
    "How well do entropy profiles tell groups apart? Reads the JSONL files written\n"
    "by `entropy-lens profile` or `entropy-lens text` (`error` records and records\n"
    "without FIELD are skipped and counted) and runs stratified k-fold\n"
    "cross-validation of a k-nearest-neighbour classifier (Euclidean distance,\n"
    "uniform votes) that predicts FIELD (any top-level field: label, model, ...)\n"
    "from the profile. Reports mean and per-fold accuracy, macro one-vs-rest\n"
    "ROC-AUC of the vote fractions, per-class precision/recall, the confusion\n"
    "matrix, a stratified random baseline and a paired t-test over the folds.\n"
    "\n"
    "  --by FIELD          the record field to predict (required)\n"
    "  --k K               neighbours (default 29; capped at the training-fold size)\n"
    "  --folds K           cross-validation folds (default 10)\n"
    "  --seed S            seed of the fold shuffle (the baseline uses S + 1); default 42\n"
    "  --features F        cls: `entropy` (default; text W x L windows flattened),\n"
    "                      mean: `entropy_mean`, patches: `patch_entropy` (L x P),\n"
    "                      renyi:A: the Renyi profile `renyi[A]`\n"
    "  --depth D           profiles of different lengths: resample:N (default when\n"
    "                      lengths differ, N = 32) interpolates onto N points of\n"
    "                      normalised depth; pad:N zero-pads to N layers (the paper's\n"
    "                      notebook); native requires equal lengths\n"
    "  --depth-axis A      the normalised depth resample:N interpolates along:\n"
    "                      ends (default): block l of L at (l-1)/(L-1), first block\n"
    "                      at 0, last at 1; fraction: block l at l/L (the x axis of\n"
    "                      the paper's plots; N points at 1/N..1)\n"
    "  --no-shuffle        contiguous stratified folds, as scikit-learn's\n"
    "                      StratifiedKFold(shuffle=False) (the paper's format\n"
    "                      experiment); --seed then only seeds the baseline\n"
    "  --standardize       z-score each feature with the training fold's mean and\n"
    "                      std. Off by default: features are used as they are\n"
    "                      (the paper's setting)\n"
    "  --json              one JSON object on stdout instead of the table\n"
    "  --folds-out FILE    write the fold assignment as CSV: index,file,group,fold\n"
    "\n"
    "Folds: SplitMix64(seed) shuffles each class's records (Fisher-Yates, classes in\n"
    "sorted order), then records are dealt to folds 0,1,...,K-1,0,... class after\n"
    "class. See docs/analysis.md for every convention.\n"
    "\n"
    "Exit codes: 0 done; 2 usage error; 3 fatal (unreadable or malformed input,\n"
    "fewer than 2 groups or too few records for the folds).\n";

typedef struct {
    const char **files;
    int n_files;
    el_dataset_opts dopt;
    el_cv_params cv;
    int json;
    const char *folds_out;
} classify_args;

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, classify_args *a) {
    *a = (classify_args){.dopt = el_dataset_default_opts(), .cv = el_cv_default_params()};
    const el_opt opts[] = {
        EL_OPT_STR("by", &a->dopt.by),
        EL_OPTS_CV(a->cv),
        EL_OPTS_FEATURES(a->dopt),
        EL_OPT_STR("folds-out", &a->folds_out),
        EL_OPT_SET("json", &a->json),
        EL_OPT_TABLE_END};
    const el_cli cli = {"classify", help, NULL, opts, EL_CLI_ANY, "no input files"};
    int rc = el_cli_parse(&cli, argc, argv, &a->files, &a->n_files);
    if (rc != EL_CLI_RUN) return rc;
    if (!a->dopt.by) {
        fprintf(stderr, "entropy-lens classify: --by FIELD is required (e.g. --by label)\n");
        return EL_EXIT_USAGE;
    }
    return EL_CLI_RUN;
}

static int write_folds(const char *path, const el_dataset *ds, const int *fold) {
    el_strbuf sb = {0};
    el_sb_puts(&sb, "index,file,group,fold\n");
    for (int i = 0; i < ds->n; i++) {
        el_sb_printf(&sb, "%d,", i);
        el_sb_csv_str(&sb, ds->rec[i].file);
        el_sb_putc(&sb, ',');
        el_sb_csv_str(&sb, ds->rec[i].group);
        el_sb_printf(&sb, ",%d\n", fold[i]);
    }
    int rc = el_cli_write_file("classify", path, &sb);
    el_sb_free(&sb);
    return rc;
}

static void print_json(const classify_args *a, const el_dataset *ds, const el_cv_result *r, const int *counts) {
    cJSON *o = el_cv_settings_json("classify", a->files, a->n_files, &a->dopt, ds, &a->cv, ds->dim);
    cJSON_AddStringToObject(o, "by", a->dopt.by);
    cJSON_AddNumberToObject(o, "n", ds->n);
    cJSON *sk = cJSON_AddObjectToObject(o, "skipped");
    cJSON_AddNumberToObject(sk, "error_records", ds->n_error_records);
    cJSON_AddNumberToObject(sk, "missing_field", ds->n_missing_group);
    cJSON *cls = cJSON_AddArrayToObject(o, "classes");
    for (int c = 0; c < ds->n_groups; c++) cJSON_AddItemToArray(cls, cJSON_CreateString(ds->groups[c]));
    cJSON_AddItemToObject(o, "class_counts", el_json_ints(counts, ds->n_groups));
    el_cv_result_json(o, r);
    cJSON *pc = cJSON_AddArrayToObject(o, "per_class");
    for (int c = 0; c < ds->n_groups; c++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "class", ds->groups[c]);
        cJSON_AddNumberToObject(e, "support", r->support[c]);
        cJSON_AddNumberToObject(e, "precision", r->precision[c]);
        cJSON_AddNumberToObject(e, "recall", r->recall[c]);
        cJSON_AddItemToArray(pc, e);
    }
    cJSON *cm = cJSON_AddArrayToObject(o, "confusion");
    for (int c = 0; c < ds->n_groups; c++)
        cJSON_AddItemToArray(cm, el_json_ints(r->confusion + (size_t)c * ds->n_groups, ds->n_groups));
    cJSON_AddItemToObject(o, "fold_sizes", el_json_ints(r->fold_size, r->n_folds));
    el_json_print(o);
}

static void print_table(const classify_args *a, const el_dataset *ds, const el_cv_result *r, const int *counts) {
    printf("%d records from %d file%s (skipped: %d error records, %d without `%s`)\n", ds->n, a->n_files,
           a->n_files == 1 ? "" : "s", ds->n_error_records, ds->n_missing_group, a->dopt.by);
    printf("features %s, depth %s, %d values; k = %d, %d %sfolds, seed %llu, %s\n", el_feature_name(&a->dopt),
           el_depth_desc(ds), ds->dim, a->cv.k, a->cv.folds, a->cv.no_shuffle ? "unshuffled " : "", (unsigned long long)a->cv.seed,
           a->cv.standardize ? "standardised" : "not standardised");
    printf("\n");
    printf("k-NN accuracy          %.4f +- %.4f   (pooled out-of-fold %.4f)\n", r->acc_mean, r->acc_std,
           r->pooled_acc);
    printf("macro OvR ROC-AUC      %.4f +- %.4f   (pooled out-of-fold %.4f)\n", r->auc_mean, r->auc_std,
           r->pooled_auc);
    printf("baseline accuracy      %.4f +- %.4f   (stratified random)\n", r->base_mean, r->base_std);
    printf("paired t-test          t = %.4g, df = %d, two-sided p = %.4g\n", r->t, r->n_folds - 1, r->p);
    printf("\nfold  size  accuracy  AUC     baseline\n");
    for (int f = 0; f < r->n_folds; f++)
        printf("%4d  %4d  %.4f    %.4f  %.4f\n", f, r->fold_size[f], r->fold_acc[f], r->fold_auc[f],
               r->fold_base_acc[f]);
    int w = 5;
    for (int c = 0; c < ds->n_groups; c++) {
        int l = (int)strlen(ds->groups[c]);
        if (l > w) w = l;
    }
    if (w > 40) w = 40;
    printf("\n%-*s  %6s  %9s  %6s\n", w, "class", "n", "precision", "recall");
    for (int c = 0; c < ds->n_groups; c++)
        printf("%-*.*s  %6d  %9.4f  %6.4f\n", w, w, ds->groups[c], counts[c], r->precision[c], r->recall[c]);
    printf("\nconfusion matrix (rows: true class, columns: predicted, in the order above)\n");
    for (int c = 0; c < ds->n_groups; c++) {
        printf("%-*.*s ", w, w, ds->groups[c]);
        for (int k = 0; k < ds->n_groups; k++) printf(" %5d", r->confusion[(size_t)c * ds->n_groups + k]);
        printf("\n");
    }
}

/* Cross-validation on the loaded data set, then the table or JSON. */
static int run(void *ctx, el_dataset *ds) {
    const classify_args *a = ctx;
    int *y = malloc(sizeof(int) * (size_t)(ds->n ? ds->n : 1));
    int *counts = calloc((size_t)(ds->n_groups ? ds->n_groups : 1), sizeof(int));
    el_cv_result r;
    memset(&r, 0, sizeof r);
    int code = EL_EXIT_FATAL;
    if (!y || !counts)
        fprintf(stderr, "entropy-lens classify: out of memory\n");
    else if (ds->n_groups < 2)
        fprintf(stderr, "entropy-lens classify: need at least 2 distinct values of `%s`, found %d (%d records)\n",
                a->dopt.by, ds->n_groups, ds->n);
    else if (a->cv.folds > ds->n)
        fprintf(stderr, "entropy-lens classify: %d folds need at least %d records, have %d\n", a->cv.folds,
                a->cv.folds, ds->n);
    else
        code = EL_EXIT_OK;
    for (int i = 0; code == EL_EXIT_OK && i < ds->n; i++) counts[y[i] = ds->rec[i].group_index]++;
    for (int c = 0; code == EL_EXIT_OK && c < ds->n_groups; c++)
        if (counts[c] < a->cv.folds)
            fprintf(stderr,
                    "entropy-lens classify: warning: `%s` = \"%s\" has %d records, fewer than the %d folds "
                    "(some test folds lack it)\n",
                    a->dopt.by, ds->groups[c], counts[c], a->cv.folds);
    if (code == EL_EXIT_OK && el_cv_knn(ds->X, y, ds->n, ds->dim, ds->n_groups, &a->cv, &r) != EL_OK) {
        fprintf(stderr, "entropy-lens classify: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
    }
    if (code == EL_EXIT_OK && a->folds_out && write_folds(a->folds_out, ds, r.fold)) code = EL_EXIT_FATAL;
    if (code == EL_EXIT_OK) {
        if (a->json) print_json(a, ds, &r, counts);
        else print_table(a, ds, &r, counts);
        if (fflush(stdout) != 0) code = EL_EXIT_FATAL;
    }
    el_cv_free(&r);
    EL_FREE_ALL(y, counts);
    return code;
}

int cmd_classify(int argc, char **argv) {
    classify_args a;
    int code = parse_args(argc, argv, &a);
    if (code == EL_CLI_RUN) code = el_cli_on_dataset("classify", a.files, a.n_files, &a.dopt, run, &a);
    free(a.files);
    return code;
}
