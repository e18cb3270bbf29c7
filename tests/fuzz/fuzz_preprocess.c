/* Preprocessing geometry on hostile sizes (issue 12, aspect-ratio bombs): an
 * image of fuzzer-chosen size, down to 1 x 32768 and 32768 x 1, through a
 * fuzzer-chosen preprocessing config (shortest-edge or exact resize up to
 * 65535, any filter, centre crop with floor or rounded offsets, padding crops
 * larger than the image, a pixel limit from tiny to the default).
 *
 * Input layout (missing bytes read as 0):
 *   0-3 width, 4-7 height (each 1 + v % 70000; the longer side is cut so
 *       width * height <= 32768, keeping the extreme ratios)
 *   8   channels (bit 0: 1 or 3), 9 flags, 10 filter
 *   11-12 shortest edge or resize width, 13-14 resize height, 15-16 crop
 *       width, 17-18 crop height (crops 1..256), 19-22 pixel limit
 *   23- pixel bytes, repeated to fill the image
 *
 * Contract besides memory safety: el_preprocess_image returns EL_OK with every
 * output value finite, or an error with a message; it never allocates the
 * resize target (tests/fuzz/run.sh runs this target with -malloc_limit_mb=300:
 * a 1 x 32768 image resized to a shortest edge of 65535 is 2.1 G pixels).
 * el_preprocess_view agrees with el_preprocess_image on which configs work. */
#include <math.h>

#include "entropy_lens.h"
#include "fuzz_util.h"

static uint32_t u32(const uint8_t *d, size_t n, size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; i++) v |= (uint32_t)(at + i < n ? d[at + i] : 0) << (8 * i);
    return v;
}
static int u16(const uint8_t *d, size_t n, size_t at) { return (int)(u32(d, n, at) & 0xffff); }

static el_preprocess make_cfg(const uint8_t *d, size_t n, int channels) {
    el_preprocess p;
    memset(&p, 0, sizeof p);
    const int flags = n > 9 ? d[9] : 0;
    p.channels = channels;
    p.do_resize = flags & 1;
    if (flags & 2) p.shortest_edge = 1 + u16(d, n, 11) % 65535;
    p.resize_w = 1 + u16(d, n, 11) % 256;
    p.resize_h = 1 + u16(d, n, 13) % 256;
    p.resample = (el_resample)((n > 10 ? d[10] : 0) % 6);
    /* A shortest-edge resize is always cropped (as every real config does):
     * the output size must be known before the image is seen. */
    p.do_center_crop = (flags & 4) || (p.do_resize && p.shortest_edge) || !p.do_resize;
    p.crop_w = 1 + u16(d, n, 15) % 256;
    p.crop_h = 1 + u16(d, n, 17) % 256;
    p.crop_round = (flags >> 3) & 1;
    p.do_rescale = (flags >> 4) & 1;
    p.rescale_factor = 1.0 / 255.0;
    p.do_normalize = (flags >> 5) & 1;
    for (int c = 0; c < 3; c++) p.mean[c] = 0.5f, p.std[c] = 0.25f;
    p.out_w = p.do_center_crop ? p.crop_w : p.resize_w;
    p.out_h = p.do_center_crop ? p.crop_h : p.resize_h;
    const uint32_t lim = u32(d, n, 19);
    p.max_pixels = (flags & 64) ? 0 : (size_t)(lim % (1u << 24)); /* 0: the default limit */
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    el_image img = {0};
    uint64_t w = 1 + u32(data, size, 0) % 70000, h = 1 + u32(data, size, 4) % 70000;
    while (w * h > 32768) {
        if (w >= h) w = 32768 / h ? 32768 / h : 1;
        else h = 32768 / w ? 32768 / w : 1;
    }
    img.width = (int)w;
    img.height = (int)h;
    img.channels = size > 8 && (data[8] & 1) ? 3 : 1;
    const size_t bytes = (size_t)(w * h) * (size_t)img.channels;
    img.pixels = malloc(bytes);
    if (!img.pixels) abort();
    const size_t np = size > 23 ? size - 23 : 0;
    for (size_t i = 0; i < bytes; i++) img.pixels[i] = np ? data[23 + i % np] : (uint8_t)i;

    for (int ch = 1; ch <= 3; ch += 2) { /* also the L <-> RGB conversion */
        el_preprocess pp = make_cfg(data, size, ch);
        const size_t nout = (size_t)pp.out_w * (size_t)pp.out_h * (size_t)ch;
        float *out = malloc(nout * sizeof(float)); /* exact size: ASan catches overruns */
        if (!out) abort();
        el_status st = el_preprocess_image(&img, &pp, out);
        if (st == EL_OK) {
            for (size_t i = 0; i < nout; i++)
                EL_FUZZ_CHECK(isfinite(out[i]), "%dx%d image, output[%zu] = %g", img.width, img.height, i,
                              (double)out[i]);
        } else {
            const char *msg = el_last_error();
            EL_FUZZ_CHECK(msg && *msg, "%dx%d image: failure without a message", img.width, img.height);
        }
        double view[4];
        el_status sv = el_preprocess_view(&pp, img.width, img.height, view);
        EL_FUZZ_CHECK(st != EL_OK || sv == EL_OK, "%dx%d image preprocessed but has no view: %s", img.width,
                      img.height, el_last_error());
        if (sv == EL_OK)
            for (int k = 0; k < 4; k++) EL_FUZZ_CHECK(isfinite(view[k]), "view[%d] = %g", k, view[k]);
        free(out);
    }
    free(img.pixels);
    return 0;
}
