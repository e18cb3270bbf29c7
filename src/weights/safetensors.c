#include "weights/safetensors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/mapfile.h"
#include "base/status.h"
#include "weights/json_config.h"

/* ---------------------------------------------------------------- dtypes */

float el_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalise */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while (!(man & 0x400));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float el_bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static el_dtype parse_dtype(const char *s, int *elem_size) {
    if (!strcmp(s, "F32")) return *elem_size = 4, EL_DT_F32;
    if (!strcmp(s, "F16")) return *elem_size = 2, EL_DT_F16;
    if (!strcmp(s, "BF16")) return *elem_size = 2, EL_DT_BF16;
    /* Known but unsupported dtypes still get a size so the header validates. */
    static const struct { const char *n; int sz; } other[] = {
        {"F64", 8}, {"I64", 8}, {"U64", 8}, {"I32", 4}, {"U32", 4}, {"I16", 2},
        {"U16", 2}, {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (!strcmp(s, other[i].n)) return *elem_size = other[i].sz, EL_DT_OTHER;
    *elem_size = 0;
    return EL_DT_OTHER;
}

uint64_t el_shape_count(int ndim, const int64_t *shape) {
    uint64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return 0;
        if (shape[i] != 0 && n > UINT64_MAX / (uint64_t)shape[i]) return 0;
        n *= (uint64_t)shape[i];
    }
    return n;
}

/* ---------------------------------------------------------------- one file */

static int cmp_tensor_name(const void *a, const void *b) {
    return strcmp(((const el_st_tensor *)a)->name, ((const el_st_tensor *)b)->name);
}

static int cmp_tensor_offset(const void *a, const void *b) {
    const el_st_tensor *x = *(const el_st_tensor *const *)a, *y = *(const el_st_tensor *const *)b;
    return x->data < y->data ? -1 : x->data > y->data;
}

static el_status map_file(el_st_file *f, const char *path) {
    /* MAP_POPULATE: every byte is read at load anyway; faulting the pages in
     * one go is much cheaper than one fault per page. A FIFO or device named
     * as a shard is refused without blocking (base/file.h). */
    uint8_t *m;
    EL_TRY(el_map_file(path, 8, "safetensors header", 1, &m, &f->size));
    f->map = m;
    f->path = strdup(path);
    if (!f->path) return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    return EL_OK;
}

/* Parse and validate one file's header, appending its tensors to *tensors. */
/* One header entry `name: {dtype, shape, data_offsets}` into t (data inside
 * the data section of data_size bytes at data). */
static el_status parse_entry(const el_st_file *f, const cJSON *it, const uint8_t *data, uint64_t data_size,
                             el_st_tensor *t) {
    const char *name = it->string;
    cJSON *dt = cJSON_GetObjectItemCaseSensitive(it, "dtype");
    cJSON *shape = cJSON_GetObjectItemCaseSensitive(it, "shape");
    cJSON *offs = cJSON_GetObjectItemCaseSensitive(it, "data_offsets");
    if (!cJSON_IsObject(it) || !cJSON_IsString(dt) || !cJSON_IsArray(shape) || !cJSON_IsArray(offs) ||
        cJSON_GetArraySize(offs) != 2)
        return el_fail(EL_ERR_FORMAT, "%s: tensor '%s': entry needs dtype, shape and data_offsets", f->path, name);
    int esize;
    t->dtype = parse_dtype(dt->valuestring, &esize);
    if (esize == 0)
        return el_fail(EL_ERR_FORMAT, "%s: tensor '%s': unknown dtype '%.16s'", f->path, name, dt->valuestring);
    snprintf(t->dtype_name, sizeof t->dtype_name, "%s", dt->valuestring);
    t->ndim = cJSON_GetArraySize(shape);
    if (t->ndim > EL_ST_MAX_DIMS)
        return el_fail(EL_ERR_FORMAT, "%s: tensor '%s': %d dimensions (at most %d)", f->path, name, t->ndim,
                       EL_ST_MAX_DIMS);
    int d = 0;
    for (cJSON *s = shape->child; s; s = s->next, d++) {
        if (!cJSON_IsNumber(s) || s->valuedouble < 0 || s->valuedouble > 9.0e15 ||
            s->valuedouble != (double)(int64_t)s->valuedouble)
            return el_fail(EL_ERR_FORMAT, "%s: tensor '%s': shape[%d] is not a non-negative integer", f->path, name,
                           d);
        t->shape[d] = (int64_t)s->valuedouble;
    }
    double b = cJSON_GetArrayItem(offs, 0)->valuedouble, e = cJSON_GetArrayItem(offs, 1)->valuedouble;
    if (!cJSON_IsNumber(cJSON_GetArrayItem(offs, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(offs, 1)) || b < 0 ||
        e < b || e > (double)data_size || b != (double)(uint64_t)b || e != (double)(uint64_t)e)
        return el_fail(EL_ERR_FORMAT, "%s: tensor '%s': data_offsets [%.0f, %.0f] outside the %llu-byte data section",
                       f->path, name, b, e, (unsigned long long)data_size);
    t->n_elems = el_shape_count(t->ndim, t->shape);
    int overflow = t->ndim > 0 && t->n_elems == 0;
    for (int i = 0; i < t->ndim; i++) overflow &= t->shape[i] != 0;
    if (overflow || t->n_elems > UINT64_MAX / (uint64_t)esize || t->n_elems * (uint64_t)esize != (uint64_t)e - (uint64_t)b)
        return el_fail(EL_ERR_FORMAT, "%s: tensor '%s': %llu bytes in data_offsets do not match %s x shape", f->path,
                       name, (unsigned long long)((uint64_t)e - (uint64_t)b), t->dtype_name);
    t->data = data + (uint64_t)b;
    t->nbytes = (uint64_t)e - (uint64_t)b;
    t->name = strdup(name);
    return t->name ? EL_OK : el_fail(EL_ERR_NOMEM, "%s: out of memory", f->path);
}

/* Overlapping tensors mean a corrupt or crafted file. */
static el_status check_overlaps(const el_st_file *f, const el_st_tensor *tensors, int n) {
    if (n < 2) return EL_OK;
    const el_st_tensor **order = malloc(sizeof(*order) * (size_t)n);
    if (!order) return el_fail(EL_ERR_NOMEM, "%s: out of memory", f->path);
    for (int i = 0; i < n; i++) order[i] = &tensors[i];
    qsort(order, (size_t)n, sizeof(*order), cmp_tensor_offset);
    el_status st = EL_OK;
    for (int i = 1; i < n && !st; i++)
        if (order[i]->data < order[i - 1]->data + order[i - 1]->nbytes)
            st = el_fail(EL_ERR_FORMAT, "%s: tensors '%s' and '%s' overlap", f->path, order[i - 1]->name,
                         order[i]->name);
    free(order);
    return st;
}

static el_status parse_header(const el_st_file *f, int file_index, el_st_tensor **tensors, int *n_tensors, int *cap) {
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)f->map[i] << (8 * i);
    if (hlen > EL_ST_MAX_HEADER || hlen > f->size - 8)
        return el_fail(EL_ERR_FORMAT, "%s: header length %llu runs past the end of the file (%zu bytes)", f->path,
                       (unsigned long long)hlen, f->size);
    char *text = malloc(hlen + 1);
    if (!text) return el_fail(EL_ERR_NOMEM, "%s: out of memory for header", f->path);
    memcpy(text, f->map + 8, hlen);
    text[hlen] = '\0';
    cJSON *root = cJSON_ParseWithLength(text, hlen);
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return el_fail(EL_ERR_FORMAT, "%s: header is not a JSON object", f->path);
    }
    const uint8_t *data = f->map + 8 + hlen;
    const uint64_t data_size = f->size - 8 - hlen;
    const int first = *n_tensors;
    el_status st = EL_OK;
    for (cJSON *it = root->child; it && !st; it = it->next) {
        if (!strcmp(it->string, "__metadata__")) continue;
        el_st_tensor t = {0};
        t.file = file_index;
        st = parse_entry(f, it, data, data_size, &t);
        if (!st && *n_tensors == *cap) {
            int nc = *cap ? *cap * 2 : 256;
            el_st_tensor *nt = realloc(*tensors, sizeof(el_st_tensor) * (size_t)nc);
            if (nt) *tensors = nt, *cap = nc;
            else st = el_fail(EL_ERR_NOMEM, "%s: out of memory", f->path);
        }
        if (st) free(t.name);
        else (*tensors)[(*n_tensors)++] = t;
    }
    cJSON_Delete(root);
    if (st || *n_tensors - first < 2) return st; /* no pointer arithmetic on an empty (NULL) list */
    return check_overlaps(f, *tensors + first, *n_tensors - first);
}

