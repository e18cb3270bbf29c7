/* Shared by the imageio decoders: the Pillow modes a decoder hands over, the
 * conversion to the caller's channel count, and the pixel-limit/allocation
 * checks every decoder must pass before touching pixel memory. */
#ifndef EL_IMAGEIO_INTERNAL_H
#define EL_IMAGEIO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "entropy_lens.h"

/* What a decoder produces per row, already reduced to one of three Pillow
 * modes: "1", "I" (clipped), "LA", "P" and "RGBA" sources convert to RGB or L
 * in Pillow exactly as their L / RGB reduction does, so decoders fold them. */
typedef enum {
    EL_PIX_L = 1,   /* Pillow "L" */
    EL_PIX_RGB = 3, /* Pillow "RGB" */
    EL_PIX_CMYK = 4 /* Pillow "CMYK" (after its Adobe inversion) */
} el_pix_mode;

/* Pillow's ITU-R 601-2 luma with its 16-bit fixed-point rounding (Convert.c L24). */
static inline uint8_t el_luma(unsigned r, unsigned g, unsigned b) {
    return (uint8_t)((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}

/* Converts one row of w pixels in mode m to out_channels (1 or 3) like
 * Pillow's convert('L') / convert('RGB'). */
void el_convert_row(el_pix_mode m, const uint8_t *in, int w, int out_channels, uint8_t *out);

/* EL_ERR_LIMIT (naming the file) unless 0 < w, h and w * h <= max_pixels.
 * Called before any pixel memory is allocated. */
el_status el_check_pixels(const char *name, const char *format, uint64_t w, uint64_t h,
                          size_t max_pixels);

/* Allocates img->pixels for w x h x channels (overflow-checked); the caller
 * has already passed el_check_pixels. On failure img is left zeroed. */
el_status el_image_alloc(el_image *img, const char *name, int w, int h, int channels);

/* The window [x0, x0 + win_w) x [y0, y0 + win_h) of el_image_resize(in,
 * out_w, out_h, filter), bit-identical to cropping the full result, in
 * memory for the window (plus the source rows its taps read) only. */
el_status el_image_resize_window(const el_image *in, int out_w, int out_h, el_resample filter, int x0,
                                 int y0, int win_w, int win_h, el_image *out);

/* Overflow-checked a * b * c for buffer sizes; 0 on overflow. */
int el_size_mul(size_t a, size_t b, size_t c, size_t *out);

el_status el_decode_png(const uint8_t *data, size_t size, const char *name, int channels,
                        size_t max_pixels, el_image *out);
el_status el_decode_jpeg(const uint8_t *data, size_t size, const char *name, int channels,
                         size_t max_pixels, el_image *out);
el_status el_decode_pnm(const uint8_t *data, size_t size, const char *name, int channels,
                        size_t max_pixels, el_image *out);

#endif
