/* Expansion of stored weight blocks to float32, following ggml's
 * dequantize_row_* (ggml-quants.c) operation by operation, so the float32
 * results are bit-identical to llama.cpp's reference path. Block layouts
 * (little-endian, packed):
 *   Q8_0  34 B / 32:  f16 d; int8 qs[32]                       y = d*q
 *   Q4_0  18 B / 32:  f16 d; u8 qs[16] (lo nibbles = 0..15, hi = 16..31)
 *                                                              y = d*(q-8)
 *   Q4_K 144 B / 256: f16 d, dmin; u8 scales[12] (8 6-bit scale/min pairs);
 *                     u8 qs[128]                               y = d*sc*q - dmin*m
 *   Q5_K 176 B / 256: as Q4_K plus u8 qh[32] (the 5th bits) before qs
 *   Q6_K 210 B / 256: u8 ql[128]; u8 qh[64]; int8 scales[16]; f16 d
 *                                                              y = d*sc*(q-32)
 * No fused multiply-add: ggml's reference rounds every product (GCC in ISO C
 * mode does not contract; clang is told so below). */
#include "nn/quant.h"

#include <string.h>

#include "weights/safetensors.h" /* el_f16_to_f32, el_bf16_to_f32 */

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
#if defined(__AVX2__) && defined(__F16C__)
#include <immintrin.h>
#define EL_QUANT_AVX2 1
#endif

#define QK 32
#define QK_K 256

static const el_qtype_info infos[] = {
    [EL_Q_F32] = {"F32", 1, 4},       [EL_Q_F16] = {"F16", 1, 2},
    [EL_Q_Q4_0] = {"Q4_0", QK, 18},   [EL_Q_Q8_0] = {"Q8_0", QK, 34},
    [EL_Q_Q4_K] = {"Q4_K", QK_K, 144}, [EL_Q_Q5_K] = {"Q5_K", QK_K, 176},
    [EL_Q_Q6_K] = {"Q6_K", QK_K, 210}, [EL_Q_BF16] = {"BF16", 1, 2},
};

const el_qtype_info *el_qtype_get(uint32_t type) {
    if (type >= sizeof infos / sizeof infos[0] || !infos[type].name) return NULL;
    return &infos[type];
}

const char *el_qtype_name(uint32_t type) {
    /* ggml's ids 0..30 (4, 5 and 31+ are removed or unknown). */
    static const char *const names[] = {
        "F32",  "F16",  "Q4_0", "Q4_1", "(removed 4)", "(removed 5)", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K",
        "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S",
        "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};
    return type < sizeof names / sizeof names[0] ? names[type] : "(unknown type)";
}

uint64_t el_qtype_row_bytes(uint32_t type, uint64_t n_elems) {
    const el_qtype_info *t = el_qtype_get(type);
    if (!t || n_elems % (uint64_t)t->block_elems) return 0;
    uint64_t blocks = n_elems / (uint64_t)t->block_elems;
    if (blocks > UINT64_MAX / (uint64_t)t->block_bytes) return 0;
    return blocks * (uint64_t)t->block_bytes;
}

static inline float f16_at(const uint8_t *p) { return el_f16_to_f32((uint16_t)(p[0] | p[1] << 8)); }

static void expand_f16(const uint8_t *p, float *y, size_t n) {
    size_t i = 0;
#ifdef EL_QUANT_AVX2
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p + 2 * i))));
#endif
    for (; i < n; i++) y[i] = f16_at(p + 2 * i);
}

static void expand_bf16(const uint8_t *p, float *y, size_t n) {
    size_t i = 0;
#ifdef EL_QUANT_AVX2
    for (; i + 8 <= n; i += 8) {
        __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p + 2 * i)));
        _mm256_storeu_ps(y + i, _mm256_castsi256_ps(_mm256_slli_epi32(w, 16)));
    }
#endif
    for (; i < n; i++) y[i] = el_bf16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
}

static void expand_q8_0(const uint8_t *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; i++, b += 34, y += QK) {
        const float d = f16_at(b);
        const int8_t *q = (const int8_t *)(b + 2);
#ifdef EL_QUANT_AVX2
        const __m256 vd = _mm256_set1_ps(d);
        for (int j = 0; j < QK; j += 8) {
            __m256i w = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(q + j)));
            _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_cvtepi32_ps(w), vd));
        }
#else
        for (int j = 0; j < QK; j++) y[j] = (float)q[j] * d;
#endif
    }
}

static void expand_q4_0(const uint8_t *b, float *y, size_t nb) {
    for (size_t i = 0; i < nb; i++, b += 18, y += QK) {
        const float d = f16_at(b);
        const uint8_t *q = b + 2;
        for (int j = 0; j < QK / 2; j++) {
            y[j] = (float)((q[j] & 0x0F) - 8) * d;
            y[j + QK / 2] = (float)((q[j] >> 4) - 8) * d;
        }
    }
}

/* ggml's get_scale_min_k4: the j-th 6-bit scale and min of a K-quant block
 * (0..3 in the low bits of bytes 0..7, 4..7 split over bytes 8..11 and the
 * top two bits of bytes 0..7). */
void el_q4k_scale_min(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

#ifdef EL_QUANT_AVX2
/* y[0..31] = d * (float)q[0..31] - m for 32 small unsigned values. */
static inline void scale_sub32(const __m256i q, float d, float m, float *y) {
    const __m256 vd = _mm256_set1_ps(d), vm = _mm256_set1_ps(m);
    const __m128i h[2] = {_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1)};
    for (int k = 0; k < 4; k++) {
        const __m128i part = k % 2 ? _mm_srli_si128(h[k / 2], 8) : h[k / 2];
        const __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(part));
        _mm256_storeu_ps(y + 8 * k, _mm256_sub_ps(_mm256_mul_ps(vd, v), vm));
    }
}
#endif

