/* el_qgemm against the plain product of the fully expanded weights (the
 * same float32 values through one cblas_sgemm): per stored type, for a
 * decoding row (n = 1), a few rows and a prefill-sized batch, with a row
 * count that leaves a partial last tile (n = 1 runs the fused dot products
 * of nn/quant_dot.c for F16, BF16, Q8_0, Q4_K and Q6_K; n = 3 and 16 its
 * few-rows panel product, an odd and the largest row count). Tolerance: sgemm's summation order
 * may differ between tile and whole-matrix calls, so 1e-5 of sum |x||w|
 * (the size of the terms; the sums themselves may cancel to near 0). */
#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/qgemm.h"
#include "test_util.h"

static uint32_t rng = 15;
static uint32_t next(void) { return rng = rng * 1664525u + 1013904223u; }

static void check_type(el_qtype type, int out, int in) {
    const el_qtype_info *q = el_qtype_get(type);
    size_t bytes = (size_t)el_qtype_row_bytes(type, (uint64_t)in) * (size_t)out;
    uint8_t *w = malloc(bytes);
    float *full = malloc(sizeof(float) * (size_t)out * (size_t)in);
    float *x = malloc(sizeof(float) * 17 * (size_t)in), *y = malloc(sizeof(float) * 17 * (size_t)out);
    float *want = malloc(sizeof(float) * 17 * (size_t)out), *mag = malloc(sizeof(float) * 17 * (size_t)out);
    float *ax = malloc(sizeof(float) * 17 * (size_t)in), *aw = malloc(sizeof(float) * (size_t)out * (size_t)in);
    for (size_t i = 0; i < bytes; i++) w[i] = (uint8_t)(next() >> 24);
    /* Keep f16/bf16 scales and values finite: clear the exponent's top bit of
     * every 16-bit word (F32 gets small normal values the same way). */
    for (size_t i = 1; i < bytes; i += 2) w[i] &= 0x3f;
    if (type == EL_Q_F32)
        for (size_t i = 3; i < bytes; i += 4) w[i] &= 0x3f;
    for (int i = 0; i < 17 * in; i++) x[i] = (float)((int)(next() >> 20) - 2048) / 2048.0f;
    el_quant_expand(type, w, full, (size_t)out * (size_t)in);
    for (int i = 0; i < 17 * in; i++) ax[i] = fabsf(x[i]);
    for (size_t i = 0; i < (size_t)out * (size_t)in; i++) aw[i] = fabsf(full[i]);
    static const int ns[] = {1, 3, 16, 17};
    for (int k = 0; k < 4; k++) {
        int n = ns[k];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0f, x, in, full, in, 0.0f, want, out);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0f, ax, in, aw, in, 0.0f, mag, out);
        memset(y, 0, sizeof(float) * (size_t)n * (size_t)out);
        CHECK(el_qgemm(type, w, out, in, x, n, y) == 0);
        double worst = 0;
        for (int i = 0; i < n * out; i++) {
            double d = fabs((double)y[i] - want[i]) / ((double)mag[i] + 1e-30);
            if (!(d <= worst)) worst = d;
        }
        CHECK_MSG(worst <= 1e-5, "%s n=%d: relative error %g", q->name, n, worst);
    }
    free(w), free(full), free(x), free(y), free(want), free(mag), free(ax), free(aw);
}

int main(void) {
    static const el_qtype types[] = {EL_Q_F32, EL_Q_F16, EL_Q_BF16, EL_Q_Q8_0, EL_Q_Q4_0, EL_Q_Q4_K, EL_Q_Q5_K, EL_Q_Q6_K};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) check_type(types[i], 301, 512);
    /* A row longer than a panel: one row per tile. */
    check_type(EL_Q_Q8_0, 5, 40960);
    /* An odd number of Q8_0 blocks per row (the fused decoding dot takes two at a time). */
    check_type(EL_Q_Q8_0, 7, 96);
    return el_test_finish("test_qgemm");
}
