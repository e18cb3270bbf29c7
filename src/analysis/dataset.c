/* JSONL profile files -> el_dataset (see dataset.h for the contract). */
#include "analysis/dataset.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "records/record_read.h"

el_dataset_opts el_dataset_default_opts(void) {
    el_dataset_opts o;
    memset(&o, 0, sizeof o);
    o.feature = EL_FEAT_CLS;
    o.depth = EL_DEPTH_AUTO;
    o.depth_n = EL_DEPTH_DEFAULT_N;
    o.need_features = 1;
    return o;
}

int el_parse_feature(const char *s, el_dataset_opts *o) {
    if (!strcmp(s, "cls")) o->feature = EL_FEAT_CLS;
    else if (!strcmp(s, "mean")) o->feature = EL_FEAT_MEAN;
    else if (!strcmp(s, "patches")) o->feature = EL_FEAT_PATCHES;
    else if (!strncmp(s, "renyi:", 6) && s[6] && strlen(s + 6) < sizeof o->renyi_alpha) {
        o->feature = EL_FEAT_RENYI;
        snprintf(o->renyi_alpha, sizeof o->renyi_alpha, "%s", s + 6);
    } else
        return -1;
    return 0;
}

const char *el_feature_name(const el_dataset_opts *o) {
    static _Thread_local char buf[48];
    switch (o->feature) {
    case EL_FEAT_CLS: return "cls";
    case EL_FEAT_MEAN: return "mean";
    case EL_FEAT_PATCHES: return "patches";
    case EL_FEAT_RENYI: snprintf(buf, sizeof buf, "renyi:%s", o->renyi_alpha); return buf;
    }
    return "?";
}

/* ---- loading ---- */

/* A record's feature values as stored in it: rows x cols, row-major. */
typedef el_json_matrix raw_feat;

static int alpha_matches(const char *key, const char *want) {
    if (!strcmp(key, want)) return 1;
    double a, b;
    char *e1, *e2;
    if (!strcmp(key, "inf") || !strcmp(key, "infinity")) a = INFINITY;
    else {
        a = strtod(key, &e1);
        if (e1 == key || *e1) return 0;
    }
    if (!strcmp(want, "inf") || !strcmp(want, "infinity")) b = INFINITY;
    else {
        b = strtod(want, &e2);
        if (e2 == want || *e2) return 0;
    }
    return a == b;
}


void el_dataset_free(el_dataset *ds) {
    if (!ds) return;
    for (int i = 0; i < ds->n; i++) el_record_free(&ds->rec[i]);
    free(ds->rec);
    for (int g = 0; g < ds->n_groups; g++) free(ds->groups[g]);
    free(ds->groups);
    free(ds->X);
    memset(ds, 0, sizeof *ds);
}

typedef struct {
    el_dataset *ds;
    raw_feat *feat; /* one per record (parallel to ds->rec) */
    int cap;
    const el_dataset_opts *o;
} loader;

static el_status push(loader *L, el_record *r, raw_feat f) {
    if (L->ds->n == L->cap) {
        int nc = L->cap ? L->cap * 2 : 256;
        el_record *nr = realloc(L->ds->rec, sizeof *nr * (size_t)nc);
        if (!nr) return el_fail(EL_ERR_NOMEM, "out of memory reading profiles");
        L->ds->rec = nr;
        raw_feat *nf = realloc(L->feat, sizeof *nf * (size_t)nc);
        if (!nf) return el_fail(EL_ERR_NOMEM, "out of memory reading profiles");
        L->feat = nf;
        L->cap = nc;
    }
    L->ds->rec[L->ds->n] = *r;
    L->feat[L->ds->n] = f;
    L->ds->n++;
    return EL_OK;
}

static const char *feature_field(const el_dataset_opts *o) {
    switch (o->feature) {
    case EL_FEAT_CLS: return "entropy";
    case EL_FEAT_MEAN: return "entropy_mean";
    case EL_FEAT_PATCHES: return "patch_entropy";
    case EL_FEAT_RENYI: return "renyi";
    }
    return "?";
}



