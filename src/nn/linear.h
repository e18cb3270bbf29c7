/* Weight matrices and the one entry point every weight product goes through.
 * A matrix is a typed view (PyTorch nn.Linear order, [rows = out][cols = in]);
 * today every loaded weight is F32 and goes straight to cblas_sgemm. Other
 * element types (F16, BF16, quantised blocks) are to be expanded here, tile
 * by tile into F32 panels, so no caller changes when they arrive. */
#ifndef EL_LINEAR_H
#define EL_LINEAR_H

#include "base/dtype.h"

typedef struct {
    const void *data;
    el_dtype dtype;
    int rows, cols;
} el_mat;

/* An F32 view of [rows][cols] floats. */
el_mat el_mat_f32(const float *data, int rows, int cols);
/* Rows [r0, r0 + n) of w (a vocabulary chunk of an output head). */
el_mat el_mat_rows(const el_mat *w, int r0, int n);
/* Row r of an F32 matrix (embedding look-ups). */
const float *el_mat_row_f32(const el_mat *w, int r);

/* C[M][w.rows] = alpha * A[M][w.cols] * w^T + beta * C. */
void el_mat_gemm(int M, float alpha, const float *A, int lda, const el_mat *w, float beta, float *C, int ldc);

/* out[rows][w.rows] = in[rows][w.cols] * w^T + b (b may be NULL). */
void el_linear(float *out, const float *in, const el_mat *w, const float *b, int rows);
/* out += in * w^T + b: the residual add fused into the GEMM. */
void el_linear_add(float *out, const float *in, const el_mat *w, const float *b, int rows);

#endif
