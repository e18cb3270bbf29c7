/* Model input preparation in the order the Python libraries apply it:
 * channel conversion (Pillow convert), resize (Pillow, 8-bit), centre crop
 * (HF floors the offset, torchvision rounds it with Python's round();
 * both pad a too-small image with zeros, split as torchvision does),
 * then per value float32(x * rescale_factor) computed in double as HF's
 * rescale does, and (x - mean) / std in float32 as HF's normalize and
 * torchvision's Normalize do. Output is planar [C][H][W]. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "imageio_internal.h"

/* Python's round() of a half-integer d / 2 for d >= 0: ties to even. */
static int half_round_even(int d) {
    int q = d / 2;
    if (d % 2 == 0) return q;
    return (q % 2 == 0) ? q : q + 1;
}

/* Where output row/column 0 reads from, and how many zero rows pad the
 * start, for one axis of a centre crop of size crop from size n. */
static void crop_axis(int n, int crop, int rounded, int *offset, int *pad) {
    if (crop > n) {
        *pad = (crop - n) / 2; /* torchvision: left/top pad (crop - n) // 2 */
        *offset = 0;
    } else {
        *pad = 0;
        *offset = rounded ? half_round_even(n - crop) : (n - crop) / 2;
    }
}

static el_status resize_size(const el_preprocess *pp, int w, int h, int *rw, int *rh) {
    if (pp->shortest_edge > 0) {
        /* HF get_resize_output_image_size / torchvision 0.14:
         * long = int(shortest_edge * long / short) with a float division. */
        int shrt = w <= h ? w : h, lng = w <= h ? h : w;
        double nl = (double)((int64_t)pp->shortest_edge * lng) / (double)shrt;
        if (!(nl < (double)INT_MAX) || nl < 1.0)
            return el_fail(EL_ERR_CONFIG, "preprocess: shortest edge %d gives an unusable size",
                           pp->shortest_edge);
        if (w <= h) {
            *rw = pp->shortest_edge;
            *rh = (int)nl;
        } else {
            *rw = (int)nl;
            *rh = pp->shortest_edge;
        }
        return EL_OK;
    }
    if (pp->resize_w <= 0 || pp->resize_h <= 0)
        return el_fail(EL_ERR_CONFIG,
                       "preprocess: do_resize needs shortest_edge or a size, got %dx%d",
                       pp->resize_w, pp->resize_h);
    *rw = pp->resize_w;
    *rh = pp->resize_h;
    return EL_OK;
}

/* Where the model input comes from: the resize target (w x h), the centre
 * crop's offsets and padding, and the window of the resized image the crop
 * reads (wx, wy, ww, wh): only that window is ever computed, so an extreme
 * aspect ratio costs the crop, not the resize target. */
typedef struct {
    int w, h, fw, fh, off_x, off_y, pad_x, pad_y;
    int wx, wy, ww, wh;
} geometry;

static void window_axis(int n, int crop, int off, int pad, int *w0, int *wn) {
    int lo = off - pad, hi = off - pad + crop;
    if (lo < 0) lo = 0;
    if (hi > n) hi = n;
    *w0 = lo;
    *wn = hi - lo;
}

static el_status plan(const el_image *img, const el_preprocess *pp, geometry *g) {
    memset(g, 0, sizeof *g);
    g->w = img->width;
    g->h = img->height;
    if (pp->do_resize) EL_TRY(resize_size(pp, img->width, img->height, &g->w, &g->h));
    /* The resize target is checked like a decoded image: Pillow and torch
     * would allocate all of it (a 121-byte 1 x 20000 PNG, shortest edge 248,
     * is 1.2 G pixels), and a model fed a 1-pixel-wide sliver of it measures
     * nothing useful. */
    const size_t limit = pp->max_pixels ? pp->max_pixels : EL_DEFAULT_MAX_PIXELS;
    if ((uint64_t)g->w * (uint64_t)g->h > (uint64_t)limit)
        return el_fail(EL_ERR_LIMIT,
                       "preprocess: resizing the %dx%d image to %dx%d%s gives %llu pixels, over the limit of %zu",
                       img->width, img->height, g->w, g->h, pp->shortest_edge > 0 ? " (shortest edge)" : "",
                       (unsigned long long)g->w * (unsigned long long)g->h, limit);
    g->fw = g->w;
    g->fh = g->h;
    if (pp->do_center_crop) {
        if (pp->crop_w <= 0 || pp->crop_h <= 0)
            return el_fail(EL_ERR_CONFIG, "preprocess: centre crop size %dx%d is not positive",
                           pp->crop_w, pp->crop_h);
        crop_axis(g->w, pp->crop_w, pp->crop_round, &g->off_x, &g->pad_x);
        crop_axis(g->h, pp->crop_h, pp->crop_round, &g->off_y, &g->pad_y);
        g->fw = pp->crop_w;
        g->fh = pp->crop_h;
    }
    if (g->fw != pp->out_w || g->fh != pp->out_h)
        return el_fail(EL_ERR_CONFIG,
                       "preprocess: resize/crop settings give %dx%d but the model input is %dx%d",
                       g->fw, g->fh, pp->out_w, pp->out_h);
    window_axis(g->w, g->fw, g->off_x, g->pad_x, &g->wx, &g->ww);
    window_axis(g->h, g->fh, g->off_y, g->pad_y, &g->wy, &g->wh);
    return EL_OK;
}

