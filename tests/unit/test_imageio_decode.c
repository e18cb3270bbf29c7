/* imageio decoding: every PNG / JPEG / PPM / PGM variant against Pillow 9.4's
 * Image.open(f).convert('RGB') and .convert('L') (fixtures made by
 * tools/fixtures/make_image_fixtures.py; required to be identical, tolerance 0), the
 * truncation outcomes Pillow has, YCCK / restart / arithmetic JPEGs made here
 * with libjpeg, and hostile input: empty, truncated, corrupt and random
 * bytes, text, oversized headers, missing files. Nothing may crash, leak or
 * print. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "entropy_lens.h"
#include "test_util.h"

#define FIX EL_SOURCE_DIR "/tests/fixtures/imageio/"

#if defined(__SANITIZE_ADDRESS__)
#define EL_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EL_TEST_ASAN 1
#endif
#endif

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

static int max_abs_diff(const uint8_t *a, const uint8_t *b, size_t n) {
    int m = 0;
    for (size_t i = 0; i < n; i++) {
        int d = abs((int)a[i] - (int)b[i]);
        if (d > m) m = d;
    }
    return m;
}

/* An error message names the file, gives a reason, and is one line. */
static int message_ok(const char *name) {
    const char *m = el_last_error();
    return m[0] && strchr(m, '\n') == NULL && (!name || strstr(m, name) != NULL);
}

/* ------------------------------------------------------------- Pillow match */

static void test_fixtures(void) {
    FILE *man = fopen(FIX "decode.txt", "r");
    char name[128], mode[16];
    int w, h, files = 0;
    CHECK_MSG(man != NULL, "missing %sdecode.txt (run tools/fixtures/make_image_fixtures.py)", FIX);
    if (!man) return;
    while (fscanf(man, "%127s %d %d %15s", name, &w, &h, mode) == 4) {
        for (int ch = 1; ch <= 3; ch += 2) {
            char path[512], exp_path[512];
            size_t n_exp = 0, n_src = 0;
            el_image img, img2;
            snprintf(path, sizeof path, FIX "src/%s", name);
            snprintf(exp_path, sizeof exp_path, FIX "expected/%s.%s", name, ch == 3 ? "rgb" : "gray");
            uint8_t *exp = (uint8_t *)el_test_slurp(exp_path, &n_exp);
            uint8_t *src = (uint8_t *)el_test_slurp(path, &n_src);
            CHECK_MSG(exp && src, "%s: fixture files missing", name);
            if (!exp || !src) {
                free(exp);
                free(src);
                continue;
            }
            CHECK_MSG(el_image_sniff(src, n_src) == 1, "%s not sniffed", name);
            el_status s = el_image_load(path, ch, EL_DEFAULT_MAX_PIXELS, &img);
            CHECK_MSG(s == EL_OK, "%s (mode %s): %s", name, mode, el_last_error());
            if (s == EL_OK) {
                CHECK(img.width == w && img.height == h && img.channels == ch);
                CHECK(n_exp == (size_t)w * h * ch);
                if (n_exp == (size_t)w * h * ch) {
                    int d = max_abs_diff(img.pixels, exp, n_exp);
                    CHECK_MSG(d == 0, "%s (Pillow mode %s) as %s: max diff %d vs Pillow", name, mode,
                              ch == 3 ? "RGB" : "L", d);
                }
                /* Decoding from memory gives the same pixels. */
                s = el_image_decode(src, n_src, name, ch, EL_DEFAULT_MAX_PIXELS, &img2);
                CHECK(s == EL_OK);
                if (s == EL_OK) CHECK(memcmp(img.pixels, img2.pixels, n_exp) == 0);
                el_image_free(&img2);
                /* The pixel limit is exact: w*h passes, w*h - 1 does not. */
                s = el_image_decode(src, n_src, name, ch, (size_t)w * h, &img2);
                CHECK(s == EL_OK);
                el_image_free(&img2);
                s = el_image_decode(src, n_src, name, ch, (size_t)w * h - 1, &img2);
                CHECK_MSG(s == EL_ERR_LIMIT && img2.pixels == NULL, "%s: limit not enforced", name);
                CHECK(message_ok(name));
            }
            el_image_free(&img);
            CHECK(img.pixels == NULL && img.width == 0);
            free(exp);
            free(src);
        }
        files++;
    }
    fclose(man);
    CHECK_MSG(files >= 45, "only %d fixture files listed", files);
    fprintf(stderr, "decode: %d fixture files x {RGB, L} compared with Pillow (tolerance 0)\n", files);
}

