/* JSONL profile files -> el_dataset (see dataset.h for the contract). */
#include "analysis/dataset.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "records/json_read.h"

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

typedef struct {
    double *v;      /* feature values */
    int rows, cols; /* as stored in the record: rows x cols, row-major */
} raw_feat;

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* JSON value -> group string (strings as is, bools true/false, others compact JSON). */
static char *stringify(const cJSON *it) {
    if (cJSON_IsString(it)) return xstrdup(it->valuestring);
    if (cJSON_IsTrue(it)) return xstrdup("true");
    if (cJSON_IsFalse(it)) return xstrdup("false");
    return cJSON_PrintUnformatted(it);
}

/* Array of numbers (rows = 1) or array of equal-length number arrays. 0 ok,
 * -1 wrong shape/type, -2 no memory. nulls inside are read as NaN. */
/* `input_view` [x, y, w, h] -> r->view: 0 when valid or absent, -1 when
 * malformed. */
static int read_view(const cJSON *a, el_record *r) {
    r->has_view = 0;
    if (!a || cJSON_IsNull(a)) return 0;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 4) return -1;
    for (int k = 0; k < 4; k++) {
        const cJSON *v = cJSON_GetArrayItem(a, k);
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || fabs(v->valuedouble) > 1e9) return -1;
        r->view[k] = v->valuedouble;
    }
    if (!(r->view[2] > 0 && r->view[3] > 0)) return -1;
    r->has_view = 1;
    return 0;
}

static int read_matrix(const cJSON *a, raw_feat *out) {
    out->v = NULL;
    out->rows = out->cols = 0;
    if (!cJSON_IsArray(a)) return -1;
    int n = cJSON_GetArraySize(a);
    if (n <= 0) return -1;
    const cJSON *first = cJSON_GetArrayItem(a, 0);
    if (cJSON_IsNumber(first) || cJSON_IsNull(first)) {
        out->v = malloc(sizeof(double) * (size_t)n);
        if (!out->v) return -2;
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, a) {
            if (cJSON_IsNumber(e)) out->v[i++] = e->valuedouble;
            else if (cJSON_IsNull(e)) out->v[i++] = NAN;
            else {
                free(out->v);
                out->v = NULL;
                return -1;
            }
        }
        out->rows = 1;
        out->cols = n;
        return 0;
    }
    if (!cJSON_IsArray(first)) return -1;
    int c = cJSON_GetArraySize(first);
    if (c <= 0) return -1;
    out->v = malloc(sizeof(double) * (size_t)n * (size_t)c);
    if (!out->v) return -2;
    int r = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, a) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != c) goto bad;
        int j = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, row) {
            if (cJSON_IsNumber(e)) out->v[(size_t)r * c + j] = e->valuedouble;
            else if (cJSON_IsNull(e)) out->v[(size_t)r * c + j] = NAN;
            else goto bad;
            j++;
        }
        r++;
    }
    out->rows = n;
    out->cols = c;
    return 0;
bad:
    free(out->v);
    out->v = NULL;
    return -1;
}

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

static void record_free(el_record *r) {
    free((char *)r->file);
    free((char *)r->model);
    free((char *)r->label);
    free((char *)r->top1_label);
    free((char *)r->group);
    free(r->entropy);
    free(r->patch);
    memset(r, 0, sizeof *r);
}

