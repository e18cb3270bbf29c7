/* entropy-lens correctness: how well entropy profiles predict whether the
 * model's top-1 answer is right. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/correctness.h"
#include "analysis/cv_json.h"
#include "cli/cli.h"
#include "cli/options.h"

static const char *help =
    "Usage: entropy-lens correctness FILES... [--folds 10] [--seed 42] [--k 29]\n"
    "                                [--features cls|patches|mean|renyi:A]\n"
    "                                [--depth native|resample:N|pad:N] [--no-shuffle] [--standardize] [--json]\n"
    "\n"
    "Does the entropy profile know when the model is right? Uses the records of\n"
    "the JSONL files (from `entropy-lens profile` with labels) whose `correct` is\n"
    "true or false; `error` records and records with `correct` null or absent are\n"
    "skipped and counted. Reports:\n"
    "  - the cross-validated k-NN ROC-AUC for predicting `correct` from the whole\n"
    "    profile (positive class: correct; score: the fraction of the k neighbours\n"
    "    that are correct), with accuracy, a stratified random baseline and a\n"
    "    paired t-test over the folds, exactly as `classify`;\n"
    "  - for every layer on its own, the ROC-AUC of -entropy as a score (low\n"
    "    entropy = confident = predicted correct; 0.5 is chance) on all records;\n"
    "  - the mean profile of right and of wrong answers;\n"
    "  - beside the profile's AUC, two baselines that need no profile, on the same\n"
    "    records: the ROC-AUC of -entropy of the last layer alone and of `prob`\n"
    "    (the top-1 softmax probability; text: its mean over the steps).\n"
    "\n"
    "  --k K               neighbours (default 29; capped at the training-fold size)\n"
    "  --folds K           cross-validation folds (default 10)\n"
    "  --seed S            seed of the fold shuffle (baseline: S + 1); default 42\n"
    "  --features F        cls (default), mean, patches or renyi:A (see classify --help)\n"
    "  --depth D           native, resample:N or pad:N (see classify --help)\n"
    "  --depth-axis A      ends (default) or fraction: the axis resample:N uses\n"
    "                      (see classify --help; fraction is the paper's l/L)\n"
    "  --no-shuffle        contiguous folds, as StratifiedKFold(shuffle=False)\n"
    "  --standardize       z-score features with the training fold's statistics\n"
    "                      (off by default: the paper's setting)\n"
    "  --json              one JSON object on stdout instead of the table\n"
    "\n"
    "Exit codes: 0 done; 2 usage error; 3 fatal (unreadable or malformed input,\n"
    "no right or no wrong answers, or too few records for the folds).\n";

/* Where feature j sits: layer/depth and window/patch. */
typedef struct {
    int window, patch; /* -1 when not applicable */
    int layer;         /* layer number (native, pad), -1 for resampled */
    double depth;      /* normalised depth in [0, 1] */
} feat_pos;

static feat_pos position(const el_dataset *ds, const el_dataset_opts *o, int j) {
    feat_pos p = {-1, -1, -1, 0.0};
    int l;
    if (o->feature == EL_FEAT_PATCHES) {
        l = j / ds->feat_cols;
        p.patch = j % ds->feat_cols;
    } else {
        l = j % ds->feat_cols;
        if (ds->feat_rows > 1) p.window = j / ds->feat_cols;
    }
    int first = ds->n ? ds->rec[0].first_layer : 1;
    p.depth = el_depth_x(ds->depth_axis, l, ds->depth_n, ds->depth_used == EL_DEPTH_RESAMPLE ? 1 : first);
    if (ds->depth_used != EL_DEPTH_RESAMPLE) p.layer = first + l;
    return p;
}

static void pos_label(const feat_pos *p, char *buf, size_t n) {
    char a[32] = "";
    if (p->window >= 0) snprintf(a, sizeof a, "w%d ", p->window + 1);
    else if (p->patch >= 0) snprintf(a, sizeof a, "p%d ", p->patch);
    if (p->layer >= 0) snprintf(buf, n, "%slayer %d", a, p->layer);
    else snprintf(buf, n, "%sdepth %.3f", a, p->depth);
}

