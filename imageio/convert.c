/* Pillow 9.4's mode conversions (libImaging/Convert.c) for the modes our
 * decoders produce, to "L" or "RGB". */
#include "imageio_internal.h"

#include <string.h>

/* Pillow's MULDIV255: a * b / 255 rounded, without a division. */
static inline int muldiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

static inline uint8_t clip8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

/* cmyk2rgb: each channel is (255 - K) scaled by (255 - C) etc. */
static void cmyk_to_rgb(const uint8_t *in, uint8_t *out) {
    int nk = 255 - in[3];
    out[0] = clip8(nk - muldiv255(in[0], nk));
    out[1] = clip8(nk - muldiv255(in[1], nk));
    out[2] = clip8(nk - muldiv255(in[2], nk));
}

void el_convert_row(el_pix_mode m, const uint8_t *in, int w, int out_channels, uint8_t *out) {
    int x;
    if ((int)m == out_channels) {
        memcpy(out, in, (size_t)w * (size_t)out_channels);
        return;
    }
    switch (m) {
    case EL_PIX_L: /* out_channels == 3 */
        for (x = 0; x < w; x++) out[3 * x] = out[3 * x + 1] = out[3 * x + 2] = in[x];
        break;
    case EL_PIX_RGB: /* out_channels == 1 */
        for (x = 0; x < w; x++) out[x] = el_luma(in[3 * x], in[3 * x + 1], in[3 * x + 2]);
        break;
    case EL_PIX_CMYK:
        /* Pillow has no CMYK -> L converter: convert() goes through RGB. */
        for (x = 0; x < w; x++) {
            uint8_t rgb[3];
            cmyk_to_rgb(in + 4 * x, rgb);
            if (out_channels == 3)
                memcpy(out + 3 * x, rgb, 3);
            else
                out[x] = el_luma(rgb[0], rgb[1], rgb[2]);
        }
        break;
    }
}