/* The requested feature of record j (r read from it) into f. */
static el_status read_feature(const el_dataset_opts *o, const cJSON *j, const el_record *r, raw_feat *f) {
    const char *path = r->source;
    const int line = r->line;
    const cJSON *src = NULL;
    int rc;
    switch (o->feature) {
    case EL_FEAT_CLS:
    case EL_FEAT_PATCHES: {
        const int patches = o->feature == EL_FEAT_PATCHES;
        if (patches && !r->patch)
            return el_fail(EL_ERR_FORMAT, "%s:%d: no `patch_entropy` (profile with --tokens patches)", path, line);
        f->rows = patches ? r->n_layers : r->n_windows;
        f->cols = patches ? r->n_patches : r->n_layers;
        f->v = malloc(sizeof(double) * (size_t)f->rows * (size_t)f->cols);
        if (!f->v) return el_fail(EL_ERR_NOMEM, "%s:%d: out of memory", path, line);
        memcpy(f->v, patches ? r->patch : r->entropy, sizeof(double) * (size_t)f->rows * (size_t)f->cols);
        return EL_OK;
    }
    case EL_FEAT_MEAN: src = cJSON_GetObjectItemCaseSensitive(j, "entropy_mean"); break;
    case EL_FEAT_RENYI: {
        const cJSON *ren = cJSON_GetObjectItemCaseSensitive(j, "renyi"), *it;
        if (cJSON_IsObject(ren)) cJSON_ArrayForEach(it, ren) {
                if (it->string && alpha_matches(it->string, o->renyi_alpha)) {
                    src = it;
                    break;
                }
            }
        break;
    }
    }
    rc = el_json_read_matrix(src, f);
    if (rc == -2) return el_fail(EL_ERR_NOMEM, "%s:%d: out of memory", path, line);
    if (rc == 0) return EL_OK;
    if (o->feature == EL_FEAT_MEAN)
        return el_fail(EL_ERR_FORMAT, "%s:%d: no `entropy_mean` array (profile with --tokens mean)", path, line);
    return el_fail(EL_ERR_FORMAT, "%s:%d: no `renyi` profile for alpha %s (profile with --alpha %s)", path, line,
                   o->renyi_alpha, o->renyi_alpha);
}

/* One parsed line: skipped (error record, no `by` field) or kept with its
 * feature. EL_OK or the failure. */