typedef struct {
    el_dataset_opts dopt;
    el_cv_params cv;
    int json, n_files;
    const char **files;
} corr_args;

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, corr_args *a) {
    const el_opt opts[] = {
        EL_OPTS_CV(a->cv),
        EL_OPTS_FEATURES(a->dopt),
        EL_OPT_SET("json", &a->json),
        EL_OPT_TABLE_END};
    const el_cli cli = {"correctness", help, NULL, opts, EL_CLI_ANY, "no input files"};
    return el_cli_parse(&cli, argc, argv, &a->files, &a->n_files);
}

static void add_cv_json(cJSON *o, const el_cv_result *r) { el_cv_result_json(cJSON_AddObjectToObject(o, "knn"), r); }

static void add_layers_json(cJSON *o, const el_dataset *ds, const corr_args *a, const el_correctness *c) {
    cJSON *ls = cJSON_AddArrayToObject(o, "layers");
    for (int j = 0; j < c->dim; j++) {
        feat_pos p = position(ds, &a->dopt, j);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "index", j);
        if (p.window >= 0) cJSON_AddNumberToObject(e, "window", p.window + 1);
        if (p.patch >= 0) cJSON_AddNumberToObject(e, "patch", p.patch);
        if (p.layer >= 0) cJSON_AddNumberToObject(e, "layer", p.layer);
        cJSON_AddNumberToObject(e, "depth", p.depth);
        cJSON_AddNumberToObject(e, "auc", c->layer_auc[j]);
        cJSON_AddNumberToObject(e, "mean_correct", c->mean_right[j]);
        cJSON_AddNumberToObject(e, "mean_wrong", c->mean_wrong[j]);
        cJSON_AddItemToArray(ls, e);
    }
}

static void print_json(const el_dataset *ds, const corr_args *a, const el_correctness *c, const el_cv_result *r) {
    cJSON *o = el_cv_settings_json("correctness", a->files, a->n_files, &a->dopt, ds, &a->cv, c->dim);
    cJSON_AddNumberToObject(o, "n", c->n);
    cJSON_AddNumberToObject(o, "n_correct", c->n_right);
    cJSON_AddNumberToObject(o, "n_wrong", c->n - c->n_right);
    cJSON_AddNumberToObject(o, "model_accuracy", (double)c->n_right / c->n);
    cJSON *sk = cJSON_AddObjectToObject(o, "skipped");
    cJSON_AddNumberToObject(sk, "error_records", ds->n_error_records);
    cJSON_AddNumberToObject(sk, "correct_null", c->n_unknown);
    add_cv_json(o, r);
    cJSON *bl = cJSON_AddObjectToObject(o, "baselines");
    if (isfinite(c->auc_last_entropy)) cJSON_AddNumberToObject(bl, "last_layer_entropy_auc", c->auc_last_entropy);
    else cJSON_AddNullToObject(bl, "last_layer_entropy_auc");
    if (isfinite(c->auc_prob)) cJSON_AddNumberToObject(bl, "max_prob_auc", c->auc_prob);
    else cJSON_AddNullToObject(bl, "max_prob_auc");
    add_layers_json(o, ds, a, c);
    cJSON_AddNumberToObject(o, "best_index", c->best);
    cJSON_AddItemToObject(o, "mean_profile_correct", el_json_doubles(c->mean_right, c->dim));
    cJSON_AddItemToObject(o, "mean_profile_wrong", el_json_doubles(c->mean_wrong, c->dim));
    el_json_print(o);
}

