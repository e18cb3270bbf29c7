/* Pillow reads PNG image data differently from libpng: it concatenates the
 * payloads of consecutive IDAT chunks (a chunk that claims more bytes than
 * the file has simply yields the rest of the file), ignores IDAT CRCs, and
 * stops inflating as soon as every row is there, so a missing zlib checksum,
 * CRC or IEND after the last row does not matter. libpng refuses several of
 * those files. When libpng fails on the image data, this inflates the data
 * the way Pillow does and, if it holds every row, rebuilds a well-formed PNG
 * around the very same filtered bytes for libpng to decode. */
#include "png_repair.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "imageio_internal.h"

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Bytes of filtered image data (filter byte + packed samples per row, per
 * Adam7 pass when interlaced), or 0 if the IHDR is invalid or too large. */
static size_t raw_size(const uint8_t *ihdr) {
    static const int adam7[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                    {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
    static const int full[1][4] = {{0, 0, 1, 1}};
    uint64_t w = be32(ihdr), h = be32(ihdr + 4), total = 0;
    int depth = ihdr[8], ctype = ihdr[9], interlace = ihdr[12], samples;
    switch (ctype) {
    case 0: samples = 1; break;
    case 2: samples = 3; break;
    case 3: samples = 1; break;
    case 4: samples = 2; break;
    case 6: samples = 4; break;
    default: return 0;
    }
    if (w == 0 || h == 0 || w > 0x7fffffff || h > 0x7fffffff || depth < 1 || depth > 16) return 0;
    const int(*passes)[4] = interlace ? adam7 : full;
    for (int p = 0; p < (interlace ? 7 : 1); p++) {
        uint64_t x0 = (uint64_t)passes[p][0], y0 = (uint64_t)passes[p][1];
        uint64_t dx = (uint64_t)passes[p][2], dy = (uint64_t)passes[p][3];
        if (w <= x0 || h <= y0) continue;
        uint64_t pw = (w - x0 + dx - 1) / dx, ph = (h - y0 + dy - 1) / dy;
        uint64_t row = 1 + (pw * (uint64_t)samples * (uint64_t)depth + 7) / 8; /* < 2^38 */
        if (ph > (UINT64_MAX - total) / row) return 0;
        total += ph * row;
    }
    return total > SIZE_MAX / 2 ? 0 : (size_t)total;
}

/* Inflates the IDAT run starting at pos into raw (n bytes) as Pillow's
 * ZipDecode sees it: each chunk's payload in reads of at most 64 KiB, and a
 * zlib error in the call that completes the last row (a bad checksum right
 * behind the data) still fails. 1 if every byte came out cleanly. */
static int inflate_rows(const uint8_t *data, size_t size, size_t pos, uint8_t *raw, size_t n) {
    z_stream zs;
    int ok = 0;
    size_t left_out = n;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) return 0;
    zs.next_out = raw;
    while (left_out > 0 && size - pos >= 8 && memcmp(data + pos + 4, "IDAT", 4) == 0) {
        size_t len = be32(data + pos), avail = size - pos - 8;
        const uint8_t *in = data + pos + 8;
        size_t in_left = len < avail ? len : avail;
        while (in_left > 0) {
            uInt step_in = in_left > 65536 ? 65536 : (uInt)in_left;
            uInt step_out = left_out > (1u << 30) ? (1u << 30) : (uInt)left_out;
            zs.next_in = (Bytef *)(uintptr_t)in;
            zs.avail_in = step_in;
            zs.avail_out = step_out;
            int ret = inflate(&zs, Z_NO_FLUSH);
            size_t used = step_in - zs.avail_in, made = step_out - zs.avail_out;
            if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) goto done;
            in += used;
            in_left -= used;
            left_out -= made;
            if (left_out == 0) break;
            if (ret == Z_STREAM_END || (used == 0 && made == 0)) goto done;
        }
        if (len > avail || avail - len < 4) break; /* the file ends in this chunk */
        pos += 12 + len;
    }
    ok = left_out == 0;
done:
    inflateEnd(&zs);
    return ok;
}

static uint8_t *put_chunk(uint8_t *o, const char *type, const uint8_t *payload, size_t len) {
    put32(o, (uint32_t)len);
    memcpy(o + 4, type, 4);
    if (len) memcpy(o + 8, payload, len);
    uLong crc = crc32(0L, o + 4, 4);
    crc = crc32_z(crc, payload, len);
    put32(o + 8 + len, (uint32_t)crc);
    return o + 12 + len;
}

int el_png_repair(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size) {
    size_t pos = 8, n, bound;
    uint8_t *raw = NULL, *packed = NULL, *buf = NULL, *o;
    uLongf packed_len;
    int ok = 0;
    *out = NULL;
    *out_size = 0;
    if (size < 33 || memcmp(data + 12, "IHDR", 4) != 0 || be32(data + 8) != 13) return 0;
    /* Chunks before the image data must be whole: they are copied as they are. */
    while (size - pos >= 8 && memcmp(data + pos + 4, "IDAT", 4) != 0) {
        uint32_t len = be32(data + pos);
        if (len > 0x7fffffff || (uint64_t)len + 12 > size - pos) return 0;
        pos += 12 + (size_t)len;
    }
    if (size - pos < 8) return 0;
    n = raw_size(data + 16);
    if (n == 0 || !(raw = malloc(n))) return 0;
    if (!inflate_rows(data, size, pos, raw, n)) goto done;
    bound = compressBound((uLong)n);
    if (bound < n || !(packed = malloc(bound))) goto done;
    packed_len = (uLongf)bound;
    if (compress2(packed, &packed_len, raw, (uLong)n, 1) != Z_OK) goto done;
    /* IDAT chunks hold at most 2^31 - 1 bytes: split into 1 GiB pieces. */
    size_t pieces = packed_len / (1u << 30) + 1;
    if (!el_size_mul(pieces, 12, 1, &bound) || pos > SIZE_MAX - bound - packed_len - 12 ||
        !(buf = malloc(pos + bound + packed_len + 12)))
        goto done;
    memcpy(buf, data, pos);
    o = buf + pos;
    size_t off = 0;
    do {
        size_t len = packed_len - off > (1u << 30) ? (1u << 30) : packed_len - off;
        o = put_chunk(o, "IDAT", packed + off, len);
        off += len;
    } while (off < packed_len);
    o = put_chunk(o, "IEND", NULL, 0);
    *out = buf;
    *out_size = (size_t)(o - buf);
    buf = NULL;
    ok = 1;
done:
    free(raw);
    free(packed);
    free(buf);
    return ok;
}
