/* Analysis numerics against scikit-learn / scipy / numpy (fixtures from
 * tools/reference/analysis_reference.py), the dataset reader, depth alignment, folds,
 * special functions, PCA, t-SNE, and the classify / correctness / embed
 * commands end to end. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "analysis/dataset.h"
#include "test_util.h"

#define FIX EL_SOURCE_DIR "/tests/fixtures/analysis/"

static char tmpdir[256];

static double jnum(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double jidx(const cJSON *arr, int i) {
    const cJSON *v = cJSON_GetArrayItem(arr, i);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static el_status load(const char *file, const char *by, el_dataset_opts *o, el_dataset *ds) {
    el_dataset_opts d = el_dataset_default_opts();
    if (!o) o = &d;
    o->by = by;
    const char *paths[1] = {file};
    return el_dataset_load(paths, 1, o, ds);
}

/* ---------------------------------------------------------------- reader */

static void test_reader_mixed(void) {
    el_dataset ds;
    el_dataset_opts o = el_dataset_default_opts();
    o.need_features = 0;
    o.keep_patches = 1;
    CHECK(load(FIX "mixed.jsonl", NULL, &o, &ds) == EL_OK);
    CHECK(ds.n == 4);
    CHECK(ds.n_error_records == 1);
    CHECK(ds.n_missing_group == 0);
    CHECK(ds.n_lines == 5);
    CHECK(ds.n_groups == 1 && !strcmp(ds.groups[0], ""));
    if (ds.n == 4) {
        const el_record *a = &ds.rec[0], *t = &ds.rec[1], *c = &ds.rec[2], *d = &ds.rec[3];
        CHECK(!strcmp(a->file, "img/a.png") && !a->is_text && a->line == 1);
        CHECK(a->first_layer == 0 && a->n_layers == 3 && a->n_windows == 1);
        CHECK(a->entropy[0] == 3.0 && a->entropy[2] == 1.0);
        CHECK(a->correct == 1 && a->top1 == 0 && a->prob == 0.75);
        CHECK(!strcmp(a->model, "vit-small") && a->label && !strcmp(a->label, "cat"));
        CHECK(a->n_patches == 4 && a->patch && a->patch[5] == 6.0 && a->patch[11] == 12.0);
        CHECK(t->is_text && !strcmp(t->file, "Once upon") && t->line == 4);
        CHECK(t->n_windows == 2 && t->n_layers == 3 && t->entropy[3] == 1.0 && t->entropy[5] == 0.25);
        CHECK(t->label && !strcmp(t->label, "7"));
        CHECK(t->correct == -1 && t->top1 == -1 && isnan(t->prob) && t->first_layer == 1);
        CHECK(c->label == NULL && c->correct == -1 && c->top1 == 1);
        CHECK(d->correct == 0 && d->label == NULL);
        CHECK(el_dataset_find(&ds, "img/a.png") == a);
        CHECK(el_dataset_find(&ds, "a.png") == a);
        CHECK(el_dataset_find(&ds, "Once upon") == t);
        CHECK(el_dataset_find(&ds, "g/a.png") == NULL); /* tails match whole path components */
        CHECK(el_dataset_find(&ds, "nope.png") == NULL);
    }
    el_dataset_free(&ds);

    /* Group by label: null and absent labels are skipped and counted; numbers
     * are stringified; groups sorted by byte order. CLS features of a 1-window
     * and a 2-window record cannot be one matrix: the error names the record. */
    CHECK(load(FIX "mixed.jsonl", "label", NULL, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "mixed.jsonl:4:") != NULL, "%s", el_last_error());
    o = el_dataset_default_opts();
    o.need_features = 0;
    CHECK(load(FIX "mixed.jsonl", "label", &o, &ds) == EL_OK);
    CHECK(ds.n == 2 && ds.n_missing_group == 2 && ds.n_error_records == 1);
    CHECK(ds.n_groups == 2 && !strcmp(ds.groups[0], "7") && !strcmp(ds.groups[1], "cat"));
    if (ds.n == 2) CHECK(ds.rec[0].group_index == 1 && ds.rec[1].group_index == 0);
    el_dataset_free(&ds);

    /* Text W x L flattened row-major; a boolean field as the group. */
    CHECK(load(FIX "mixed.jsonl", "difficulty", NULL, &ds) == EL_OK);
    CHECK(ds.n == 1 && ds.dim == 6 && ds.feat_rows == 2 && ds.feat_cols == 3);
    CHECK(ds.n_groups == 1 && !strcmp(ds.groups[0], "true"));
    if (ds.n == 1) {
        const double want[6] = {4, 3, 2, 1, 0.5, 0.25};
        for (int j = 0; j < 6; j++) CHECK(ds.X[j] == want[j]);
    }
    el_dataset_free(&ds);

    /* Feature kinds on the image record (label_index is 0 for it only). */
    struct {
        const char *feat;
        int dim;
        double v0, v_last;
    } fk[] = {{"cls", 3, 3.0, 1.0},       {"mean", 3, 3.5, 1.5},      {"patches", 12, 1, 12},
              {"renyi:2", 3, 2.9, 0.9},   {"renyi:2.0", 3, 2.9, 0.9}, {"renyi:inf", 3, 2.5, 0.5},
              {"renyi:0.50", 3, 3.1, 1.1}};
    for (size_t q = 0; q < sizeof fk / sizeof fk[0]; q++) {
        o = el_dataset_default_opts();
        CHECK(el_parse_feature(fk[q].feat, &o) == 0);
        el_status s = load(FIX "mixed.jsonl", "label_index", &o, &ds);
        CHECK_MSG(s == EL_OK, "%s: %s", fk[q].feat, el_last_error());
        CHECK_MSG(ds.n == 1 && ds.dim == fk[q].dim, "%s: n %d dim %d", fk[q].feat, ds.n, ds.dim);
        if (ds.n == 1 && ds.dim == fk[q].dim) {
            CHECK(ds.X[0] == fk[q].v0);
            CHECK(ds.X[ds.dim - 1] == fk[q].v_last);
        }
        el_dataset_free(&ds);
    }
    o = el_dataset_default_opts();
    CHECK(el_parse_feature("renyi:3", &o) == 0);
    CHECK(load(FIX "mixed.jsonl", "label_index", &o, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "mixed.jsonl:1:") && strstr(el_last_error(), "alpha 3"), "%s",
              el_last_error());
    o = el_dataset_default_opts();
    CHECK(el_parse_feature("patches", &o) == 0);
    CHECK(load(FIX "mixed.jsonl", "model", &o, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "mixed.jsonl:4:") && strstr(el_last_error(), "patch_entropy"), "%s",
              el_last_error());
    CHECK(el_parse_feature("renyi:", &o) == -1);
    CHECK(el_parse_feature("cls2", &o) == -1);
}

