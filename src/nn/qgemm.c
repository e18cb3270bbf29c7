/* el_qgemm: expand-a-tile-then-sgemm (see qgemm.h). Tiles are whole rows, so
 * a tile starts at row r0 * row_bytes for every block type. Threads take
 * tiles round-robin; OpenBLAS runs single-threaded inside the parallel
 * region (its OpenMP build checks omp_in_parallel). */
#include "nn/qgemm.h"

#include <cblas.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>

int el_qgemm(el_qtype type, const void *w, int out, int in, const float *x, int n, float *y) {
    if (type == EL_Q_F32) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0f, x, in, w, in, 0.0f, y, out);
        return 0;
    }
    const size_t row_bytes = (size_t)el_qtype_row_bytes(type, (uint64_t)in);
    int tile = (int)(EL_QGEMM_PANEL_BYTES / (sizeof(float) * (size_t)in));
    if (tile < 1) tile = 1;
    if (tile > out) tile = out;
    const int n_tiles = (out + tile - 1) / tile;
    int failed = 0;
#pragma omp parallel if (!omp_in_parallel() && n_tiles > 1) reduction(| : failed)
    {
        float *panel = malloc(sizeof(float) * (size_t)tile * (size_t)in);
        if (!panel) failed = 1;
#pragma omp for schedule(static)
        for (int t = 0; t < n_tiles; t++) {
            if (!panel) continue;
            int r0 = t * tile, rows = out - r0 < tile ? out - r0 : tile;
            el_quant_expand(type, (const uint8_t *)w + (size_t)r0 * row_bytes, panel, (size_t)rows * (size_t)in);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, rows, in, 1.0f, x, in, panel, in, 0.0f, y + r0,
                        out);
        }
        free(panel);
    }
    return failed ? -1 : 0;
}
