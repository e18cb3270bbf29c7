/* el_quant_gemv (see quant_dot.h). Block layouts as in quant.c. */
#include "nn/quant_dot.h"

#include <stdint.h>
#include <string.h>

#if defined(__AVX2__) && defined(__F16C__) && defined(__FMA__)
#include <immintrin.h>

#define QK_K 256
#define MAX_SUBBLOCKS 4096 /* rows up to 131072 values (Q4_K's per-32 sums of x) */

static inline float hsum8(__m256 s8) {
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
    return _mm_cvtss_f32(s4);
}

static inline float f16_at(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

static inline void store(float *y, int r, float alpha, float d, float beta) {
    y[r] = beta == 0.0f ? alpha * d : alpha * d + beta * y[r];
}

static inline __m256 load8_half(el_qtype type, const uint16_t *p) {
    const __m128i h = _mm_loadu_si128((const __m128i *)p);
    return type == EL_Q_F16 ? _mm256_cvtph_ps(h) : _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

/* 8 unsigned / signed bytes at p as floats. */
static inline __m256 u8x8(const uint8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}
static inline __m256 i8x8(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

static void gemv_half(el_qtype type, const uint8_t *w, size_t row_bytes, int rows, int in, float alpha,
                      const float *x, float beta, float *y) {
    for (int r = 0; r < rows; r++) {
        const uint16_t *row = (const uint16_t *)(w + (size_t)r * row_bytes);
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < in; i += 32) {
            a0 = _mm256_fmadd_ps(load8_half(type, row + i), _mm256_loadu_ps(x + i), a0);
            a1 = _mm256_fmadd_ps(load8_half(type, row + i + 8), _mm256_loadu_ps(x + i + 8), a1);
            a2 = _mm256_fmadd_ps(load8_half(type, row + i + 16), _mm256_loadu_ps(x + i + 16), a2);
            a3 = _mm256_fmadd_ps(load8_half(type, row + i + 24), _mm256_loadu_ps(x + i + 24), a3);
        }
        store(y, r, alpha, hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))), beta);
    }
}

/* Q8_0 (d:f16, 32 x int8): d times each block's sum. */
static void gemv_q8_0(const uint8_t *w, size_t row_bytes, int rows, int in, float alpha, const float *x, float beta,
                      float *y) {
    for (int r = 0; r < rows; r++) {
        const uint8_t *b = w + (size_t)r * row_bytes;
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < in; i += 32, b += 34) {
            const int8_t *q = (const int8_t *)(b + 2);
            __m256 s0 = _mm256_mul_ps(i8x8(q), _mm256_loadu_ps(x + i));
            __m256 s1 = _mm256_mul_ps(i8x8(q + 8), _mm256_loadu_ps(x + i + 8));
            s0 = _mm256_fmadd_ps(i8x8(q + 16), _mm256_loadu_ps(x + i + 16), s0);
            s1 = _mm256_fmadd_ps(i8x8(q + 24), _mm256_loadu_ps(x + i + 24), s1);
            acc = _mm256_fmadd_ps(_mm256_add_ps(s0, s1), _mm256_set1_ps(f16_at(b)), acc);
        }
        store(y, r, alpha, hsum8(acc), beta);
    }
}

/* Q4_K (d, dmin: f16; 12 bytes of 6-bit scales/mins; 128 bytes of nibbles):
 * per 32 values d*sc*sum(q x) - dmin*m*sum(x), the sums of x taken once. */