/* ---------------------------------------------------------------- sets */

static el_status add_file(el_st_set *set, const char *path, int *cap) {
    el_st_file *nf = realloc(set->files, sizeof(el_st_file) * (size_t)(set->n_files + 1));
    if (!nf) return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    set->files = nf;
    el_st_file *f = &set->files[set->n_files];
    memset(f, 0, sizeof *f);
    set->n_files++;
    EL_TRY(map_file(f, path));
    return parse_header(f, set->n_files - 1, &set->tensors, &set->n_tensors, cap);
}

static char *join_path(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Sharded checkpoint: open each distinct shard named in weight_map, then make
 * sure every tensor the index promises is in the shard it names. */
static el_status open_index(el_st_set *set, const char *dir, const char *index_path, int *cap) {
    cJSON *root;
    EL_TRY(el_json_load(index_path, &root));
    cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (!cJSON_IsObject(map)) {
        cJSON_Delete(root);
        return el_fail(EL_ERR_FORMAT, "%s: no \"weight_map\" object", index_path);
    }
    el_status st = EL_OK;
    for (cJSON *it = map->child; it && !st; it = it->next) {
        if (!cJSON_IsString(it) || strchr(it->valuestring, '/') || it->valuestring[0] == '.') {
            st = el_fail(EL_ERR_FORMAT, "%s: weight_map entry '%s' is not a file name in the folder",
                         index_path, it->string);
            break;
        }
        char *p = join_path(dir, it->valuestring);
        if (!p) {
            st = el_fail(EL_ERR_NOMEM, "out of memory");
            break;
        }
        int seen = 0;
        for (int i = 0; i < set->n_files && !seen; i++) seen = !strcmp(set->files[i].path, p);
        if (!seen) st = add_file(set, p, cap);
        free(p);
    }
    if (!st) {
        if (set->n_tensors > 0) qsort(set->tensors, (size_t)set->n_tensors, sizeof(el_st_tensor), cmp_tensor_name);
        for (cJSON *it = map->child; it && !st; it = it->next) {
            const el_st_tensor *t = el_st_find(set, it->string);
            if (!t)
                st = el_fail(EL_ERR_FORMAT, "%s: tensor '%s' is listed in the index but missing from %s",
                             index_path, it->string, it->valuestring);
        }
    }
    cJSON_Delete(root);
    return st;
}

el_status el_st_open(el_st_set *set, const char *path) {
    memset(set, 0, sizeof *set);
    int cap = 0;
    el_status st;
    struct stat sb;
    if (stat(path, &sb) != 0) return el_fail(EL_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) {
        char *single = join_path(path, "model.safetensors");
        char *index = join_path(path, "model.safetensors.index.json");
        if (!single || !index) {
            free(single);
            free(index);
            return el_fail(EL_ERR_NOMEM, "out of memory");
        }
        if (access(single, R_OK) == 0)
            st = add_file(set, single, &cap);
        else if (access(index, R_OK) == 0)
            st = open_index(set, path, index, &cap);
        else
            st = el_fail(EL_ERR_IO, "%s: no model.safetensors or model.safetensors.index.json", path);
        free(single);
        free(index);
    } else {
        st = add_file(set, path, &cap);
    }
    if (!st && set->n_tensors > 0) { /* an empty header leaves tensors NULL */
        qsort(set->tensors, (size_t)set->n_tensors, sizeof(el_st_tensor), cmp_tensor_name);
        for (int i = 1; i < set->n_tensors && !st; i++)
            if (!strcmp(set->tensors[i].name, set->tensors[i - 1].name))
                st = el_fail(EL_ERR_FORMAT, "%s: tensor '%s' appears twice", path, set->tensors[i].name);
    }
    if (st) el_st_close(set);
    return st;
}

void el_st_close(el_st_set *set) {
    for (int i = 0; i < set->n_tensors; i++) free(set->tensors[i].name);
    for (int i = 0; i < set->n_files; i++) {
        if (set->files[i].map) munmap((void *)set->files[i].map, set->files[i].size);
        free(set->files[i].path);
    }
    free(set->tensors);
    free(set->files);
    memset(set, 0, sizeof *set);
}

el_st_set *el_st_keep(el_st_set *set) {
    el_st_set *heap = malloc(sizeof *heap);
    if (!heap) return NULL;
    *heap = *set;
    memset(set, 0, sizeof *set);
    return heap;
}

void el_st_release(void *heap_set) {
    if (!heap_set) return;
    el_st_close(heap_set);
    free(heap_set);
}

const el_st_tensor *el_st_find(const el_st_set *set, const char *name) {
    el_st_tensor key = {.name = (char *)name};
    if (set->n_tensors == 0) return NULL; /* tensors may be NULL */
    return bsearch(&key, set->tensors, (size_t)set->n_tensors, sizeof(el_st_tensor), cmp_tensor_name);
}

/* The tensor `name` with exactly this shape, or an error naming it. */
static el_status find_shaped(const el_st_set *set, const char *name, int ndim, const int64_t *shape,
                             const el_st_tensor **out) {
    const el_st_tensor *t = el_st_find(set, name);
    const char *file = set->n_files ? set->files[0].path : "checkpoint";
    if (!t) return el_fail(EL_ERR_FORMAT, "%s: missing tensor '%s'", file, name);
    file = set->files[t->file].path;
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++) same = t->shape[i] == shape[i];
    if (!same) {
        char want[128] = "", got[128] = "";
        for (int i = 0; i < ndim; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", i ? "," : "", (long long)shape[i]);
        for (int i = 0; i < t->ndim; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "", (long long)t->shape[i]);
        return el_fail(EL_ERR_FORMAT, "%s: tensor '%s' has shape [%s], config implies [%s]", file, name, got, want);
    }
    if (t->dtype == EL_DT_OTHER)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: tensor '%s' has dtype %s (F32, F16 and BF16 are supported)", file,
                       name, t->dtype_name);
    *out = t;
    return EL_OK;
}

