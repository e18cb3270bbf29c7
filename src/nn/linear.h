/* Weight matrices and the one entry point every weight product goes through.
 * A matrix is a typed view (PyTorch nn.Linear order, [rows = out][cols = in])
 * of weights in the precision they are stored in (F32, F16, BF16 or a ggml
 * block type, nn/quant.h), usually inside the mapped checkpoint. A matrix may
 * be a vertical stack of up to EL_MAT_MAX_PARTS parts stored apart (q, k and
 * v projections; gate and up), each with its own type, so fused products
 * need no copy of the weights. F32 parts go straight to cblas_sgemm; other
 * types through el_qgemm_acc (nn/qgemm.h), which expands tiles into F32
 * panels. */
#ifndef EL_LINEAR_H
#define EL_LINEAR_H

#include "nn/quant.h"

#define EL_MAT_MAX_PARTS 3

typedef struct {
    const void *data;
    el_qtype type;
    int rows;
} el_mat_part;

typedef struct {
    int rows, cols; /* rows: of all parts together */
    int n_parts;    /* 0: no matrix */
    el_mat_part part[EL_MAT_MAX_PARTS];
} el_mat;

/* An F32 view of [rows][cols] floats (data NULL: no matrix). */
el_mat el_mat_f32(const float *data, int rows, int cols);
/* A view of [rows][cols] values of `type` (data NULL: no matrix). */
el_mat el_mat_typed(const void *data, el_qtype type, int rows, int cols);
/* Stack `below` under m (same cols): 0, or -1 when m has no part left or the
 * column counts differ. Parts of one type that lie back to back in memory
 * are merged. */
int el_mat_stack(el_mat *m, const el_mat *below);
/* Rows [r0, r0 + n) of w (a vocabulary chunk of an output head). */
el_mat el_mat_rows(const el_mat *w, int r0, int n);
/* Row r of w expanded to cols floats in dst (embedding look-ups). */
void el_mat_row(const el_mat *w, int r, float *dst);
/* The F32 data of a one-part F32 matrix, else NULL. */
const float *el_mat_f32_data(const el_mat *w);
/* Bytes of weights w holds (at their stored precision). */
size_t el_mat_bytes(const el_mat *w);

/* C[M][w.rows] = alpha * A[M][w.cols] * w^T + beta * C. */
void el_mat_gemm(int M, float alpha, const float *A, int lda, const el_mat *w, float beta, float *C, int ldc);

/* out[rows][w.rows] = in[rows][w.cols] * w^T + b (b may be NULL). */
void el_linear(float *out, const float *in, const el_mat *w, const float *b, int rows);
/* out += in * w^T + b: the residual add fused into the GEMM. */
void el_linear_add(float *out, const float *in, const el_mat *w, const float *b, int rows);

#endif