static void gemv_q4_k(const uint8_t *w, size_t row_bytes, int rows, int in, float alpha, const float *x, float beta,
                      float *y) {
    float xs[MAX_SUBBLOCKS];
    for (int j = 0; j < in / 32; j++) {
        __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(x + 32 * j), _mm256_loadu_ps(x + 32 * j + 8)),
                                 _mm256_add_ps(_mm256_loadu_ps(x + 32 * j + 16), _mm256_loadu_ps(x + 32 * j + 24)));
        xs[j] = hsum8(s);
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int r = 0; r < rows; r++) {
        const uint8_t *b = w + (size_t)r * row_bytes;
        __m256 acc = _mm256_setzero_ps();
        float mins = 0.0f;
        for (int i = 0; i < in; i += QK_K, b += 144) {
            const float d = f16_at(b), dmin = f16_at(b + 2);
            for (int g = 0; g < 4; g++) {
                uint8_t sc1, m1, sc2, m2, nib[64];
                el_q4k_scale_min(2 * g, b + 4, &sc1, &m1);
                el_q4k_scale_min(2 * g + 1, b + 4, &sc2, &m2);
                const __m256i q = _mm256_loadu_si256((const __m256i *)(b + 16 + 32 * g));
                _mm256_storeu_si256((__m256i *)nib, _mm256_and_si256(q, low4));
                _mm256_storeu_si256((__m256i *)(nib + 32), _mm256_and_si256(_mm256_srli_epi16(q, 4), low4));
                const float *xg = x + i + 64 * g;
                __m256 lo = _mm256_mul_ps(u8x8(nib), _mm256_loadu_ps(xg));
                __m256 hi = _mm256_mul_ps(u8x8(nib + 32), _mm256_loadu_ps(xg + 32));
                for (int k = 8; k < 32; k += 8) {
                    lo = _mm256_fmadd_ps(u8x8(nib + k), _mm256_loadu_ps(xg + k), lo);
                    hi = _mm256_fmadd_ps(u8x8(nib + 32 + k), _mm256_loadu_ps(xg + 32 + k), hi);
                }
                acc = _mm256_fmadd_ps(lo, _mm256_set1_ps(d * sc1), acc);
                acc = _mm256_fmadd_ps(hi, _mm256_set1_ps(d * sc2), acc);
                const int j = (i + 64 * g) / 32;
                mins += dmin * m1 * xs[j] + dmin * m2 * xs[j + 1];
            }
        }
        store(y, r, alpha, hsum8(acc) - mins, beta);
    }
}

/* Q6_K (ql[128] low nibbles, qh[64] top 2 bits, int8 scales[16], f16 d):
 * the 256 values q - 32 decoded, then d*sc times each 16 values' sum. */
static void gemv_q6_k(const uint8_t *w, size_t row_bytes, int rows, int in, float alpha, const float *x, float beta,
                      float *y) {
    for (int r = 0; r < rows; r++) {
        const uint8_t *b = w + (size_t)r * row_bytes;
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < in; i += QK_K, b += 210) {
            int8_t q[QK_K];
            el_q6k_decode(b, q);
            const int8_t *sc = (const int8_t *)(b + 192);
            const float d = f16_at(b + 208);
            for (int g = 0; g < 16; g++) {
                const __m256 s = _mm256_fmadd_ps(i8x8(q + 16 * g + 8), _mm256_loadu_ps(x + i + 16 * g + 8),
                                                 _mm256_mul_ps(i8x8(q + 16 * g), _mm256_loadu_ps(x + i + 16 * g)));
                acc = _mm256_fmadd_ps(s, _mm256_set1_ps(d * (float)sc[g]), acc);
            }
        }
        store(y, r, alpha, hsum8(acc), beta);
    }
}

