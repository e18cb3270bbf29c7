#include "cli/inputs.h"
#include "records/imagenet.h"
#include "base/buffer.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/file.h"

int el_is_image_name(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    static const char *ext[] = {".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".ppm", ".pgm", ".pnm"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (!strcasecmp(dot, ext[i])) return 1;
    return 0;
}

static int push(el_input_list *l, const char *path, const char *label, const char *error) {
    if (el_grow(&l->items, &l->cap, l->n, sizeof *l->items, 256)) return -1;
    el_input *it = &l->items[l->n];
    it->path = strdup(path);
    it->label = label ? strdup(label) : NULL;
    it->label_index = -1;
    it->error = error ? strdup(error) : NULL;
    if (!it->path || (label && !it->label) || (error && !it->error)) {
        free(it->path);
        free(it->label);
        free(it->error);
        return -1;
    }
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Directories already entered on this walk, to stop symlink loops. */
typedef struct {
    dev_t dev;
    ino_t ino;
} dir_id;

typedef struct {
    dir_id *ids;
    size_t n, cap;
} visited;

static int visit(visited *v, const struct stat *st) {
    for (size_t i = 0; i < v->n; i++)
        if (v->ids[i].dev == st->st_dev && v->ids[i].ino == st->st_ino) return 0;
    if (el_grow(&v->ids, &v->cap, v->n, sizeof *v->ids, 64)) return -1;
    v->ids[v->n++] = (dir_id){st->st_dev, st->st_ino};
    return 1;
}

/* depth 0 is the folder named on the command line; label is the name of the
 * depth-1 folder an image sits under. */
static int walk(el_input_list *l, visited *v, const char *dir, int depth, const char *label, int recursive) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "entropy-lens: warning: %s: cannot open folder: %s\n", dir, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue; /* ., .., and hidden files */
        if (el_grow(&names, &cap, n, sizeof *names, 64)) {
            rc = -1;
            break;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (!rc) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && !rc; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        if (!path) {
            rc = -1;
            break;
        }
        snprintf(path, len, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
        struct stat st, lst;
        if (stat(path, &st) != 0) {
            if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
                if (el_is_image_name(names[i]))
                    rc = push(l, path, label, errno == ELOOP ? "symlink loop" : "broken symlink");
                else
                    fprintf(stderr, "entropy-lens: warning: %s: broken symlink, skipped\n", path);
            } else {
                rc = push(l, path, label, strerror(errno));
            }
        } else if (S_ISDIR(st.st_mode)) {
            if (recursive || depth == 0) {
                int fresh = visit(v, &st);
                if (fresh < 0) rc = -1;
                else if (!fresh)
                    fprintf(stderr, "entropy-lens: warning: %s: folder already visited (symlink loop?), skipped\n", path);
                else
                    rc = walk(l, v, path, depth + 1, depth == 0 ? names[i] : label, recursive);
            }
        } else if (el_is_image_name(names[i])) {
            rc = push(l, path, label, NULL);
        } else {
            fprintf(stderr, "entropy-lens: warning: %s: not an image file name, skipped\n", path);
            l->skipped++;
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

int el_inputs_collect(el_input_list *l, char **paths, int n_paths, int recursive) {
    visited v = {0};
    int rc = 0;
    for (int i = 0; i < n_paths && !rc; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (visit(&v, &st) < 0) rc = -1;
            else rc = walk(l, &v, paths[i], 0, NULL, recursive);
        } else {
            /* A file named explicitly is always tried: if it is not an image
             * the decoder says so in its error record. */
            rc = push(l, paths[i], NULL, NULL);
        }
    }
    free(v.ids);
    return rc;
}

void el_inputs_drop_front(el_input_list *l, size_t n) {
    if (n > l->n) n = l->n;
    if (n == 0) return; /* items may be NULL */
    for (size_t i = 0; i < n; i++) {
        free(l->items[i].path);
        free(l->items[i].label);
        free(l->items[i].error);
    }
    memmove(l->items, l->items + n, (l->n - n) * sizeof *l->items);
    l->n -= n;
}

void el_inputs_free(el_input_list *l) {
    el_inputs_drop_front(l, l->n);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* ---------------------------------------------------------------- labels CSV */

/* Split one CSV record (RFC 4180 quoting) into at most max fields, in place. */
static int csv_split(char *line, char **fields, int max) {
    int n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        fields[n++] = out;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0') break;
                if (*p == '"') {
                    if (p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *out++ = *p++;
            }
            while (*p && *p != ',') p++;
        } else {
            while (*p && *p != ',') *out++ = *p++;
        }
        int more = *p == ',';
        *out = '\0';
        if (!more) break;
        p++;
    }
    return n;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Inputs sorted by base name, so each CSV row finds its images by binary
 * search instead of a scan (50,000 rows x 50,000 images otherwise). */
static const el_input_list *sort_list;
static int cmp_by_base(const void *a, const void *b) {
    const el_input *x = &sort_list->items[*(const size_t *)a], *y = &sort_list->items[*(const size_t *)b];
    return strcmp(base_name(x->path), base_name(y->path));
}

static size_t lower_bound(const el_input_list *l, const size_t *order, const char *base) {
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(base_name(l->items[order[mid]].path), base) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void header_columns(char **f, int n, int *col_file, int *col_index, int *col_label) {
    for (int i = 0; i < n; i++) {
        if (!strcmp(f[i], "file")) *col_file = i;
        else if (!strcmp(f[i], "class_index")) *col_index = i;
        else if (!strcmp(f[i], "label") || (!strcmp(f[i], "class_name") && *col_label < 0)) *col_label = i;
    }
}

/* class_index as a long in [0, n_classes), or -1 with a message in err. */
static long parse_class_index(const char *s, int n_classes, const char *csv_path, int lineno, char *err,
                              size_t errlen) {
    char *end;
    errno = 0;
    long idx = strtol(s, &end, 10);
    if (end == s || *end || idx < 0 || errno == ERANGE) {
        snprintf(err, errlen, "%s:%d: class_index '%s' is not a non-negative integer", csv_path, lineno, s);
        return -1;
    }
    if (idx >= n_classes) {
        snprintf(err, errlen, "%s:%d: class_index %s is out of range (the model has %d classes)", csv_path, lineno,
                 s, n_classes);
        return -1;
    }
    return idx;
}

int el_inputs_apply_labels(el_input_list *l, const char *csv_path, int n_classes, char *err, size_t errlen) {
    FILE *fp = NULL;
    if (el_file_fopen(csv_path, EL_FILE_LABELS, &fp) != EL_OK) { /* regular files only, bounded */
        snprintf(err, errlen, "%s", el_last_error());
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    long len;
    uint64_t used = 0;
    int col_file = -1, col_index = -1, col_label = -1, lineno = 0, rc = 0;
    enum { MAXF = 64 };
    char *f[MAXF];
    size_t *order = malloc((l->n ? l->n : 1) * sizeof *order);
    if (!order) {
        fclose(fp);
        snprintf(err, errlen, "%s: out of memory", csv_path);
        return -1;
    }
    for (size_t i = 0; i < l->n; i++) order[i] = i;
    sort_list = l;
    qsort(order, l->n, sizeof *order, cmp_by_base);
    for (;;) {
        if (el_file_getline(fp, csv_path, EL_FILE_LABELS, &used, &line, &cap, &len) != EL_OK) {
            snprintf(err, errlen, "%s", el_last_error());
            rc = -1;
            break;
        }
        if (len < 0) break;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        char *text = line;
        if (lineno == 1 && len >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) text += 3, len -= 3; /* UTF-8 BOM */
        if (len == 0) continue;
        int n = csv_split(text, f, MAXF);
        if (col_file < 0) {
            header_columns(f, n, &col_file, &col_index, &col_label);
            if (col_file < 0 || (col_index < 0 && col_label < 0)) {
                snprintf(err, errlen, "%s: header needs a 'file' column and a 'class_index' or 'label' column", csv_path);
                rc = -1;
                break;
            }
            continue;
        }
        if (n <= col_file) continue;
        long idx = -1;
        if (col_index >= 0 && col_index < n &&
            (idx = parse_class_index(f[col_index], n_classes, csv_path, lineno, err, errlen)) < 0) {
            rc = -1;
            break;
        }
        const char *lab = col_label >= 0 && col_label < n ? f[col_label] : NULL;
        /* Rows name files by base name or by a path tail ("val/x.jpg"). */
        const char *want = base_name(f[col_file]);
        for (size_t k = lower_bound(l, order, want); k < l->n; k++) {
            size_t i = order[k];
            const char *p = l->items[i].path;
            if (strcmp(base_name(p), want)) break;
            size_t pl = strlen(p), fl = strlen(f[col_file]);
            int tail = pl >= fl && !strcmp(p + pl - fl, f[col_file]) && (pl == fl || p[pl - fl - 1] == '/');
            if (!tail && want != f[col_file]) continue; /* the row gave a path: it must match */
            if (lab) {
                free(l->items[i].label);
                l->items[i].label = strdup(lab);
            }
            if (idx >= 0) l->items[i].label_index = (int)idx;
        }
    }
    free(line);
    free(order);
    fclose(fp);
    if (!rc && col_file < 0) {
        snprintf(err, errlen, "%s: empty labels file", csv_path);
        rc = -1;
    }
    return rc;
}

/* 1 when an input before i has this label and no class (already counted). */
static int unmatched_before(const el_input_list *list, size_t i, const char *label) {
    for (size_t j = 0; j < i; j++)
        if (list->items[j].label && list->items[j].label_index < 0 && !strcmp(list->items[j].label, label)) return 1;
    return 0;
}

size_t el_inputs_resolve_labels(el_input_list *list, int n_classes, int (*class_index)(void *ctx, const char *label),
                                void *ctx, char *unmatched, size_t cap) {
    size_t n_bad = 0, used = 0;
    if (cap) unmatched[0] = '\0';
    /* Inputs come folder by folder: a label is looked up once per run of it. */
    const char *prev = NULL;
    int prev_index = -1;
    for (size_t i = 0; i < list->n; i++) {
        el_input *it = &list->items[i];
        if (!it->label || it->label_index >= 0) continue;
        if (!prev || strcmp(prev, it->label)) {
            prev = it->label;
            prev_index = class_index(ctx, it->label);
            if (prev_index < 0 && n_classes == EL_IMAGENET_CLASSES) prev_index = el_imagenet_synset_index(it->label);
            if (prev_index < 0 && !unmatched_before(list, i, it->label) && n_bad++ < 3 && used + 1 < cap) {
                used += (size_t)snprintf(unmatched + used, cap - used, "%s'%s'", n_bad > 1 ? ", " : "", it->label);
                if (used >= cap) used = cap - 1;
            }
        }
        it->label_index = prev_index;
    }
    return n_bad;
}
