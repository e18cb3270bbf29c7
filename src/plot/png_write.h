/* PNG encoding with libpng (8-bit RGBA), and base64 data URIs for embedding
 * images in SVG and HTML. */
#ifndef EL_PLOT_PNG_WRITE_H
#define EL_PLOT_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "entropy_lens.h"

/* The PNG file bytes of a width x height RGBA image (malloc'd). */
el_status el_png_encode_rgba(const uint8_t *rgba, int width, int height, uint8_t **out, size_t *len);
el_status el_png_write_rgba(const char *path, const uint8_t *rgba, int width, int height);

/* "data:MIME;base64,..." (malloc'd, NUL-terminated), or NULL when out of memory. */
char *el_data_uri(const char *mime, const uint8_t *data, size_t len);

#endif