/* Element i of a tensor as float (the data may be unaligned). */
static inline float element(const el_st_tensor *t, uint64_t i) {
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case EL_DT_F32: {
        float f;
        memcpy(&f, p + 4 * i, 4);
        return f;
    }
    case EL_DT_F16: return el_f16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
    default: return el_bf16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
    }
}

/* NaN or infinite weights are a corrupt checkpoint: every entropy
 * downstream would be NaN. One pass at load time is cheap. */
static el_status check_finite(const el_st_set *set, const el_st_tensor *t, const char *name, const float *dst) {
    int finite = 1;
    for (uint64_t i = 0; i < t->n_elems; i++) finite &= isfinite(dst[i]) != 0;
    if (!finite) return el_fail(EL_ERR_FORMAT, "%s: tensor '%s' holds NaN or infinite values", set->files[t->file].path, name);
    return EL_OK;
}

/* A tensor copied out of the mapping is not needed there any more: drop its
 * whole pages from this process (the page cache keeps the file), so a
 * converted or transposed checkpoint is not held twice in memory. */
static void release_pages(const el_st_tensor *t) {
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)t->data + page - 1) & ~(page - 1);
    uintptr_t hi = ((uintptr_t)t->data + t->nbytes) & ~(page - 1);
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

el_status el_st_read(const el_st_set *set, const char *name, float *dst, int ndim, const int64_t *shape) {
    const el_st_tensor *t;
    EL_TRY(find_shaped(set, name, ndim, shape, &t));
    if (t->dtype == EL_DT_F32) memcpy(dst, t->data, t->nbytes); /* memcpy: the data may be unaligned */
    else
        for (uint64_t i = 0; i < t->n_elems; i++) dst[i] = element(t, i);
    release_pages(t);
    return check_finite(set, t, name, dst);
}

