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

/* Fixed-point coefficients for one axis: out_size rows of ksize taps, plus
 * per output the first source index and the tap count. */
typedef struct {
    int ksize;
    int *bounds;  /* [out_size][2] = xmin, count */
    int32_t *k;   /* [out_size][ksize] */
} coeffs;

static void coeffs_free(coeffs *c) {
    free(c->bounds);
    free(c->k);
    memset(c, 0, sizeof *c);
}

/* precompute_coeffs + normalize_coeffs_8bpc. in0/in1 are float because
 * Pillow keeps the resize box in floats. */
static el_status precompute(int in_size, float in0, float in1, int out_size, const rs_filter *f,
                            coeffs *out) {
    double support, scale, filterscale, center, ww, ss;
    int xx, x, ksize, xmin, xmax;
    double *pre;
    size_t n;

    memset(out, 0, sizeof *out);
    filterscale = scale = (double)(in1 - in0) / out_size;
    if (filterscale < 1.0) filterscale = 1.0;
    support = f->support * filterscale;
    if (!(support < (double)(INT_MAX / 4)))
        return el_fail(EL_ERR_LIMIT, "resize: filter support %g is too large", support);
    ksize = (int)ceil(support) * 2 + 1;
    if (!el_size_mul((size_t)out_size, (size_t)ksize, sizeof(double), &n))
        return el_fail(EL_ERR_LIMIT, "resize: %d outputs x %d taps is too large", out_size, ksize);
    pre = malloc(n);
    out->k = malloc(n / sizeof(double) * sizeof(int32_t));
    out->bounds = malloc((size_t)out_size * 2 * sizeof(int));
    if (!pre || !out->k || !out->bounds) {
        free(pre);
        coeffs_free(out);
        return el_fail(EL_ERR_NOMEM, "resize: cannot allocate %zu bytes of coefficients", n);
    }
    out->ksize = ksize;

    for (xx = 0; xx < out_size; xx++) {
        double *k = pre + (size_t)xx * (size_t)ksize;
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
        out->bounds[xx * 2 + 0] = xmin;
        out->bounds[xx * 2 + 1] = xmax;
    }
    for (size_t i = 0; i < n / sizeof(double); i++) {
        if (pre[i] < 0)
            out->k[i] = (int32_t)(-0.5 + pre[i] * (1 << PRECISION_BITS));
        else
            out->k[i] = (int32_t)(0.5 + pre[i] * (1 << PRECISION_BITS));
    }
    free(pre);
    return EL_OK;
}

