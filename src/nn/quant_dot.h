/* Fused dot products for decoding rows: y[r] = alpha * dot(row r, x) +
 * beta * y[r] (y[r] not read when beta is 0) computed straight from rows
 * stored as F16, BF16, Q8_0, Q4_K or Q6_K, so a decoding step reads each
 * weight once at its stored size and writes no float32 panel. The sums
 * differ from expanding the rows (nn/quant.h) and multiplying only in
 * rounding order: a block's scale multiplies the block's sum instead of each
 * weight (Q4_K: d*sc*sum(q x) - dmin*m*sum(x)). */
#ifndef EL_QUANT_DOT_H
#define EL_QUANT_DOT_H

#include <stddef.h>

#include "nn/quant.h"

/* 1 when el_quant_gemv has a kernel for this type and row length on this
 * machine (AVX2, F16C, FMA), else 0: expand and multiply instead. */
int el_quant_gemv_ok(el_qtype type, int in);
/* 0 when done; -1 when el_quant_gemv_ok says no. */
int el_quant_gemv(el_qtype type, const void *w, size_t row_bytes, int rows, int in, float alpha, const float *x,
                  float beta, float *y);

/* C[m][r] = alpha * dot(A[m], P[r]) + beta * C[m][r] for m < M, r < rows:
 * a few activation rows (a prompt's, 2..16) against an F32 panel of expanded
 * weight rows, in registers (two A rows by four panel rows at a time) where
 * OpenBLAS would repack A for every small tile. -1 when not available (no
 * AVX2/FMA, or in not a multiple of 8). */
int el_panel_gemm_few(int M, int rows, int in, float alpha, const float *A, int lda, const float *P, float beta,
                      float *C, int ldc);

#endif