/* Every output value is a function of (channel, 8-bit value). */
static el_status make_lut(const el_preprocess *pp, int ch, float lut[3][256]) {
    for (int c = 0; c < ch; c++) {
        if (pp->do_normalize && !(pp->std[c] != 0.0f))
            return el_fail(EL_ERR_CONFIG, "preprocess: std[%d] is zero", c);
        for (int v = 0; v < 256; v++) {
            float f = pp->do_rescale ? (float)((double)v * pp->rescale_factor) : (float)v;
            if (pp->do_normalize) f = (f - pp->mean[c]) / pp->std[c];
            lut[c][v] = f;
        }
    }
    return EL_OK;
}

/* Planar output from the window win of the resized image (its pixel (0, 0)
 * is the resized image's (wx, wy)); outside it, the padding value. */
static void write_planes(const el_image *win, const geometry *g, int ch, float lut[3][256], float *out) {
    for (int c = 0; c < ch; c++) {
        float zero = lut[c][0];
        for (int y = 0; y < g->fh; y++) {
            float *o = out + ((size_t)c * (size_t)g->fh + (size_t)y) * (size_t)g->fw;
            int sy = y - g->pad_y + g->off_y - g->wy;
            if (sy < 0 || sy >= win->height) {
                for (int x = 0; x < g->fw; x++) o[x] = zero;
                continue;
            }
            const uint8_t *row = win->pixels + (size_t)sy * (size_t)win->width * (size_t)ch;
            for (int x = 0; x < g->fw; x++) {
                int sx = x - g->pad_x + g->off_x - g->wx;
                o[x] = (sx < 0 || sx >= win->width) ? zero : lut[c][row[(size_t)sx * (size_t)ch + (size_t)c]];
            }
        }
    }
}

el_status el_preprocess_image(const el_image *img, const el_preprocess *pp, float *out) {
    el_image conv = {0}, sized = {0};
    const el_image *cur = img;
    geometry g;
    float lut[3][256];
    el_status s = EL_OK;

    if (!img || !img->pixels || img->width <= 0 || img->height <= 0 ||
        (img->channels != 1 && img->channels != 3))
        return el_fail(EL_ERR_ARG, "preprocess: invalid input image");
    if (!pp || !out) return el_fail(EL_ERR_ARG, "preprocess: NULL settings or output buffer");
    const int ch = pp->channels;
    if (ch != 1 && ch != 3)
        return el_fail(EL_ERR_CONFIG, "preprocess: channels must be 1 or 3, not %d", ch);
    if (pp->out_w <= 0 || pp->out_h <= 0)
        return el_fail(EL_ERR_CONFIG, "preprocess: model input size %dx%d is not positive",
                       pp->out_w, pp->out_h);
    /* Geometry and tables first so a bad config fails before any work. */
    EL_TRY(plan(img, pp, &g));
    EL_TRY(make_lut(pp, ch, lut));

    if (img->channels != ch) {
        s = el_image_alloc(&conv, "preprocess", img->width, img->height, ch);
        if (s != EL_OK) return s;
        for (int y = 0; y < img->height; y++)
            el_convert_row(img->channels == 3 ? EL_PIX_RGB : EL_PIX_L,
                           img->pixels + (size_t)y * (size_t)img->width * (size_t)img->channels,
                           img->width, ch,
                           conv.pixels + (size_t)y * (size_t)img->width * (size_t)ch);
        cur = &conv;
    }
    if (g.w != cur->width || g.h != cur->height) {
        s = el_image_resize_window(cur, g.w, g.h, pp->resample, g.wx, g.wy, g.ww, g.wh, &sized);
        if (s != EL_OK) goto done;
        cur = &sized;
    } else {
        g.wx = g.wy = 0; /* no resize: the window is the image itself */
    }
    write_planes(cur, &g, ch, lut, out);
done:
    el_image_free(&conv);
    el_image_free(&sized);
    return s;
}
