/* Pillow 9.4's Image.resize for 8-bit L and RGB, bit for bit.
 *
 * Convolution filters port libImaging/Resample.c: per output pixel the
 * filter (support scaled by the downscale factor) is sampled in double,
 * normalised to sum 1, turned into fixed point with PRECISION_BITS = 22,
 * and applied horizontally first (only over the source rows the vertical
 * pass needs), then vertically, each pass rounding and clipping to 8 bits.
 * The floating-point expressions are kept in Pillow's exact form and order
 * (including its float box coordinates and the float constants in the
 * Hamming window) so the coefficients match to the last bit.
 *
 * NEAREST does not use Resample.c: Pillow's _resize sends it through
 * ImagingTransform's affine path (ImagingScaleAffine), which steps the
 * source coordinate by repeated double addition; ported as is. */
/* Bit-exactness needs every a * b + c rounded twice, as Pillow's build does:
 * no fused multiply-add (GNU C and clang would contract by default). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "imageio_internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define PRECISION_BITS (32 - 8 - 2)

typedef struct {
    double (*fn)(double x);
    double support;
} rs_filter;

static double box_filter(double x) {
    if (x > -0.5 && x <= 0.5) return 1.0;
    return 0.0;
}

static double bilinear_filter(double x) {
    if (x < 0.0) x = -x;
    if (x < 1.0) return 1.0 - x;
    return 0.0;
}

static double hamming_filter(double x) {
    if (x < 0.0) x = -x;
    if (x == 0.0) return 1.0;
    if (x >= 1.0) return 0.0;
    x = x * M_PI;
    /* float constants as in Pillow: they are not exactly 0.54 / 0.46 */
    return sin(x) / x * (0.54f + 0.46f * cos(x));
}

