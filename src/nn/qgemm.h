/* Matrix products with weights kept in their stored precision (nn/quant.h):
 * C[M][out] = alpha * A[M][in] . W^T + beta * C for W stored as `out` rows
 * of `in` values. Tiles of W's rows are expanded into F32 panels and
 * multiplied with OpenBLAS, so every weight byte is read once per call, at
 * its stored size, whatever M:
 *   - a few rows (M <= EL_QGEMM_SKINNY: a decoding step, the lens over the
 *     last positions): panels of EL_QGEMM_PANEL_BYTES that stay in cache,
 *     threads taking tiles in turn, each multiplied in registers
 *     (el_panel_gemm_few), or for M = 1 the fused dot product of
 *     nn/quant_dot.h (F16, BF16, Q8_0, Q4_K, Q6_K: no panel at all) or an
 *     sgemv;
 *   - many rows (a prefill, a ViT batch, the lens over a batch): panels of up
 *     to EL_QGEMM_BIG_PANEL_BYTES, expanded by all threads, then one sgemm
 *     (whose cost, ~M times the expansion's, hides it).
 * Inside a parallel region everything runs on the calling thread. */
#ifndef EL_QGEMM_H
#define EL_QGEMM_H

#include <stddef.h>

#include "nn/quant.h"

#define EL_QGEMM_PANEL_BYTES (128 * 1024)
#define EL_QGEMM_BIG_PANEL_BYTES (4 * 1024 * 1024)
#define EL_QGEMM_SKINNY 16

/* C = alpha * A W^T + beta * C. Returns 0, or -1 when a panel cannot be
 * allocated (C is then filled with NaN: never a stale result). `in` must be
 * a multiple of the type's block. */
int el_qgemm_acc(el_qtype type, const void *w, int out, int in, int M, float alpha, const float *A, int lda,
                 float beta, float *C, int ldc);
/* y[n][out] = x[n][in] . W^T (contiguous rows). */
int el_qgemm(el_qtype type, const void *w, int out, int in, const float *x, int n, float *y);

#endif
