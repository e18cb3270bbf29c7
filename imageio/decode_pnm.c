/* Binary PGM (P5) and PPM (P6) as Pillow 9.4's PpmImagePlugin reads them:
 *   header tokens split on whitespace, '#' comments to the end of the line,
 *   at most 10 characters a token, one whitespace byte after maxval;
 *   maxval 255 is read raw; any other maxval < 256 (1 byte a sample) or
 *   > 255 (2 bytes, big-endian) is scaled with Python's round(v / maxval * M)
 *   (ties to even) and clamped, M = 255 for RGB and for 8-bit gray;
 *   16-bit gray becomes Pillow mode "I" (M = 65535, raw when maxval is
 *   65535), which convert() then clips to 255.
 * Short pixel data is an error, trailing bytes are ignored. */
#include <math.h>
#include <string.h>

#include "base/status.h"
#include "imageio_internal.h"

/* Python's round() for the non-negative values here: ties go to even. */
static double round_half_even(double x) {
    double f = floor(x), d = x - f; /* exact */
    if (d > 0.5 || (d == 0.5 && fmod(f, 2.0) != 0.0)) return f + 1.0;
    return f;
}

static int is_space(uint8_t c) { return c == ' ' || (c >= 0x09 && c <= 0x0d); }

typedef struct {
    const uint8_t *p, *end;
} cursor;

/* Pillow's PpmImageFile._read_token, returning the token as a number. */
static el_status read_token(cursor *cur, const char *name, const char *what, uint64_t *value) {
    char tok[12];
    size_t n = 0;
    while (n <= 10) {
        if (cur->p == cur->end) break;
        uint8_t c = *cur->p++;
        if (is_space(c)) {
            if (n == 0) continue;
            break;
        }
        if (c == '#') {
            while (cur->p < cur->end && *cur->p != '\r' && *cur->p != '\n') cur->p++;
            if (cur->p < cur->end) cur->p++;
            continue;
        }
        tok[n++] = (char)c;
    }
    if (n == 0) return el_fail(EL_ERR_FORMAT, "%s: truncated PNM header (no %s)", name, what);
    if (n > 10) return el_fail(EL_ERR_FORMAT, "%s: PNM header token too long (%s)", name, what);
    size_t i = tok[0] == '+' ? 1 : 0;
    if (i == n) return el_fail(EL_ERR_FORMAT, "%s: PNM header: bad %s", name, what);
    uint64_t v = 0;
    for (; i < n; i++) {
        if (tok[i] < '0' || tok[i] > '9')
            return el_fail(EL_ERR_FORMAT, "%s: PNM header: %s is not a positive number", name,
                           what);
        v = v * 10 + (uint64_t)(tok[i] - '0'); /* <= 10 digits: no overflow */
    }
    *value = v;
    return EL_OK;
}

el_status el_decode_pnm(const uint8_t *data, size_t size, const char *name, int channels,
                        size_t max_pixels, el_image *out) {
    cursor cur = {data + 3, data + size}; /* "P5"/"P6" and one whitespace byte */
    int rgb = data[1] == '6';
    uint64_t w, h, maxval;
    size_t bands = rgb ? 3 : 1, bytes, need;
    el_status s;

    EL_TRY(read_token(&cur, name, "width", &w));
    EL_TRY(read_token(&cur, name, "height", &h));
    EL_TRY(read_token(&cur, name, "maxval", &maxval));
    if (maxval == 0 || maxval > 65535)
        return el_fail(EL_ERR_FORMAT, "%s: PNM maxval %llu is not in 1..65535", name,
                       (unsigned long long)maxval);
    EL_TRY(el_check_pixels(name, rgb ? "PPM" : "PGM", w, h, max_pixels));
    bytes = maxval > 255 ? 2 : 1;
    if (!el_size_mul((size_t)w * (size_t)h, bands, bytes, &need))
        return el_fail(EL_ERR_LIMIT, "%s: PNM too large", name);
    if ((size_t)(cur.end - cur.p) < need)
        return el_fail(EL_ERR_FORMAT,
                       "%s: truncated PNM (%zu bytes of pixel data, %llux%llu needs %zu)", name,
                       (size_t)(cur.end - cur.p), (unsigned long long)w, (unsigned long long)h,
                       need);

    s = el_image_alloc(out, name, (int)w, (int)h, channels);
    if (s != EL_OK) return s;

    /* The scale factor Pillow applies: to 0..65535 for 16-bit gray ("I"). */
    double top = (!rgb && maxval > 255) ? 65535.0 : 255.0;
    int raw = maxval == 255 || (!rgb && maxval == 65535);
    uint8_t line[3 * 1024];
    size_t per_chunk = sizeof line / 3;
    const uint8_t *src = cur.p;
    for (size_t y = 0; y < (size_t)h; y++) {
        for (size_t x0 = 0; x0 < (size_t)w; x0 += per_chunk) {
            size_t nx = (size_t)w - x0 < per_chunk ? (size_t)w - x0 : per_chunk;
            for (size_t i = 0; i < nx * bands; i++, src += bytes) {
                unsigned v = bytes == 2 ? (unsigned)src[0] << 8 | src[1] : src[0];
                if (!raw) {
                    double r = round_half_even((double)v / (double)maxval * top);
                    v = r > top ? (unsigned)top : (unsigned)r;
                }
                line[i] = (uint8_t)(v > 255 ? 255 : v); /* "I" -> L/RGB clips */
            }
            el_convert_row(rgb ? EL_PIX_RGB : EL_PIX_L, line, (int)nx, channels,
                           out->pixels + (y * (size_t)w + x0) * (size_t)channels);
        }
    }
    return EL_OK;
}