static void print_table(const el_dataset *ds, const corr_args *a, const el_correctness *c, const el_cv_result *r) {
    const int n = c->n;
    printf("%d records with `correct`: %d right, %d wrong (model accuracy %.4f); skipped %d with `correct` "
           "null or absent, %d error records\n",
           n, c->n_right, n - c->n_right, (double)c->n_right / n, c->n_unknown, ds->n_error_records);
    printf("features %s, depth %s, %d values; k = %d, %d %sfolds, seed %llu, %s\n", el_feature_name(&a->dopt),
           ds->depth_used == EL_DEPTH_RESAMPLE ? "resampled" : ds->depth_used == EL_DEPTH_PAD ? "padded" : "native",
           c->dim, a->cv.k, a->cv.folds, a->cv.no_shuffle ? "unshuffled " : "", (unsigned long long)a->cv.seed,
           a->cv.standardize ? "standardised" : "not standardised");
    printf("\nk-NN ROC-AUC (correct)   %.4f +- %.4f   (pooled out-of-fold %.4f)\n", r->auc_mean, r->auc_std,
           r->pooled_auc);
    printf("  baseline: last layer   %.4f            (ROC-AUC of -entropy of the last layer alone)\n",
           c->auc_last_entropy);
    if (isfinite(c->auc_prob))
        printf("  baseline: max prob     %.4f            (ROC-AUC of `prob`, the top-1 softmax probability)\n",
               c->auc_prob);
    else
        printf("  baseline: max prob     n/a               (%d of %d records have `prob`)\n", c->n_prob, n);
    printf("k-NN accuracy            %.4f +- %.4f   (pooled out-of-fold %.4f)\n", r->acc_mean, r->acc_std,
           r->pooled_acc);
    printf("baseline accuracy        %.4f +- %.4f   (stratified random)\n", r->base_mean, r->base_std);
    printf("paired t-test            t = %.4g, df = %d, two-sided p = %.4g\n", r->t, r->n_folds - 1, r->p);
    printf("\nsingle-layer ROC-AUC of -entropy (lower entropy -> predicted correct)\n");
    printf("%-20s  %7s  %12s  %12s\n", "position", "AUC", "mean correct", "mean wrong");
    for (int j = 0; j < c->dim; j++) {
        feat_pos p = position(ds, &a->dopt, j);
        char lab[64];
        pos_label(&p, lab, sizeof lab);
        printf("%-20s  %7.4f  %12.4f  %12.4f%s\n", lab, c->layer_auc[j], c->mean_right[j], c->mean_wrong[j],
               j == c->best ? "  <- best" : "");
    }
}

/* Checks that the folds can run; 0 or the exit code. */
static int check_counts(const el_correctness *c, const el_dataset *ds, int folds) {
    const int n_wrong = c->n - c->n_right;
    if (c->n_right == 0 || n_wrong == 0) {
        fprintf(stderr,
                "entropy-lens correctness: need both right and wrong answers; %d records have `correct` true, %d "
                "false (%d null or absent, %d error records)\n",
                c->n_right, n_wrong, c->n_unknown, ds->n_error_records);
        return EL_EXIT_FATAL;
    }
    if (folds > c->n) {
        fprintf(stderr, "entropy-lens correctness: %d folds need at least %d records with `correct`, have %d\n",
                folds, folds, c->n);
        return EL_EXIT_FATAL;
    }
    if (c->n_right < folds || n_wrong < folds)
        fprintf(stderr,
                "entropy-lens correctness: warning: %d right and %d wrong answers, fewer than the %d folds "
                "(folds without both have no AUC)\n",
                c->n_right, n_wrong, folds);
    return 0;
}

static int run(void *ctx, el_dataset *ds) {
    const corr_args *a = ctx;
    el_correctness c;
    el_cv_result r;
    memset(&r, 0, sizeof r);
    if (el_correctness_select(ds, &c) != EL_OK) {
        fprintf(stderr, "entropy-lens correctness: %s\n", el_last_error());
        return EL_EXIT_FATAL;
    }
    int code = check_counts(&c, ds, a->cv.folds);
    if (!code && el_cv_knn(c.X, c.y, c.n, c.dim, 2, &a->cv, &r) != EL_OK) {
        fprintf(stderr, "entropy-lens correctness: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
    }
    if (!code) {
        if (a->json) print_json(ds, a, &c, &r);
        else print_table(ds, a, &c, &r);
        if (fflush(stdout) != 0) code = EL_EXIT_FATAL;
    }
    el_cv_free(&r);
    el_correctness_free(&c);
    return code;
}

int cmd_correctness(int argc, char **argv) {
    corr_args a = {el_dataset_default_opts(), el_cv_default_params(), 0, 0, NULL};
    int code = parse_args(argc, argv, &a);
    if (code == EL_CLI_RUN) code = el_cli_on_dataset("correctness", a.files, a.n_files, &a.dopt, run, &a);
    free(a.files);
    return code;
}