static void test_reader_invalid(void) {
    el_dataset ds;
    CHECK(load(FIX "invalid.jsonl", "label", NULL, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "invalid.jsonl:3:") != NULL, "%s", el_last_error());
    CHECK(ds.n == 0 && ds.rec == NULL && ds.X == NULL);
    CHECK(load(FIX "no_entropy.jsonl", "label", NULL, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "no_entropy.jsonl:2:") && strstr(el_last_error(), "entropy"), "%s",
              el_last_error());
    CHECK(load(FIX "does_not_exist.jsonl", "label", NULL, &ds) == EL_ERR_IO);
    CHECK_MSG(strstr(el_last_error(), "does_not_exist.jsonl") != NULL, "%s", el_last_error());
    /* Mixed files: the good one is read, the bad one stops the load with its name. */
    const char *paths[2] = {FIX "profiles.jsonl", FIX "invalid.jsonl"};
    el_dataset_opts o = el_dataset_default_opts();
    o.by = "label";
    CHECK(el_dataset_load(paths, 2, &o, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "invalid.jsonl:3:") != NULL, "%s", el_last_error());
    /* Not an object, trailing garbage. */
    char path[400];
    snprintf(path, sizeof path, "%s/bad.jsonl", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("{\"file\": \"a\", \"entropy\": [1, 2]}\n[1, 2]\n", f);
    fclose(f);
    CHECK(load(path, NULL, NULL, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "bad.jsonl:2:") != NULL, "%s", el_last_error());
    f = fopen(path, "w");
    fputs("{\"file\": \"a\", \"entropy\": [1, 2]} x\n", f);
    fclose(f);
    CHECK(load(path, NULL, NULL, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "bad.jsonl:1:") != NULL, "%s", el_last_error());
}

/* ---------------------------------------------------------------- depth */

static void test_depth(void) {
    double out[8];
    const double a[3] = {0, 1, 2};
    el_profile_resample(a, 3, 1, out, 5, 1);
    const double w5[5] = {0, 0.5, 1, 1.5, 2};
    for (int i = 0; i < 5; i++) CHECK(out[i] == w5[i]);
    const double b[2] = {0, 3};
    el_profile_resample(b, 2, 1, out, 4, 1);
    for (int i = 0; i < 4; i++) CHECK_NEAR(out[i], i, 1e-15);
    const double c[5] = {10, 20, 40, 80, 160}; /* 5 -> 3: exact sample points */
    el_profile_resample(c, 5, 1, out, 3, 1);
    CHECK(out[0] == 10 && out[1] == 40 && out[2] == 160);
    el_profile_resample(c, 5, 1, out, 2, 1);
    CHECK(out[0] == 10 && out[1] == 160);
    const double one[1] = {7};
    el_profile_resample(one, 1, 1, out, 3, 1);
    CHECK(out[0] == 7 && out[1] == 7 && out[2] == 7);
    /* Strided: a column of a 2-column matrix into a column. */
    const double m[6] = {0, 100, 2, 200, 4, 300};
    double o2[10];
    el_profile_resample(m + 1, 3, 2, o2 + 1, 5, 2);
    const double w2[5] = {100, 150, 200, 250, 300};
    for (int i = 0; i < 5; i++) CHECK(o2[1 + 2 * i] == w2[i]);
    el_profile_pad(a + 1, 2, 1, out, 4, 1);
    CHECK(out[0] == 1 && out[1] == 2 && out[2] == 0 && out[3] == 0);
    CHECK(el_normalised_depth(0, 12) == 0 && el_normalised_depth(11, 12) == 1 && el_normalised_depth(0, 1) == 0);

    el_dataset_opts o = el_dataset_default_opts();
    CHECK(el_parse_depth("resample:5", &o) == 0 && o.depth == EL_DEPTH_RESAMPLE && o.depth_n == 5);
    CHECK(el_parse_depth("pad:7", &o) == 0 && o.depth == EL_DEPTH_PAD && o.depth_n == 7);
    CHECK(el_parse_depth("native", &o) == 0 && o.depth == EL_DEPTH_NATIVE);
    CHECK(el_parse_depth("pad:1", &o) == -1 && el_parse_depth("resample:x", &o) == -1);

    /* Data set with a 3-layer and a 5-layer model. */
    char path[400];
    snprintf(path, sizeof path, "%s/depths.jsonl", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("{\"file\": \"s.png\", \"label\": \"a\", \"model\": \"small\", \"entropy\": [0, 1, 2]}\n"
          "{\"file\": \"d.png\", \"label\": \"b\", \"model\": \"deep\", \"entropy\": [8, 6, 4, 2, 0]}\n"
          "{\"prompt\": \"hi\", \"label\": \"b\", \"model\": \"lm\", \"windows\": 2,"
          " \"entropy\": [[0, 4], [4, 0]], \"renyi\": {\"2\": [[1, 1], [1, 1]]}}\n",
          f);
    fclose(f);
    el_dataset ds;
    o = el_dataset_default_opts();
    CHECK(load(path, "model", &o, &ds) == EL_ERR_FORMAT); /* 1 window vs 2 windows */
    CHECK_MSG(strstr(el_last_error(), "depths.jsonl:3:") != NULL, "%s", el_last_error());
    /* Only the image records: auto -> resample:32 */
    snprintf(path, sizeof path, "%s/depths2.jsonl", tmpdir);
    f = fopen(path, "w");
    fputs("{\"file\": \"s.png\", \"label\": \"a\", \"model\": \"small\", \"entropy\": [0, 1, 2]}\n"
          "{\"file\": \"d.png\", \"label\": \"b\", \"model\": \"deep\", \"entropy\": [8, 6, 4, 2, 0]}\n",
          f);
    fclose(f);
    CHECK(load(path, "model", &o, &ds) == EL_OK);
    CHECK(ds.depth_used == EL_DEPTH_RESAMPLE && ds.depth_n == EL_DEPTH_DEFAULT_N && ds.dim == 32);
    if (ds.n == 2 && ds.dim == 32) {
        CHECK(ds.X[0] == 0 && ds.X[31] == 2 && ds.X[32] == 8 && ds.X[63] == 0);
        for (int j = 0; j < 32; j++) {
            CHECK_NEAR(ds.X[j], 2.0 * j / 31.0, 1e-12);
            CHECK_NEAR(ds.X[32 + j], 8.0 - 8.0 * j / 31.0, 1e-12);
        }
    }
    el_dataset_free(&ds);
    CHECK(el_parse_depth("resample:5", &o) == 0);
    CHECK(load(path, "model", &o, &ds) == EL_OK && ds.dim == 5);
    if (ds.dim == 5) {
        const double w[10] = {0, 0.5, 1, 1.5, 2, 8, 6, 4, 2, 0};
        for (int j = 0; j < 10; j++) CHECK(ds.X[j] == w[j]);
    }
    el_dataset_free(&ds);
    CHECK(el_parse_depth("pad:6", &o) == 0);
    CHECK(load(path, "model", &o, &ds) == EL_OK && ds.dim == 6 && ds.depth_used == EL_DEPTH_PAD);
    if (ds.dim == 6) {
        const double w[12] = {0, 1, 2, 0, 0, 0, 8, 6, 4, 2, 0, 0};
        for (int j = 0; j < 12; j++) CHECK(ds.X[j] == w[j]);
    }
    el_dataset_free(&ds);
    CHECK(el_parse_depth("pad:4", &o) == 0);
    CHECK(load(path, "model", &o, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "depths2.jsonl:2") != NULL, "%s", el_last_error());
    CHECK(el_parse_depth("native", &o) == 0);
    CHECK(load(path, "model", &o, &ds) == EL_ERR_FORMAT);
    CHECK_MSG(strstr(el_last_error(), "different depths") && strstr(el_last_error(), "depths2.jsonl:1"), "%s",
              el_last_error());
}

/* ---------------------------------------------------------------- folds */

static void test_folds(void) {
    enum { N = 103, C = 5, K = 7 };
    int y[N], fold[N], fold2[N];
    el_rng r;
    el_rng_seed(&r, 99);
    for (int i = 0; i < N; i++) y[i] = (int)(el_rng_below(&r, 100) % 37 % C); /* uneven classes */
    CHECK(el_stratified_folds(y, N, C, K, 42, fold) == EL_OK);
    int cnt[C][K] = {{0}}, size[K] = {0};
    for (int i = 0; i < N; i++) {
        CHECK(fold[i] >= 0 && fold[i] < K);
        cnt[y[i]][fold[i]]++;
        size[fold[i]]++;
    }
    for (int c = 0; c < C; c++) {
        int lo = N, hi = 0;
        for (int k = 0; k < K; k++) lo = cnt[c][k] < lo ? cnt[c][k] : lo, hi = cnt[c][k] > hi ? cnt[c][k] : hi;
        CHECK_MSG(hi - lo <= 1, "class %d: fold counts %d..%d", c, lo, hi);
    }
    int lo = N, hi = 0;
    for (int k = 0; k < K; k++) lo = size[k] < lo ? size[k] : lo, hi = size[k] > hi ? size[k] : hi;
    CHECK(hi - lo <= 1);
    CHECK(el_stratified_folds(y, N, C, K, 42, fold2) == EL_OK);
    CHECK(!memcmp(fold, fold2, sizeof fold));
    CHECK(el_stratified_folds(y, N, C, K, 43, fold2) == EL_OK);
    CHECK(memcmp(fold, fold2, sizeof fold) != 0);
    CHECK(el_stratified_folds(y, N, C, 1, 42, fold2) == EL_ERR_ARG);
    CHECK(el_stratified_folds(y, 5, C, 6, 42, fold2) == EL_ERR_ARG);
    /* SplitMix64's published first output for seed 0. */
    el_rng_seed(&r, 0);
    CHECK(el_rng_next(&r) == UINT64_C(0xE220A8397B1DCDAF));
}

/* ---------------------------------------------------------------- stats */

static void test_stats(const cJSON *exp) {
    CHECK_NEAR(el_betainc(2, 3, 0.5), 0.6875, 1e-14);
    CHECK_NEAR(el_betainc(1, 1, 0.3), 0.3, 1e-14);
    CHECK_NEAR(el_betainc(0.5, 0.5, 0.5), 0.5, 1e-14);
    CHECK(el_betainc(2, 3, 0) == 0 && el_betainc(2, 3, 1) == 1 && isnan(el_betainc(-1, 3, 0.5)));
    CHECK_NEAR(el_t_two_sided_p(1.0, 1), 0.5, 1e-14);              /* Cauchy */
    CHECK_NEAR(el_t_two_sided_p(0.0, 7), 1.0, 1e-14);
    CHECK_NEAR(el_t_two_sided_p(2.228138851986, 10), 0.05, 1e-9);  /* t table: 0.975 quantile */
    CHECK_NEAR(el_t_two_sided_p(2.0 * sqrt(2.0) / sqrt(2.0), 2), 1.0 - 2.0 / sqrt(6.0), 1e-13); /* df 2 closed form */
    CHECK_NEAR(el_t_two_sided_p(-3.182446305284, 3), 0.05, 1e-9);
    CHECK(el_t_two_sided_p(INFINITY, 3) == 0);
    const cJSON *bi = cJSON_GetObjectItemCaseSensitive(exp, "betainc"), *e;
    cJSON_ArrayForEach(e, bi) {
        double a = jidx(e, 0), b = jidx(e, 1), x = jidx(e, 2), want = jidx(e, 3);
        double got = el_betainc(a, b, x);
        CHECK_MSG(fabs(got - want) <= 1e-12 * fmax(1, fabs(want)) || fabs(got - want) <= 1e-300,
                  "I_%g(%g, %g) = %.17g, scipy %.17g", x, a, b, got, want);
    }
    const cJSON *tp = cJSON_GetObjectItemCaseSensitive(exp, "t_two_sided_p");
    cJSON_ArrayForEach(e, tp) {
        double t = jidx(e, 0), df = jidx(e, 1), want = jidx(e, 2);
        double got = el_t_two_sided_p(t, df);
        CHECK_MSG(fabs(got - want) <= 1e-10 * want + 1e-300, "t %g df %g: p %.17g, scipy %.17g", t, df, got, want);
    }
    /* Paired t-test: d = {1, 2, 3}: mean 2, sd 1, t = 2 sqrt(3). */
    const double a[3] = {2, 4, 6}, b[3] = {1, 2, 3};
    double t, p;
    el_paired_t(a, b, 3, &t, &p);
    CHECK_NEAR(t, 2 * sqrt(3.0), 1e-12);
    CHECK_NEAR(p, el_t_two_sided_p(2 * sqrt(3.0), 2), 1e-15);
    el_paired_t(a, a, 3, &t, &p);
    CHECK(isnan(t) && isnan(p));
    /* AUC with ties: pos {0.5, 0.8}, neg {0.5, 0.1}: pairs 0.5/0.5 tie = 1/2 -> (1 + 1 + 0.5 + 1)/4 */
    const double s[4] = {0.5, 0.8, 0.5, 0.1};
    const int pos[4] = {1, 1, 0, 0};
    CHECK_NEAR(el_auc(s, pos, 4), 0.875, 1e-15);
    const int allpos[4] = {1, 1, 1, 1};
    CHECK(isnan(el_auc(s, allpos, 4)));
}

/* ---------------------------------------------------------------- k-NN */

static void test_knn_ties(void) {
    /* Test point at 0; training points at -1 (class 1), +1 (class 0), +2 (class 0).
     * k = 1: -1 and +1 tie on distance -> the lower training index wins. */
    const double Xtr[3] = {-1, 1, 2}, Xte[1] = {0};
    const int ytr[3] = {1, 0, 0};
    double pr[2];
    int pred;
    CHECK(el_knn_predict(Xtr, ytr, 3, Xte, 1, 1, 2, 1, pr, &pred) == EL_OK);
    CHECK(pred == 1 && pr[1] == 1.0);
    /* k = 2: one vote each -> tie goes to the lowest class. */
    CHECK(el_knn_predict(Xtr, ytr, 3, Xte, 1, 1, 2, 2, pr, &pred) == EL_OK);
    CHECK(pred == 0 && pr[0] == 0.5 && pr[1] == 0.5);
    /* k larger than the training set: capped. */
    CHECK(el_knn_predict(Xtr, ytr, 3, Xte, 1, 1, 2, 29, pr, &pred) == EL_OK);
    CHECK(pred == 0 && fabs(pr[0] - 2.0 / 3) < 1e-15);
}

/* ---------------------------------------------------------------- vs scikit-learn */

static void test_classify_vs_sklearn(const cJSON *exp) {
    el_dataset ds;
    CHECK(load(FIX "profiles.jsonl", "label", NULL, &ds) == EL_OK);
    CHECK(ds.n == (int)jnum(exp, "n") && ds.n == 120);
    CHECK(ds.n_error_records == 3 && ds.n_missing_group == 2);
    CHECK(ds.dim == 12 && ds.n_groups == 3);
    if (ds.n != 120 || ds.n_groups != 3) {
        el_dataset_free(&ds);
        return;
    }
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(exp, "classes");
    for (int c = 0; c < 3; c++) CHECK(!strcmp(ds.groups[c], cJSON_GetArrayItem(cls, c)->valuestring));
    int y[120];
    for (int i = 0; i < ds.n; i++) y[i] = ds.rec[i].group_index;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(exp, "classify")) {
        el_cv_params p = {(int)jnum(e, "k"), (int)jnum(e, "n_folds"), (uint64_t)jnum(e, "seed"),
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "standardize")), 0};
        el_cv_result r;
        CHECK(el_cv_knn(ds.X, y, ds.n, ds.dim, 3, &p, &r) == EL_OK);
        const cJSON *folds = cJSON_GetObjectItemCaseSensitive(e, "folds");
        int same = 1;
        for (int i = 0; i < ds.n; i++) same &= r.fold[i] == (int)jidx(folds, i);
        CHECK_MSG(same, "fold assignment differs from the Python reimplementation (k %d)", p.k);
        /* The brief's tolerance, then the exact agreement we actually get. */
        CHECK_NEAR(r.acc_mean, jnum(e, "acc_mean"), 0.02);
        CHECK_NEAR(r.auc_mean, jnum(e, "auc_mean"), 0.02);
        CHECK_NEAR(r.pooled_acc, jnum(e, "pooled_acc"), 0.02);
        CHECK_NEAR(r.pooled_auc, jnum(e, "pooled_auc"), 0.02);
        for (int f = 0; f < p.folds; f++) {
            CHECK_NEAR(r.fold_acc[f], jidx(cJSON_GetObjectItemCaseSensitive(e, "fold_acc"), f), 1e-9);
            CHECK_NEAR(r.fold_auc[f], jidx(cJSON_GetObjectItemCaseSensitive(e, "fold_auc"), f), 1e-9);
            CHECK_NEAR(r.fold_base_acc[f], jidx(cJSON_GetObjectItemCaseSensitive(e, "fold_base_acc"), f), 1e-12);
        }
        CHECK_NEAR(r.acc_std, jnum(e, "acc_std"), 1e-9);
        CHECK_NEAR(r.t, jnum(e, "t"), 1e-6 * fabs(jnum(e, "t")));
        CHECK_NEAR(r.p, jnum(e, "p"), 1e-6 * jnum(e, "p"));
        const cJSON *pred = cJSON_GetObjectItemCaseSensitive(e, "pred");
        int same_pred = 1;
        for (int i = 0; i < ds.n; i++) same_pred &= r.pred[i] == (int)jidx(pred, i);
        CHECK(same_pred);
        const cJSON *conf = cJSON_GetObjectItemCaseSensitive(e, "confusion");
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) CHECK(r.confusion[a * 3 + b] == (int)jidx(cJSON_GetArrayItem(conf, a), b));
        for (int c = 0; c < 3; c++) {
            CHECK_NEAR(r.precision[c], jidx(cJSON_GetObjectItemCaseSensitive(e, "precision"), c), 1e-12);
            CHECK_NEAR(r.recall[c], jidx(cJSON_GetObjectItemCaseSensitive(e, "recall"), c), 1e-12);
        }
        el_cv_free(&r);
    }
    el_dataset_free(&ds);
}

