/* Matrix products with weights kept in their stored precision (nn/quant.h):
 * Y[n][out] = X[n][in] . W^T for W stored as `out` rows of `in` values.
 * Tiles of W's rows are expanded into a per-thread F32 panel small enough to
 * stay in cache (EL_QGEMM_PANEL_BYTES) and multiplied with cblas_sgemm, so
 * every weight byte is read once per call, at its stored size, whatever n
 * (a decoding step with n = 1 included). F32 weights go straight to one
 * cblas_sgemm. This is the entry point the core's linear layer calls for
 * non-F32 weights. */
#ifndef EL_QGEMM_H
#define EL_QGEMM_H

#include <stddef.h>

#include "nn/quant.h"

#define EL_QGEMM_PANEL_BYTES (128 * 1024)

/* 0, or -1 when a panel cannot be allocated. `in` must be a multiple of the
 * type's block. Runs on the calling thread's OpenMP team when called outside
 * a parallel region. */
int el_qgemm(el_qtype type, const void *w, int out, int in, const float *x, int n, float *y);

#endif