el_status el_st_map_f32(const el_st_set *set, const char *name, int ndim, const int64_t *shape, const float **out) {
    const el_st_tensor *t;
    *out = NULL;
    EL_TRY(find_shaped(set, name, ndim, shape, &t));
    if (t->dtype != EL_DT_F32 || ((uintptr_t)t->data & 3)) return EL_OK;
    EL_TRY(check_finite(set, t, name, (const float *)t->data));
    *out = (const float *)t->data;
    return EL_OK;
}

el_status el_st_read_transposed(const el_st_set *set, const char *name, float *dst, int64_t rows, int64_t cols) {
    const el_st_tensor *t;
    EL_TRY(find_shaped(set, name, 2, (int64_t[]){cols, rows}, &t));
    /* 32 x 32 tiles keep both the reads and the writes in cache. */
    const int64_t T = 32;
    for (int64_t i0 = 0; i0 < cols; i0 += T)
        for (int64_t j0 = 0; j0 < rows; j0 += T)
            for (int64_t i = i0; i < i0 + T && i < cols; i++)
                for (int64_t j = j0; j < j0 + T && j < rows; j++) dst[j * cols + i] = element(t, (uint64_t)(i * rows + j));
    release_pages(t);
    return check_finite(set, t, name, dst);
}

/* F16/BF16 infinities and NaNs have an all-ones exponent. */
static el_status check_half_finite(const el_st_set *set, const el_st_tensor *t, const char *name, const uint8_t *p) {
    const unsigned mask = t->dtype == EL_DT_F16 ? 0x7c00u : 0x7f80u;
    int finite = 1;
    for (uint64_t i = 0; i < t->n_elems; i++) finite &= ((p[2 * i] | (unsigned)p[2 * i + 1] << 8) & mask) != mask;
    if (!finite) return el_fail(EL_ERR_FORMAT, "%s: tensor '%s' holds NaN or infinite values", set->files[t->file].path, name);
    return EL_OK;
}