static void test_correctness_vs_sklearn(const cJSON *exp) {
    const cJSON *ce = cJSON_GetObjectItemCaseSensitive(exp, "correctness");
    el_dataset ds;
    CHECK(load(FIX "profiles.jsonl", NULL, NULL, &ds) == EL_OK);
    int n = 0, D = ds.dim;
    double *X = malloc(sizeof(double) * (size_t)ds.n * D), *score = malloc(sizeof(double) * (size_t)ds.n);
    int *y = malloc(sizeof(int) * (size_t)ds.n);
    for (int i = 0; i < ds.n; i++) {
        if (ds.rec[i].correct < 0) continue;
        memcpy(X + (size_t)n * D, ds.X + (size_t)i * D, sizeof(double) * D);
        y[n++] = ds.rec[i].correct;
    }
    CHECK(n == (int)jnum(ce, "n"));
    el_cv_params p = {29, 10, 42, 0, 0};
    el_cv_result r;
    CHECK(el_cv_knn(X, y, n, D, 2, &p, &r) == EL_OK);
    CHECK_NEAR(r.auc_mean, jnum(ce, "auc_mean"), 0.02);
    CHECK_NEAR(r.auc_mean, jnum(ce, "auc_mean"), 1e-9);
    CHECK_NEAR(r.pooled_auc, jnum(ce, "pooled_auc"), 1e-9);
    CHECK_NEAR(r.acc_mean, jnum(ce, "acc_mean"), 1e-9);
    el_cv_free(&r);
    for (int j = 0; j < D; j++) {
        double mr = 0, mw = 0;
        int nr = 0;
        for (int i = 0; i < n; i++) {
            score[i] = -X[(size_t)i * D + j];
            if (y[i]) mr += X[(size_t)i * D + j], nr++;
            else mw += X[(size_t)i * D + j];
        }
        CHECK_NEAR(el_auc(score, y, n), jidx(cJSON_GetObjectItemCaseSensitive(ce, "layer_auc"), j), 1e-12);
        CHECK_NEAR(mr / nr, jidx(cJSON_GetObjectItemCaseSensitive(ce, "mean_correct"), j), 1e-12);
        CHECK_NEAR(mw / (n - nr), jidx(cJSON_GetObjectItemCaseSensitive(ce, "mean_wrong"), j), 1e-12);
    }
    free(X);
    free(score);
    free(y);
    el_dataset_free(&ds);
}

