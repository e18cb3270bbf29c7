/* PNG via libpng, producing what Pillow 9.4's PngImagePlugin + convert()
 * produce:
 *   gray 1/2/4 bit   -> L scaled to 0..255 ("1", "L;2", "L;4")
 *   gray 16 bit      -> Pillow mode "I": the whole 16-bit value clipped to 255
 *   RGB/RGBA 16 bit  -> the high byte of each sample ("RGB;16B")
 *   LA, RGBA         -> alpha dropped, no compositing
 *   palette          -> looked up in Pillow's palette, which starts as a grey
 *                       ramp: indices past the PLTE entries read as (i, i, i)
 *   tRNS, gAMA, sRGB, iCCP -> ignored, as Pillow's convert('RGB') ignores them
 * Integrity checks follow Pillow too: CRCs of chunks before the image data are
 * checked (ancillary ones included), IDAT CRCs are not, and image data that
 * holds every row decodes even if what follows is cut or broken (missing
 * zlib checksum, CRC or IEND; see png_repair.c).
 * Deliberate difference: an unknown critical chunk is an error here (libpng
 * refuses it); Pillow skips it. */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "imageio_internal.h"
#include "png_repair.h"

typedef struct {
    const uint8_t *data;
    size_t size, pos;
    int truncated;  /* the read callback ran out of data */
    int in_rows;    /* got past the header: failures are in the image data */
    const char *name;
    char msg[256];
    png_structp png;
    png_infop info;
    uint8_t *raw;        /* one raw row, or the whole raw image if interlaced */
    png_bytep *rows;     /* row pointers into raw when interlaced */
    uint8_t *line;       /* one row in the reduced Pillow mode */
    el_image img;
} png_ctx;

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void on_error(png_structp png, png_const_charp msg) {
    png_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) { (void)png, (void)msg; }

static void on_read(png_structp png, png_bytep dst, size_t n) {
    png_ctx *c = png_get_io_ptr(png);
    if (n > c->size - c->pos) {
        c->truncated = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(dst, c->data + c->pos, n);
    c->pos += n;
}

/* One raw libpng row -> one row in the reduced Pillow mode (c->line). */
static void reduce_row(const png_ctx *c, const uint8_t *raw, int w, int color_type, int depth,
                       const uint8_t pal[256][3]) {
    uint8_t *o = c->line;
    int x;
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
        if (depth == 16)
            for (x = 0; x < w; x++) {
                unsigned v = (unsigned)raw[2 * x] << 8 | raw[2 * x + 1];
                o[x] = (uint8_t)(v > 255 ? 255 : v);
            }
        else {
            unsigned scale = depth == 8 ? 1 : 255u / ((1u << depth) - 1);
            for (x = 0; x < w; x++) o[x] = (uint8_t)(raw[x] * scale);
        }
        break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: {
        int step = depth == 16 ? 4 : 2;
        for (x = 0; x < w; x++) o[x] = raw[step * x];
        break;
    }
    case PNG_COLOR_TYPE_RGB:
    case PNG_COLOR_TYPE_RGB_ALPHA: {
        int bytes = depth / 8, step = (color_type == PNG_COLOR_TYPE_RGB ? 3 : 4) * bytes;
        for (x = 0; x < w; x++)
            for (int k = 0; k < 3; k++) o[3 * x + k] = raw[step * x + k * bytes];
        break;
    }
    case PNG_COLOR_TYPE_PALETTE:
        for (x = 0; x < w; x++) memcpy(o + 3 * x, pal[raw[x]], 3);
        break;
    }
}

/* Everything libpng may longjmp out of; keeps its state in *c only, so the
 * setjmp in decode() has no clobbered locals to worry about. */