static el_status parse_line(void *ctx, const cJSON *j, const char *path, int line) {
    loader *L = ctx;
    const el_dataset_opts *o = L->o;
    el_dataset *ds = L->ds;
    ds->n_lines++;
    if (!cJSON_IsObject(j)) return el_fail(EL_ERR_FORMAT, "%s:%d: not a JSON object", path, line);
    if (o->model) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "model");
        if (!cJSON_IsString(m) || strcmp(m->valuestring, o->model)) return EL_OK;
    }
    if (el_record_is_error(j)) {
        ds->n_error_records++;
        return EL_OK;
    }
    const cJSON *gv = o->by ? cJSON_GetObjectItemCaseSensitive(j, o->by) : NULL;
    if (o->by && (!gv || cJSON_IsNull(gv))) {
        ds->n_missing_group++;
        return EL_OK;
    }
    const int patches = o->keep_patches || (o->need_features && o->feature == EL_FEAT_PATCHES);
    el_record r;
    raw_feat f = {NULL, 0, 0};
    EL_TRY(el_record_read(j, path, line, patches, &r));
    el_status s = (r.group = gv ? el_json_stringify(gv) : strdup("")) ? EL_OK
                  : el_fail(EL_ERR_NOMEM, "%s:%d: out of memory", path, line);
    if (s == EL_OK && o->need_features) s = read_feature(o, j, &r, &f);
    if (s == EL_OK && !o->keep_patches) {
        free(r.patch);
        r.patch = NULL;
        r.n_patches = 0;
    }
    if (s == EL_OK) s = push(L, &r, f);
    if (s != EL_OK) {
        free(f.v);
        el_record_free(&r);
    }
    return s;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static el_status make_groups(el_dataset *ds) {
    if (ds->n == 0) return EL_OK;
    char **tmp = malloc(sizeof(char *) * (size_t)ds->n);
    if (!tmp) return el_fail(EL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < ds->n; i++) tmp[i] = (char *)ds->rec[i].group;
    qsort(tmp, (size_t)ds->n, sizeof *tmp, cmp_str);
    int g = 0;
    for (int i = 0; i < ds->n; i++)
        if (i == 0 || strcmp(tmp[i], tmp[g - 1])) tmp[g++] = tmp[i];
    ds->groups = calloc((size_t)g, sizeof(char *));
    if (!ds->groups) {
        free(tmp);
        return el_fail(EL_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < g; k++) {
        ds->groups[k] = strdup(tmp[k]);
        if (!ds->groups[k]) {
            free(tmp);
            return el_fail(EL_ERR_NOMEM, "out of memory");
        }
        ds->n_groups = k + 1;
    }
    free(tmp);
    for (int i = 0; i < ds->n; i++) {
        const char *key = ds->rec[i].group;
        char **hit = bsearch(&key, ds->groups, (size_t)ds->n_groups, sizeof(char *), cmp_str);
        ds->rec[i].group_index = (int)(hit - ds->groups);
    }
    return EL_OK;
}

/* Build X from the raw features: depth axis = cols for CLS/MEAN/RENYI (rows are
 * windows), rows for PATCHES (cols are patches). */
static el_status align(el_dataset *ds, const raw_feat *feat, const el_dataset_opts *o) {
    if (ds->n == 0) return EL_OK;
    int depth_is_rows = o->feature == EL_FEAT_PATCHES;
    const char *fname = feature_field(o);
    int other0 = depth_is_rows ? feat[0].cols : feat[0].rows;
    int dmin = 1 << 30, dmax = 0, imin = 0, imax = 0;
    for (int i = 0; i < ds->n; i++) {
        int other = depth_is_rows ? feat[i].cols : feat[i].rows;
        int d = depth_is_rows ? feat[i].rows : feat[i].cols;
        if (other != other0)
            return el_fail(EL_ERR_FORMAT, "%s:%d: `%s` has %d %s, but %s:%d has %d", ds->rec[i].source,
                           ds->rec[i].line, fname, other, depth_is_rows ? "patches" : "windows", ds->rec[0].source,
                           ds->rec[0].line, other0);
        if (d < dmin) dmin = d, imin = i;
        if (d > dmax) dmax = d, imax = i;
    }
    el_depth mode = o->depth;
    int N = o->depth_n > 0 ? o->depth_n : EL_DEPTH_DEFAULT_N;
    if (mode == EL_DEPTH_AUTO) mode = dmin == dmax ? EL_DEPTH_NATIVE : EL_DEPTH_RESAMPLE;
    if (mode == EL_DEPTH_NATIVE) {
        if (dmin != dmax)
            return el_fail(EL_ERR_FORMAT,
                           "profiles have different depths: %s:%d has %d layers, %s:%d has %d "
                           "(use --depth resample:N or pad:N)",
                           ds->rec[imin].source, ds->rec[imin].line, dmin, ds->rec[imax].source, ds->rec[imax].line,
                           dmax);
        N = dmin;
    }
    if (mode == EL_DEPTH_PAD && dmax > N)
        return el_fail(EL_ERR_FORMAT, "%s:%d has %d layers, more than pad:%d", ds->rec[imax].source,
                       ds->rec[imax].line, dmax, N);
    ds->depth_used = mode;
    ds->depth_axis = o->depth_axis;
    ds->depth_n = N;
    ds->feat_rows = depth_is_rows ? N : other0;
    ds->feat_cols = depth_is_rows ? other0 : N;
    size_t dim = (size_t)N * (size_t)other0;
    if (dim > (size_t)1 << 28) return el_fail(EL_ERR_LIMIT, "feature vectors of %zu values are too long", dim);
    ds->dim = (int)dim;
    ds->X = malloc(sizeof(double) * dim * (size_t)ds->n);
    if (!ds->X) return el_fail(EL_ERR_NOMEM, "out of memory: %d x %zu features", ds->n, dim);
    for (int i = 0; i < ds->n; i++) {
        double *x = ds->X + (size_t)i * dim;
        const raw_feat *f = &feat[i];
        for (int k = 0; k < other0; k++) {
            /* One profile: along the depth axis at fixed window/patch k. */
            const double *in;
            size_t ist, ost;
            double *out;
            int L;
            if (depth_is_rows) {
                in = f->v + k;
                ist = (size_t)f->cols;
                L = f->rows;
                out = x + k;
                ost = (size_t)other0;
            } else {
                in = f->v + (size_t)k * f->cols;
                ist = 1;
                L = f->cols;
                out = x + (size_t)k * N;
                ost = 1;
            }
            if (mode == EL_DEPTH_PAD) el_profile_pad(in, L, ist, out, N, ost);
            else if (mode == EL_DEPTH_RESAMPLE)
                el_profile_resample_axis(o->depth_axis, in, L, ds->rec[i].first_layer, ist, out, N, ost);
            else
                for (int l = 0; l < N; l++) out[(size_t)l * ost] = in[(size_t)l * ist];
        }
        for (size_t q = 0; q < dim; q++)
            if (!isfinite(x[q]))
                return el_fail(EL_ERR_FORMAT, "%s:%d: `%s` holds a null or non-finite value", ds->rec[i].source,
                               ds->rec[i].line, fname);
    }
    return EL_OK;
}

el_status el_dataset_load(const char *const *paths, int n_paths, const el_dataset_opts *opts, el_dataset *ds) {
    memset(ds, 0, sizeof *ds);
    el_dataset_opts o = opts ? *opts : el_dataset_default_opts();
    loader L = {ds, NULL, 0, &o};
    el_status s = EL_OK;
    for (int p = 0; p < n_paths && s == EL_OK; p++) s = el_records_each(paths[p], parse_line, &L);
    if (s == EL_OK) s = make_groups(ds);
    if (s == EL_OK && o.need_features) s = align(ds, L.feat, &o);
    for (int i = 0; i < ds->n; i++) free(L.feat[i].v);
    free(L.feat);
    if (s != EL_OK) el_dataset_free(ds);
    return s;
}

const el_record *el_dataset_find(const el_dataset *ds, const char *name) {
    for (int i = 0; i < ds->n; i++)
        if (!strcmp(ds->rec[i].file, name)) return &ds->rec[i];
    size_t n = strlen(name);
    for (int i = 0; i < ds->n; i++) {
        const char *f = ds->rec[i].file;
        size_t m = strlen(f);
        if (m > n && f[m - n - 1] == '/' && !strcmp(f + m - n, name)) return &ds->rec[i];
    }
    return NULL;
}