/* PCA coordinates equal numpy's U S up to the sign of each column. */
static void check_pca_coords(const double *Y, int n, const cJSON *coords, double tol) {
    for (int c = 0; c < 2; c++) {
        double sgn = 0;
        for (int i = 0; i < n && sgn == 0; i++) {
            double w = jidx(cJSON_GetArrayItem(coords, i), c);
            if (fabs(w) > 1e-3) sgn = (Y[2 * i + c] * w) < 0 ? -1 : 1;
        }
        double worst = 0;
        for (int i = 0; i < n; i++)
            worst = fmax(worst, fabs(sgn * Y[2 * i + c] - jidx(cJSON_GetArrayItem(coords, i), c)));
        CHECK_MSG(worst <= tol, "PCA component %d: max |diff| %g", c + 1, worst);
    }
}

static void test_pca_vs_numpy(const cJSON *exp) {
    el_dataset ds;
    CHECK(load(FIX "profiles.jsonl", "label", NULL, &ds) == EL_OK);
    double *Y = malloc(sizeof(double) * 2 * (size_t)ds.n), var[2];
    CHECK(el_pca(ds.X, ds.n, ds.dim, 2, Y, var) == EL_OK);
    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(exp, "pca");
    check_pca_coords(Y, ds.n, cJSON_GetObjectItemCaseSensitive(pe, "coords"), 1e-4);
    CHECK_NEAR(var[0], jidx(cJSON_GetObjectItemCaseSensitive(pe, "var_ratio"), 0), 1e-9);
    CHECK_NEAR(var[1], jidx(cJSON_GetObjectItemCaseSensitive(pe, "var_ratio"), 1), 1e-9);
    /* The Gram-matrix path (features > samples) gives the same coordinates:
     * the first 8 records, features repeated 3 times (a scaled copy). */
    int n = 8, D = ds.dim * 3;
    double *X3 = malloc(sizeof(double) * (size_t)n * D), *Y3 = malloc(sizeof(double) * 2 * n),
           *Y1 = malloc(sizeof(double) * 2 * n);
    for (int i = 0; i < n; i++)
        for (int r = 0; r < 3; r++) memcpy(X3 + (size_t)i * D + r * ds.dim, ds.X + (size_t)i * ds.dim, sizeof(double) * ds.dim);
    CHECK(el_pca(X3, n, D, 2, Y3, NULL) == EL_OK);
    CHECK(el_pca(ds.X, n, ds.dim, 2, Y1, NULL) == EL_OK);
    for (int i = 0; i < 2 * n; i++) CHECK_NEAR(Y3[i], sqrt(3.0) * Y1[i], 1e-9);
    free(X3);
    free(Y3);
    free(Y1);
    free(Y);
    el_dataset_free(&ds);
}