/* Output rows 0..rows-1 from source rows offset.. (ImagingResampleHorizontal_8bpc). */
static void pass_horizontal(const uint8_t *src, int src_w, int offset, uint8_t *dst, int dst_w,
                            int rows, int ch, const coeffs *c) {
    for (int yy = 0; yy < rows; yy++) {
        const uint8_t *in = src + (size_t)(yy + offset) * (size_t)src_w * (size_t)ch;
        uint8_t *o = dst + (size_t)yy * (size_t)dst_w * (size_t)ch;
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
}

/* ImagingResampleVertical_8bpc. */
static void pass_vertical(const uint8_t *src, int w, uint8_t *dst, int dst_h, int ch,
                          const coeffs *c) {
    size_t stride = (size_t)w * (size_t)ch;
    for (int yy = 0; yy < dst_h; yy++) {
        int ymin = c->bounds[yy * 2], ymax = c->bounds[yy * 2 + 1];
        const int32_t *k = c->k + (size_t)yy * (size_t)c->ksize;
        uint8_t *o = dst + (size_t)yy * stride;
        for (size_t i = 0; i < stride; i++) {
            int32_t ss = 1 << (PRECISION_BITS - 1);
            for (int y = 0; y < ymax; y++) ss += src[(size_t)(y + ymin) * stride + i] * k[y];
            o[i] = clip8(ss);
        }
    }
}

/* ImagingResampleInner with the default box (0, 0, width, height). */
static el_status resample(const el_image *in, int out_w, int out_h, const rs_filter *f,
                          el_image *out) {
    coeffs ch = {0}, cv = {0};
    uint8_t *tmp = NULL;
    const uint8_t *src = in->pixels;
    int src_w = in->width, ybox_first, ybox_last;
    int need_h = out_w != in->width, need_v = out_h != in->height;
    el_status s;

    s = precompute(in->width, 0.0f, (float)in->width, out_w, f, &ch);
    if (s == EL_OK) s = precompute(in->height, 0.0f, (float)in->height, out_h, f, &cv);
    if (s == EL_OK) s = el_image_alloc(out, "resize", out_w, out_h, in->channels);
    if (s != EL_OK) goto done;

    ybox_first = cv.bounds[0];
    ybox_last = cv.bounds[out_h * 2 - 2] + cv.bounds[out_h * 2 - 1];
    if (need_h) {
        int rows = ybox_last - ybox_first;
        size_t n;
        for (int i = 0; i < out_h; i++) cv.bounds[i * 2] -= ybox_first;
        if (!need_v) {
            /* Same height: the vertical taps are the identity, rows == out_h. */
            if (rows != out_h) {
                s = el_fail(EL_ERR_ARG, "resize: internal row bookkeeping error");
                goto done;
            }
            pass_horizontal(src, src_w, ybox_first, out->pixels, out_w, rows, in->channels, &ch);
            goto done;
        }
        if (!el_size_mul((size_t)out_w, (size_t)rows, (size_t)in->channels, &n) ||
            !(tmp = malloc(n))) {
            s = el_fail(EL_ERR_NOMEM, "resize: cannot allocate the %dx%d intermediate image",
                        out_w, rows);
            goto done;
        }
        pass_horizontal(src, src_w, ybox_first, tmp, out_w, rows, in->channels, &ch);
        src = tmp;
        src_w = out_w;
    }
    if (need_v)
        pass_vertical(src, src_w, out->pixels, out_h, in->channels, &cv);
    else if (!need_h)
        memcpy(out->pixels, in->pixels, (size_t)out_w * (size_t)out_h * (size_t)in->channels);
done:
    free(tmp);
    coeffs_free(&ch);
    coeffs_free(&cv);
    if (s != EL_OK) el_image_free(out);
    return s;
}

#define COORD(v) ((v) < 0.0 ? -1 : ((int)(v)))

/* _resize's NEAREST branch: ImagingTransform(AFFINE) -> ImagingScaleAffine,
 * with a = (box width / out_w, 0, box x0, 0, box height / out_h, box y0). */
static el_status nearest(const el_image *in, int out_w, int out_h, el_image *out) {
    double a0 = (double)((float)in->width - 0.0f) / out_w;
    double a4 = (double)((float)in->height - 0.0f) / out_h;
    double xo = 0.0 + a0 * 0.5, yo = 0.0 + a4 * 0.5;
    int xmin = out_w, xmax = 0, ch = in->channels;
    int *xintab;
    el_status s = el_image_alloc(out, "resize", out_w, out_h, ch);
    if (s != EL_OK) return s;
    xintab = calloc((size_t)out_w, sizeof *xintab);
    if (!xintab) {
        el_image_free(out);
        return el_fail(EL_ERR_NOMEM, "resize: out of memory");
    }
    for (int x = 0; x < out_w; x++) {
        int xin = COORD(xo);
        if (xin >= 0 && xin < in->width) {
            xmax = x + 1;
            if (x < xmin) xmin = x;
            xintab[x] = xin;
        }
        xo += a0;
    }
    for (int y = 0; y < out_h; y++) {
        int yi = COORD(yo);
        uint8_t *o = out->pixels + (size_t)y * (size_t)out_w * (size_t)ch;
        memset(o, 0, (size_t)out_w * (size_t)ch); /* Pillow's fill for unmapped pixels */
        if (yi >= 0 && yi < in->height) {
            const uint8_t *row = in->pixels + (size_t)yi * (size_t)in->width * (size_t)ch;
            for (int x = xmin; x < xmax; x++)
                memcpy(o + (size_t)x * (size_t)ch, row + (size_t)xintab[x] * (size_t)ch,
                       (size_t)ch);
        }
        yo += a4;
    }
    free(xintab);
    return EL_OK;
}

el_status el_image_resize(const el_image *in, int out_w, int out_h, el_resample filter,
                          el_image *out) {
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
    if (filter != EL_RESAMPLE_NEAREST && !filter_for(filter))
        return el_fail(EL_ERR_ARG, "resize: unknown resampling filter %d", (int)filter);
    /* Built in res so that out may be the same struct as in. */
    if (out_w == in->width && out_h == in->height) {
        /* Image.resize returns a copy when the size does not change. */
        s = el_image_alloc(&res, "resize", out_w, out_h, in->channels);
        if (s == EL_OK)
            memcpy(res.pixels, in->pixels, (size_t)out_w * (size_t)out_h * (size_t)in->channels);
    } else if (filter == EL_RESAMPLE_NEAREST) {
        s = nearest(in, out_w, out_h, &res);
    } else {
        s = resample(in, out_w, out_h, filter_for(filter), &res);
    }
    *out = res;
    return s;
}