static el_qtype qtype_of(el_dtype d) { return d == EL_DT_F16 ? EL_Q_F16 : d == EL_DT_BF16 ? EL_Q_BF16 : EL_Q_F32; }

el_status el_st_map_typed(const el_st_set *set, const char *name, int ndim, const int64_t *shape, const void **out,
                          el_qtype *type) {
    const el_st_tensor *t;
    *out = NULL;
    EL_TRY(find_shaped(set, name, ndim, shape, &t));
    *type = qtype_of(t->dtype);
    if (t->dtype == EL_DT_F32) return el_st_map_f32(set, name, ndim, shape, (const float **)out);
    if ((uintptr_t)t->data & 1) return EL_OK;
    EL_TRY(check_half_finite(set, t, name, t->data));
    *out = t->data;
    return EL_OK;
}

el_status el_st_read_half(const el_st_set *set, const char *name, uint16_t *dst, int64_t rows, int64_t cols,
                          int transposed, el_qtype *type) {
    const el_st_tensor *t;
    EL_TRY(find_shaped(set, name, 2, transposed ? (int64_t[]){cols, rows} : (int64_t[]){rows, cols}, &t));
    *type = qtype_of(t->dtype);
    if (t->dtype == EL_DT_F32) return EL_OK;
    EL_TRY(check_half_finite(set, t, name, t->data));
    const uint8_t *p = t->data;
    if (!transposed) {
        memcpy(dst, p, (size_t)rows * (size_t)cols * 2);
    } else {
        const int64_t T = 32; /* tiles: reads and writes stay in cache */
        for (int64_t i0 = 0; i0 < cols; i0 += T)
            for (int64_t j0 = 0; j0 < rows; j0 += T)
                for (int64_t i = i0; i < i0 + T && i < cols; i++)
                    for (int64_t j = j0; j < j0 + T && j < rows; j++)
                        memcpy(dst + j * cols + i, p + 2 * (i * rows + j), 2);
    }
    release_pages(t);
    return EL_OK;
}

const char *el_st_dtype_summary(const el_st_set *set) {
    const char *d = NULL;
    for (int i = 0; i < set->n_tensors; i++) {
        if (!d) d = set->tensors[i].dtype_name;
        else if (strcmp(d, set->tensors[i].dtype_name)) return "mixed";
    }
    return d ? d : "none";
}