static void test_eigen(void) {
    /* Known spectrum: [[2, 1], [1, 2]] -> 3, 1. */
    double A[4] = {2, 1, 1, 2}, w[2];
    CHECK(el_eigen_sym(A, 2, w) == EL_OK);
    CHECK_NEAR(w[0], 3, 1e-14);
    CHECK_NEAR(w[1], 1, 1e-14);
    CHECK_NEAR(fabs(A[0]), sqrt(0.5), 1e-14);
    /* Random symmetric 20 x 20: A v = lambda v, V orthonormal. */
    enum { M = 20 };
    double S[M * M], V[M * M], ev[M];
    el_rng r;
    el_rng_seed(&r, 5);
    for (int i = 0; i < M; i++)
        for (int j = 0; j <= i; j++) S[i * M + j] = S[j * M + i] = el_rng_uniform(&r) - 0.5;
    memcpy(V, S, sizeof S);
    CHECK(el_eigen_sym(V, M, ev) == EL_OK);
    double worst = 0, orth = 0;
    for (int k = 0; k < M; k++) {
        if (k) CHECK(ev[k] <= ev[k - 1]);
        for (int i = 0; i < M; i++) {
            double s = 0;
            for (int j = 0; j < M; j++) s += S[i * M + j] * V[j * M + k];
            worst = fmax(worst, fabs(s - ev[k] * V[i * M + k]));
        }
        for (int l = 0; l < M; l++) {
            double d = 0;
            for (int i = 0; i < M; i++) d += V[i * M + k] * V[i * M + l];
            orth = fmax(orth, fabs(d - (k == l)));
        }
    }
    CHECK_MSG(worst < 1e-12 && orth < 1e-12, "residual %g, orthogonality %g", worst, orth);
}

