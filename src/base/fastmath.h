/* Branch-free float exp and erfc that the compiler can vectorise (libm's
 * expf/erff are scalar calls: at 10-30 ns each they cost as much as the
 * GEMMs in GELU and attention softmax). Accuracy: exp about 2 ulp (Cephes
 * expf polynomial), erfc relative error below 1.2e-7 (Numerical Recipes'
 * Chebyshev fit) — at float rounding level for the activations they feed. */
#ifndef EL_FASTMATH_H
#define EL_FASTMATH_H

#include <stdint.h>
#include <string.h>

static inline float el_expf(float in) {
    /* Clamp to the finite range (exp(-87.3) is the smallest normal float);
     * written so a NaN input clamps too (float-to-int of NaN is undefined)
     * and is handed back unchanged at the end. */
    float x = in > -87.3f ? in : -87.3f;
    x = x < 88.7f ? x : 88.7f;
    /* Round to nearest by adding and removing 1.5 * 2^23 (floorf would stop
     * the loop from vectorising). */
    const float shifter = 12582912.0f;
    float n = (x * 1.44269504088896341f + shifter) - shifter;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f; /* Cody-Waite: ln 2 in two parts */
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return in == in ? p * scale : in;
}

/* erfc(z) for z >= 0. */
static inline float el_erfcf_pos(float z) {
    float t = 1.0f / (1.0f + 0.5f * z);
    float q = 0.17087277f;
    q = q * t - 0.82215223f;
    q = q * t + 1.48851587f;
    q = q * t - 1.13520398f;
    q = q * t + 0.27886807f;
    q = q * t - 0.18628806f;
    q = q * t + 0.09678418f;
    q = q * t + 0.37409196f;
    q = q * t + 1.00002368f;
    q = q * t - 1.26551223f;
    return t * el_expf(-z * z + q);
}

#endif