/* Pillow raises for some cut-off files and not others; we must agree. */
static void test_truncation_outcomes(void) {
    FILE *man = fopen(FIX "truncate.txt", "r");
    char name[128], outcome[8];
    size_t len;
    int rows = 0, agree = 0;
    CHECK(man != NULL);
    if (!man) return;
    while (fscanf(man, "%127s %zu %7s", name, &len, outcome) == 3) {
        char path[512];
        size_t n;
        el_image full, cut;
        snprintf(path, sizeof path, FIX "src/%s", name);
        uint8_t *data = (uint8_t *)el_test_slurp(path, &n);
        CHECK(data && len < n);
        if (!data || len >= n) {
            free(data);
            continue;
        }
        int want_ok = strcmp(outcome, "ok") == 0;
        el_status s = el_image_decode(data, len, name, 3, EL_DEFAULT_MAX_PIXELS, &cut);
        CHECK_MSG((s == EL_OK) == want_ok, "%s cut to %zu bytes: Pillow %s, we %s (%s)", name, len,
                  outcome, el_status_name(s), s ? el_last_error() : "");
        if (s != EL_OK) {
            CHECK(s == EL_ERR_FORMAT);
            CHECK(message_ok(name));
            CHECK(cut.pixels == NULL);
        } else if (el_image_decode(data, n, name, 3, EL_DEFAULT_MAX_PIXELS, &full) == EL_OK) {
            CHECK(cut.width == full.width && cut.height == full.height);
            CHECK(memcmp(cut.pixels, full.pixels, (size_t)full.width * full.height * 3) == 0);
            el_image_free(&full);
        }
        agree += (s == EL_OK) == want_ok;
        rows++;
        el_image_free(&cut);
        free(data);
    }
    fclose(man);
    CHECK(rows > 100);
    fprintf(stderr, "truncation: %d/%d cut-off files decoded or refused as Pillow does\n", agree,
            rows);
}

/* ------------------------------------------------------------- libjpeg-made JPEGs */

typedef struct {
    int color;        /* JCS_CMYK or JCS_YCCK (CMYK input), or JCS_YCbCr (RGB input) */
    int restart_rows; /* 0: none */
    int arithmetic;
    int quality;
} jpeg_opts;

static uint8_t *compress(const uint8_t *pix, int w, int h, int comps, const jpeg_opts *o,
                         unsigned long *size) {
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    unsigned char *buf = NULL;
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, &buf, size);
    ci.image_width = (JDIMENSION)w;
    ci.image_height = (JDIMENSION)h;
    ci.input_components = comps;
    ci.in_color_space = comps == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_set_colorspace(&ci, (J_COLOR_SPACE)o->color);
    jpeg_set_quality(&ci, o->quality, TRUE);
    for (int c = 0; c < ci.num_components; c++)
        ci.comp_info[c].h_samp_factor = ci.comp_info[c].v_samp_factor = 1;
    if (comps == 3) ci.comp_info[0].h_samp_factor = ci.comp_info[0].v_samp_factor = 2;
    ci.restart_in_rows = o->restart_rows;
    ci.arith_code = o->arithmetic ? TRUE : FALSE;
    jpeg_start_compress(&ci, TRUE);
    while (ci.next_scanline < ci.image_height) {
        JSAMPROW row = (JSAMPROW)(pix + (size_t)ci.next_scanline * w * comps);
        jpeg_write_scanlines(&ci, &row, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    return buf;
}

static int muldiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}

