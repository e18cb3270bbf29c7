/* el_qgemm_acc: expand-a-tile-then-multiply (see qgemm.h). Tiles are whole
 * rows, so a tile starts at row r0 * row_bytes for every block type.
 * OpenBLAS runs single-threaded inside our parallel regions (its OpenMP
 * build checks omp_in_parallel). */
#include "nn/qgemm.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void tile_product(int M, int rows, int in, float alpha, const float *A, int lda, const float *panel,
                         float beta, float *C, int ldc) {
    if (M == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, in, alpha, panel, in, A, 1, beta, C, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, rows, in, alpha, A, lda, panel, in, beta, C, ldc);
}

#if defined(__AVX2__) && defined(__F16C__) && defined(__FMA__)
#include <immintrin.h>

static inline float hsum8(__m256 s8) {
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
    return _mm_cvtss_f32(s4);
}

static inline __m256 load8(el_qtype type, const uint16_t *p) {
    const __m128i h = _mm_loadu_si128((const __m128i *)p);
    return type == EL_Q_F16 ? _mm256_cvtph_ps(h) : _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

/* y[r] = alpha * dot(row r, x) + beta * y[r] straight from 16-bit rows: a
 * decoding row reads each weight once, with no panel written and read back. */
static int gemv_half(el_qtype type, const uint16_t *w, int rows, int in, float alpha, const float *x, float beta,
                     float *y) {
    if (in % 32) return -1;
    for (int r = 0; r < rows; r++) {
        const uint16_t *row = w + (size_t)r * in;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < in; i += 32) {
            a0 = _mm256_fmadd_ps(load8(type, row + i), _mm256_loadu_ps(x + i), a0);
            a1 = _mm256_fmadd_ps(load8(type, row + i + 8), _mm256_loadu_ps(x + i + 8), a1);
            a2 = _mm256_fmadd_ps(load8(type, row + i + 16), _mm256_loadu_ps(x + i + 16), a2);
            a3 = _mm256_fmadd_ps(load8(type, row + i + 24), _mm256_loadu_ps(x + i + 24), a3);
        }
        const float d = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        y[r] = beta == 0.0f ? alpha * d : alpha * d + beta * y[r];
    }
    return 0;
}
/* The same for Q8_0 rows (blocks of d:f16, 32 x int8): per block the int8
 * values times x, then times d, so a decoding row reads 34 bytes per 32
 * weights and writes no panel. Differs from expand-then-sgemv only in
 * rounding order (d applied to the block's sum, not to each weight). */
static int gemv_q8_0(const uint8_t *w, size_t row_bytes, int rows, int in, float alpha, const float *x, float beta,
                     float *y) {
    if (in % 32) return -1;
    for (int r = 0; r < rows; r++) {
        const uint8_t *b = w + (size_t)r * row_bytes;
        __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
        for (int i = 0; i < in; i += 64, b += 68) {
            __m256 s0 = _mm256_setzero_ps(), s1 = s0;
            for (int j = 0; j < 32; j += 8) {
                const __m128i q0 = _mm_loadl_epi64((const __m128i *)(b + 2 + j));
                s0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q0)), _mm256_loadu_ps(x + i + j), s0);
                if (i + 32 < in) {
                    const __m128i q1 = _mm_loadl_epi64((const __m128i *)(b + 36 + j));
                    s1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q1)), _mm256_loadu_ps(x + i + 32 + j),
                                         s1);
                }
            }
            uint16_t h0, h1 = 0;
            memcpy(&h0, b, 2);
            if (i + 32 < in) memcpy(&h1, b + 34, 2);
            acc0 = _mm256_fmadd_ps(s0, _mm256_set1_ps(_cvtsh_ss(h0)), acc0);
            acc1 = _mm256_fmadd_ps(s1, _mm256_set1_ps(_cvtsh_ss(h1)), acc1);
        }
        y[r] = beta == 0.0f ? alpha * hsum8(_mm256_add_ps(acc0, acc1)) : alpha * hsum8(_mm256_add_ps(acc0, acc1)) + beta * y[r];
    }
    return 0;
}
#else
static int gemv_q8_0(const uint8_t *w, size_t row_bytes, int rows, int in, float alpha, const float *x, float beta,
                     float *y) {
    (void)w, (void)row_bytes, (void)rows, (void)in, (void)alpha, (void)x, (void)beta, (void)y;
    return -1;
}

static int gemv_half(el_qtype type, const uint16_t *w, int rows, int in, float alpha, const float *x, float beta,
                     float *y) {
    (void)type, (void)w, (void)rows, (void)in, (void)alpha, (void)x, (void)beta, (void)y;
    return -1;
}
#endif

static int tile_rows(size_t panel_bytes, int out, int in) {
    size_t t = panel_bytes / (sizeof(float) * (size_t)in);
    if (t < 1) t = 1;
    return t > (size_t)out ? out : (int)t;
}

/* Few rows: threads take whole tiles, each into its own small panel. */
static int skinny(el_qtype type, const uint8_t *w, size_t row_bytes, int out, int in, int M, float alpha,
                  const float *A, int lda, float beta, float *C, int ldc) {
    const int tile = tile_rows(EL_QGEMM_PANEL_BYTES, out, in), n_tiles = (out + tile - 1) / tile;
    int failed = 0;
#pragma omp parallel if (!omp_in_parallel() && n_tiles > 1) reduction(| : failed)
    {
        float *panel = malloc(sizeof(float) * (size_t)tile * (size_t)in);
        if (!panel) failed = 1;
#pragma omp for schedule(static)
        for (int t = 0; t < n_tiles; t++) {
            if (!panel) continue;
            const int r0 = t * tile, rows = out - r0 < tile ? out - r0 : tile;
            if (M == 1 && (type == EL_Q_F16 || type == EL_Q_BF16) &&
                gemv_half(type, (const uint16_t *)(w + (size_t)r0 * row_bytes), rows, in, alpha, A, beta, C + r0) == 0)
                continue;
            if (M == 1 && type == EL_Q_Q8_0 &&
                gemv_q8_0(w + (size_t)r0 * row_bytes, row_bytes, rows, in, alpha, A, beta, C + r0) == 0)
                continue;
            el_quant_expand(type, w + (size_t)r0 * row_bytes, panel, (size_t)rows * (size_t)in);
            tile_product(M, rows, in, alpha, A, lda, panel, beta, C + r0, ldc);
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
