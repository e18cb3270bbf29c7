/* entropy-lens correctness: how well entropy profiles predict whether the
 * model's top-1 answer is right. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/dataset.h"
#include "cli/cli.h"

static const char *help =
    "Usage: entropy-lens correctness FILES... [--folds 10] [--seed 42] [--k 29]\n"
    "                                [--features cls|patches|mean|renyi:A]\n"
    "                                [--depth native|resample:N|pad:N] [--standardize] [--json]\n"
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
    "  - the mean profile of right and of wrong answers.\n"
    "\n"
    "  --k K               neighbours (default 29; capped at the training-fold size)\n"
    "  --folds K           cross-validation folds (default 10)\n"
    "  --seed S            seed of the fold shuffle (baseline: S + 1); default 42\n"
    "  --features F        cls (default), mean, patches or renyi:A (see classify --help)\n"
    "  --depth D           native, resample:N or pad:N (see classify --help)\n"
    "  --standardize       z-score features with the training fold's statistics\n"
    "                      (off by default: the paper's setting)\n"
    "  --json              one JSON object on stdout instead of the table\n"
    "\n"
    "Exit codes: 0 done; 2 usage error; 3 fatal (unreadable or malformed input,\n"
    "no right or no wrong answers, or too few records for the folds).\n";

static cJSON *num_array(const double *v, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

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
    p.depth = el_normalised_depth(l, ds->depth_n);
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

int cmd_correctness(int argc, char **argv) {
    el_dataset_opts dopt = el_dataset_default_opts();
    el_cv_params cv = {29, 10, 42, 0};
    int json = 0, n_files = 0;
    const char **files = calloc((size_t)argc, sizeof(char *));
    if (!files) return EL_EXIT_FATAL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        long l;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            free(files);
            return EL_EXIT_OK;
        } else if ((v = el_opt_value(argc, argv, &i, "--k"))) {
            if (el_parse_int("correctness", "--k", v, 1, 1000000, &l)) goto usage;
            cv.k = (int)l;
        } else if ((v = el_opt_value(argc, argv, &i, "--folds"))) {
            if (el_parse_int("correctness", "--folds", v, 2, 1000000, &l)) goto usage;
            cv.folds = (int)l;
        } else if ((v = el_opt_value(argc, argv, &i, "--seed"))) {
            if (el_parse_u64("correctness", "--seed", v, &cv.seed)) goto usage;
        } else if ((v = el_opt_value(argc, argv, &i, "--features"))) {
            if (el_parse_feature(v, &dopt)) {
                fprintf(stderr, "entropy-lens correctness: --features is cls, mean, patches or renyi:A, got '%s'\n",
                        v);
                goto usage;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "--depth"))) {
            if (el_parse_depth(v, &dopt)) {
                fprintf(stderr, "entropy-lens correctness: --depth is native, resample:N or pad:N, got '%s'\n", v);
                goto usage;
            }
        } else if (!strcmp(argv[i], "--standardize") || !strcmp(argv[i], "--standardise")) {
            cv.standardize = 1;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "entropy-lens correctness: unknown or incomplete option '%s' (see --help)\n", argv[i]);
            goto usage;
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (!n_files) {
        fprintf(stderr, "entropy-lens correctness: no input files (see --help)\n");
        goto usage;
    }

    el_dataset ds;
    if (el_dataset_load(files, n_files, &dopt, &ds) != EL_OK) {
        fprintf(stderr, "entropy-lens correctness: %s\n", el_last_error());
        free(files);
        return EL_EXIT_FATAL;
    }
    int code = EL_EXIT_OK, D = ds.dim, n = 0, n_right = 0;
    int nalloc = ds.n ? ds.n : 1, dalloc = D ? D : 1;
    double *X = malloc(sizeof(double) * (size_t)nalloc * dalloc);
    int *y = malloc(sizeof(int) * (size_t)nalloc);
    double *score = malloc(sizeof(double) * (size_t)nalloc);
    double *layer_auc = malloc(sizeof(double) * (size_t)dalloc);
    double *mean_right = calloc((size_t)dalloc, sizeof(double)), *mean_wrong = calloc((size_t)dalloc, sizeof(double));
    el_cv_result r;
    memset(&r, 0, sizeof r);
    if (!X || !y || !score || !layer_auc || !mean_right || !mean_wrong) {
        fprintf(stderr, "entropy-lens correctness: out of memory\n");
        code = EL_EXIT_FATAL;
        goto done;
    }
    for (int i = 0; i < ds.n; i++) {
        if (ds.rec[i].correct < 0) continue;
        memcpy(X + (size_t)n * D, ds.X + (size_t)i * D, sizeof(double) * (size_t)D);
        y[n] = ds.rec[i].correct;
        n_right += y[n];
        n++;
    }
    int n_wrong = n - n_right, n_unknown = ds.n - n;
    if (n_right == 0 || n_wrong == 0) {
        fprintf(stderr,
                "entropy-lens correctness: need both right and wrong answers; %d records have `correct` true, %d "
                "false (%d null or absent, %d error records)\n",
                n_right, n_wrong, n_unknown, ds.n_error_records);
        code = EL_EXIT_FATAL;
        goto done;
    }
    if (cv.folds > n) {
        fprintf(stderr, "entropy-lens correctness: %d folds need at least %d records with `correct`, have %d\n",
                cv.folds, cv.folds, n);
        code = EL_EXIT_FATAL;
        goto done;
    }
    if (n_right < cv.folds || n_wrong < cv.folds)
        fprintf(stderr,
                "entropy-lens correctness: warning: %d right and %d wrong answers, fewer than the %d folds "
                "(folds without both have no AUC)\n",
                n_right, n_wrong, cv.folds);
    if (el_cv_knn(X, y, n, D, 2, &cv, &r) != EL_OK) {
        fprintf(stderr, "entropy-lens correctness: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
        goto done;
    }
    int best = 0;
    for (int j = 0; j < D; j++) {
        for (int i = 0; i < n; i++) {
            double v = X[(size_t)i * D + j];
            score[i] = -v;
            if (y[i]) mean_right[j] += v;
            else mean_wrong[j] += v;
        }
        mean_right[j] /= n_right;
        mean_wrong[j] /= n_wrong;
        layer_auc[j] = el_auc(score, y, n);
        if (layer_auc[j] > layer_auc[best]) best = j;
    }

    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "command", "correctness");
        cJSON *fa = cJSON_AddArrayToObject(o, "files");
        for (int i = 0; i < n_files; i++) cJSON_AddItemToArray(fa, cJSON_CreateString(files[i]));
        cJSON_AddStringToObject(o, "features", el_feature_name(&dopt));
        char dd[48];
        if (ds.depth_used == EL_DEPTH_RESAMPLE) snprintf(dd, sizeof dd, "resample:%d", ds.depth_n);
        else if (ds.depth_used == EL_DEPTH_PAD) snprintf(dd, sizeof dd, "pad:%d", ds.depth_n);
        else snprintf(dd, sizeof dd, "native");
        cJSON_AddStringToObject(o, "depth", dd);
        cJSON_AddNumberToObject(o, "dim", D);
        cJSON_AddNumberToObject(o, "k", cv.k);
        cJSON_AddNumberToObject(o, "folds", cv.folds);
        cJSON_AddNumberToObject(o, "seed", (double)cv.seed);
        cJSON_AddBoolToObject(o, "standardize", cv.standardize);
        cJSON_AddNumberToObject(o, "n", n);
        cJSON_AddNumberToObject(o, "n_correct", n_right);
        cJSON_AddNumberToObject(o, "n_wrong", n_wrong);
        cJSON_AddNumberToObject(o, "model_accuracy", (double)n_right / n);
        cJSON *sk = cJSON_AddObjectToObject(o, "skipped");
        cJSON_AddNumberToObject(sk, "error_records", ds.n_error_records);
        cJSON_AddNumberToObject(sk, "correct_null", n_unknown);
        cJSON *knn = cJSON_AddObjectToObject(o, "knn");
        cJSON *auc = cJSON_AddObjectToObject(knn, "auc");
        cJSON_AddNumberToObject(auc, "mean", r.auc_mean);
        cJSON_AddNumberToObject(auc, "std", r.auc_std);
        cJSON_AddNumberToObject(auc, "pooled", r.pooled_auc);
        cJSON_AddNumberToObject(auc, "folds_defined", r.auc_folds);
        cJSON_AddItemToObject(auc, "per_fold", num_array(r.fold_auc, r.n_folds));
        cJSON *acc = cJSON_AddObjectToObject(knn, "accuracy");
        cJSON_AddNumberToObject(acc, "mean", r.acc_mean);
        cJSON_AddNumberToObject(acc, "std", r.acc_std);
        cJSON_AddNumberToObject(acc, "pooled", r.pooled_acc);
        cJSON_AddItemToObject(acc, "per_fold", num_array(r.fold_acc, r.n_folds));
        cJSON *base = cJSON_AddObjectToObject(knn, "baseline");
        cJSON_AddNumberToObject(base, "mean", r.base_mean);
        cJSON_AddNumberToObject(base, "std", r.base_std);
        cJSON_AddItemToObject(base, "per_fold", num_array(r.fold_base_acc, r.n_folds));
        cJSON *tt = cJSON_AddObjectToObject(knn, "t_test");
        cJSON_AddNumberToObject(tt, "t", r.t);
        cJSON_AddNumberToObject(tt, "df", r.n_folds - 1);
        cJSON_AddNumberToObject(tt, "p", r.p);
        cJSON *ls = cJSON_AddArrayToObject(o, "layers");
        for (int j = 0; j < D; j++) {
            feat_pos p = position(&ds, &dopt, j);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "index", j);
            if (p.window >= 0) cJSON_AddNumberToObject(e, "window", p.window + 1);
            if (p.patch >= 0) cJSON_AddNumberToObject(e, "patch", p.patch);
            if (p.layer >= 0) cJSON_AddNumberToObject(e, "layer", p.layer);
            cJSON_AddNumberToObject(e, "depth", p.depth);
            cJSON_AddNumberToObject(e, "auc", layer_auc[j]);
            cJSON_AddNumberToObject(e, "mean_correct", mean_right[j]);
            cJSON_AddNumberToObject(e, "mean_wrong", mean_wrong[j]);
            cJSON_AddItemToArray(ls, e);
        }
        cJSON_AddNumberToObject(o, "best_index", best);
        cJSON_AddItemToObject(o, "mean_profile_correct", num_array(mean_right, D));
        cJSON_AddItemToObject(o, "mean_profile_wrong", num_array(mean_wrong, D));
        char *s = cJSON_PrintUnformatted(o);
        if (s) puts(s);
        free(s);
        cJSON_Delete(o);
    } else {
        printf("%d records with `correct`: %d right, %d wrong (model accuracy %.4f); skipped %d with `correct` "
               "null or absent, %d error records\n",
               n, n_right, n_wrong, (double)n_right / n, n_unknown, ds.n_error_records);
        printf("features %s, depth %s, %d values; k = %d, %d folds, seed %llu, %s\n", el_feature_name(&dopt),
               ds.depth_used == EL_DEPTH_RESAMPLE ? "resampled" : ds.depth_used == EL_DEPTH_PAD ? "padded" : "native",
               D, cv.k, cv.folds, (unsigned long long)cv.seed, cv.standardize ? "standardised" : "not standardised");
        printf("\nk-NN ROC-AUC (correct)   %.4f +- %.4f   (pooled out-of-fold %.4f)\n", r.auc_mean, r.auc_std,
               r.pooled_auc);
        printf("k-NN accuracy            %.4f +- %.4f   (pooled out-of-fold %.4f)\n", r.acc_mean, r.acc_std,
               r.pooled_acc);
        printf("baseline accuracy        %.4f +- %.4f   (stratified random)\n", r.base_mean, r.base_std);
        printf("paired t-test            t = %.4g, df = %d, two-sided p = %.4g\n", r.t, r.n_folds - 1, r.p);
        printf("\nsingle-layer ROC-AUC of -entropy (lower entropy -> predicted correct)\n");
        printf("%-20s  %7s  %12s  %12s\n", "position", "AUC", "mean correct", "mean wrong");
        for (int j = 0; j < D; j++) {
            feat_pos p = position(&ds, &dopt, j);
            char lab[64];
            pos_label(&p, lab, sizeof lab);
            printf("%-20s  %7.4f  %12.4f  %12.4f%s\n", lab, layer_auc[j], mean_right[j], mean_wrong[j],
                   j == best ? "  <- best" : "");
        }
    }
    if (fflush(stdout) != 0) code = EL_EXIT_FATAL;
done:
    el_cv_free(&r);
    free(X);
    free(y);
    free(score);
    free(layer_auc);
    free(mean_right);
    free(mean_wrong);
    el_dataset_free(&ds);
    free(files);
    return code;
usage:
    free(files);
    return EL_EXIT_USAGE;
}
