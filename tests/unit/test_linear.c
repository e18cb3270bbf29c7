/* Stored-precision weight matrices (nn/linear.h): a matrix of up to three
 * parts of different types (the q, k, v of a GGUF layer, Q4_K next to Q6_K
 * next to BF16) multiplied through el_mat_gemm equals the plain sgemm of the
 * same weights expanded to F32, for a decoding row, a few rows and a batch
 * (both el_qgemm paths), with strided A and C, alpha and beta; row views
 * across part boundaries and row look-ups equal the expanded rows; the
 * lens over a BF16 head equals the lens over its F32 expansion.
 * Tolerance: 1e-5 of sum |a||w| (summation order differs between tiles). */
#include <cblas.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/lens.h"
#include "nn/linear.h"
#include "test_util.h"

static uint32_t rng = 7;
static uint32_t next(void) { return rng = rng * 1664525u + 1013904223u; }
static float frand(void) { return (float)((int)(next() >> 20) - 2048) / 2048.0f; }

/* Random bytes of `rows` rows of `type` with finite 16-bit scales/values. */
static uint8_t *random_rows(el_qtype type, int rows, int cols, float *expanded) {
    size_t bytes = (size_t)el_qtype_row_bytes(type, (uint64_t)cols) * (size_t)rows;
    uint8_t *w = malloc(bytes);
    for (size_t i = 0; i < bytes; i++) w[i] = (uint8_t)(next() >> 24);
    for (size_t i = 1; i < bytes; i += 2) w[i] &= 0x3f;
    if (type == EL_Q_F32)
        for (size_t i = 3; i < bytes; i += 4) w[i] &= 0x3f;
    el_quant_expand(type, w, expanded, (size_t)rows * (size_t)cols);
    return w;
}

static double worst_rel(const float *got, const float *want, const float *mag, int M, int N, int ldc) {
    double worst = 0;
    for (int r = 0; r < M; r++)
        for (int j = 0; j < N; j++) {
            size_t i = (size_t)r * ldc + j;
            double d = fabs((double)got[i] - want[i]) / ((double)mag[i] + 1e-30);
            if (!(d <= worst)) worst = d;
        }
    return worst;
}

static void check_parts(void) {
    enum { K = 512, LDA = K + 3, MAXM = 40 };
    static const el_qtype types[3] = {EL_Q_Q4_K, EL_Q_Q6_K, EL_Q_BF16};
    static const int rows[3] = {96, 33, 70};
    const int N = 96 + 33 + 70, LDC = N + 5;
    float *full = malloc(sizeof(float) * N * K), *afull = malloc(sizeof(float) * N * K);
    uint8_t *parts[3];
    el_mat w = {0};
    for (int i = 0, r0 = 0; i < 3; r0 += rows[i], i++) {
        parts[i] = random_rows(types[i], rows[i], K, full + (size_t)r0 * K);
        el_mat p = el_mat_typed(parts[i], types[i], rows[i], K);
        CHECK(el_mat_stack(&w, &p) == 0);
    }
    CHECK(w.n_parts == 3 && w.rows == N && w.cols == K);
    for (int i = 0; i < N * K; i++) afull[i] = fabsf(full[i]);
    float *A = malloc(sizeof(float) * MAXM * LDA), *aA = malloc(sizeof(float) * MAXM * LDA);
    for (int i = 0; i < MAXM * LDA; i++) A[i] = frand(), aA[i] = fabsf(A[i]);
    float *C = malloc(sizeof(float) * MAXM * LDC), *want = malloc(sizeof(float) * MAXM * LDC);
    float *mag = malloc(sizeof(float) * MAXM * LDC);
    static const int Ms[] = {1, 3, 40};
    for (int k = 0; k < 3; k++) {
        const int M = Ms[k];
        for (int i = 0; i < MAXM * LDC; i++) C[i] = want[i] = frand();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 0.5f, A, LDA, full, K, 2.0f, want, LDC);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 0.5f, aA, LDA, afull, K, 0.0f, mag, LDC);
        for (int r = 0; r < M; r++)
            for (int j = 0; j < N; j++) mag[(size_t)r * LDC + j] += 2.0f * fabsf(C[(size_t)r * LDC + j]);
        el_mat_gemm(M, 0.5f, A, LDA, &w, 2.0f, C, LDC);
        double e = worst_rel(C, want, mag, M, N, LDC);
        CHECK_MSG(e <= 1e-5, "M=%d: relative error %g", M, e);
    }
    /* Rows 90..139 cross both part boundaries. */
    el_mat v = el_mat_rows(&w, 90, 50);
    CHECK(v.n_parts == 3 && v.rows == 50 && v.part[0].rows == 6 && v.part[1].rows == 33 && v.part[2].rows == 11);
    float row[K];
    for (int r = 0; r < 50; r++) {
        el_mat_row(&v, r, row);
        CHECK(!memcmp(row, full + (size_t)(90 + r) * K, sizeof row));
    }
    CHECK(el_mat_bytes(&w) == 96 * el_qtype_row_bytes(EL_Q_Q4_K, K) + 33 * el_qtype_row_bytes(EL_Q_Q6_K, K) + 70 * 2 * K);
    /* Back-to-back parts of one type merge into one. */
    el_mat one = el_mat_typed(parts[2], EL_Q_BF16, 30, K), two = el_mat_typed(parts[2] + 30 * 2 * K, EL_Q_BF16, 40, K);
    CHECK(el_mat_stack(&one, &two) == 0 && one.n_parts == 1 && one.rows == 70);
    for (int i = 0; i < 3; i++) free(parts[i]);
    free(full), free(afull), free(A), free(aA), free(C), free(want), free(mag);
}

/* The lens (norm + head + entropy) over a BF16 head against its expansion. */
static void check_lens(void) {
    enum { D = 64, V = 3000, N = 20 };
    float *head = malloc(sizeof(float) * V * D), *nw = malloc(sizeof(float) * D), *x = malloc(sizeof(float) * N * D);
    uint16_t *bf = malloc(sizeof(uint16_t) * V * D);
    for (int i = 0; i < V * D; i++) bf[i] = (uint16_t)(((next() >> 16) & 0x3fff) | ((next() >> 16) & 0x8000));
    el_quant_expand(EL_Q_BF16, bf, head, (size_t)V * D);
    for (int i = 0; i < D; i++) nw[i] = 1.0f + 0.1f * frand();
    for (int i = 0; i < N * D; i++) x[i] = frand();
    el_lens a = {.dim = D, .n_out = V, .norm = {.kind = EL_NORM_RMS, .eps = 1e-6f}, .norm_w = nw};
    el_lens b = a;
    a.head = el_mat_f32(head, V, D);
    b.head = el_mat_typed(bf, EL_Q_BF16, V, D);
    el_lens_out oa[N], ob[N];
    el_lens_work wa = {0}, wb = {0};
    for (int n = 1; n <= N; n += N - 1) {
        CHECK(el_lens_apply(&a, x, NULL, n, D, NULL, 0, oa, NULL, 0, &wa) == 0);
        CHECK(el_lens_apply(&b, x, NULL, n, D, NULL, 0, ob, NULL, 0, &wb) == 0);
        for (int r = 0; r < n; r++) {
            CHECK_NEAR(oa[r].entropy, ob[r].entropy, 1e-5);
            CHECK(oa[r].top1 == ob[r].top1);
        }
    }
    el_lens_work_free(&wa), el_lens_work_free(&wb);
    free(head), free(nw), free(x), free(bf);
}

int main(void) {
    check_parts();
    check_lens();
    return el_test_finish("test_linear");
}
