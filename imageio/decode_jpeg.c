/* JPEG via libjpeg(-turbo) with the settings Pillow 9.4's JpegDecode.c uses:
 * ISLOW DCT, fancy upsampling, no scaling; output colour space RGB for 3
 * components, grayscale for 1 and CMYK for 4 (libjpeg turns YCCK into CMYK).
 * Pillow then reads 4-component output as "CMYK;I", i.e. it assumes the
 * Adobe/Photoshop convention of inverted samples for every CMYK/YCCK JPEG,
 * with or without an Adobe marker; so do we.
 * Truncation follows Pillow (LOAD_TRUNCATED_IMAGES off): running out of data
 * before the last scanline is an error, even though libjpeg only warns; a
 * missing EOI after the last scanline is accepted, as Pillow accepts it.
 * Deliberate difference: more than EL_JPEG_MAX_SCANS progressive scans is
 * EL_ERR_LIMIT (a known CPU-exhaustion trick); Pillow has no such limit. */
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h> /* jpeglib.h needs size_t and FILE first */
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "base/status.h"
#include "imageio_internal.h"

/* libjpeg-turbo's TurboJPEG uses the same cap with TJFLAG_LIMITSCANS. */
#define EL_JPEG_MAX_SCANS 500

typedef struct {
    struct jpeg_error_mgr pub; /* first: libjpeg hands us &pub */
    jmp_buf jmp;
    int eof;             /* "premature end of JPEG file" seen */
    int too_many_scans;
    char msg[JMSG_LENGTH_MAX];
} jpeg_err;

typedef struct {
    struct jpeg_decompress_struct cinfo;
    jpeg_err err;
    struct jpeg_progress_mgr progress;
    int created;
    uint8_t *row;
    el_image img;
    const char *name;
} jpeg_ctx;

static void on_error_exit(j_common_ptr cinfo) {
    jpeg_err *e = (jpeg_err *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->msg);
    longjmp(e->jmp, 1);
}

/* Silences libjpeg (its default prints warnings to stderr) but remembers
 * the one warning that means the data ran out. */
static void on_emit_message(j_common_ptr cinfo, int level) {
    jpeg_err *e = (jpeg_err *)cinfo->err;
    if (level < 0) {
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) e->eof = 1;
        cinfo->err->num_warnings++;
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void on_progress(j_common_ptr cinfo) {
    jpeg_err *e = (jpeg_err *)cinfo->err;
    if (cinfo->is_decompressor &&
        ((j_decompress_ptr)cinfo)->input_scan_number > EL_JPEG_MAX_SCANS) {
        e->too_many_scans = 1;
        longjmp(e->jmp, 1);
    }
}

static el_status truncated(const jpeg_ctx *c, size_t size) {
    return el_fail(EL_ERR_FORMAT, "%s: truncated JPEG (premature end of data at byte %zu)",
                   c->name, size);
}

/* Everything libjpeg may longjmp out of; keeps its state in *c only, so the
 * setjmp in decode() has no clobbered locals to worry about. */
static el_status decode_body(jpeg_ctx *c, const uint8_t *data, size_t size, int channels,
                             size_t max_pixels) {
    struct jpeg_decompress_struct *ci = &c->cinfo;
    el_pix_mode mode;
    el_status s;

    jpeg_create_decompress(ci);
    c->created = 1;
    c->progress.progress_monitor = on_progress;
    ci->progress = &c->progress;
    jpeg_mem_src(ci, data, (unsigned long)size);
    jpeg_read_header(ci, TRUE);
    if (c->err.eof) return truncated(c, size);
    switch (ci->num_components) {
    case 1: mode = EL_PIX_L; ci->out_color_space = JCS_GRAYSCALE; break;
    case 3: mode = EL_PIX_RGB; ci->out_color_space = JCS_RGB; break;
    case 4: mode = EL_PIX_CMYK; ci->out_color_space = JCS_CMYK; break;
    default:
        return el_fail(EL_ERR_UNSUPPORTED, "%s: JPEG with %d components (Pillow handles 1, 3, 4)",
                       c->name, ci->num_components);
    }
    s = el_check_pixels(c->name, "JPEG", ci->image_width, ci->image_height, max_pixels);
    if (s != EL_OK) return s;
    ci->dct_method = JDCT_ISLOW;
    ci->do_fancy_upsampling = TRUE;
    ci->scale_num = ci->scale_denom = 1;
    jpeg_start_decompress(ci);
    if (c->err.eof) return truncated(c, size);
    if (ci->output_components != (int)mode || ci->output_width != ci->image_width ||
        ci->output_height != ci->image_height)
        return el_fail(EL_ERR_FORMAT, "%s: corrupt JPEG (unexpected output layout)", c->name);

    s = el_image_alloc(&c->img, c->name, (int)ci->output_width, (int)ci->output_height, channels);
    if (s != EL_OK) return s;
    c->row = malloc((size_t)ci->output_width * (size_t)mode);
    if (!c->row) return el_fail(EL_ERR_NOMEM, "%s: out of memory decoding JPEG", c->name);
    while (ci->output_scanline < ci->output_height) {
        JSAMPROW rp = c->row;
        size_t y = ci->output_scanline, w = ci->output_width;
        if (jpeg_read_scanlines(ci, &rp, 1) != 1 || c->err.eof) return truncated(c, size);
        if (mode == EL_PIX_CMYK)
            for (size_t i = 0; i < w * 4; i++) c->row[i] = (uint8_t)(255 - c->row[i]);
        el_convert_row(mode, c->row, (int)w, channels, c->img.pixels + y * w * (size_t)channels);
    }
    /* Reads up to EOI; a missing EOI only warns, and Pillow accepts it here. */
    jpeg_finish_decompress(ci);
    return EL_OK;
}

static el_status decode(jpeg_ctx *c, const uint8_t *data, size_t size, int channels,
                        size_t max_pixels) {
    if (setjmp(c->err.jmp)) {
        if (c->err.too_many_scans)
            return el_fail(EL_ERR_LIMIT, "%s: progressive JPEG with more than %d scans", c->name,
                           EL_JPEG_MAX_SCANS);
        if (c->err.eof) return truncated(c, size);
        return el_fail(EL_ERR_FORMAT, "%s: corrupt JPEG (%s)", c->name, c->err.msg);
    }
    return decode_body(c, data, size, channels, max_pixels);
}

el_status el_decode_jpeg(const uint8_t *data, size_t size, const char *name, int channels,
                         size_t max_pixels, el_image *out) {
    jpeg_ctx *c = calloc(1, sizeof *c);
    el_status s;
    if (!c) return el_fail(EL_ERR_NOMEM, "%s: cannot create a JPEG decoder", name);
    c->name = name;
    c->cinfo.err = jpeg_std_error(&c->err.pub);
    c->err.pub.error_exit = on_error_exit;
    c->err.pub.emit_message = on_emit_message;
    c->err.pub.output_message = on_output_message;
    s = decode(c, data, size, channels, max_pixels);
    if (c->created) jpeg_destroy_decompress(&c->cinfo);
    free(c->row);
    if (s != EL_OK)
        el_image_free(&c->img);
    else
        *out = c->img;
    free(c);
    return s;
}
