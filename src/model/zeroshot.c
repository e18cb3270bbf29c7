#include "model/zeroshot.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "base/strbuf.h"
#include "weights/json_config.h"

#define ZS_MAX_LINES 100000
#define ZS_MAX_LINE 4096

static void free_lines(char **v, int n) {
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* Non-empty, non-comment lines of path; need_field: each must hold "{}". */
static el_status read_lines(const char *path, const char *what, int need_field, char ***out, int *n) {
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) return el_fail(EL_ERR_IO, "%s: %s (%s)", path, strerror(errno), what);
    char line[ZS_MAX_LINE + 2];
    char **v = NULL;
    int cap = 0, lineno = 0;
    el_status st = EL_OK;
    while (st == EL_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > ZS_MAX_LINE) {
            st = el_fail(EL_ERR_LIMIT, "%s:%d: line longer than %d bytes (%s)", path, lineno, ZS_MAX_LINE, what);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len || line[0] == '#') continue;
        if (need_field && !strstr(line, "{}")) {
            st = el_fail(EL_ERR_FORMAT, "%s:%d: template has no {} for the class name", path, lineno);
        } else if (*n >= ZS_MAX_LINES) {
            st = el_fail(EL_ERR_LIMIT, "%s: more than %d %s", path, ZS_MAX_LINES, what);
        } else if (*n == cap) {
            char **g = realloc(v, sizeof(char *) * (size_t)(cap = cap ? 2 * cap : 64));
            if (!g) st = el_fail(EL_ERR_NOMEM, "out of memory");
            else v = g;
        }
        if (st == EL_OK && !(v[*n] = strdup(line))) st = el_fail(EL_ERR_NOMEM, "out of memory");
        if (st == EL_OK) (*n)++;
    }
    if (st == EL_OK && ferror(f)) st = el_fail(EL_ERR_IO, "%s: read error", path);
    fclose(f);
    if (st == EL_OK && *n == 0) st = el_fail(EL_ERR_FORMAT, "%s: no %s in the file", path, what);
    if (st != EL_OK) {
        free_lines(v, *n);
        *n = 0;
        return st;
    }
    *out = v;
    return EL_OK;
}

/* The templates of a spec whose classes are set: the file's, or the default. */
static el_status load_templates(const char *templates_path, el_zs_spec *out) {
    el_status st = EL_OK;
    if (templates_path) {
        st = read_lines(templates_path, "templates", 1, &out->templates, &out->n_templates);
    } else if (!(out->templates = calloc(1, sizeof(char *))) ||
               !(out->n_templates = 1, out->templates[0] = strdup(EL_ZS_DEFAULT_TEMPLATE))) {
        st = el_fail(EL_ERR_NOMEM, "out of memory");
    }
    if (st != EL_OK) el_zs_spec_free(out);
    return st;
}

el_status el_zs_spec_load(const char *classes_path, const char *templates_path, el_zs_spec *out) {
    memset(out, 0, sizeof *out);
    if (!classes_path) return el_fail(EL_ERR_ARG, "zero-shot models need --classes FILE (one class name a line)");
    EL_TRY(read_lines(classes_path, "class names", 0, &out->classes, &out->n_classes));
    return load_templates(templates_path, out);
}

el_status el_zs_spec_names(char *const *names, int n, const char *templates_path, el_zs_spec *out) {
    memset(out, 0, sizeof *out);
    if (!(out->classes = calloc((size_t)n, sizeof(char *)))) return el_fail(EL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++, out->n_classes++)
        if (!(out->classes[i] = strdup(names[i]))) {
            el_zs_spec_free(out);
            return el_fail(EL_ERR_NOMEM, "out of memory");
        }
    return load_templates(templates_path, out);
}

void el_zs_spec_free(el_zs_spec *s) {
    free_lines(s->classes, s->n_classes);
    free_lines(s->templates, s->n_templates);
    memset(s, 0, sizeof *s);
}

char *el_zs_prompt(const el_zs_spec *s, int c, int t) {
    el_strbuf sb = {0};
    const char *p = s->templates[t], *hit;
    while ((hit = strstr(p, "{}"))) {
        el_sb_write(&sb, p, (size_t)(hit - p));
        el_sb_puts(&sb, s->classes[c]);
        p = hit + 2;
    }
    el_sb_puts(&sb, p);
    if (sb.oom || !sb.data) {
        el_sb_free(&sb);
        return strdup("");
    }
    return sb.data;
}

