/* Image decoding on hostile bytes: el_image_decode (PNG via libpng, JPEG via
 * libjpeg-turbo, PPM/PGM) as a 1-channel and a 3-channel image under a small
 * pixel limit, then el_preprocess_image with one of a few fixed model
 * configurations (HF exact resize, timm short-side resize + rounded crop,
 * crop with zero padding, ...).
 *
 * Contract checked besides memory safety: a decoded image has the requested
 * channels, a positive size within max_pixels and a pixel buffer; a failure
 * leaves no pixels behind (the CLI does not free them) and its message names
 * the file; preprocessing fills every output value with a finite number. */
#include <math.h>

#include "entropy_lens.h"
#include "fuzz_util.h"

#define FUZZ_MAX_PIXELS ((size_t)1 << 18) /* 512 x 512 */
#define NAME "fuzz-input.img"

static el_preprocess make_cfg(int k, int channels) {
    el_preprocess p;
    memset(&p, 0, sizeof p);
    p.channels = channels;
    for (int c = 0; c < 3; c++) {
        p.mean[c] = 0.5f;
        p.std[c] = 0.5f;
    }
    p.do_rescale = 1;
    p.rescale_factor = 1.0 / 255.0;
    p.do_normalize = 1;
    switch (k) {
    case 0: /* HF ViTImageProcessor: exact resize, bilinear */
        p.do_resize = 1;
        p.resize_w = p.resize_h = 32;
        p.resample = EL_RESAMPLE_BILINEAR;
        p.out_w = p.out_h = 32;
        break;
    case 1: /* timm eval: short side to 36, bicubic, centre crop 32 (rounded offset) */
        p.do_resize = 1;
        p.shortest_edge = 36;
        p.resample = EL_RESAMPLE_BICUBIC;
        p.do_center_crop = 1;
        p.crop_w = p.crop_h = 32;
        p.crop_round = 1;
        p.out_w = p.out_h = 32;
        p.mean[0] = 0.485f, p.mean[1] = 0.456f, p.mean[2] = 0.406f;
        p.std[0] = 0.229f, p.std[1] = 0.224f, p.std[2] = 0.225f;
        break;
    case 2: /* no resize: centre crop 24 (pads small images with zeros), HF floor offset */
        p.do_center_crop = 1;
        p.crop_w = p.crop_h = 24;
        p.out_w = p.out_h = 24;
        break;
    case 3: /* odd exact size, Lanczos, no normalisation */
        p.do_resize = 1;
        p.resize_w = 17;
        p.resize_h = 9;
        p.resample = EL_RESAMPLE_LANCZOS;
        p.do_normalize = 0;
        p.out_w = 17;
        p.out_h = 9;
        break;
    case 4: /* box filter to a short side of 8, crop 8 */
        p.do_resize = 1;
        p.shortest_edge = 8;
        p.resample = EL_RESAMPLE_BOX;
        p.do_center_crop = 1;
        p.crop_w = p.crop_h = 8;
        p.out_w = p.out_h = 8;
        break;
    case 5: /* Hamming, nearest-like small output, no rescale */
        p.do_resize = 1;
        p.resize_w = 5;
        p.resize_h = 7;
        p.resample = EL_RESAMPLE_HAMMING;
        p.do_rescale = 0;
        p.out_w = 5;
        p.out_h = 7;
        break;
    default: /* nearest, exact 16 */
        p.do_resize = 1;
        p.resize_w = p.resize_h = 16;
        p.resample = EL_RESAMPLE_NEAREST;
        p.out_w = p.out_h = 16;
        break;
    }
    return p;
}

static void one(const uint8_t *data, size_t size, int channels) {
    el_image img;
    memset(&img, 0xA5, sizeof img); /* the decoder must reset it */
    el_status st = el_image_decode(data, size, NAME, channels, FUZZ_MAX_PIXELS, &img);
    if (st != EL_OK) {
        EL_FUZZ_CHECK(img.pixels == NULL, "failed decode (%s) left pixels allocated", el_status_name(st));
        EL_FUZZ_CHECK_NAMES(el_last_error(), NAME);
        if (img.pixels == NULL) return;
        el_image_free(&img);
        return;
    }
    EL_FUZZ_CHECK(img.pixels != NULL, "decoded image without pixels");
    EL_FUZZ_CHECK(img.channels == channels, "asked for %d channels, got %d", channels, img.channels);
    EL_FUZZ_CHECK(img.width > 0 && img.height > 0, "size %dx%d", img.width, img.height);
    EL_FUZZ_CHECK((uint64_t)img.width * (uint64_t)img.height <= FUZZ_MAX_PIXELS,
                  "%dx%d is over max_pixels %zu", img.width, img.height, FUZZ_MAX_PIXELS);
    /* Touch every byte: ASan flags a buffer smaller than w * h * c. */
    const size_t n = (size_t)img.width * (size_t)img.height * (size_t)img.channels;
    volatile unsigned sum = 0;
    for (size_t i = 0; i < n; i++) sum += img.pixels[i];
    (void)sum;

    const int k = (int)((size + (size_t)channels) % 7);
    el_preprocess pp = make_cfg(k, channels);
    const size_t nout = (size_t)pp.out_w * (size_t)pp.out_h * (size_t)channels;
    float *out = malloc(nout * sizeof(float)); /* exact size: ASan catches overruns */
    if (!out) abort();
    st = el_preprocess_image(&img, &pp, out);
    EL_FUZZ_CHECK(st == EL_OK, "preprocess config %d failed on a decoded %dx%d image: %s", k, img.width, img.height,
                  el_last_error());
    if (st == EL_OK)
        for (size_t i = 0; i < nout; i++)
            EL_FUZZ_CHECK(isfinite(out[i]), "preprocess config %d: output[%zu] = %g", k, i, (double)out[i]);
    /* The other channel count through the same config: exercises the L<->RGB conversion. */
    el_preprocess pp2 = make_cfg(k, channels == 1 ? 3 : 1);
    float *out2 = malloc((size_t)pp2.out_w * (size_t)pp2.out_h * (size_t)pp2.channels * sizeof(float));
    if (!out2) abort();
    st = el_preprocess_image(&img, &pp2, out2);
    EL_FUZZ_CHECK(st == EL_OK, "preprocess (converted) config %d failed: %s", k, el_last_error());
    free(out2);
    free(out);
    el_image_free(&img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    one(data, size, 3);
    one(data, size, 1);
    /* The sniffer must agree with the decoder's dispatch on the first bytes. */
    (void)el_image_sniff(data, size < 16 ? size : 16);
    return 0;
}