static double bicubic_filter(double x) {
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

static double sinc_filter(double x) {
    if (x == 0.0) return 1.0;
    x = x * M_PI;
    return sin(x) / x;
}

static double lanczos_filter(double x) {
    if (-3.0 <= x && x < 3.0) return sinc_filter(x) * sinc_filter(x / 3);
    return 0.0;
}

static const rs_filter *filter_for(el_resample f) {
    static const rs_filter box = {box_filter, 0.5}, bilinear = {bilinear_filter, 1.0},
                        hamming = {hamming_filter, 1.0}, bicubic = {bicubic_filter, 2.0},
                        lanczos = {lanczos_filter, 3.0};
    switch (f) {
    case EL_RESAMPLE_BOX: return &box;
    case EL_RESAMPLE_BILINEAR: return &bilinear;
    case EL_RESAMPLE_HAMMING: return &hamming;
    case EL_RESAMPLE_BICUBIC: return &bicubic;
    case EL_RESAMPLE_LANCZOS: return &lanczos;
    default: return NULL;
    }
}

static inline uint8_t clip8(int32_t in) {
    int32_t v = in >> PRECISION_BITS; /* arithmetic shift, as in Pillow */
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Fixed-point coefficients for the outputs [first, first + n) of one axis:
 * per output ksize taps, the first source index and the tap count. */
typedef struct {
    int ksize;
    int *bounds;  /* [n][2] = xmin, count */
    int32_t *k;   /* [n][ksize] */
} coeffs;

static void coeffs_free(coeffs *c) {
    free(c->bounds);
    free(c->k);
    memset(c, 0, sizeof *c);
}

/* precompute_coeffs + normalize_coeffs_8bpc, for a window of n outputs from
 * first: each output's taps depend only on its own index, so a window is
 * bit-identical to the same outputs of the full table, and a centre crop of
 * an enormous resize target costs only the crop. One row of doubles at a
 * time (Pillow keeps the whole double table). in0/in1 are float because
 * Pillow keeps the resize box in floats. */
static el_status precompute(int in_size, float in0, float in1, int out_size, int first, int n,
                            const rs_filter *f, coeffs *out) {
    double support, scale, filterscale, center, ww, ss;
    int xx, x, ksize, xmin, xmax;
    size_t bytes;

    memset(out, 0, sizeof *out);
    filterscale = scale = (double)(in1 - in0) / out_size;
    if (filterscale < 1.0) filterscale = 1.0;
    support = f->support * filterscale;
    if (!(support < (double)(INT_MAX / 4)))
        return el_fail(EL_ERR_LIMIT, "resize: filter support %g is too large", support);
    ksize = (int)ceil(support) * 2 + 1;
    if (!el_size_mul((size_t)n, (size_t)ksize, sizeof(int32_t), &bytes))
        return el_fail(EL_ERR_LIMIT, "resize: %d outputs x %d taps is too large", n, ksize);
    double *k = malloc((size_t)ksize * sizeof(double));
    out->k = malloc(bytes);
    out->bounds = malloc((size_t)n * 2 * sizeof(int));
    if (!k || !out->k || !out->bounds) {
        free(k);
        coeffs_free(out);
        return el_fail(EL_ERR_NOMEM, "resize: cannot allocate %zu bytes of coefficients", bytes);
    }
    out->ksize = ksize;

    for (int i = 0; i < n; i++) {
        xx = first + i;
        center = in0 + (xx + 0.5) * scale;
        ww = 0.0;
        ss = 1.0 / filterscale;
        xmin = (int)(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        xmax = (int)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        for (x = 0; x < xmax; x++) {
            double w = f->fn((x + xmin - center + 0.5) * ss);
            k[x] = w;
            ww += w;
        }
        for (x = 0; x < xmax; x++)
            if (ww != 0.0) k[x] /= ww;
        for (; x < ksize; x++) k[x] = 0;
        out->bounds[i * 2 + 0] = xmin;
        out->bounds[i * 2 + 1] = xmax;
        int32_t *kk = out->k + (size_t)i * (size_t)ksize;
        for (x = 0; x < ksize; x++)
            kk[x] = k[x] < 0 ? (int32_t)(-0.5 + k[x] * (1 << PRECISION_BITS))
                             : (int32_t)(0.5 + k[x] * (1 << PRECISION_BITS));
    }
    free(k);
    return EL_OK;
}

/* One output row of the horizontal pass (ImagingResampleHorizontal_8bpc). */
static void row_horizontal(const uint8_t *in, uint8_t *o, int dst_w, int ch, const coeffs *c) {
    for (int xx = 0; xx < dst_w; xx++) {
        int xmin = c->bounds[xx * 2], xmax = c->bounds[xx * 2 + 1];
        const int32_t *k = c->k + (size_t)xx * (size_t)c->ksize;
        for (int b = 0; b < ch; b++) {
            int32_t ss = 1 << (PRECISION_BITS - 1);
            for (int x = 0; x < xmax; x++) ss += in[(size_t)(x + xmin) * (size_t)ch + b] * k[x];
            o[(size_t)xx * (size_t)ch + b] = clip8(ss);
        }
    }
}

/* The source rows the vertical pass reads, horizontally resized once each
 * into a ring of as many rows as the largest tap count (the taps of
 * successive outputs move forward only), so the intermediate is never the
 * whole (output width x source height) image Pillow holds: a 1 x 400000
 * strip resized to 224 x 224 would need 270 MB there. Without a horizontal
 * pass the rows are the source's own. */
typedef struct {
    const el_image *in;
    const coeffs *ch; /* NULL: no horizontal pass */
    int x0, w;        /* window columns */
    uint8_t *ring;
    int cap, next;    /* ring rows; first source row not yet resized */
} row_source;

static const uint8_t *source_row(row_source *r, int y) {
    const size_t ich = (size_t)r->in->channels;
    const uint8_t *src = r->in->pixels + (size_t)y * (size_t)r->in->width * ich;
    if (!r->ch) return src + (size_t)r->x0 * ich;
    uint8_t *slot = r->ring + (size_t)(y % r->cap) * (size_t)r->w * ich;
    if (y >= r->next) {
        row_horizontal(src, slot, r->w, r->in->channels, r->ch);
        r->next = y + 1;
    }
    return slot;
}

/* ImagingResampleVertical_8bpc over the window rows, streaming its source rows. */
static el_status pass_vertical(row_source *r, el_image *out, const coeffs *c) {
    const size_t stride = (size_t)out->width * (size_t)out->channels;
    const uint8_t **rows = malloc((size_t)c->ksize * sizeof *rows);
    if (!rows) return el_fail(EL_ERR_NOMEM, "resize: out of memory");
    for (int yy = 0; yy < out->height; yy++) {
        int ymin = c->bounds[yy * 2], ymax = c->bounds[yy * 2 + 1];
        const int32_t *k = c->k + (size_t)yy * (size_t)c->ksize;
        uint8_t *o = out->pixels + (size_t)yy * stride;
        /* Rows resized in order: skipped ones are never needed again. */
        if (r->ch && r->next < ymin) r->next = ymin;
        for (int y = 0; y < ymax; y++) rows[y] = source_row(r, ymin + y);
        for (size_t i = 0; i < stride; i++) {
            int32_t ss = 1 << (PRECISION_BITS - 1);
            for (int y = 0; y < ymax; y++) ss += rows[y][i] * k[y];
            o[i] = clip8(ss);
        }
    }
    free(rows);
    return EL_OK;
}

/* ImagingResampleInner with the default box (0, 0, width, height), for the
 * window [x0, x0 + out->width) x [y0, y0 + out->height) of the out_w x out_h
 * result; out is already allocated at the window's size. */
static el_status resample(const el_image *in, int out_w, int out_h, const rs_filter *f, int x0, int y0,
                          el_image *out) {
    coeffs ch = {0}, cv = {0};
    int need_h = out_w != in->width, need_v = out_h != in->height;
    row_source r = {in, need_h ? &ch : NULL, x0, out->width, NULL, 0, 0};
    el_status s = EL_OK;

    if (need_h) s = precompute(in->width, 0.0f, (float)in->width, out_w, x0, out->width, f, &ch);
    if (s == EL_OK && need_v)
        s = precompute(in->height, 0.0f, (float)in->height, out_h, y0, out->height, f, &cv);
    if (s == EL_OK && need_v && need_h) {
        for (int i = 0; i < out->height; i++)
            if (cv.bounds[i * 2 + 1] > r.cap) r.cap = cv.bounds[i * 2 + 1];
        size_t n;
        if (r.cap < 1) r.cap = 1;
        if (!el_size_mul((size_t)out->width, (size_t)r.cap, (size_t)in->channels, &n) || !(r.ring = malloc(n)))
            s = el_fail(EL_ERR_NOMEM, "resize: cannot allocate %d intermediate rows of %d pixels", r.cap,
                        out->width);
    }
    if (s == EL_OK && need_v) {
        s = pass_vertical(&r, out, &cv);
    } else if (s == EL_OK) {
        /* Same height: the vertical taps are the identity. */
        const size_t stride = (size_t)out->width * (size_t)in->channels;
        for (int yy = 0; yy < out->height; yy++) {
            const uint8_t *src = in->pixels + (size_t)(y0 + yy) * (size_t)in->width * (size_t)in->channels;
            if (need_h) row_horizontal(src, out->pixels + (size_t)yy * stride, out->width, in->channels, &ch);
            else memcpy(out->pixels + (size_t)yy * stride, src + (size_t)x0 * (size_t)in->channels, stride);
        }
    }
    free(r.ring);
    coeffs_free(&ch);
    coeffs_free(&cv);
    return s;
}

#define COORD(v) ((v) < 0.0 ? -1 : ((int)(v)))

/* _resize's NEAREST branch: ImagingTransform(AFFINE) -> ImagingScaleAffine,
 * with a = (box width / out_w, 0, box x0, 0, box height / out_h, box y0).
 * The coordinates are stepped from 0 by repeated addition as Pillow does,
 * also up to a window's start. */
static el_status nearest(const el_image *in, int out_w, int out_h, int x0, int y0, el_image *out) {
    double a0 = (double)((float)in->width - 0.0f) / out_w;
    double a4 = (double)((float)in->height - 0.0f) / out_h;
    double xo = 0.0 + a0 * 0.5, yo = 0.0 + a4 * 0.5;
    const int ch = in->channels, w = out->width;
    int *xintab = calloc((size_t)w, sizeof *xintab);
    if (!xintab) return el_fail(EL_ERR_NOMEM, "resize: out of memory");
    for (int x = 0; x < x0 + w; x++) {
        int xin = COORD(xo);
        if (x >= x0) xintab[x - x0] = xin >= 0 && xin < in->width ? xin : -1;
        xo += a0;
    }
    for (int y = 0; y < y0; y++) yo += a4;
    for (int y = 0; y < out->height; y++) {
        int yi = COORD(yo);
        uint8_t *o = out->pixels + (size_t)y * (size_t)w * (size_t)ch;
        memset(o, 0, (size_t)w * (size_t)ch); /* Pillow's fill for unmapped pixels */
        if (yi >= 0 && yi < in->height) {
            const uint8_t *row = in->pixels + (size_t)yi * (size_t)in->width * (size_t)ch;
            for (int x = 0; x < w; x++)
                if (xintab[x] >= 0)
                    memcpy(o + (size_t)x * (size_t)ch, row + (size_t)xintab[x] * (size_t)ch, (size_t)ch);
        }
        yo += a4;
    }
    free(xintab);
    return EL_OK;
}

el_status el_image_resize_window(const el_image *in, int out_w, int out_h, el_resample filter, int x0,
                                 int y0, int win_w, int win_h, el_image *out) {
    el_image res;
    el_status s;
    memset(&res, 0, sizeof res);
    if (!out) return el_fail(EL_ERR_ARG, "resize: no output image given");
    if (out != in) *out = res;
    if (!in || !in->pixels || in->width <= 0 || in->height <= 0 ||
        (in->channels != 1 && in->channels != 3))
        return el_fail(EL_ERR_ARG, "resize: invalid input image");
    if (out_w <= 0 || out_h <= 0)
        return el_fail(EL_ERR_ARG, "resize: output size %dx%d must be positive", out_w, out_h);
    if (x0 < 0 || y0 < 0 || win_w <= 0 || win_h <= 0 || win_w > out_w - x0 || win_h > out_h - y0)
        return el_fail(EL_ERR_ARG, "resize: window %dx%d at (%d, %d) is not inside %dx%d", win_w, win_h, x0,
                       y0, out_w, out_h);
    if (filter != EL_RESAMPLE_NEAREST && !filter_for(filter))
        return el_fail(EL_ERR_ARG, "resize: unknown resampling filter %d", (int)filter);
    /* Built in res so that out may be the same struct as in. */
    s = el_image_alloc(&res, "resize", win_w, win_h, in->channels);
    if (s == EL_OK && filter == EL_RESAMPLE_NEAREST && (out_w != in->width || out_h != in->height))
        s = nearest(in, out_w, out_h, x0, y0, &res);
    else if (s == EL_OK)
        /* Same size: Image.resize returns a copy, which is the no-pass case. */
        s = resample(in, out_w, out_h, filter_for(filter == EL_RESAMPLE_NEAREST ? EL_RESAMPLE_BILINEAR : filter),
                     x0, y0, &res);
    if (s != EL_OK) el_image_free(&res);
    *out = res;
    return s;
}

el_status el_image_resize(const el_image *in, int out_w, int out_h, el_resample filter,
                          el_image *out) {
    return el_image_resize_window(in, out_w, out_h, filter, 0, 0, out_w, out_h, out);
}
