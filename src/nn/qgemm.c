/* el_qgemm_acc: expand-a-tile-then-multiply (see qgemm.h). Tiles are whole
 * rows, so a tile starts at row r0 * row_bytes for every block type.
 * OpenBLAS runs single-threaded inside our parallel regions (its OpenMP
 * build checks omp_in_parallel). */
#include "nn/qgemm.h"
#include "nn/quant_dot.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>

static void tile_product(int M, int rows, int in, float alpha, const float *A, int lda, const float *panel,
                         float beta, float *C, int ldc) {
    if (M == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, in, alpha, panel, in, A, 1, beta, C, 1);
    else if (M > EL_QGEMM_SKINNY || el_panel_gemm_few(M, rows, in, alpha, A, lda, panel, beta, C, ldc))
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, rows, in, alpha, A, lda, panel, in, beta, C, ldc);
}

static int tile_rows(size_t panel_bytes, int out, int in) {
    size_t t = panel_bytes / (sizeof(float) * (size_t)in);
    if (t < 1) t = 1;
    return t > (size_t)out ? out : (int)t;
}

/* Few rows: threads take whole tiles, each into its own small panel. A
 * decoding row over a type with a fused dot product needs no panel at all:
 * tiles of EL_QGEMM_FUSED_ROWS rows then, so the kernel's per-call set-up
 * (Q4_K's sums of x) is paid once per 64 rows. */
#define EL_QGEMM_FUSED_ROWS 64
static int skinny(el_qtype type, const uint8_t *w, size_t row_bytes, int out, int in, int M, float alpha,
                  const float *A, int lda, float beta, float *C, int ldc) {
    const int fused = M == 1 && el_quant_gemv_ok(type, in);
    const int tile = fused ? (out < EL_QGEMM_FUSED_ROWS ? out : EL_QGEMM_FUSED_ROWS)
                           : tile_rows(EL_QGEMM_PANEL_BYTES, out, in);
    const int n_tiles = (out + tile - 1) / tile;
    int failed = 0;
#pragma omp parallel if (!omp_in_parallel() && n_tiles > 1) reduction(| : failed)
    {
        float *panel = fused ? NULL : malloc(sizeof(float) * (size_t)tile * (size_t)in);
        if (!fused && !panel) failed = 1;
#pragma omp for schedule(static)
        for (int t = 0; t < n_tiles; t++) {
            const int r0 = t * tile, rows = out - r0 < tile ? out - r0 : tile;
            const uint8_t *wt = w + (size_t)r0 * row_bytes;
            if (fused) {
                el_quant_gemv(type, wt, row_bytes, rows, in, alpha, A, beta, C + r0);
            } else if (panel) {
                el_quant_expand(type, wt, panel, (size_t)rows * (size_t)in);
                tile_product(M, rows, in, alpha, A, lda, panel, beta, C + r0, ldc);
            }
        }
        free(panel);
    }
    return failed ? -1 : 0;
}

/* Many rows: a big panel expanded by the whole team, then OpenBLAS's own
 * threads on one sgemm. */
static int wide(el_qtype type, const uint8_t *w, size_t row_bytes, int out, int in, int M, float alpha,
                const float *A, int lda, float beta, float *C, int ldc) {
    const int tile = tile_rows(EL_QGEMM_BIG_PANEL_BYTES, out, in);
    float *panel = malloc(sizeof(float) * (size_t)tile * (size_t)in);
    if (!panel) return -1;
    const int nested = omp_in_parallel();
    (void)nested; /* read by the pragma only (see transformer.c) */
    for (int r0 = 0; r0 < out; r0 += tile) {
        const int rows = out - r0 < tile ? out - r0 : tile;
#pragma omp parallel for schedule(static) if (!nested && (long)rows * in > (1L << 16))
        for (int r = 0; r < rows; r++)
            el_quant_expand(type, w + (size_t)(r0 + r) * row_bytes, panel + (size_t)r * in, (size_t)in);
        tile_product(M, rows, in, alpha, A, lda, panel, beta, C + r0, ldc);
    }
    free(panel);
    return 0;
}

int el_qgemm_acc(el_qtype type, const void *w, int out, int in, int M, float alpha, const float *A, int lda,
                 float beta, float *C, int ldc) {
    if (M <= 0 || out <= 0) return 0;
    if (type == EL_Q_F32) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, out, in, alpha, A, lda, w, in, beta, C, ldc);
        return 0;
    }
    const size_t row_bytes = (size_t)el_qtype_row_bytes(type, (uint64_t)in);
    const int failed = M <= EL_QGEMM_SKINNY ? skinny(type, w, row_bytes, out, in, M, alpha, A, lda, beta, C, ldc)
                                            : wide(type, w, row_bytes, out, in, M, alpha, A, lda, beta, C, ldc);
    if (failed)
        for (int r = 0; r < M; r++)
            for (int j = 0; j < out; j++) C[(size_t)r * ldc + j] = NAN;
    return failed;
}

int el_qgemm(el_qtype type, const void *w, int out, int in, const float *x, int n, float *y) {
    return el_qgemm_acc(type, w, out, in, n, 1.0f, x, in, 0.0f, y, out);
}