static void test_ycck(void) {
    const int w = 37, h = 23;
    size_t n;
    uint8_t *cmyk = (uint8_t *)el_test_slurp(FIX "src/cmyk_37x23.raw", &n);
    CHECK(cmyk && n == (size_t)w * h * 4);
    if (!cmyk || n != (size_t)w * h * 4) {
        free(cmyk);
        return;
    }
    /* Photoshop stores CMYK inverted; Pillow's decoder undoes that. */
    uint8_t *stored = malloc(n), *want = malloc((size_t)w * h * 3);
    for (size_t i = 0; i < n; i++) stored[i] = (uint8_t)(255 - cmyk[i]);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        int nk = 255 - cmyk[4 * i + 3];
        for (int c = 0; c < 3; c++) want[3 * i + c] = (uint8_t)(nk - muldiv255(cmyk[4 * i + c], nk));
    }
    jpeg_opts plain = {JCS_CMYK, 0, 0, 100}, ycck = {JCS_YCCK, 0, 0, 100};
    unsigned long n1 = 0, n2 = 0;
    uint8_t *j1 = compress(stored, w, h, 4, &plain, &n1);
    uint8_t *j2 = compress(stored, w, h, 4, &ycck, &n2);
    el_image a, b;
    CHECK(el_image_decode(j1, n1, "cmyk.jpg", 3, EL_DEFAULT_MAX_PIXELS, &a) == EL_OK);
    el_status s = el_image_decode(j2, n2, "ycck.jpg", 3, EL_DEFAULT_MAX_PIXELS, &b);
    CHECK_MSG(s == EL_OK, "%s", el_last_error());
    if (a.pixels && b.pixels) {
        int d_ab = max_abs_diff(a.pixels, b.pixels, (size_t)w * h * 3);
        int d_a = max_abs_diff(a.pixels, want, (size_t)w * h * 3);
        int d_b = max_abs_diff(b.pixels, want, (size_t)w * h * 3);
        fprintf(stderr, "ycck: max diff YCCK vs CMYK %d, CMYK vs source %d, YCCK vs source %d "
                        "(quality 100, tolerance 6)\n", d_ab, d_a, d_b);
        CHECK(d_ab <= 6 && d_a <= 6 && d_b <= 6);
    }
    /* Gray from YCCK goes through Pillow's CMYK -> RGB -> L. */
    el_image g;
    if (el_image_decode(j2, n2, "ycck.jpg", 1, EL_DEFAULT_MAX_PIXELS, &g) == EL_OK && b.pixels) {
        int bad = 0;
        for (size_t i = 0; i < (size_t)w * h; i++) {
            unsigned r = b.pixels[3 * i], gg = b.pixels[3 * i + 1], bb = b.pixels[3 * i + 2];
            bad += g.pixels[i] != (uint8_t)((r * 19595 + gg * 38470 + bb * 7471 + 0x8000) >> 16);
        }
        CHECK(bad == 0);
    } else {
        CHECK(0);
    }
    el_image_free(&g);
    /* Truncated YCCK is refused like any JPEG. */
    CHECK(el_image_decode(j2, n2 / 2, "ycck.jpg", 3, EL_DEFAULT_MAX_PIXELS, &g) == EL_ERR_FORMAT);
    el_image_free(&g);
    el_image_free(&a);
    el_image_free(&b);
    free(j1);
    free(j2);
    free(stored);
    free(want);
    free(cmyk);
}

/* Restart markers and arithmetic coding change only the entropy coding, so
 * the decoded pixels must equal the plain baseline's exactly. */
