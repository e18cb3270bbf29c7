/* Reading records back (see record_read.h). */
#include "records/record_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "records/json_read.h"

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

char *el_json_stringify(const cJSON *it) {
    if (cJSON_IsString(it)) return xstrdup(it->valuestring);
    if (cJSON_IsTrue(it)) return xstrdup("true");
    if (cJSON_IsFalse(it)) return xstrdup("false");
    return cJSON_PrintUnformatted(it);
}

/* One number (null -> NaN); -1 when it is neither. */
static int read_number(const cJSON *e, double *out) {
    if (cJSON_IsNumber(e)) *out = e->valuedouble;
    else if (cJSON_IsNull(e)) *out = NAN;
    else return -1;
    return 0;
}

/* The rows of a (n arrays of c numbers) into out->v. */
static int read_rows(const cJSON *a, int c, el_json_matrix *out) {
    int r = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, a) {
        if (!cJSON_IsArray(row) || cJSON_GetArraySize(row) != c) return -1;
        int j = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, row) {
            if (read_number(e, &out->v[(size_t)r * c + j])) return -1;
            j++;
        }
        r++;
    }
    return 0;
}

int el_json_read_matrix(const cJSON *a, el_json_matrix *out) {
    out->v = NULL;
    out->rows = out->cols = 0;
    if (!cJSON_IsArray(a)) return -1;
    const int n = cJSON_GetArraySize(a);
    if (n <= 0) return -1;
    const cJSON *first = cJSON_GetArrayItem(a, 0);
    const int flat = cJSON_IsNumber(first) || cJSON_IsNull(first);
    if (!flat && !cJSON_IsArray(first)) return -1;
    const int c = flat ? n : cJSON_GetArraySize(first);
    if (c <= 0) return -1;
    out->v = malloc(sizeof(double) * (size_t)(flat ? 1 : n) * (size_t)c);
    if (!out->v) return -2;
    int bad = 0;
    if (flat) {
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, a) bad |= read_number(e, &out->v[i++]);
    } else {
        bad = read_rows(a, c, out);
    }
    if (bad) {
        free(out->v);
        out->v = NULL;
        return -1;
    }
    out->rows = flat ? 1 : n;
    out->cols = c;
    return 0;
}

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

void el_record_free(el_record *r) {
    free((char *)r->source);
    free((char *)r->file);
    free((char *)r->model);
    free((char *)r->label);
    free((char *)r->top1_label);
    free((char *)r->group);
    free(r->entropy);
    free(r->patch);
    memset(r, 0, sizeof *r);
}

int el_record_is_error(const cJSON *j) {
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    return err && !cJSON_IsNull(err);
}

/* Identity strings: source, file (or prompt), model, label. 0 or -1 (memory). */
static int read_identity(const cJSON *j, const char *source, el_record *r) {
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(j, "prompt");
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(j, "file");
    r->is_text = cJSON_IsString(prompt);
    r->file = xstrdup(r->is_text ? prompt->valuestring : cJSON_IsString(file) ? file->valuestring : "");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(j, "model");
    r->model = xstrdup(cJSON_IsString(model) ? model->valuestring : "");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(j, "label");
    if (label && !cJSON_IsNull(label) && !(r->label = el_json_stringify(label))) return -1;
    r->source = xstrdup(source);
    return r->file && r->model && r->source ? 0 : -1;
}

/* top1, top1_label, prob, correct, first_layer, input_view; 0, -1 memory,
 * or a malformed field's message. */
static const char *read_prediction(const cJSON *j, el_record *r, int *nomem) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "top1");
    if (cJSON_IsNumber(v)) r->top1 = v->valueint;
    v = cJSON_GetObjectItemCaseSensitive(j, "top1_label");
    if (cJSON_IsString(v) && !(r->top1_label = xstrdup(v->valuestring))) *nomem = 1;
    v = cJSON_GetObjectItemCaseSensitive(j, "prob");
    if (cJSON_IsNumber(v)) r->prob = v->valuedouble;
    v = cJSON_GetObjectItemCaseSensitive(j, "correct");
    if (cJSON_IsBool(v)) r->correct = cJSON_IsTrue(v) ? 1 : 0;
    else if (v && !cJSON_IsNull(v)) return "`correct` is not true, false or null";
    v = cJSON_GetObjectItemCaseSensitive(j, "first_layer");
    if (cJSON_IsNumber(v)) r->first_layer = v->valueint;
    if (read_view(cJSON_GetObjectItemCaseSensitive(j, "input_view"), r))
        return "`input_view` is not [x, y, width, height] with width, height > 0";
    return NULL;
}

el_status el_record_read(const cJSON *j, const char *source, int line, int want_patches, el_record *r) {
    memset(r, 0, sizeof *r);
    r->line = line;
    r->top1 = -1;
    r->prob = NAN;
    r->correct = -1;
    r->first_layer = 1;
    int nomem = read_identity(j, source, r) != 0;
    const char *bad = nomem ? NULL : read_prediction(j, r, &nomem);
    el_json_matrix e = {0}, pm = {0};
    int rc = 0;
    if (!nomem && !bad) {
        rc = el_json_read_matrix(cJSON_GetObjectItemCaseSensitive(j, "entropy"), &e);
        if (rc == -1) bad = "no `entropy` array of numbers (or of equal-length number arrays)";
        r->entropy = e.v;
        r->n_windows = e.rows;
        r->n_layers = e.cols;
    }
    const cJSON *pe = cJSON_GetObjectItemCaseSensitive(j, "patch_entropy");
    if (!nomem && !bad && !rc && want_patches && pe && !cJSON_IsNull(pe)) {
        rc = el_json_read_matrix(pe, &pm);
        r->patch = pm.v;
        r->n_patches = pm.cols;
        if (rc == -1 || (!rc && pm.rows != r->n_layers)) {
            el_record_free(r);
            return el_fail(EL_ERR_FORMAT, "%s:%d: `patch_entropy` is not %d arrays of equal length (one per layer)",
                           source, line, e.cols);
        }
    }
    if (nomem || rc == -2) {
        el_record_free(r);
        return el_fail(EL_ERR_NOMEM, "%s:%d: out of memory", source, line);
    }
    if (bad) {
        el_record_free(r);
        return el_fail(EL_ERR_FORMAT, "%s:%d: %s", source, line, bad);
    }
    return EL_OK;
}

static int blank(const char *s, size_t n) {
    for (size_t k = 0; k < n; k++)
        if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r' && s[k] != '\n' && s[k] != '\0') return 0;
    return 1;
}

el_status el_records_each(const char *path, el_record_line_fn fn, void *ctx) {
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
        if (blank(line, (size_t)len)) continue;
        const char *endp = NULL;
        cJSON *j = el_json_parse(line, (size_t)len, &endp);
        if (!j) s = el_fail(EL_ERR_FORMAT, "%s:%d: not valid JSON", path, lineno);
        /* Only whitespace may follow the object. */
        else if (endp && !blank(endp, (size_t)(line + len - endp)))
            s = el_fail(EL_ERR_FORMAT, "%s:%d: text after the JSON value", path, lineno);
        else
            s = fn(ctx, j, path, lineno);
        cJSON_Delete(j);
        if (s != EL_OK) break;
    }
    free(line);
    if (fp != stdin) fclose(fp);
    return s;
}
