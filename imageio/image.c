/* Public entry points: read a file, sniff its content, dispatch to a decoder,
 * and the limit/allocation helpers the decoders share. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fileno */
#endif
#include "imageio_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/status.h"

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static int is_pnm_space(uint8_t c) { return c == ' ' || (c >= 0x09 && c <= 0x0d); }

/* Pillow reads the magic up to the first whitespace; "P5#..." is not P5. */
static int pnm_magic(const uint8_t *head, size_t n, char *kind) {
    if (n < 3 || head[0] != 'P' || !is_pnm_space(head[2])) return 0;
    *kind = (char)head[1];
    return 1;
}

int el_image_sniff(const uint8_t *head, size_t n) {
    char kind;
    if (!head) return 0;
    if (n >= 8 && memcmp(head, png_sig, 8) == 0) return 1;
    if (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return 1;
    if (pnm_magic(head, n, &kind) && (kind == '5' || kind == '6')) return 1;
    return 0;
}

int el_size_mul(size_t a, size_t b, size_t c, size_t *out) {
    if (a && b > SIZE_MAX / a) return 0;
    if (a * b != 0 && c > SIZE_MAX / (a * b)) return 0;
    *out = a * b * c;
    return 1;
}

el_status el_check_pixels(const char *name, const char *format, uint64_t w, uint64_t h,
                          size_t max_pixels) {
    if (w == 0 || h == 0)
        return el_fail(EL_ERR_FORMAT, "%s: %s has an empty size (%llux%llu)", name, format,
                       (unsigned long long)w, (unsigned long long)h);
    /* Dimensions are < 2^32 in every format we read, so w * h cannot wrap. */
    if (w > UINT32_MAX || h > UINT32_MAX || w * h > (uint64_t)max_pixels)
        return el_fail(EL_ERR_LIMIT, "%s: %s of %llux%llu pixels exceeds the limit of %zu pixels",
                       name, format, (unsigned long long)w, (unsigned long long)h, max_pixels);
    if (w > INT32_MAX || h > INT32_MAX)
        return el_fail(EL_ERR_LIMIT, "%s: %s of %llux%llu pixels is too wide or tall", name,
                       format, (unsigned long long)w, (unsigned long long)h);
    return EL_OK;
}

el_status el_image_alloc(el_image *img, const char *name, int w, int h, int channels) {
    size_t n;
    memset(img, 0, sizeof *img);
    if (!el_size_mul((size_t)w, (size_t)h, (size_t)channels, &n))
        return el_fail(EL_ERR_LIMIT, "%s: %dx%d image is too large to address", name, w, h);
    img->pixels = malloc(n);
    if (!img->pixels)
        return el_fail(EL_ERR_NOMEM, "%s: cannot allocate %zu bytes for a %dx%d image", name, n,
                       w, h);
    img->width = w;
    img->height = h;
    img->channels = channels;
    return EL_OK;
}

void el_image_free(el_image *img) {
    if (!img) return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

el_status el_image_decode(const uint8_t *data, size_t size, const char *name, int channels,
                          size_t max_pixels, el_image *out) {
    char kind;
    if (!name) name = "<memory>";
    if (!out) return el_fail(EL_ERR_ARG, "%s: no output image given", name);
    memset(out, 0, sizeof *out);
    if (channels != 1 && channels != 3)
        return el_fail(EL_ERR_ARG, "%s: channels must be 1 or 3, not %d", name, channels);
    if (!data && size) return el_fail(EL_ERR_ARG, "%s: NULL data with size %zu", name, size);
    if (size == 0) return el_fail(EL_ERR_FORMAT, "%s: empty file (0 bytes), not an image", name);
    if (size >= 8 && memcmp(data, png_sig, 8) == 0)
        return el_decode_png(data, size, name, channels, max_pixels, out);
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return el_decode_jpeg(data, size, name, channels, max_pixels, out);
    if (pnm_magic(data, size, &kind)) {
        if (kind == '5' || kind == '6')
            return el_decode_pnm(data, size, name, channels, max_pixels, out);
        if (kind && strchr("1234", kind))
            return el_fail(EL_ERR_UNSUPPORTED,
                           "%s: plain or bitmap PNM (P%c) is not supported, only binary P5/P6",
                           name, kind);
    }
    return el_fail(EL_ERR_FORMAT, "%s: not a PNG, JPEG or binary PPM/PGM image (%zu bytes)", name,
                   size);
}

el_status el_image_load(const char *path, int channels, size_t max_pixels, el_image *out) {
    char *data;
    size_t size;
    el_status s;
    if (!out) return el_fail(EL_ERR_ARG, "%s: no output image given", path ? path : "(null)");
    memset(out, 0, sizeof *out);
    if (!path) return el_fail(EL_ERR_ARG, "(null): no image path given");
    if (channels != 1 && channels != 3)
        return el_fail(EL_ERR_ARG, "%s: channels must be 1 or 3, not %d", path, channels);
    /* Only a regular file within the image size limit: a FIFO or /dev/zero
     * named as an image is refused at once instead of read without end. */
    s = el_file_read(path, EL_FILE_IMAGE, &data, &size);
    if (s != EL_OK) return s;
    s = el_image_decode((const uint8_t *)data, size, path, channels, max_pixels, out);
    free(data);
    return s;
}
