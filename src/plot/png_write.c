/* PNG writer over libpng with an in-memory sink; base64 data URIs. */
#include "plot/png_write.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"

typedef struct {
    uint8_t *data;
    size_t len, cap;
    int oom;
    char msg[200];
} sink;

static void on_write(png_structp png, png_bytep p, size_t n) {
    sink *s = png_get_io_ptr(png);
    if (s->oom) return;
    if (s->len + n > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 65536;
        while (nc < s->len + n)
            nc *= 2;
        uint8_t *nd = realloc(s->data, nc);
        if (!nd) {
            s->oom = 1;
            return;
        }
        s->data = nd;
        s->cap = nc;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
}

static void on_flush(png_structp png) { (void)png; }

static void on_error(png_structp png, png_const_charp msg) {
    sink *s = png_get_error_ptr(png);
    snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "libpng error");
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) { (void)png, (void)msg; }

el_status el_png_encode_rgba(const uint8_t *rgba, int width, int height, uint8_t **out, size_t *len) {
    *out = NULL;
    *len = 0;
    sink s = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        return el_fail(EL_ERR_NOMEM, "png: out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(s.data);
        return el_fail(EL_ERR_FORMAT, "png: encoding failed: %s", s.msg);
    }
    png_set_write_fn(png, &s, on_write, on_flush);
    png_set_compression_level(png, 9);
    /* Opaque images are written as RGB (a quarter smaller): libpng drops
     * the filler byte from each RGBA pixel. */
    int opaque = 1;
    for (size_t i = 0, n = (size_t)width * (size_t)height; i < n && opaque; i++)
        opaque = rgba[i * 4 + 3] == 255;
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
                 opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (opaque) png_set_filler(png, 0, PNG_FILLER_AFTER);
    for (int y = 0; y < height; y++)
        png_write_row(png, (png_const_bytep)(rgba + (size_t)y * (size_t)width * 4));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    if (s.oom) {
        free(s.data);
        return el_fail(EL_ERR_NOMEM, "png: out of memory");
    }
    *out = s.data;
    *len = s.len;
    return EL_OK;
}

el_status el_png_write_rgba(const char *path, const uint8_t *rgba, int width, int height) {
    uint8_t *data;
    size_t len;
    EL_TRY(el_png_encode_rgba(rgba, width, height, &data, &len));
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(data);
        return el_fail(EL_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    }
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    free(data);
    return ok ? EL_OK : el_fail(EL_ERR_IO, "%s: write failed: %s", path, strerror(errno));
}

char *el_data_uri(const char *mime, const uint8_t *data, size_t len) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t head = strlen("data:") + strlen(mime) + strlen(";base64,");
    char *out = malloc(head + (len + 2) / 3 * 4 + 1);
    if (!out) return NULL;
    char *o = out + sprintf(out, "data:%s;base64,", mime);
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        *o++ = b64[v >> 18 & 63];
        *o++ = b64[v >> 12 & 63];
        *o++ = b64[v >> 6 & 63];
        *o++ = b64[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)data[i] << 16 | (i + 1 < len ? (uint32_t)data[i + 1] << 8 : 0);
        *o++ = b64[v >> 18 & 63];
        *o++ = b64[v >> 12 & 63];
        *o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return out;
}
