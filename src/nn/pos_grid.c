#include "nn/pos_grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- plain bicubic */

/* Keys' cubic convolution with A = -0.75 (PyTorch's upsample_bicubic2d). */
static void cubic_coeffs(float t, float c[4]) {
    const float A = -0.75f;
    float x1 = t + 1.0f, x2 = 1.0f - t, x3 = 2.0f - t;
    c[0] = ((A * x1 - 5.0f * A) * x1 + 8.0f * A) * x1 - 4.0f * A;
    c[1] = ((A + 2.0f) * t - (A + 3.0f)) * t * t + 1.0f;
    c[2] = ((A + 2.0f) * x2 - (A + 3.0f)) * x2 * x2 + 1.0f;
    c[3] = ((A * x3 - 5.0f * A) * x3 + 8.0f * A) * x3 - 4.0f * A;
}

static int clamp_index(int i, int n) {
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/* Source position of output index i: scale * (i + 0.5) - 0.5, scale = in /
 * out in float (align_corners=False, not clamped for cubic). */
static void source_taps(int i, int in, int out, int taps[4], float c[4]) {
    const float scale = (float)in / (float)out;
    const float real = scale * ((float)i + 0.5f) - 0.5f;
    const int base = (int)floorf(real);
    cubic_coeffs(real - (float)base, c);
    for (int k = 0; k < 4; k++) taps[k] = clamp_index(base - 1 + k, in);
}

static void interp_plain(const float *src, int in_h, int in_w, int dim, int out_h, int out_w, float *dst) {
    for (int oy = 0; oy < out_h; oy++) {
        int ty[4], tx[4];
        float cy[4], cx[4];
        source_taps(oy, in_h, out_h, ty, cy);
        for (int ox = 0; ox < out_w; ox++) {
            source_taps(ox, in_w, out_w, tx, cx);
            float *o = dst + ((size_t)oy * out_w + ox) * dim;
            for (int d = 0; d < dim; d++) {
                /* Each row along x first, then the four rows along y. */
                float acc = 0.0f;
                for (int j = 0; j < 4; j++) {
                    const float *row = src + (size_t)ty[j] * in_w * dim + d;
                    float r = 0.0f;
                    for (int k = 0; k < 4; k++) r += row[(size_t)tx[k] * dim] * cx[k];
                    acc += r * cy[j];
                }
                o[d] = acc;
            }
        }
    }
}

/* ---------------------------------------------------------- antialiased */

static float aa_cubic(float x) {
    const float a = -0.5f;
    x = fabsf(x);
    if (x < 1.0f) return ((a + 2.0f) * x - (a + 3.0f)) * x * x + 1.0f;
    if (x < 2.0f) return (((x - 5.0f) * x + 8.0f) * x - 4.0f) * a;
    return 0.0f;
}

/* Output i's source window [*lo, *lo + *n) and its normalised weights w
 * (room for 4 * scale + 2 taps): PyTorch's compute_indices_weights_aa. */
static void aa_taps(int i, int in, int out, int *lo, int *n, float *w) {
    const float scale = (float)in / (float)out;
    const float support = scale >= 1.0f ? 2.0f * scale : 2.0f;
    const float center = scale * ((float)i + 0.5f);
    const float invscale = scale >= 1.0f ? 1.0f / scale : 1.0f;
    long xmin = (long)(center - support + 0.5f);
    if (xmin < 0) xmin = 0;
    long xmax = (long)(center + support + 0.5f);
    if (xmax > in) xmax = in;
    float total = 0.0f;
    for (long j = 0; j < xmax - xmin; j++) {
        w[j] = aa_cubic(((float)(j + xmin) - center + 0.5f) * invscale);
        total += w[j];
    }
    for (long j = 0; j < xmax - xmin; j++)
        if (total != 0.0f) w[j] /= total;
    *lo = (int)xmin;
    *n = (int)(xmax - xmin);
}

/* One axis: src has n_outer blocks of in x inner values; dst gets out x
 * inner per block. */
static int aa_axis(const float *src, int n_outer, int in, int out, size_t inner, float *dst) {
    const int cap = (int)(4.0f * ((float)in / (float)out > 1.0f ? (float)in / (float)out : 1.0f)) + 3;
    float *w = malloc(sizeof(float) * (size_t)cap);
    if (!w) return -1;
    for (int o = 0; o < out; o++) {
        int lo, n;
        aa_taps(o, in, out, &lo, &n, w);
        for (int b = 0; b < n_outer; b++) {
            float *dd = dst + ((size_t)b * out + o) * inner;
            const float *ss = src + ((size_t)b * in + lo) * inner;
            for (size_t e = 0; e < inner; e++) {
                float acc = 0.0f;
                for (int j = 0; j < n; j++) acc += ss[(size_t)j * inner + e] * w[j];
                dd[e] = acc;
            }
        }
    }
    free(w);
    return 0;
}

int el_pos_interp_bicubic(const float *src, int in_h, int in_w, int dim, int out_h, int out_w, int antialias,
                          float *dst) {
    if (!antialias) {
        interp_plain(src, in_h, in_w, dim, out_h, out_w, dst);
        return 0;
    }
    /* Width first (skipped when unchanged), then height, as PyTorch does. */
    const float *cur = src;
    float *tmp = NULL;
    if (out_w != in_w) {
        float *to = out_h != in_h ? (tmp = malloc(sizeof(float) * (size_t)in_h * out_w * dim)) : dst;
        if (!to || aa_axis(src, in_h, in_w, out_w, (size_t)dim, to)) {
            free(tmp);
            return -1;
        }
        cur = to;
    }
    int rc = 0;
    if (out_h != in_h) rc = aa_axis(cur, 1, in_h, out_h, (size_t)out_w * dim, dst);
    else if (cur == src) memcpy(dst, src, sizeof(float) * (size_t)in_h * in_w * dim);
    free(tmp);
    return rc;
}

/* ---------------------------------------------------------- BEiT */

void el_rel_pos_index(int gh, int gw, int *idx) {
    const int n = gh * gw, T = n + 1, n_rel = (2 * gh - 1) * (2 * gw - 1) + 3;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int dy = i / gw - j / gw + gh - 1, dx = i % gw - j % gw + gw - 1;
            idx[(size_t)(i + 1) * T + (j + 1)] = dy * (2 * gw - 1) + dx;
        }
    for (int j = 0; j < T; j++) idx[j] = n_rel - 3;              /* class token to patches */
    for (int i = 0; i < T; i++) idx[(size_t)i * T] = n_rel - 2;  /* patches to class token */
    idx[0] = n_rel - 1;                                          /* class token to itself */
}

void el_rel_pos_bias_add(const float *table, int n_heads, int gh, int gw, const int *idx, float *bias) {
    const size_t T = (size_t)gh * gw + 1;
    for (int h = 0; h < n_heads; h++)
        for (size_t k = 0; k < T * T; k++) bias[(size_t)h * T * T + k] += table[(size_t)idx[k] * n_heads + h];
}