static void test_jpeg_codings(void) {
    size_t n;
    uint8_t *rgb = (uint8_t *)el_test_slurp(FIX "expected/png_rgb8.png.rgb", &n);
    const int w = 27, h = 17;
    CHECK(rgb && n == (size_t)w * h * 3);
    if (!rgb || n != (size_t)w * h * 3) {
        free(rgb);
        return;
    }
    jpeg_opts base = {JCS_YCbCr, 0, 0, 90}, rst = {JCS_YCbCr, 1, 0, 90}, arith = {JCS_YCbCr, 0, 1, 90};
    unsigned long n0 = 0, n1 = 0, n2 = 0;
    uint8_t *j0 = compress(rgb, w, h, 3, &base, &n0);
    uint8_t *j1 = compress(rgb, w, h, 3, &rst, &n1);
    uint8_t *j2 = compress(rgb, w, h, 3, &arith, &n2);
    el_image a, b, c;
    CHECK(el_image_decode(j0, n0, "base.jpg", 3, EL_DEFAULT_MAX_PIXELS, &a) == EL_OK);
    CHECK(el_image_decode(j1, n1, "restart.jpg", 3, EL_DEFAULT_MAX_PIXELS, &b) == EL_OK);
    CHECK_MSG(el_image_decode(j2, n2, "arith.jpg", 3, EL_DEFAULT_MAX_PIXELS, &c) == EL_OK, "%s",
              el_last_error());
    if (a.pixels && b.pixels) CHECK(memcmp(a.pixels, b.pixels, n) == 0);
    if (a.pixels && c.pixels) CHECK(memcmp(a.pixels, c.pixels, n) == 0);
    /* Cut in the entropy-coded data: refused, not half-decoded. */
    for (unsigned long cut = n1 / 3; cut < n1; cut += n1 / 7) {
        el_image t;
        CHECK(el_image_decode(j1, cut, "restart.jpg", 3, EL_DEFAULT_MAX_PIXELS, &t) == EL_ERR_FORMAT);
        el_image_free(&t);
    }
    el_image_free(&a);
    el_image_free(&b);
    el_image_free(&c);
    free(j0);
    free(j1);
    free(j2);
    free(rgb);
}

/* A progressive gray JPEG refining every AC coefficient one bit at a time
 * from bit top_al down: 1 + 63 * (top_al + 1) scans. */
static uint8_t *many_scans_jpeg(int top_al, unsigned long *size) {
    static jpeg_scan_info scans[1 + 63 * 14];
    uint8_t pix[16 * 16];
    int n = 0;
    for (int i = 0; i < 256; i++) pix[i] = (uint8_t)(i * 37 + (i >> 4) * 11);
    scans[n++] = (jpeg_scan_info){1, {0}, 0, 0, 0, 0};
    for (int k = 1; k < 64; k++) {
        scans[n++] = (jpeg_scan_info){1, {0}, k, k, 0, top_al};
        for (int al = top_al - 1; al >= 0; al--) scans[n++] = (jpeg_scan_info){1, {0}, k, k, al + 1, al};
    }
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    unsigned char *buf = NULL;
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, &buf, size);
    ci.image_width = ci.image_height = 16;
    ci.input_components = 1;
    ci.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&ci);
    jpeg_set_quality(&ci, 100, TRUE);
    ci.scan_info = scans;
    ci.num_scans = n;
    jpeg_start_compress(&ci, TRUE);
    while (ci.next_scanline < ci.image_height) {
        JSAMPROW row = pix + ci.next_scanline * 16;
        jpeg_write_scanlines(&ci, &row, 1);
    }
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    return buf;
}

/* Deliberately stricter than Pillow: over 500 scans is a CPU-exhaustion
 * pattern, refused with EL_ERR_LIMIT; an ordinary many-scan file passes. */
static void test_scan_limit(void) {
    unsigned long n1 = 0, n2 = 0;
    uint8_t *ok = many_scans_jpeg(5, &n1);   /* 379 scans */
    uint8_t *bad = many_scans_jpeg(9, &n2);  /* 631 scans */
    el_image a, b;
    el_status s = el_image_decode(ok, n1, "scans379.jpg", 1, EL_DEFAULT_MAX_PIXELS, &a);
    CHECK_MSG(s == EL_OK, "%s", el_last_error());
    CHECK(el_image_decode(bad, n2, "scans631.jpg", 1, EL_DEFAULT_MAX_PIXELS, &b) == EL_ERR_LIMIT);
    CHECK(message_ok("scans631.jpg") && b.pixels == NULL);
    el_image_free(&a);
    free(ok);
    free(bad);
}

/* ------------------------------------------------------------- hostile input */

static uint32_t crc32_bytes(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static size_t png_chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t len) {
    put32(out, len);
    memcpy(out + 4, type, 4);
    if (len) memcpy(out + 8, data, len);
    put32(out + 8 + len, crc32_bytes(out + 4, 4 + (size_t)len));
    return 12 + (size_t)len;
}

