#include "nn/linear.h"

#include <string.h>

#include "nn/kernels.h"
#include "nn/qgemm.h"

el_mat el_mat_typed(const void *data, el_qtype type, int rows, int cols) {
    el_mat m = {.rows = data ? rows : 0, .cols = cols, .n_parts = data ? 1 : 0};
    m.part[0] = (el_mat_part){.data = data, .type = type, .rows = rows};
    return m;
}

el_mat el_mat_f32(const float *data, int rows, int cols) { return el_mat_typed(data, EL_Q_F32, rows, cols); }

static size_t row_bytes(el_qtype type, int cols) { return (size_t)el_qtype_row_bytes(type, (uint64_t)cols); }

int el_mat_stack(el_mat *m, const el_mat *below) {
    if (below->cols != m->cols && m->n_parts) return -1;
    if (!m->n_parts) m->cols = below->cols;
    for (int i = 0; i < below->n_parts; i++) {
        const el_mat_part *p = &below->part[i];
        el_mat_part *last = m->n_parts ? &m->part[m->n_parts - 1] : NULL;
        if (last && last->type == p->type &&
            (const char *)last->data + row_bytes(last->type, m->cols) * (size_t)last->rows == p->data) {
            last->rows += p->rows;
        } else {
            if (m->n_parts == EL_MAT_MAX_PARTS) return -1;
            m->part[m->n_parts++] = *p;
        }
        m->rows += p->rows;
    }
    return 0;
}

el_mat el_mat_rows(const el_mat *w, int r0, int n) {
    el_mat m = {.cols = w->cols};
    for (int i = 0, base = 0; i < w->n_parts && n > 0; base += w->part[i].rows, i++) {
        const el_mat_part *p = &w->part[i];
        if (r0 >= base + p->rows) continue;
        const int off = r0 - base, take = p->rows - off < n ? p->rows - off : n;
        const el_mat piece = el_mat_typed((const char *)p->data + row_bytes(p->type, w->cols) * (size_t)off, p->type,
                                          take, w->cols);
        el_mat_stack(&m, &piece);
        r0 += take;
        n -= take;
    }
    return m;
}

void el_mat_row(const el_mat *w, int r, float *dst) {
    for (int i = 0; i < w->n_parts; r -= w->part[i].rows, i++)
        if (r < w->part[i].rows) {
            const el_mat_part *p = &w->part[i];
            el_quant_expand(p->type, (const char *)p->data + row_bytes(p->type, w->cols) * (size_t)r, dst,
                            (size_t)w->cols);
            return;
        }
}

const float *el_mat_f32_data(const el_mat *w) {
    return w->n_parts == 1 && w->part[0].type == EL_Q_F32 ? w->part[0].data : NULL;
}

size_t el_mat_bytes(const el_mat *w) {
    size_t n = 0;
    for (int i = 0; i < w->n_parts; i++) n += row_bytes(w->part[i].type, w->cols) * (size_t)w->part[i].rows;
    return n;
}

/* Each part fills its own columns of C. */
void el_mat_gemm(int M, float alpha, const float *A, int lda, const el_mat *w, float beta, float *C, int ldc) {
    for (int i = 0, c0 = 0; i < w->n_parts; c0 += w->part[i].rows, i++) {
        const el_mat_part *p = &w->part[i];
        if (p->type == EL_Q_F32)
            el_gemm_nt(M, p->rows, w->cols, alpha, A, lda, p->data, w->cols, beta, C + c0, ldc);
        else
            el_qgemm_acc(p->type, p->data, p->rows, w->cols, M, alpha, A, lda, beta, C + c0, ldc);
    }
}

/* Broadcasting the bias into C first lets sgemm accumulate onto it (beta = 1)
 * instead of a second pass over the output. */
void el_linear(float *out, const float *in, const el_mat *w, const float *b, int rows) {
    const int out_dim = w->rows;
    if (b) {
#pragma omp parallel for schedule(static) if ((long)rows * out_dim > EL_PAR_MIN_WORK)
        for (int r = 0; r < rows; r++) memcpy(out + (size_t)r * out_dim, b, sizeof(float) * out_dim);
    }
    el_mat_gemm(rows, 1.0f, in, w->cols, w, b ? 1.0f : 0.0f, out, out_dim);
}

void el_linear_add(float *out, const float *in, const el_mat *w, const float *b, int rows) {
    const int out_dim = w->rows;
    if (b) {
#pragma omp parallel for schedule(static) if ((long)rows * out_dim > EL_PAR_MIN_WORK)
        for (int r = 0; r < rows; r++) {
            float *o = out + (size_t)r * out_dim;
            for (int j = 0; j < out_dim; j++) o[j] += b[j];
        }
    }
    el_mat_gemm(rows, 1.0f, in, w->cols, w, 1.0f, out, out_dim);
}
