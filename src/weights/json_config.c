#include "weights/json_config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/status.h"

/* Printable, bounded copy of a key for a one-line message. */
static void key_for_message(const char *k, char *out, size_t cap) {
    size_t n = 0;
    for (; k && *k && n + 4 < cap; k++) out[n++] = (*k >= 0x20 && *k != 0x7f) || (*k & 0x80) ? *k : '?';
    if (k && *k) out[n++] = '.', out[n++] = '.', out[n++] = '.';
    out[n] = '\0';
}

static int cmp_key(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Duplicate keys in one object, at any depth: cJSON keeps the first value,
 * Python's json (Hugging Face) the last, so the model would silently differ.
 * Sorting the keys finds them in O(n log n) (tokenizer vocabularies hold
 * hundreds of thousands of keys). cJSON bounds the depth at 1000. */
static el_status find_duplicate(const cJSON *node, const char *path, const char *parent) {
    size_t n = 0;
    for (const cJSON *c = node->child; c; c = c->next) n++;
    if (cJSON_IsObject(node) && n > 1) {
        const char **keys = malloc(n * sizeof *keys);
        if (!keys) return el_fail(EL_ERR_NOMEM, "%s: out of memory checking keys", path);
        size_t i = 0;
        for (const cJSON *c = node->child; c; c = c->next) keys[i++] = c->string ? c->string : "";
        qsort(keys, n, sizeof *keys, cmp_key);
        const char *dup = NULL;
        for (i = 1; i < n && !dup; i++)
            if (!strcmp(keys[i - 1], keys[i])) dup = keys[i];
        char k[80], in[80];
        if (dup) key_for_message(dup, k, sizeof k);
        free(keys);
        if (dup) {
            key_for_message(parent, in, sizeof in);
            return el_fail(EL_ERR_FORMAT,
                           "%s: duplicate key \"%s\"%s%s%s (JSON readers disagree on which value wins)",
                           path, k, parent ? " in \"" : "", parent ? in : "", parent ? "\"" : "");
        }
    }
    for (const cJSON *c = node->child; c; c = c->next)
        if (c->child) EL_TRY(find_duplicate(c, path, cJSON_IsObject(node) ? c->string : parent));
    return EL_OK;
}

el_status el_json_parse_strict(const char *text, size_t len, const char *path, cJSON **out) {
    *out = NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        long at = end ? (long)(end - text) : -1;
        return el_fail(EL_ERR_FORMAT, "%s: invalid JSON near byte %ld", path, at);
    }
    size_t at = (size_t)(end - text);
    while (at < len && text[at] && strchr(" \t\r\n", text[at])) at++;
    if (at < len) {
        cJSON_Delete(root);
        return el_fail(EL_ERR_FORMAT, "%s: trailing data after the JSON value at byte %zu", path, at);
    }
    el_status s = find_duplicate(root, path, NULL);
    if (s != EL_OK) {
        cJSON_Delete(root);
        return s;
    }
    *out = root;
    return EL_OK;
}

el_status el_json_read_file(const char *path, el_file_kind kind, cJSON **out) {
    *out = NULL;
    char *buf;
    size_t size;
    EL_TRY(el_file_read(path, kind, &buf, &size));
    el_status s = el_json_parse_strict(buf, size, path, out);
    free(buf);
    return s;
}

el_status el_json_load(const char *path, cJSON **out) {
    cJSON *root;
    EL_TRY(el_json_read_file(path, EL_FILE_CONFIG, &root));
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return el_fail(EL_ERR_FORMAT, "%s: top level is not a JSON object", path);
    }
    *out = root;
    return EL_OK;
}

el_status el_json_int(const cJSON *obj, const char *file, const char *key, int required, long def,
                      long lo, long hi, long *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) return el_fail(EL_ERR_CONFIG, "%s: missing field \"%s\"", file, key);
        *out = def;
        return EL_OK;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
        return el_fail(EL_ERR_CONFIG, "%s: field \"%s\" must be an integer", file, key);
    if (v->valuedouble < (double)lo || v->valuedouble > (double)hi)
        return el_fail(EL_ERR_CONFIG, "%s: field \"%s\" = %.0f is outside [%ld, %ld]", file, key,
                       v->valuedouble, lo, hi);
    *out = (long)v->valuedouble;
    return EL_OK;
}

el_status el_json_double(const cJSON *obj, const char *file, const char *key, int required,
                         double def, double lo, double hi, double *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) {
        if (required) return el_fail(EL_ERR_CONFIG, "%s: missing field \"%s\"", file, key);
        *out = def;
        return EL_OK;
    }
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
        return el_fail(EL_ERR_CONFIG, "%s: field \"%s\" must be a number in [%g, %g]", file, key, lo, hi);
    *out = v->valuedouble;
    return EL_OK;
}

el_status el_json_bool(const cJSON *obj, const char *file, const char *key, int def, int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) {
        *out = def;
        return EL_OK;
    }
    if (!cJSON_IsBool(v)) return el_fail(EL_ERR_CONFIG, "%s: field \"%s\" must be true or false", file, key);
    *out = cJSON_IsTrue(v);
    return EL_OK;
}

const char *el_json_str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

el_status el_json_floats(const cJSON *obj, const char *file, const char *key, int n, double lo,
                         double hi, float *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsNumber(v)) {
        if (!(v->valuedouble >= lo && v->valuedouble <= hi))
            return el_fail(EL_ERR_CONFIG, "%s: field \"%s\" out of range", file, key);
        for (int i = 0; i < n; i++) out[i] = (float)v->valuedouble;
        return EL_OK;
    }
    if (!cJSON_IsArray(v)) return el_fail(EL_ERR_CONFIG, "%s: field \"%s\" must be a list of numbers", file, key);
    int m = cJSON_GetArraySize(v);
    if (m != n && m != 1)
        return el_fail(EL_ERR_CONFIG, "%s: field \"%s\" has %d values, the model has %d channels", file, key,
                       m, n);
    for (int i = 0; i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(v, m == 1 ? 0 : i);
        if (!cJSON_IsNumber(e) || !(e->valuedouble >= lo && e->valuedouble <= hi))
            return el_fail(EL_ERR_CONFIG, "%s: field \"%s\"[%d] must be a number in [%g, %g]", file, key, i,
                           lo, hi);
        out[i] = (float)e->valuedouble;
    }
    return EL_OK;
}
