#include "weights/json_config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"

el_status el_json_load(const char *path, cJSON **out) {
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return el_fail(EL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    const long limit = 64L << 20;
    long size = -1;
    if (fseek(fp, 0, SEEK_END) == 0) size = ftell(fp);
    if (size < 0 || size > limit || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return el_fail(size > limit ? EL_ERR_LIMIT : EL_ERR_IO, "%s: not a readable file of at most 64 MiB",
                       path);
    }
    char *buf = malloc((size_t)size + 1);
    if (!buf) {
        fclose(fp);
        return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t got = fread(buf, 1, (size_t)size, fp);
    fclose(fp);
    if (got != (size_t)size) {
        free(buf);
        return el_fail(EL_ERR_IO, "%s: short read", path);
    }
    buf[size] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, (size_t)size, &end, 0);
    if (!root) {
        long at = end ? (long)(end - buf) : -1;
        free(buf);
        return el_fail(EL_ERR_FORMAT, "%s: invalid JSON near byte %ld", path, at);
    }
    free(buf);
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
