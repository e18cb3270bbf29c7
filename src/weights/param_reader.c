#include "weights/param_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buffer.h"
#include "base/status.h"

el_status el_param_reader_init(el_param_reader *r, const el_st_set *set, size_t cap, const char *what) {
    memset(r, 0, sizeof *r);
    r->set = set;
    r->cap = cap;
    r->arena = el_alloc_params(cap ? cap : 1);
    r->used_flags = calloc((size_t)set->n_tensors + 1, 1);
    if (!r->arena || !r->used_flags) {
        el_param_reader_abort(r);
        return r->st = el_fail(EL_ERR_NOMEM, "%s: out of memory for %zu parameters", what, cap);
    }
    return EL_OK;
}

float *el_param_reader_finish(el_param_reader *r) {
    float *a = r->arena;
    free(r->used_flags);
    r->used_flags = NULL;
    r->arena = NULL;
    return a;
}

void el_param_reader_abort(el_param_reader *r) {
    el_free_params(r->arena);
    free(r->used_flags);
    r->arena = NULL;
    r->used_flags = NULL;
}

static float *slice(el_param_reader *r, size_t n, const char *name) {
    if (r->st) return NULL;
    if (r->used + n > r->cap) {
        r->st = el_fail(EL_ERR_FORMAT, "internal: parameter arena too small at '%s'", name);
        return NULL;
    }
    float *p = r->arena + r->used;
    r->used += n;
    return p;
}

static void mark(el_param_reader *r, const char *name) {
    const el_st_tensor *t = el_st_find(r->set, name);
    if (t && !r->used_flags[t - r->set->tensors]) {
        r->used_flags[t - r->set->tensors] = 1;
        r->n_params += t->n_elems;
    }
}

float *el_take(el_param_reader *r, const char *name, int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    if (r->st) return NULL;
    int64_t shape[4] = {d0, d1, d2, d3};
    const float *mapped = NULL;
    el_status st = el_st_map_f32(r->set, name, ndim, shape, &mapped);
    if (st == EL_OK && mapped) {
        mark(r, name);
        r->mapped++;
        return (float *)mapped; /* read-only: the weights are never written */
    }
    if (st != EL_OK) {
        r->st = st;
        return NULL;
    }
    return el_take_copy(r, name, ndim, d0, d1, d2, d3);
}

float *el_take_copy(el_param_reader *r, const char *name, int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    int64_t shape[4] = {d0, d1, d2, d3};
    float *dst = slice(r, el_shape_count(ndim, shape), name);
    if (!dst) return NULL;
    if ((r->st = el_st_read(r->set, name, dst, ndim, shape))) return NULL;
    mark(r, name);
    return dst;
}

float *el_take_transposed(el_param_reader *r, const char *name, int64_t rows, int64_t cols) {
    float *dst = slice(r, (size_t)rows * (size_t)cols, name);
    if (!dst) return NULL;
    if ((r->st = el_st_read_transposed(r->set, name, dst, rows, cols))) return NULL;
    mark(r, name);
    return dst;
}

float *el_take_zeros(el_param_reader *r, size_t n) {
    float *dst = slice(r, n, "(zeros)");
    if (dst) memset(dst, 0, n * sizeof(float));
    return dst;
}

int el_has(const el_param_reader *r, const char *name) { return el_st_find(r->set, name) != NULL; }

void el_skip(el_param_reader *r, const char *name) { mark(r, name); }

el_status el_check_leftovers(const el_param_reader *r, const char *where, int (*ignorable)(const char *name)) {
    for (int i = 0; i < r->set->n_tensors; i++)
        if (!r->used_flags[i] && !(ignorable && ignorable(r->set->tensors[i].name)))
            return el_fail(EL_ERR_FORMAT, "%s: unexpected tensor '%s' (a different architecture or layout?)", where,
                           r->set->tensors[i].name);
    return EL_OK;
}

/* ---------------------------------------------------------------- weight matrices */

el_mat el_take_mat(el_param_reader *r, const char *name, int64_t rows, int64_t cols) {
    if (r->st) return (el_mat){0};
    const void *mapped = NULL;
    el_qtype type = EL_Q_F32;
    el_status st = el_st_map_typed(r->set, name, 2, (int64_t[]){rows, cols}, &mapped, &type);
    if (st) {
        r->st = st;
        return (el_mat){0};
    }
    if (mapped) {
        mark(r, name);
        r->mapped++;
        return el_mat_typed(mapped, type, (int)rows, (int)cols);
    }
    return el_take_mat_copy(r, name, rows, cols, 0);
}

static int is_half(const el_param_reader *r, const char *name) {
    const el_st_tensor *t = el_st_find(r->set, name);
    return t && (t->dtype == EL_DT_F16 || t->dtype == EL_DT_BF16);
}

el_mat el_take_mat_copy(el_param_reader *r, const char *name, int64_t rows, int64_t cols, int transposed) {
    if (r->st) return (el_mat){0};
    if (!is_half(r, name)) {
        float *f = transposed ? el_take_transposed(r, name, rows, cols) : el_take_copy(r, name, 2, rows, cols, 0, 0);
        return el_mat_f32(f, (int)rows, (int)cols);
    }
    const size_t n = (size_t)rows * (size_t)cols;
    uint16_t *dst = (uint16_t *)slice(r, (n + 1) / 2, name);
    el_qtype type = EL_Q_F32;
    if (!dst || (r->st = el_st_read_half(r->set, name, dst, rows, cols, transposed, &type))) return (el_mat){0};
    mark(r, name);
    return el_mat_typed(dst, type, (int)rows, (int)cols);
}

/* F32 parts are copied into consecutive arena slices, so they merge into one
 * matrix (one sgemm, as before stored precisions existed); F16/BF16 parts
 * stay in place in the mapping, one product each. */
void el_take_mat_stack(el_param_reader *r, el_mat *m, const char *name, int64_t rows, int64_t cols) {
    el_mat part = is_half(r, name) ? el_take_mat(r, name, rows, cols) : el_take_mat_copy(r, name, rows, cols, 0);
    if (!r->st && el_mat_stack(m, &part))
        r->st = el_fail(EL_ERR_FORMAT, "internal: '%s' cannot be stacked onto its matrix", name);
}

void el_take_linear(el_param_reader *r, const char *prefix, int64_t rows, int64_t cols, el_mat *w, const float **b) {
    char name[512];
    snprintf(name, sizeof name, "%s.weight", prefix);
    *w = el_take_mat(r, name, rows, cols);
    snprintf(name, sizeof name, "%s.bias", prefix);
    *b = el_take(r, name, 1, rows, 0, 0, 0);
}

void el_take_norm(el_param_reader *r, const char *prefix, int64_t dim, const float **w, const float **b) {
    char name[512];
    snprintf(name, sizeof name, "%s.weight", prefix);
    *w = el_take(r, name, 1, dim, 0, 0, 0);
    snprintf(name, sizeof name, "%s.bias", prefix);
    *b = el_take(r, name, 1, dim, 0, 0, 0);
}
