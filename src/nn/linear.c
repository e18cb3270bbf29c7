#include "nn/linear.h"

#include <math.h>
#include <string.h>

#include "nn/kernels.h"

el_mat el_mat_f32(const float *data, int rows, int cols) {
    el_mat m = {.data = data, .dtype = EL_DT_F32, .rows = rows, .cols = cols};
    return m;
}

el_mat el_mat_rows(const el_mat *w, int r0, int n) {
    el_mat m = *w;
    m.rows = n;
    if (w->data) m.data = (const float *)w->data + (size_t)r0 * w->cols;
    return m;
}

const float *el_mat_row_f32(const el_mat *w, int r) { return (const float *)w->data + (size_t)r * w->cols; }

void el_mat_gemm(int M, float alpha, const float *A, int lda, const el_mat *w, float beta, float *C, int ldc) {
    if (w->dtype != EL_DT_F32) {
        /* Loaders convert every weight to F32 until the expanding path
         * exists; a product that cannot be computed is NaN, never stale. */
        for (int r = 0; r < M; r++)
            for (int j = 0; j < w->rows; j++) C[(size_t)r * ldc + j] = NAN;
        return;
    }
    el_gemm_nt(M, w->rows, w->cols, alpha, A, lda, (const float *)w->data, w->cols, beta, C, ldc);
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