static void test_huge_headers(void) {
    el_image img;
    uint8_t png[128], ihdr[13] = {0};
    static const uint8_t idat[] = {0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01};
    size_t n = 8;
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    put32(ihdr, 100000);
    put32(ihdr + 4, 100000);
    ihdr[8] = 8;
    ihdr[9] = 2;
    n += png_chunk(png + n, "IHDR", ihdr, 13);
    /* IHDR only, then with data: both refused before any pixel allocation. */
    CHECK(el_image_decode(png, n, "huge.png", 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_LIMIT);
    CHECK(message_ok("huge.png") && strstr(el_last_error(), "100000x100000"));
    n += png_chunk(png + n, "IDAT", idat, sizeof idat);
    n += png_chunk(png + n, "IEND", NULL, 0);
    CHECK(el_image_decode(png, n, "huge.png", 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_LIMIT);
    CHECK(img.pixels == NULL);
    /* Over libpng's own 1e6 default cap: still our limit, not a format error. */
    put32(png + 16, 2000000);
    put32(png + 20, 3);
    put32(png + 29, crc32_bytes(png + 12, 17));
    CHECK(el_image_decode(png, n, "wide.png", 3, 1000, &img) == EL_ERR_LIMIT);
    /* Zero width is malformed. */
    put32(png + 16, 0);
    put32(png + 29, crc32_bytes(png + 12, 17));
    CHECK(el_image_decode(png, n, "zero.png", 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_FORMAT);

    /* JPEG: patch the SOF of a real file to 60000 x 60000. */
    size_t jn;
    uint8_t *jpg = (uint8_t *)el_test_slurp(FIX "src/jpg_420.jpg", &jn);
    CHECK(jpg != NULL);
    for (size_t i = 0; jpg && i + 9 < jn; i++) {
        if (jpg[i] == 0xFF && jpg[i + 1] == 0xC0) {
            jpg[i + 5] = 0xEA, jpg[i + 6] = 0x60; /* height 60000 */
            jpg[i + 7] = 0xEA, jpg[i + 8] = 0x60; /* width 60000 */
            CHECK(el_image_decode(jpg, jn, "huge.jpg", 3, EL_DEFAULT_MAX_PIXELS, &img) ==
                  EL_ERR_LIMIT);
            CHECK(message_ok("huge.jpg"));
            break;
        }
    }
    free(jpg);

    static const char ppm[] = "P6\n100000 100000\n255\n\x01\x02\x03";
    CHECK(el_image_decode((const uint8_t *)ppm, sizeof ppm - 1, "huge.ppm", 3,
                          EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_LIMIT);
    /* 2^32 x 2^32 wraps a 64-bit product to 0: must still be refused. */
    static const char wrap[] = "P6 4294967296 4294967296 255\n\x01\x02\x03";
    CHECK(el_image_decode((const uint8_t *)wrap, sizeof wrap - 1, "wrap.ppm", 3, SIZE_MAX, &img) ==
          EL_ERR_LIMIT);
    static const char ppm2[] = "P5 99999999999 1 255\n";
    CHECK(el_image_decode((const uint8_t *)ppm2, sizeof ppm2 - 1, "long.pgm", 1,
                          EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_FORMAT);
    static const char ppm3[] = "P6\n2 1\n0\n\x01\x02\x03\x04\x05\x06";
    CHECK(el_image_decode((const uint8_t *)ppm3, sizeof ppm3 - 1, "max0.ppm", 3,
                          EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_FORMAT);
    static const char pbm[] = "P1\n2 1\n0 1\n";
    CHECK(el_image_decode((const uint8_t *)pbm, sizeof pbm - 1, "plain.pbm", 3,
                          EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_UNSUPPORTED);
    CHECK(message_ok("plain.pbm"));
}

static char tmpdir[256];

static void write_file(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (f) {
        if (n) fwrite(data, 1, n, f);
        fclose(f);
    }
}

static void test_files_and_args(void) {
    el_image img;
    char path[512];
    snprintf(path, sizeof path, "%s/empty.png", tmpdir);
    write_file(path, "", 0);
    CHECK(el_image_load(path, 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_FORMAT);
    CHECK(message_ok(path));
    snprintf(path, sizeof path, "%s/notes.jpg", tmpdir);
    const char *text = "This is a text file that only pretends to be a JPEG.\n";
    write_file(path, text, strlen(text));
    CHECK(el_image_load(path, 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_FORMAT);
    CHECK(message_ok(path));
    CHECK(el_image_load(EL_SOURCE_DIR "/tests/fixtures/imageio/no-such-file.png", 3,
                        EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_IO);
    CHECK(message_ok("no-such-file.png"));
    CHECK(el_image_load(tmpdir, 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_IO);
    CHECK(img.pixels == NULL);
    /* Content decides, not the name: a PNG called .jpg is a PNG. */
    size_t n;
    uint8_t *png = (uint8_t *)el_test_slurp(FIX "src/png_rgb8.png", &n);
    snprintf(path, sizeof path, "%s/really_a_png.jpg", tmpdir);
    write_file(path, png, n);
    CHECK(el_image_load(path, 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_OK);
    el_image_free(&img);
    CHECK(el_image_decode(png, n, "x.png", 2, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_ARG);
    CHECK(el_image_decode(NULL, 5, "x.png", 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_ARG);
    CHECK(el_image_decode(png, 0, "x.png", 3, EL_DEFAULT_MAX_PIXELS, &img) == EL_ERR_FORMAT);
    CHECK(message_ok("x.png") && strstr(el_last_error(), "empty"));
    free(png);
    el_image_free(NULL);

    /* sniff */
    CHECK(el_image_sniff((const uint8_t *)"\x89PNG\r\n\x1a\n", 8) == 1);
    CHECK(el_image_sniff((const uint8_t *)"\x89PNG\r\n\x1a", 7) == 0);
    CHECK(el_image_sniff((const uint8_t *)"\xFF\xD8\xFF\xE0", 4) == 1);
    CHECK(el_image_sniff((const uint8_t *)"P6\n", 3) == 1);
    CHECK(el_image_sniff((const uint8_t *)"P5 ", 3) == 1);
    CHECK(el_image_sniff((const uint8_t *)"P5", 2) == 0);
    CHECK(el_image_sniff((const uint8_t *)"P3\n", 3) == 0);
    CHECK(el_image_sniff((const uint8_t *)"GIF89a", 6) == 0);
    CHECK(el_image_sniff(NULL, 0) == 0);
}

/* Mutated, cut and random data through all decoders: only clean errors,
 * flat memory, and not a byte on stderr from libpng / libjpeg. */
static long rss_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = -1;
    fclose(f);
    return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

static int hostile_bad_status(el_status s) {
    return s != EL_OK && s != EL_ERR_FORMAT && s != EL_ERR_LIMIT && s != EL_ERR_UNSUPPORTED;
}

static int hostile_round(uint8_t *const *files, const size_t *sizes, int nfiles, int iters) {
    int bad = 0;
    uint8_t *buf = malloc(1 << 16);
    for (int it = 0; it < iters; it++) {
        int fi = it % nfiles;
        size_t n = sizes[fi] < (1 << 16) ? sizes[fi] : (1 << 16);
        el_image img;
        memcpy(buf, files[fi], n);
        switch (rnd() % 4) {
        case 0: /* a few random bytes flipped */
            for (int k = 1 + (int)(rnd() % 6); k > 0; k--) buf[rnd() % n] ^= (uint8_t)(1 + rnd() % 255);
            break;
        case 1: /* cut */
            n = rnd() % n;
            break;
        case 2: /* flipped and cut */
            buf[8 + rnd() % (n - 8)] = (uint8_t)rnd();
            n = n / 2 + rnd() % (n / 2);
            break;
        default: /* magic followed by garbage */
            for (size_t i = 16; i < n; i++) buf[i] = (uint8_t)rnd();
            n = 16 + rnd() % (n - 16);
            break;
        }
        el_status s = el_image_decode(buf, n, "hostile", 1 + 2 * (int)(rnd() % 2), 1u << 20, &img);
        if (hostile_bad_status(s) || (s != EL_OK && (img.pixels || !message_ok("hostile")))) bad++;
        if (s == EL_OK && (!img.pixels || img.width <= 0 || img.height <= 0)) bad++;
        el_image_free(&img);
    }
    free(buf);
    return bad;
}

static void test_hostile(void) {
    static const char *names[] = {"png_rgb8.png", "png_pal4_interlaced.png", "png_rgba16.png",
                                  "png_gray1.png", "jpg_420.jpg", "jpg_progressive.jpg",
                                  "jpg_cmyk.jpg", "jpg_gray.jpg", "pnm_p6_max1000.ppm",
                                  "pnm_p5.pgm"};
    enum { NF = sizeof names / sizeof names[0] };
    uint8_t *files[NF];
    size_t sizes[NF];
    int nf = 0, bad = 0;
    for (int i = 0; i < NF; i++) {
        char path[512];
        snprintf(path, sizeof path, FIX "src/%s", names[i]);
        files[nf] = (uint8_t *)el_test_slurp(path, &sizes[nf]);
        if (files[nf] && sizes[nf] > 16) nf++;
        else free(files[nf]);
    }
    CHECK(nf == NF);
    if (nf == 0) return;

    /* Catch anything the libraries print. */
    char errpath[512];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmpdir);
    fflush(stderr);
    int saved = dup(2);
    FILE *cap = fopen(errpath, "w+");
    if (cap && saved >= 0) dup2(fileno(cap), 2);

    /* Every prefix of a PNG and a JPEG. */
    for (int f = 0; f < nf; f += 4) {
        for (size_t len = 0; len < sizes[f]; len++) {
            el_image img;
            el_status s = el_image_decode(files[f], len, "prefix", 3, EL_DEFAULT_MAX_PIXELS, &img);
            bad += hostile_bad_status(s);
            el_image_free(&img);
        }
    }
    /* Pure random bytes: never an image. */
    uint8_t rbuf[512];
    for (int it = 0; it < 500; it++) {
        size_t n = 1 + rnd() % sizeof rbuf;
        el_image img;
        for (size_t i = 0; i < n; i++) rbuf[i] = (uint8_t)rnd();
        el_status s = el_image_decode(rbuf, n, "random.bin", 3, EL_DEFAULT_MAX_PIXELS, &img);
        bad += s != EL_ERR_FORMAT || img.pixels != NULL || !message_ok("random.bin");
        el_image_free(&img);
    }
#ifdef __GLIBC__
    /* glibc raises its mmap threshold after freeing big blocks and then keeps
     * image-sized blocks in a fragmented heap; pin it so RSS shows leaks, not
     * allocator policy. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
    bad += hostile_round(files, sizes, nf, 400); /* warm-up: allocator and library pools */
    long before = rss_kb();
    bad += hostile_round(files, sizes, nf, 4000);
    long after = rss_kb();

    fflush(stderr);
    if (cap && saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    long printed = cap ? (fseek(cap, 0, SEEK_END), ftell(cap)) : -1;
    if (cap) fclose(cap);
    remove(errpath);

    CHECK_MSG(bad == 0, "%d hostile inputs gave a wrong status or message", bad);
    CHECK_MSG(printed == 0, "libraries printed %ld bytes to stderr", printed);
    fprintf(stderr, "hostile: RSS %ld kB -> %ld kB over 4000 corrupt decodes\n", before, after);
#ifndef EL_TEST_ASAN
    CHECK_MSG(after - before < 1024, "RSS grew by %ld kB", after - before);
#endif
    for (int i = 0; i < nf; i++) free(files[i]);
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/el_imageio_test_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    test_fixtures();
    test_truncation_outcomes();
    test_ycck();
    test_jpeg_codings();
    test_scan_limit();
    test_huge_headers();
    test_files_and_args();
    test_hostile();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "%s/empty.png", tmpdir);
    remove(cmd);
    snprintf(cmd, sizeof cmd, "%s/notes.jpg", tmpdir);
    remove(cmd);
    snprintf(cmd, sizeof cmd, "%s/really_a_png.jpg", tmpdir);
    remove(cmd);
    rmdir(tmpdir);
    return el_test_finish("test_imageio_decode");
}