static el_status decode_body(png_ctx *c, int channels, size_t max_pixels) {
    png_uint_32 w, h;
    int depth, color_type, interlace, passes;
    el_pix_mode mode;
    uint8_t pal[256][3];
    size_t rowbytes, n;

    png_set_read_fn(c->png, c, on_read);
    /* Our own max_pixels check decides; libpng's default 1e6 x 1e6 cap would
     * turn a too-large image into a format error. */
    png_set_user_limits(c->png, 0x7fffffff, 0x7fffffff);
    png_set_crc_action(c->png, PNG_CRC_DEFAULT, PNG_CRC_ERROR_QUIT);
    png_set_benign_errors(c->png, 1);
    png_read_info(c->png, c->info);
    png_get_IHDR(c->png, c->info, &w, &h, &depth, &color_type, &interlace, NULL, NULL);
    el_status s = el_check_pixels(c->name, "PNG", w, h, max_pixels);
    if (s != EL_OK) return s;
    /* Pillow never checks IDAT CRCs. */
    png_set_crc_action(c->png, PNG_CRC_QUIET_USE, PNG_CRC_ERROR_QUIT);

    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_colorp plte = NULL;
        int count = 0;
        for (int i = 0; i < 256; i++) pal[i][0] = pal[i][1] = pal[i][2] = (uint8_t)i;
        if (!png_get_PLTE(c->png, c->info, &plte, &count) || !plte)
            return el_fail(EL_ERR_FORMAT, "%s: corrupt PNG (palette image without PLTE)", c->name);
        for (int i = 0; i < count && i < 256; i++) {
            pal[i][0] = plte[i].red;
            pal[i][1] = plte[i].green;
            pal[i][2] = plte[i].blue;
        }
    }
    mode = (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA)
               ? EL_PIX_L : EL_PIX_RGB;
    if (depth < 8) png_set_packing(c->png);
    passes = png_set_interlace_handling(c->png);
    png_read_update_info(c->png, c->info);
    rowbytes = png_get_rowbytes(c->png, c->info);

    s = el_image_alloc(&c->img, c->name, (int)w, (int)h, channels);
    if (s != EL_OK) return s;
    c->in_rows = 1;
    c->line = malloc((size_t)w * 3);
    if (!c->line) return el_fail(EL_ERR_NOMEM, "%s: out of memory decoding PNG", c->name);
    if (passes > 1) {
        if (!el_size_mul(rowbytes, h, 1, &n))
            return el_fail(EL_ERR_LIMIT, "%s: PNG too large to deinterlace", c->name);
        c->raw = malloc(n);
        c->rows = malloc((size_t)h * sizeof *c->rows);
        if (!c->raw || !c->rows)
            return el_fail(EL_ERR_NOMEM, "%s: out of memory deinterlacing PNG", c->name);
        for (png_uint_32 y = 0; y < h; y++) c->rows[y] = c->raw + (size_t)y * rowbytes;
        png_read_image(c->png, c->rows);
    } else {
        c->raw = malloc(rowbytes);
        if (!c->raw) return el_fail(EL_ERR_NOMEM, "%s: out of memory decoding PNG", c->name);
    }
    for (png_uint_32 y = 0; y < h; y++) {
        const uint8_t *raw = c->raw + (passes > 1 ? (size_t)y * rowbytes : 0);
        if (passes == 1) png_read_row(c->png, c->raw, NULL);
        reduce_row(c, raw, (int)w, color_type, depth, (const uint8_t(*)[3])pal);
        el_convert_row(mode, c->line, (int)w, channels,
                       c->img.pixels + (size_t)y * w * (size_t)channels);
    }
    /* No png_read_end: like Pillow, ignore whatever follows the image data. */
    return EL_OK;
}

static el_status decode(png_ctx *c, int channels, size_t max_pixels) {
    if (setjmp(png_jmpbuf(c->png))) {
        if (c->truncated)
            return el_fail(EL_ERR_FORMAT, "%s: truncated PNG (file ends at byte %zu)", c->name,
                           c->size);
        return el_fail(EL_ERR_FORMAT, "%s: corrupt PNG (%s)", c->name, c->msg);
    }
    return decode_body(c, channels, max_pixels);
}

/* One libpng pass over data; *in_rows tells whether it failed in the image
 * data rather than the header. */
static el_status run(const uint8_t *data, size_t size, const char *name, int channels,
                     size_t max_pixels, el_image *out, int *in_rows) {
    png_ctx c;
    el_status s;
    memset(&c, 0, sizeof c);
    c.data = data;
    c.size = size;
    c.name = name;
    c.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &c, on_error, on_warning);
    if (c.png) c.info = png_create_info_struct(c.png);
    if (!c.png || !c.info) {
        png_destroy_read_struct(c.png ? &c.png : NULL, NULL, NULL);
        return el_fail(EL_ERR_NOMEM, "%s: cannot create a PNG decoder", name);
    }
    s = decode(&c, channels, max_pixels);
    png_destroy_read_struct(&c.png, &c.info, NULL);
    free(c.raw);
    free(c.rows);
    free(c.line);
    *in_rows = c.in_rows;
    if (s != EL_OK)
        el_image_free(&c.img);
    else
        *out = c.img;
    return s;
}

el_status el_decode_png(const uint8_t *data, size_t size, const char *name, int channels,
                        size_t max_pixels, el_image *out) {
    el_status s;
    int in_rows = 0, again;
    uint8_t *fixed;
    size_t fixed_size;
    char first_error[512];
    /* Refuse oversized images from the IHDR bytes before libpng allocates
     * anything for them. */
    if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0)
        EL_TRY(el_check_pixels(name, "PNG", be32(data + 16), be32(data + 20), max_pixels));
    s = run(data, size, name, channels, max_pixels, out, &in_rows);
    if (s != EL_ERR_FORMAT || !in_rows || !el_png_repair(data, size, &fixed, &fixed_size))
        return s;
    snprintf(first_error, sizeof first_error, "%s", el_last_error());
    s = run(fixed, fixed_size, name, channels, max_pixels, out, &again);
    free(fixed);
    if (s != EL_OK) return el_fail(EL_ERR_FORMAT, "%s", first_error);
    return EL_OK;
}