/* Q4_K (qh == NULL) and Q5_K (qh = the 32 bytes of fifth bits). */
static void expand_k45(const uint8_t *scales, const uint8_t *qh, const uint8_t *q, float d, float dmin, float *y) {
    uint8_t sc, m, u1 = 1, u2 = 2;
    for (int j = 0, is = 0; j < QK_K; j += 64, is += 2, q += 32) {
        el_q4k_scale_min(is, scales, &sc, &m);
        const float d1 = d * sc, m1 = dmin * m;
        el_q4k_scale_min(is + 1, scales, &sc, &m);
        const float d2 = d * sc, m2 = dmin * m;
#ifdef EL_QUANT_AVX2
        if (!qh) { /* the same products and differences, eight at a time */
            const __m256i v = _mm256_loadu_si256((const __m256i *)q), low4 = _mm256_set1_epi8(0x0F);
            scale_sub32(_mm256_and_si256(v, low4), d1, m1, y);
            scale_sub32(_mm256_and_si256(_mm256_srli_epi16(v, 4), low4), d2, m2, y + 32);
            y += 64;
            continue;
        }
#endif
        for (int l = 0; l < 32; l++) *y++ = d1 * (float)((q[l] & 0xF) + (qh && (qh[l] & u1) ? 16 : 0)) - m1;
        for (int l = 0; l < 32; l++) *y++ = d2 * (float)((q[l] >> 4) + (qh && (qh[l] & u2) ? 16 : 0)) - m2;
        u1 = (uint8_t)(u1 << 2);
        u2 = (uint8_t)(u2 << 2);
    }
}

void el_q6k_decode(const uint8_t *b, int8_t *q) {
    const uint8_t *ql = b, *qh = b + 128;
    for (int n = 0; n < QK_K; n += 128, ql += 64, qh += 32) {
#ifdef EL_QUANT_AVX2
        const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql), l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
        const __m256i h = _mm256_loadu_si256((const __m256i *)qh), m4 = _mm256_set1_epi8(0x0F),
                      m3 = _mm256_set1_epi8(3), c32 = _mm256_set1_epi8(32);
        /* (x & 3) << 4 stays inside its byte; the masks drop what 16-bit shifts carry over. */
#define EL_Q6(lo, shift)                                                                                  \
    _mm256_sub_epi8(_mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, shift), m3), 4)), c32)
        _mm256_storeu_si256((__m256i *)(q + n), EL_Q6(_mm256_and_si256(l0, m4), 0));
        _mm256_storeu_si256((__m256i *)(q + n + 32), EL_Q6(_mm256_and_si256(l1, m4), 2));
        _mm256_storeu_si256((__m256i *)(q + n + 64), EL_Q6(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), 4));
        _mm256_storeu_si256((__m256i *)(q + n + 96), EL_Q6(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), 6));
#undef EL_Q6
#else
        for (int l = 0; l < 32; l++) {
            q[n + l] = (int8_t)(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
            q[n + l + 32] = (int8_t)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
            q[n + l + 64] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
            q[n + l + 96] = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
        }
#endif
    }
}

/* ggml: y = d * sc * q, sc the int8 scale of each 16 values (in order). */
static void expand_q6_k(const uint8_t *b, float *y, size_t nb) {
    int8_t q[QK_K];
    for (size_t i = 0; i < nb; i++, b += 210, y += QK_K) {
        const float d = f16_at(b + 208);
        const int8_t *sc = (const int8_t *)(b + 192);
        el_q6k_decode(b, q);
        for (int g = 0; g < 16; g++) {
            const float s = d * sc[g];
#ifdef EL_QUANT_AVX2
            const __m256 vs = _mm256_set1_ps(s);
            for (int k = 0; k < 16; k += 8) {
                const __m128i q8 = _mm_loadl_epi64((const __m128i *)(q + 16 * g + k));
                _mm256_storeu_ps(y + 16 * g + k, _mm256_mul_ps(vs, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q8))));
            }
#else
            for (int k = 0; k < 16; k++) y[16 * g + k] = s * (float)q[16 * g + k];
#endif
        }
    }
}

void el_quant_expand(el_qtype type, const void *src, float *dst, size_t n) {
    const uint8_t *p = src;
    switch (type) {
    case EL_Q_F32: memcpy(dst, p, n * sizeof(float)); break;
    case EL_Q_F16: expand_f16(p, dst, n); break;
    case EL_Q_BF16: expand_bf16(p, dst, n); break;
    case EL_Q_Q8_0: expand_q8_0(p, dst, n / QK); break;
    case EL_Q_Q4_0: expand_q4_0(p, dst, n / QK); break;
    case EL_Q_Q4_K:
        for (size_t i = 0; i < n / QK_K; i++, p += 144)
            expand_k45(p + 4, NULL, p + 16, f16_at(p), f16_at(p + 2), dst + i * QK_K);
        break;
    case EL_Q_Q5_K:
        for (size_t i = 0; i < n / QK_K; i++, p += 176)
            expand_k45(p + 4, p + 16, p + 48, f16_at(p), f16_at(p + 2), dst + i * QK_K);
        break;
    case EL_Q_Q6_K: expand_q6_k(p, dst, n / QK_K); break;
    }
}
