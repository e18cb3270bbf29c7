/* Extreme aspect ratios: the resampler computes only the window a centre crop
 * reads (bit-identical to cropping the full Pillow-exact resize, which
 * test_imageio_resize checks against Pillow), and preprocessing refuses a
 * resize target over the pixel limit before allocating, naming the sizes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "entropy_lens.h"
#include "imageio/imageio_internal.h"
#include "test_util.h"

static uint32_t rng = 12345;
static int rnd(int n) {
    rng = rng * 1664525u + 1013904223u;
    return (int)((rng >> 8) % (uint32_t)n);
}

static el_image random_image(int w, int h, int ch) {
    el_image im;
    CHECK(el_image_alloc(&im, "test", w, h, ch) == EL_OK);
    for (size_t i = 0; i < (size_t)w * h * ch; i++) im.pixels[i] = (uint8_t)rnd(256);
    return im;
}

/* Every filter, up- and downscaling (and keeping) each axis, random windows:
 * the window equals the same pixels of the full resize. */
static void test_window_matches_full(void) {
    for (int trial = 0; trial < 300; trial++) {
        int ch = rnd(2) ? 3 : 1, iw = 1 + rnd(40), ih = 1 + rnd(40);
        int ow = rnd(4) == 0 ? iw : 1 + rnd(60), oh = rnd(4) == 0 ? ih : 1 + rnd(60);
        el_resample f = (el_resample)rnd(6);
        el_image in = random_image(iw, ih, ch), full, win;
        int x0 = rnd(ow), y0 = rnd(oh), ww = 1 + rnd(ow - x0), wh = 1 + rnd(oh - y0);
        CHECK(el_image_resize(&in, ow, oh, f, &full) == EL_OK);
        CHECK(el_image_resize_window(&in, ow, oh, f, x0, y0, ww, wh, &win) == EL_OK);
        int same = win.width == ww && win.height == wh;
        for (int y = 0; same && y < wh; y++)
            same = !memcmp(win.pixels + (size_t)y * ww * ch, full.pixels + ((size_t)(y0 + y) * ow + x0) * ch,
                           (size_t)ww * ch);
        CHECK_MSG(same, "trial %d: filter %d, %dx%dx%d -> %dx%d, window %dx%d at %d,%d differs", trial, (int)f,
                  iw, ih, ch, ow, oh, ww, wh, x0, y0);
        el_image_free(&in);
        el_image_free(&full);
        el_image_free(&win);
    }
    el_image in = random_image(4, 4, 1), out;
    CHECK(el_image_resize_window(&in, 8, 8, EL_RESAMPLE_BILINEAR, 4, 0, 5, 8, &out) == EL_ERR_ARG);
    CHECK(el_image_resize_window(&in, 8, 8, EL_RESAMPLE_BILINEAR, -1, 0, 2, 2, &out) == EL_ERR_ARG);
    el_image_free(&in);
}

static el_preprocess timm_like(int shortest, int crop, el_resample f) {
    el_preprocess pp;
    memset(&pp, 0, sizeof pp);
    pp.channels = 3;
    pp.do_resize = 1;
    pp.shortest_edge = shortest;
    pp.resample = f;
    pp.do_center_crop = 1;
    pp.crop_w = pp.crop_h = pp.out_w = pp.out_h = crop;
    pp.do_rescale = 1;
    pp.rescale_factor = 1.0 / 255.0;
    return pp;
}

/* The crop of a thin strip resized by its shortest edge, computed the slow
 * way (full resize, then crop with HF's floored offsets) and the fast way. */
static void test_strip_preprocess(void) {
    const int S = 40, C = 32;
    for (int k = 0; k < 6; k++) {
        el_image strip = random_image(k % 2 ? 3 : 200, k % 2 ? 200 : 3, 3), full;
        el_preprocess pp = timm_like(S, C, (el_resample)k);
        int rw = k % 2 ? S : S * 200 / 3, rh = k % 2 ? S * 200 / 3 : S;
        float *got = malloc(sizeof(float) * 3 * C * C);
        CHECK(el_preprocess_image(&strip, &pp, got) == EL_OK);
        CHECK(el_image_resize(&strip, rw, rh, (el_resample)k, &full) == EL_OK);
        int ox = (rw - C) / 2, oy = (rh - C) / 2, bad = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < C; y++)
                for (int x = 0; x < C; x++) {
                    float want = (float)((double)full.pixels[((size_t)(oy + y) * rw + ox + x) * 3 + c] / 255.0);
                    bad += got[((size_t)c * C + y) * C + x] != want;
                }
        CHECK_MSG(bad == 0, "filter %d: %d values differ from resize-then-crop", k, bad);
        free(got);
        el_image_free(&strip);
        el_image_free(&full);
    }
}

static long peak_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* A 1 x 20000 image on a timm-style config (shortest edge 248, crop 224):
 * refused under the default limit, naming both sizes; with the limit raised
 * it is computed in a few MB instead of Pillow's 3.7 GB. */
static void test_aspect_bomb(void) {
    el_image strip = random_image(1, 20000, 3);
    el_preprocess pp = timm_like(248, 224, EL_RESAMPLE_BICUBIC);
    float *out = malloc(sizeof(float) * 3 * 224 * 224);
    el_status s = el_preprocess_image(&strip, &pp, out);
    CHECK_MSG(s == EL_ERR_LIMIT, "got %s", el_status_name(s));
    CHECK_MSG(strstr(el_last_error(), "1x20000") && strstr(el_last_error(), "248x4960000") &&
                  strstr(el_last_error(), "89478485"),
              "message: %s", el_last_error());
    long before = peak_kb();
    pp.max_pixels = (size_t)2 << 30;
    s = el_preprocess_image(&strip, &pp, out);
    CHECK_MSG(s == EL_OK, "raised limit: %s", el_last_error());
    long grew = peak_kb() - before;
    CHECK_MSG(grew < 64 * 1024, "the raised-limit strip took %ld KB more peak memory", grew);
    /* The same strip squeezed into an exact 224 x 224 (HF-style): the
     * horizontal pass streams its rows instead of holding 224 x 20000. */
    pp.do_center_crop = 0;
    pp.shortest_edge = 0;
    pp.resize_w = pp.resize_h = 224;
    CHECK(el_preprocess_image(&strip, &pp, out) == EL_OK);
    free(out);
    el_image_free(&strip);
}

int main(void) {
    test_window_matches_full();
    test_strip_preprocess();
    test_aspect_bomb();
    return el_test_finish("test_imageio_window");
}