static void json_strings(el_strbuf *sb, const char *key, char **v, int n) {
    el_sb_printf(sb, "\"%s\":[", key);
    for (int i = 0; i < n; i++) {
        if (i) el_sb_putc(sb, ',');
        el_sb_json_str(sb, v[i]);
    }
    el_sb_putc(sb, ']');
}

el_status el_zs_cache_write(const char *path, const char *model, const el_zs_spec *s, int dim, const float *emb) {
    el_strbuf sb = {0};
    el_sb_puts(&sb, "{\"model\":");
    el_sb_json_str(&sb, model);
    el_sb_printf(&sb, ",\"dim\":%d,", dim);
    json_strings(&sb, "classes", s->classes, s->n_classes);
    el_sb_putc(&sb, ',');
    json_strings(&sb, "templates", s->templates, s->n_templates);
    el_sb_puts(&sb, ",\"embeddings\":[");
    for (int c = 0; c < s->n_classes; c++) {
        el_sb_puts(&sb, c ? ",[" : "[");
        for (int d = 0; d < dim; d++) el_sb_printf(&sb, d ? ",%.9g" : "%.9g", (double)emb[(size_t)c * dim + d]);
        el_sb_putc(&sb, ']');
    }
    el_sb_puts(&sb, "]}\n");
    el_status st = EL_OK;
    /* Written whole to a temporary name and renamed: a reader never sees half a cache. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()); /* MPI ranks may write at once */
    FILE *f = sb.oom ? NULL : fopen(tmp, "w");
    if (sb.oom) st = el_fail(EL_ERR_NOMEM, "out of memory");
    else if (!f || fwrite(sb.data, 1, sb.len, f) != sb.len) st = el_fail(EL_ERR_IO, "%s: %s", tmp, strerror(errno));
    if (f && fclose(f) && st == EL_OK) st = el_fail(EL_ERR_IO, "%s: %s", tmp, strerror(errno));
    if (st == EL_OK && rename(tmp, path)) st = el_fail(EL_ERR_IO, "%s: %s", path, strerror(errno));
    if (st != EL_OK) remove(tmp);
    el_sb_free(&sb);
    return st;
}

static int strings_match(const cJSON *a, char **v, int n) {
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != n) return 0;
    int i = 0;
    for (const cJSON *it = a->child; it; it = it->next, i++)
        if (!cJSON_IsString(it) || strcmp(it->valuestring, v[i])) return 0;
    return 1;
}

el_status el_zs_cache_read(const char *path, const char *model, const el_zs_spec *s, int dim, float *emb) {
    FILE *probe = fopen(path, "r");
    if (!probe) return el_fail(EL_ERR_IO, "%s: %s", path, strerror(errno));
    fclose(probe);
    cJSON *j;
    EL_TRY(el_json_load(path, &j));
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "model"), *d = cJSON_GetObjectItemCaseSensitive(j, "dim");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "embeddings");
    int ok = cJSON_IsString(m) && !strcmp(m->valuestring, model) && cJSON_IsNumber(d) && d->valueint == dim &&
             strings_match(cJSON_GetObjectItemCaseSensitive(j, "classes"), s->classes, s->n_classes) &&
             strings_match(cJSON_GetObjectItemCaseSensitive(j, "templates"), s->templates, s->n_templates) &&
             cJSON_IsArray(e) && cJSON_GetArraySize(e) == s->n_classes;
    int c = 0;
    for (const cJSON *row = ok ? e->child : NULL; row && ok; row = row->next, c++) {
        ok = cJSON_IsArray(row) && cJSON_GetArraySize(row) == dim;
        int k = 0;
        for (const cJSON *x = ok ? row->child : NULL; x && ok; x = x->next, k++) {
            ok = cJSON_IsNumber(x);
            if (ok) emb[(size_t)c * dim + k] = (float)x->valuedouble;
        }
    }
    cJSON_Delete(j);
    return ok ? EL_OK : el_fail(EL_ERR_FORMAT, "%s: made for another model, class list, templates or size", path);
}