/* ---------------------------------------------------------------- t-SNE */

static void test_tsne(void) {
    enum { G = 3, PER = 15, N = G * PER, D = 10 };
    double X[N * D];
    int grp[N];
    el_rng r;
    el_rng_seed(&r, 11);
    for (int i = 0; i < N; i++) {
        grp[i] = i % G;
        for (int j = 0; j < D; j++) X[i * D + j] = (j == grp[i] ? 10.0 : 0.0) + el_rng_normal(&r);
    }
    el_tsne_params p = el_tsne_default_params();
    p.perplexity = 10;
    p.seed = 1;
    double Y1[2 * N], Y2[2 * N], Y3[2 * N], kl;
    CHECK(el_tsne(X, N, D, &p, Y1, &kl) == EL_OK);
    CHECK(el_tsne(X, N, D, &p, Y2, NULL) == EL_OK);
    CHECK_MSG(!memcmp(Y1, Y2, sizeof Y1), "same seed, different t-SNE output");
    p.seed = 2;
    CHECK(el_tsne(X, N, D, &p, Y3, NULL) == EL_OK);
    CHECK(memcmp(Y1, Y3, sizeof Y1) != 0);
    CHECK(isfinite(kl) && kl >= 0 && kl < 1.0);
    /* Well-separated classes stay apart. t-SNE can leave a point stuck between
     * clusters in a local minimum (scikit-learn too: seed 3 on this data), so:
     * at most one point whose nearest neighbour in the map is of another class,
     * and class medians far apart compared with the spread around them. */
    for (int s = 0; s < 2; s++) {
        const double *Y = s ? Y3 : Y1;
        int bad = 0;
        for (int i = 0; i < N; i++) {
            double best = INFINITY;
            int bj = -1;
            for (int j = 0; j < N; j++) {
                if (j == i) continue;
                double d = hypot(Y[2 * i] - Y[2 * j], Y[2 * i + 1] - Y[2 * j + 1]);
                if (d < best) best = d, bj = j;
            }
            bad += grp[bj] != grp[i];
        }
        CHECK_MSG(bad <= 1, "%d points with a nearest neighbour of another class", bad);
        double med[G][2], spread = 0;
        for (int g = 0; g < G; g++) {
            for (int c = 0; c < 2; c++) {
                double v[PER];
                for (int k = 0; k < PER; k++) v[k] = Y[2 * (k * G + g) + c];
                for (int a = 1; a < PER; a++) /* insertion sort */
                    for (int b = a; b > 0 && v[b] < v[b - 1]; b--) {
                        double t = v[b];
                        v[b] = v[b - 1];
                        v[b - 1] = t;
                    }
                med[g][c] = v[PER / 2];
            }
            double dist[PER];
            for (int k = 0; k < PER; k++)
                dist[k] = hypot(Y[2 * (k * G + g)] - med[g][0], Y[2 * (k * G + g) + 1] - med[g][1]);
            for (int a = 1; a < PER; a++)
                for (int b = a; b > 0 && dist[b] < dist[b - 1]; b--) {
                    double t = dist[b];
                    dist[b] = dist[b - 1];
                    dist[b - 1] = t;
                }
            spread = fmax(spread, dist[PER / 2]);
        }
        for (int g = 0; g < G; g++)
            for (int h = g + 1; h < G; h++) {
                double d = hypot(med[g][0] - med[h][0], med[g][1] - med[h][1]);
                CHECK_MSG(d > 3 * spread, "classes %d and %d: medians %g apart, spread %g", g, h, d, spread);
            }
    }
    p.perplexity = N;
    CHECK(el_tsne(X, N, D, &p, Y3, NULL) == EL_ERR_ARG);
}