/* Two A rows (a0, a1) against four panel rows (p0..p3): eight dot products. */
static void dots_2x4(const float *a0, const float *a1, const float *p0, const float *p1, const float *p2,
                     const float *p3, int in, float out[2][4]) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    for (int k = 0; k < in; k += 8) {
        const __m256 x0 = _mm256_loadu_ps(a0 + k), x1 = _mm256_loadu_ps(a1 + k);
        __m256 w = _mm256_loadu_ps(p0 + k);
        c00 = _mm256_fmadd_ps(w, x0, c00), c10 = _mm256_fmadd_ps(w, x1, c10);
        w = _mm256_loadu_ps(p1 + k);
        c01 = _mm256_fmadd_ps(w, x0, c01), c11 = _mm256_fmadd_ps(w, x1, c11);
        w = _mm256_loadu_ps(p2 + k);
        c02 = _mm256_fmadd_ps(w, x0, c02), c12 = _mm256_fmadd_ps(w, x1, c12);
        w = _mm256_loadu_ps(p3 + k);
        c03 = _mm256_fmadd_ps(w, x0, c03), c13 = _mm256_fmadd_ps(w, x1, c13);
    }
    out[0][0] = hsum8(c00), out[0][1] = hsum8(c01), out[0][2] = hsum8(c02), out[0][3] = hsum8(c03);
    out[1][0] = hsum8(c10), out[1][1] = hsum8(c11), out[1][2] = hsum8(c12), out[1][3] = hsum8(c13);
}

int el_panel_gemm_few(int M, int rows, int in, float alpha, const float *A, int lda, const float *P, float beta,
                      float *C, int ldc) {
    if (in % 8) return -1;
    for (int r = 0; r < rows; r += 4) {
        const int nr = rows - r < 4 ? rows - r : 4;
        const float *p[4]; /* a short last group repeats its first row; the extra sums are dropped */
        for (int j = 0; j < 4; j++) p[j] = P + (size_t)(r + (j < nr ? j : 0)) * in;
        for (int m = 0; m < M; m += 2) {
            const int nm = M - m < 2 ? M - m : 2;
            const float *a0 = A + (size_t)m * lda, *a1 = nm > 1 ? a0 + lda : a0;
            float d[2][4];
            dots_2x4(a0, a1, p[0], p[1], p[2], p[3], in, d);
            for (int i = 0; i < nm; i++)
                for (int j = 0; j < nr; j++) store(C + (size_t)(m + i) * ldc + r, j, alpha, d[i][j], beta);
        }
    }
    return 0;
}

int el_quant_gemv_ok(el_qtype type, int in) {
    switch (type) {
    case EL_Q_F16:
    case EL_Q_BF16: return in % 32 == 0;
    case EL_Q_Q8_0:
    case EL_Q_Q6_K: return 1; /* rows are whole blocks */
    case EL_Q_Q4_K: return in / 32 <= MAX_SUBBLOCKS;
    default: return 0;
    }
}

int el_quant_gemv(el_qtype type, const void *w, size_t row_bytes, int rows, int in, float alpha, const float *x,
                  float beta, float *y) {
    if (!el_quant_gemv_ok(type, in)) return -1;
    switch (type) {
    case EL_Q_Q8_0: gemv_q8_0(w, row_bytes, rows, in, alpha, x, beta, y); break;
    case EL_Q_Q4_K: gemv_q4_k(w, row_bytes, rows, in, alpha, x, beta, y); break;
    case EL_Q_Q6_K: gemv_q6_k(w, row_bytes, rows, in, alpha, x, beta, y); break;
    default: gemv_half(type, w, row_bytes, rows, in, alpha, x, beta, y); break;
    }
    return 0;
}
#else
int el_quant_gemv_ok(el_qtype type, int in) {
    (void)type, (void)in;
    return 0;
}

int el_panel_gemm_few(int M, int rows, int in, float alpha, const float *A, int lda, const float *P, float beta,
                      float *C, int ldc) {
    (void)M, (void)rows, (void)in, (void)alpha, (void)A, (void)lda, (void)P, (void)beta, (void)C, (void)ldc;
    return -1;
}

int el_quant_gemv(el_qtype type, const void *w, size_t row_bytes, int rows, int in, float alpha, const float *x,
                  float beta, float *y) {
    (void)type, (void)w, (void)row_bytes, (void)rows, (void)in, (void)alpha, (void)x, (void)beta, (void)y;
    return -1;
}
#endif