void el_dataset_free(el_dataset *ds) {
    if (!ds) return;
    for (int i = 0; i < ds->n; i++) {
        free((char *)ds->rec[i].source);
        record_free(&ds->rec[i]);
    }
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

/* One parsed line. Returns EL_OK (kept or skipped) or an error. */
static el_status parse_record(loader *L, const el_dataset_opts *o, const char *path, int lineno, const cJSON *j) {
    el_dataset *ds = L->ds;
    if (!cJSON_IsObject(j)) return el_fail(EL_ERR_FORMAT, "%s:%d: not a JSON object", path, lineno);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (err && !cJSON_IsNull(err)) {
        ds->n_error_records++;
        return EL_OK;
    }
    const cJSON *gv = NULL;
    if (o->by) {
        gv = cJSON_GetObjectItemCaseSensitive(j, o->by);
        if (!gv || cJSON_IsNull(gv)) {
            ds->n_missing_group++;
            return EL_OK;
        }
    }
    el_record r;
    memset(&r, 0, sizeof r);
    raw_feat f = {NULL, 0, 0};
    r.line = lineno;
    r.top1 = -1;
    r.prob = NAN;
    r.correct = -1;
    r.first_layer = 1;

    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(j, "prompt");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(j, "file");
    if (cJSON_IsString(prompt)) {
        r.is_text = 1;
        r.file = xstrdup(prompt->valuestring);
    } else {
        r.file = xstrdup(cJSON_IsString(file) ? file->valuestring : "");
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(j, "model");
    r.model = xstrdup(cJSON_IsString(model) ? model->valuestring : "");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(j, "label");
    if (label && !cJSON_IsNull(label)) r.label = stringify(label);
    r.group = gv ? stringify(gv) : xstrdup("");
    if (!r.file || !r.model || !r.group || (label && !cJSON_IsNull(label) && !r.label)) goto nomem;

    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "top1");
    if (cJSON_IsNumber(v)) r.top1 = v->valueint;
    v = cJSON_GetObjectItemCaseSensitive(j, "top1_label");
    if (cJSON_IsString(v) && !(r.top1_label = xstrdup(v->valuestring))) goto nomem;
    v = cJSON_GetObjectItemCaseSensitive(j, "prob");
    if (cJSON_IsNumber(v)) r.prob = v->valuedouble;
    v = cJSON_GetObjectItemCaseSensitive(j, "correct");
    if (cJSON_IsBool(v)) r.correct = cJSON_IsTrue(v) ? 1 : 0;
    else if (v && !cJSON_IsNull(v)) {
        record_free(&r);
        return el_fail(EL_ERR_FORMAT, "%s:%d: `correct` is not true, false or null", path, lineno);
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "first_layer");
    if (cJSON_IsNumber(v)) r.first_layer = v->valueint;
    if (read_view(cJSON_GetObjectItemCaseSensitive(j, "input_view"), &r)) {
        record_free(&r);
        return el_fail(EL_ERR_FORMAT, "%s:%d: `input_view` is not [x, y, width, height] with width, height > 0", path,
                       lineno);
    }

    raw_feat e;
    int rc = read_matrix(cJSON_GetObjectItemCaseSensitive(j, "entropy"), &e);
    if (rc == -2) goto nomem;
    if (rc) {
        record_free(&r);
        return el_fail(EL_ERR_FORMAT, "%s:%d: no `entropy` array of numbers (or of equal-length number arrays)", path,
                       lineno);
    }
    r.entropy = e.v;
    r.n_windows = e.rows;
    r.n_layers = e.cols;

    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(j, "patch_entropy");
    raw_feat pm = {NULL, 0, 0};
    int want_patches = o->keep_patches || (o->need_features && o->feature == EL_FEAT_PATCHES);
    if (want_patches && pe && !cJSON_IsNull(pe)) {
        rc = read_matrix(pe, &pm);
        if (rc == -2) goto nomem;
        if (rc || pm.rows != r.n_layers) {
            free(pm.v);
            record_free(&r);
            return el_fail(EL_ERR_FORMAT, "%s:%d: `patch_entropy` is not %d arrays of equal length (one per layer)",
                           path, lineno, r.n_layers);
        }
    }

    if (o->need_features) {
        const cJSON *src = NULL;
        switch (o->feature) {
        case EL_FEAT_CLS:
            f.rows = r.n_windows;
            f.cols = r.n_layers;
            f.v = malloc(sizeof(double) * (size_t)f.rows * (size_t)f.cols);
            if (!f.v) {
                free(pm.v);
                goto nomem;
            }
            memcpy(f.v, r.entropy, sizeof(double) * (size_t)f.rows * (size_t)f.cols);
            break;
        case EL_FEAT_PATCHES:
            if (!pm.v) {
                record_free(&r);
                return el_fail(EL_ERR_FORMAT, "%s:%d: no `patch_entropy` (profile with --tokens patches)", path,
                               lineno);
            }
            f.rows = pm.rows;
            f.cols = pm.cols;
            f.v = malloc(sizeof(double) * (size_t)f.rows * (size_t)f.cols);
            if (!f.v) {
                free(pm.v);
                goto nomem;
            }
            memcpy(f.v, pm.v, sizeof(double) * (size_t)f.rows * (size_t)f.cols);
            break;
        case EL_FEAT_MEAN:
        case EL_FEAT_RENYI:
            if (o->feature == EL_FEAT_MEAN) {
                src = cJSON_GetObjectItemCaseSensitive(j, "entropy_mean");
            } else {
                const cJSON *ren = cJSON_GetObjectItemCaseSensitive(j, "renyi"), *it;
                if (cJSON_IsObject(ren)) cJSON_ArrayForEach(it, ren) {
                        if (it->string && alpha_matches(it->string, o->renyi_alpha)) {
                            src = it;
                            break;
                        }
                    }
            }
            rc = read_matrix(src, &f);
            if (rc == -2) {
                free(pm.v);
                goto nomem;
            }
            if (rc) {
                free(pm.v);
                record_free(&r);
                if (o->feature == EL_FEAT_MEAN)
                    return el_fail(EL_ERR_FORMAT, "%s:%d: no `entropy_mean` array (profile with --tokens mean)", path,
                                   lineno);
                return el_fail(EL_ERR_FORMAT, "%s:%d: no `renyi` profile for alpha %s (profile with --alpha %s)",
                               path, lineno, o->renyi_alpha, o->renyi_alpha);
            }
            break;
        }
    }
    if (o->keep_patches && pm.v) {
        r.patch = pm.v;
        r.n_patches = pm.cols;
    } else {
        free(pm.v);
    }
    r.source = xstrdup(path);
    if (!r.source) {
        free(f.v);
        goto nomem;
    }
    el_status s = push(L, &r, f);
    if (s != EL_OK) {
        free((char *)r.source);
        free(f.v);
        record_free(&r);
    }
    return s;
nomem:
    record_free(&r);
    return el_fail(EL_ERR_NOMEM, "%s:%d: out of memory", path, lineno);
}

static el_status read_file(loader *L, const el_dataset_opts *o, const char *path) {
    /* A regular file within the records limit, or stdin read up to it: a
     * FIFO or /dev/zero named as input is refused, never read without end. */
    FILE *fp = stdin;
    if (strcmp(path, "-")) EL_TRY(el_file_fopen(path, EL_FILE_RECORDS, &fp));
    char *line = NULL;
    size_t cap = 0;
    long len;
    uint64_t used = 0;
    int lineno = 0;
    el_status s = EL_OK;
    while ((s = el_file_getline(fp, path, EL_FILE_RECORDS, &used, &line, &cap, &len)) == EL_OK && len >= 0) {
        lineno++;
        size_t k = 0;
        while (k < (size_t)len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' || line[k] == '\n')) k++;
        if (k == (size_t)len) continue;
        L->ds->n_lines++;
        const char *endp = NULL;
        cJSON *j = el_json_parse(line, (size_t)len, &endp);
        if (!j) {
            s = el_fail(EL_ERR_FORMAT, "%s:%d: not valid JSON", path, lineno);
            break;
        }
        /* Only whitespace may follow the object. */
        for (const char *q = endp; q && q < line + len; q++)
            if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n' && *q != '\0') {
                s = el_fail(EL_ERR_FORMAT, "%s:%d: text after the JSON value", path, lineno);
                break;
            }
        if (s == EL_OK) s = parse_record(L, o, path, lineno, j);
        cJSON_Delete(j);
        if (s != EL_OK) break;
    }
    free(line);
    if (fp != stdin) fclose(fp);
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
        ds->groups[k] = xstrdup(tmp[k]);
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
    loader L = {ds, NULL, 0};
    el_status s = EL_OK;
    for (int p = 0; p < n_paths && s == EL_OK; p++) s = read_file(&L, &o, paths[p]);
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