/* ---------------------------------------------------------------- CLI */

static int run(const char *cli, const char *args, char **out, char **err) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s > %s/out 2> %s/err", cli, args, tmpdir, tmpdir);
    int st = system(cmd);
    char p[400];
    snprintf(p, sizeof p, "%s/out", tmpdir);
    if (out) *out = el_test_slurp(p, NULL);
    snprintf(p, sizeof p, "%s/err", tmpdir);
    if (err) *err = el_test_slurp(p, NULL);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(const cJSON *exp) {
    const char *cli = getenv("EL_CLI");
    if (!cli || access(cli, X_OK) != 0) {
        fprintf(stderr, "test_analysis: EL_CLI not set, CLI checks skipped\n");
        return;
    }
    char *out, *err, args[2048];
    /* classify --json */
    const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(exp, "classify"), 0);
    snprintf(args, sizeof args, "classify %sprofiles.jsonl --by label --json --folds-out %s/folds.csv", FIX, tmpdir);
    CHECK(run(cli, args, &out, &err) == 0);
    cJSON *j = cJSON_Parse(out);
    CHECK_MSG(cJSON_IsObject(j), "classify --json: %.200s / %.200s", out, err);
    if (j) {
        CHECK(jnum(j, "n") == 120 && jnum(j, "k") == 29 && jnum(j, "folds") == 10);
        const cJSON *acc = cJSON_GetObjectItemCaseSensitive(j, "accuracy");
        const cJSON *auc = cJSON_GetObjectItemCaseSensitive(j, "auc");
        CHECK_NEAR(jnum(acc, "mean"), jnum(c0, "acc_mean"), 0.02);
        CHECK_NEAR(jnum(auc, "mean"), jnum(c0, "auc_mean"), 0.02);
        CHECK_NEAR(jnum(cJSON_GetObjectItemCaseSensitive(j, "t_test"), "p"), jnum(c0, "p"), 1e-6 * jnum(c0, "p"));
        const cJSON *sk = cJSON_GetObjectItemCaseSensitive(j, "skipped");
        CHECK(jnum(sk, "error_records") == 3 && jnum(sk, "missing_field") == 2);
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "confusion")) == 3);
    }
    cJSON_Delete(j);
    free(out);
    free(err);
    /* The folds CSV: header, 120 rows, index,file,group,fold as the reference. */
    char p[400];
    snprintf(p, sizeof p, "%s/folds.csv", tmpdir);
    char *csv = el_test_slurp(p, NULL);
    CHECK(csv && !strncmp(csv, "index,file,group,fold\n", 22));
    if (csv) {
        const cJSON *folds = cJSON_GetObjectItemCaseSensitive(c0, "folds");
        int rows = 0, ok = 1;
        for (char *line = strchr(csv, '\n') + 1; *line; rows++) {
            char *nl = strchr(line, '\n');
            if (!nl) break;
            *nl = '\0';
            int idx = atoi(line), fold = atoi(strrchr(line, ',') + 1);
            ok &= idx == rows && fold == (int)jidx(folds, rows);
            line = nl + 1;
        }
        CHECK(rows == 120 && ok);
    }
    free(csv);

    /* Text table, exit codes, errors. */
    snprintf(args, sizeof args, "classify %sprofiles.jsonl --by label", FIX);
    CHECK(run(cli, args, &out, &err) == 0);
    CHECK(out && strstr(out, "k-NN accuracy") && strstr(out, "confusion"));
    free(out);
    free(err);
    CHECK(run(cli, "classify --help", &out, &err) == 0);
    CHECK(out && strstr(out, "Exit codes") && strstr(out, "--standardize"));
    free(out);
    free(err);
    snprintf(args, sizeof args, "classify %sprofiles.jsonl", FIX);
    CHECK(run(cli, args, NULL, NULL) == 2); /* no --by */
    snprintf(args, sizeof args, "classify %sprofiles.jsonl --by label --k 0", FIX);
    CHECK(run(cli, args, NULL, NULL) == 2);
    snprintf(args, sizeof args, "classify %sprofiles.jsonl --by label --features bogus", FIX);
    CHECK(run(cli, args, NULL, NULL) == 2);
    snprintf(args, sizeof args, "classify %sinvalid.jsonl --by label", FIX);
    CHECK(run(cli, args, &out, &err) == 3);
    CHECK_MSG(err && strstr(err, "invalid.jsonl:3:"), "%s", err ? err : "");
    free(out);
    free(err);
    snprintf(args, sizeof args, "classify %sprofiles.jsonl --by model", FIX); /* one group */
    CHECK(run(cli, args, NULL, NULL) == 3);

    /* correctness --json */
    const cJSON *ce = cJSON_GetObjectItemCaseSensitive(exp, "correctness");
    snprintf(args, sizeof args, "correctness %sprofiles.jsonl --json", FIX);
    CHECK(run(cli, args, &out, &err) == 0);
    j = cJSON_Parse(out);
    CHECK(cJSON_IsObject(j));
    if (j) {
        CHECK(jnum(j, "n") == jnum(ce, "n") && jnum(j, "n_correct") == jnum(ce, "n_correct"));
        CHECK_NEAR(jnum(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "knn"), "auc"), "mean"),
                   jnum(ce, "auc_mean"), 0.02);
        const cJSON *layers = cJSON_GetObjectItemCaseSensitive(j, "layers");
        CHECK(cJSON_GetArraySize(layers) == 12);
        for (int l = 0; l < 12; l++) {
            const cJSON *e = cJSON_GetArrayItem(layers, l);
            CHECK(jnum(e, "layer") == l + 1);
            CHECK_NEAR(jnum(e, "auc"), jidx(cJSON_GetObjectItemCaseSensitive(ce, "layer_auc"), l), 1e-9);
        }
    }
    cJSON_Delete(j);
    free(out);
    free(err);
    snprintf(args, sizeof args, "correctness %sprofiles.jsonl", FIX);
    CHECK(run(cli, args, &out, &err) == 0);
    CHECK(out && strstr(out, "single-layer ROC-AUC") && strstr(out, "layer 12"));
    free(out);
    free(err);
    CHECK(run(cli, "correctness --help", NULL, NULL) == 0);

    /* embed -o csv: PCA equals numpy up to sign; t-SNE reproducible by seed. */
    snprintf(args, sizeof args, "embed %sprofiles.jsonl --by label --method pca -o %s/pca.csv", FIX, tmpdir);
    CHECK(run(cli, args, NULL, NULL) == 0);
    snprintf(p, sizeof p, "%s/pca.csv", tmpdir);
    csv = el_test_slurp(p, NULL);
    CHECK(csv && !strncmp(csv, "file,group,x,y\n", 15));
    if (csv) {
        double Y[240];
        int rows = 0;
        for (char *line = strchr(csv, '\n') + 1; *line && rows < 120; rows++) {
            char *nl = strchr(line, '\n');
            if (!nl) break;
            *nl = '\0';
            char *c3 = strrchr(line, ',');
            *c3 = '\0';
            char *c2 = strrchr(line, ',');
            Y[2 * rows] = atof(c2 + 1);
            Y[2 * rows + 1] = atof(c3 + 1);
            if (rows == 0) CHECK(!strncmp(line, "synthetic/cat/cat_00.png,cat,", 29));
            line = nl + 1;
        }
        CHECK(rows == 120);
        if (rows == 120) check_pca_coords(Y, 120, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(exp, "pca"), "coords"), 1e-4);
    }
    free(csv);
    char *t1 = NULL, *t2 = NULL;
    snprintf(args, sizeof args, "embed %sprofiles.jsonl --by label --seed 3 -o %s/t1.csv", FIX, tmpdir);
    CHECK(run(cli, args, NULL, NULL) == 0);
    snprintf(args, sizeof args, "embed %sprofiles.jsonl --by label --seed 3 -o %s/t2.csv", FIX, tmpdir);
    CHECK(run(cli, args, NULL, NULL) == 0);
    snprintf(p, sizeof p, "%s/t1.csv", tmpdir);
    t1 = el_test_slurp(p, NULL);
    snprintf(p, sizeof p, "%s/t2.csv", tmpdir);
    t2 = el_test_slurp(p, NULL);
    CHECK(t1 && t2 && !strcmp(t1, t2) && strlen(t1) > 1000);
    free(t1);
    free(t2);
    /* SVG and PNG scatter plots. */
    snprintf(args, sizeof args, "embed %sprofiles.jsonl --by label --method pca -o %s/pca.svg", FIX, tmpdir);
    CHECK(run(cli, args, NULL, NULL) == 0);
    snprintf(p, sizeof p, "%s/pca.svg", tmpdir);
    char *svg = el_test_slurp(p, NULL);
    CHECK(svg && strstr(svg, "<svg") && strstr(svg, "cat") && strstr(svg, "fish") && strstr(svg, "</svg>"));
    free(svg);
    snprintf(args, sizeof args, "embed %sprofiles.jsonl --by label --method pca -o %s/pca.png", FIX, tmpdir);
    CHECK(run(cli, args, NULL, NULL) == 0);
    snprintf(p, sizeof p, "%s/pca.png", tmpdir);
    char *png = el_test_slurp(p, NULL);
    CHECK(png && !memcmp(png, "\x89PNG", 4));
    free(png);
    snprintf(args, sizeof args, "embed %sprofiles.jsonl --by label -o %s/x.txt", FIX, tmpdir);
    CHECK(run(cli, args, NULL, NULL) == 2);
    CHECK(run(cli, "embed --help", NULL, NULL) == 0);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/el_test_analysis_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    char *text = el_test_slurp(FIX "expected.json", NULL);
    cJSON *exp = text ? cJSON_Parse(text) : NULL;
    free(text);
    CHECK_MSG(exp != NULL, "cannot read " FIX "expected.json");

    test_reader_mixed();
    test_reader_invalid();
    test_depth();
    test_folds();
    test_knn_ties();
    test_eigen();
    test_tsne();
    if (exp) {
        test_stats(exp);
        test_classify_vs_sklearn(exp);
        test_correctness_vs_sklearn(exp);
        test_pca_vs_numpy(exp);
        test_cli(exp);
    }
    cJSON_Delete(exp);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return el_test_finish("test_analysis");
}
