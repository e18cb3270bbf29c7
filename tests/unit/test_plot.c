/* The plotting library and the plot / heatmap commands.
 *
 * Also a checker for tests/cli/cli_report.sh:
 *   test_plot --check-screenshot FILE.png   exit 0 if the PNG decodes and is
 *                                           not blank, 1 otherwise. */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/canvas.h"
#include "plot/figures.h"
#include "plot/plot.h"
#include "test_util.h"

#define FIX EL_SOURCE_DIR "/tests/fixtures/plot"

/* ------------------------------------------------------------ helpers */

typedef struct {
    int w, h;
    uint8_t *px; /* RGBA */
} rgba_img;

static int png_load(const char *path, rgba_img *out) {
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    out->px = NULL;
    if (!png_image_begin_read_from_file(&img, path)) return -1;
    img.format = PNG_FORMAT_RGBA;
    out->w = (int)img.width;
    out->h = (int)img.height;
    out->px = malloc(PNG_IMAGE_SIZE(img));
    if (!out->px || !png_image_finish_read(&img, NULL, out->px, 0, NULL)) {
        png_image_free(&img);
        free(out->px);
        out->px = NULL;
        return -1;
    }
    return 0;
}

static const uint8_t *px_at(const uint8_t *px, int w, int x, int y) { return px + ((size_t)y * w + x) * 4; }

static int lum(const uint8_t *p) { return (p[0] * 299 + p[1] * 587 + p[2] * 114) / 1000; }

/* Distinct colours (capped) and the fraction of pixels not near-white. */
static void colour_stats(const uint8_t *px, int w, int h, int *distinct, double *nonwhite) {
    enum { CAP = 4096 };
    static uint32_t seen[CAP];
    int n = 0;
    long nw = 0;
    for (int i = 0; i < w * h; i++) {
        const uint8_t *p = px + (size_t)i * 4;
        if (p[0] < 235 || p[1] < 235 || p[2] < 235) nw++;
        uint32_t c = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        int k;
        for (k = 0; k < n && seen[k] != c; k++) {
        }
        if (k == n && n < CAP) seen[n++] = c;
    }
    *distinct = n;
    *nonwhite = (double)nw / ((double)w * h);
}

static int count_near(const uint8_t *px, int w, int x0, int y0, int x1, int y1, el_rgba c, int tol) {
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = px_at(px, w, x, y);
            if (abs(p[0] - c.r) <= tol && abs(p[1] - c.g) <= tol && abs(p[2] - c.b) <= tol) n++;
        }
    return n;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

/* A minimal XML well-formedness check: one root element, balanced and
 * properly nested tags, quoted attributes, no raw '<' in text or values,
 * '&' only as a known or numeric entity. Returns NULL or the reason. */
static const char *entity_ok(const char *p) {
    static const char *names[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < 5; i++)
        if (!strncmp(p, names[i], strlen(names[i]))) return NULL;
    if (p[1] == '#') {
        const char *q = p + 2;
        int hex = *q == 'x';
        if (hex) q++;
        const char *d = q;
        while (hex ? (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F')
                   : (*q >= '0' && *q <= '9'))
            q++;
        if (q > d && *q == ';') return NULL;
    }
    return "bad entity";
}

static int name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == ':' || c == '.';
}

static const char *xml_check(const char *s) {
    enum { DEPTH = 256 };
    const char *stack[DEPTH];
    size_t len[DEPTH];
    int depth = 0, roots = 0;
    const char *p = s;
    if (!strncmp(p, "<?xml", 5)) {
        p = strstr(p, "?>");
        if (!p) return "unterminated declaration";
        p += 2;
    }
    while (*p) {
        if (*p != '<') {
            if (*p == '&' && entity_ok(p)) return "bad entity in text";
            if (depth == 0 && !(*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) return "text outside root";
            p++;
            continue;
        }
        if (!strncmp(p, "<!--", 4)) {
            p = strstr(p, "-->");
            if (!p) return "unterminated comment";
            p += 3;
            continue;
        }
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        const char *e = n;
        while (name_char(*e))
            e++;
        if (e == n) return "bad tag name";
        size_t nl = (size_t)(e - n);
        if (closing) {
            while (*e == ' ')
                e++;
            if (*e != '>') return "bad closing tag";
            if (depth == 0 || stack[depth - 1] == NULL || len[depth - 1] != nl || strncmp(stack[depth - 1], n, nl))
                return "mismatched closing tag";
            depth--;
            p = e + 1;
            continue;
        }
        /* attributes */
        const char *q = e;
        int self = 0;
        while (1) {
            while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
                q++;
            if (*q == '>') break;
            if (q[0] == '/' && q[1] == '>') {
                self = 1;
                q++;
                break;
            }
            const char *an = q;
            while (name_char(*q))
                q++;
            if (q == an || *q != '=') return "bad attribute";
            q++;
            char quote = *q;
            if (quote != '"' && quote != '\'') return "unquoted attribute";
            q++;
            while (*q && *q != quote) {
                if (*q == '<') return "'<' in attribute";
                if (*q == '&' && entity_ok(q)) return "bad entity in attribute";
                q++;
            }
            if (!*q) return "unterminated attribute";
            q++;
        }
        if (depth == 0) roots++;
        if (roots > 1) return "more than one root element";
        if (!self) {
            if (depth == DEPTH) return "too deep";
            stack[depth] = n;
            len[depth] = nl;
            depth++;
        }
        p = q + 1;
    }
    if (depth) return "unclosed element";
    return roots == 1 ? NULL : "no root element";
}

static int run(const char *cmd) {
    int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* ------------------------------------------------------------ unit tests */

/* A t-SNE-like scatter: the axes span the data plus a small margin (they ran
 * about twice as wide when widened to whole tick steps). The frame (theme
 * frame grey) and the points (coloured) are found in the rendered pixels. */
static void test_scatter_axes_fitted(void) {
    const double x[] = {-31.7, 5.0, 42.3}, y[] = {-5.2, 3.3, 18.9};
    const int group[] = {0, 1, 2};
    el_scatter_fig f = {.n = 3, .x = x, .y = y, .group = group, .n_colors = 3, .width = 600, .height = 400};
    el_canvas *c = NULL;
    CHECK(el_canvas_new(EL_CANVAS_PNG, 600, 400, el_rgb(255, 255, 255), &c) == EL_OK);
    if (!c) return;
    el_scatter_fig_draw(c, &f);
    const uint8_t *px = el_canvas_pixels(c);
    int fx0 = 600, fx1 = -1, fy0 = 400, fy1 = -1, dx0 = 600, dx1 = -1, dy0 = 400, dy1 = -1;
    for (int yy = 0; yy < 400; yy++)
        for (int xx = 0; xx < 600; xx++) {
            const uint8_t *p = px + ((size_t)yy * 600 + xx) * 4;
            int mx = p[0] > p[1] ? (p[0] > p[2] ? p[0] : p[2]) : (p[1] > p[2] ? p[1] : p[2]);
            int mn = p[0] < p[1] ? (p[0] < p[2] ? p[0] : p[2]) : (p[1] < p[2] ? p[1] : p[2]);
            if (p[0] == 150 && p[1] == 150 && p[2] == 150) {
                fx0 = xx < fx0 ? xx : fx0, fx1 = xx > fx1 ? xx : fx1;
                fy0 = yy < fy0 ? yy : fy0, fy1 = yy > fy1 ? yy : fy1;
            } else if (mx - mn > 60) {
                dx0 = xx < dx0 ? xx : dx0, dx1 = xx > dx1 ? xx : dx1;
                dy0 = yy < dy0 ? yy : dy0, dy1 = yy > dy1 ? yy : dy1;
            }
        }
    CHECK(fx1 > fx0 + 100 && fy1 > fy0 + 100 && dx1 > dx0 && dy1 > dy0);
    /* The points' extent covers at least 85% of the frame in both directions
     * (4% margin each side, plus the dots' radius). */
    CHECK_MSG(dx1 - dx0 >= 0.85 * (fx1 - fx0), "points span %d of %d px across", dx1 - dx0, fx1 - fx0);
    CHECK_MSG(dy1 - dy0 >= 0.85 * (fy1 - fy0), "points span %d of %d px down", dy1 - dy0, fy1 - fy0);
    CHECK(dx0 > fx0 && dx1 < fx1 && dy0 > fy0 && dy1 < fy1); /* and no point is cut by the frame */
    el_canvas_free(c);
    /* Ticks still fall on nice numbers inside the fitted range. */
    el_axes ax;
    el_theme th = el_theme_default();
    el_axes_layout(&ax, &th, 0, 0, 600, 400, -34.7, 45.3, -6.2, 19.9, 0, 0);
    CHECK_NEAR(ax.xt.lo, -34.7, 1e-9);
    CHECK_NEAR(ax.xt.hi, 45.3, 1e-9);
    CHECK(ax.xt.n >= 3 && ax.xt.v[0] >= -34.7 && ax.xt.v[ax.xt.n - 1] <= 45.3);
    CHECK(ax.yt.n >= 3 && ax.yt.v[0] >= -6.2 && ax.yt.v[ax.yt.n - 1] <= 19.9);
}

static void test_ticks(void) {
    el_ticks t;
    CHECK(el_nice_ticks(0, 1, 6, 1, &t) == 0);
    CHECK_NEAR(t.step, 0.2, 1e-12);
    CHECK(t.n == 6);
    CHECK_NEAR(t.lo, 0, 1e-12);
    CHECK_NEAR(t.hi, 1, 1e-12);
    CHECK(el_nice_ticks(0, 2.3, 6, 1, &t) == 0);
    CHECK_NEAR(t.step, 0.5, 1e-12);
    CHECK_NEAR(t.hi, 2.5, 1e-12);
    CHECK(t.n == 6);
    CHECK(el_nice_ticks(-3.7, 12.1, 10, 1, &t) == 0);
    CHECK_NEAR(t.step, 2, 1e-12);
    CHECK_NEAR(t.lo, -4, 1e-12);
    CHECK_NEAR(t.hi, 14, 1e-12);
    CHECK(el_nice_ticks(1, 12, 7, 0, &t) == 0); /* layer numbers, inside the range */
    CHECK_NEAR(t.step, 2, 1e-12);
    CHECK(t.n == 6);
    CHECK_NEAR(t.v[0], 2, 1e-12);
    CHECK_NEAR(t.v[5], 12, 1e-12);
    CHECK(el_nice_ticks(0.0012, 0.0042, 5, 1, &t) == 0);
    CHECK_NEAR(t.step, 0.001, 1e-15);
    CHECK(t.decimals == 3);
    CHECK(el_nice_ticks(5, 5, 5, 1, &t) == 0 && t.hi > t.lo && t.lo <= 5 && t.hi >= 5);
    CHECK(el_nice_ticks(0, 0, 5, 1, &t) == 0 && t.lo <= 0 && t.hi >= 0 && t.hi > t.lo);
    CHECK(el_nice_ticks(NAN, 1, 5, 1, &t) == -1);
    CHECK(el_nice_ticks(0, INFINITY, 5, 1, &t) == -1);
    CHECK(el_nice_ticks(12.1, -3.7, 10, 1, &t) == 0 && t.lo == -4); /* reversed input */
    /* Every step is 1, 2 or 5 x 10^k and the ticks cover the range. */
    for (double hi = 0.013; hi < 1e5; hi *= 1.37) {
        CHECK(el_nice_ticks(0, hi, 7, 1, &t) == 0);
        double m = t.step / pow(10, floor(log10(t.step) + 1e-9));
        CHECK_MSG(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9, "hi %g step %g", hi, t.step);
        CHECK(t.n <= 7 && t.n >= 2 && t.lo <= 0 && t.hi >= hi);
    }
    char buf[32];
    CHECK(el_nice_ticks(0, 1, 6, 1, &t) == 0);
    el_tick_label(&t, 0.4, buf, sizeof buf);
    CHECK(!strcmp(buf, "0.4"));
    el_tick_label(&t, -1e-17, buf, sizeof buf);
    CHECK(!strcmp(buf, "0.0"));
    CHECK(el_nice_ticks(0, 5e6, 6, 1, &t) == 0);
    el_tick_label(&t, 2e6, buf, sizeof buf);
    CHECK(!strcmp(buf, "2e+06"));
}

static void test_colours(void) {
    el_rgba a = el_viridis(0), b = el_viridis(1), m = el_viridis(0.5);
    CHECK(a.r == 0x44 && a.g == 0x01 && a.b == 0x54);
    CHECK(b.r == 0xFD && b.g == 0xE7 && b.b == 0x25);
    CHECK(m.r == 0x21 && m.g == 0x90 && m.b == 0x8C);
    /* Viridis gets lighter monotonically. */
    int prev = -1, mono = 1;
    for (int i = 0; i <= 100; i++) {
        el_rgba c = el_viridis(i / 100.0);
        int l = c.r * 299 + c.g * 587 + c.b * 114;
        if (l < prev) mono = 0;
        prev = l;
    }
    CHECK(mono);
    for (int n = 2; n <= 10; n++)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++) {
                el_rgba p = el_palette_category(i, n), q = el_palette_category(j, n);
                CHECK_MSG(p.r != q.r || p.g != q.g || p.b != q.b, "palette %d: %d == %d", n, i, j);
            }
}

static el_canvas *raster(int w, int h) {
    el_canvas *c = NULL;
    CHECK(el_canvas_new(EL_CANVAS_PNG, w, h, el_rgb(255, 255, 255), &c) == EL_OK);
    return c;
}

static void test_raster_shapes(void) {
    el_canvas *c = raster(100, 100);
    if (!c) return;
    /* A 1-pixel horizontal line on pixel centres covers exactly row 20. */
    el_draw_line(c, 10, 20.5, 90, 20.5, 1, el_rgb(0, 0, 0));
    CHECK(lum(px_at(el_canvas_pixels(c), 100, 50, 20)) < 10);
    CHECK(lum(px_at(el_canvas_pixels(c), 100, 50, 19)) > 245 && lum(px_at(el_canvas_pixels(c), 100, 50, 21)) > 245);
    CHECK(lum(px_at(el_canvas_pixels(c), 100, 5, 20)) > 245 && lum(px_at(el_canvas_pixels(c), 100, 95, 20)) > 245);
    /* A thick diagonal: its midpoint dark, far corners untouched. */
    el_draw_line(c, 10, 30, 90, 90, 3, el_rgb(200, 0, 0));
    const uint8_t *mid = px_at(el_canvas_pixels(c), 100, 50, 60);
    CHECK(mid[0] > 180 && mid[1] < 30);
    CHECK(lum(px_at(el_canvas_pixels(c), 100, 80, 35)) > 245);
    /* Half-transparent black over white is mid grey. */
    el_draw_rect(c, 60, 60, 20, 10, el_rgba_with_alpha(el_rgb(0, 0, 0), 128), EL_NONE, 0);
    CHECK(abs(lum(px_at(el_canvas_pixels(c), 100, 70, 65)) - 127) <= 2);
    /* Circle: centre filled, outside not. */
    el_draw_circle(c, 20, 70, 6, el_rgb(0, 114, 178), EL_NONE, 0);
    CHECK(count_near(el_canvas_pixels(c), 100, 18, 68, 23, 73, el_rgb(0, 114, 178), 3) == 25);
    CHECK(lum(px_at(el_canvas_pixels(c), 100, 28, 70)) > 245);
    /* Clipping: a rectangle over everything only lands inside the clip. */
    el_clip_push(c, 0, 0, 40, 15);
    el_draw_rect(c, 0, 0, 100, 100, el_rgb(0, 158, 115), EL_NONE, 0);
    el_clip_pop(c);
    CHECK(count_near(el_canvas_pixels(c), 100, 0, 0, 40, 15, el_rgb(0, 158, 115), 0) == 40 * 15);
    CHECK(count_near(el_canvas_pixels(c), 100, 40, 0, 100, 100, el_rgb(0, 158, 115), 0) == 0);
    CHECK(count_near(el_canvas_pixels(c), 100, 0, 15, 40, 100, el_rgb(0, 158, 115), 0) == 0);
    /* A filled polygon with alpha (a band). */
    el_pt band[4] = {{10, 80}, {90, 80}, {90, 95}, {10, 95}};
    el_draw_polygon(c, band, 4, el_rgba_with_alpha(el_rgb(230, 159, 0), 64));
    const uint8_t *bp = px_at(el_canvas_pixels(c), 100, 50, 88);
    CHECK(bp[0] > 240 && bp[2] < 215 && bp[2] > 170);
    el_canvas_free(c);
}

static void test_text(void) {
    el_canvas *c = raster(240, 80);
    if (!c) return;
    const uint8_t *px;
    const char *s = "Entropy 0.5";
    double size = 20, w = el_text_width(s, size);
    /* Measured in the figure font: between 0.4 and 0.7 em a character for Latin text. */
    CHECK_MSG(w > 11 * 0.4 * size && w < 11 * 0.7 * size, "text width %g", w);
    el_text_style st = el_text_style_make(size, el_rgb(0, 0, 0), EL_ALIGN_LEFT, EL_VALIGN_BASELINE);
    el_draw_text(c, 20, 50, s, &st);
    px = el_canvas_pixels(c);
    /* Text box: x in [20, 20 + w], y from baseline - cap (0.7 size) to baseline + descent (0.2 size). */
    int inside_dark = 0, outside_dark = 0;
    for (int y = 0; y < 80; y++)
        for (int x = 0; x < 240; x++) {
            int dark = lum(px_at(px, 240, x, y)) < 128;
            int in = x >= 19 && x <= 20 + w + 1 && y >= 50 - 0.7 * size - 1 && y <= 50 + 0.2 * size + 1;
            if (dark && in) inside_dark++;
            if (dark && !in) outside_dark++;
        }
    CHECK_MSG(inside_dark > 150, "%d dark pixels in the text box", inside_dark);
    CHECK_MSG(outside_dark == 0, "%d dark pixels outside the text box", outside_dark);
    /* Right-aligned and rotated text land on the right side of the anchor. */
    el_canvas_free(c);
    c = raster(100, 200);
    if (!c) return;
    st.rotate = 90;
    st.align = EL_ALIGN_CENTER;
    st.valign = EL_VALIGN_MIDDLE;
    el_draw_text(c, 50, 100, "label", &st); /* reads upwards, centred on (50, 100) */
    px = el_canvas_pixels(c);
    int top = 200, bottom = -1, left = 100, right = -1;
    for (int y = 0; y < 200; y++)
        for (int x = 0; x < 100; x++)
            if (lum(px_at(px, 100, x, y)) < 128) {
                if (y < top) top = y;
                if (y > bottom) bottom = y;
                if (x < left) left = x;
                if (x > right) right = x;
            }
    /* A real font (DejaVu Sans): "label" is about 2.2 em long, well under the 3 em the old 0.6 em cells gave. */
    CHECK_MSG(bottom - top > 30 && bottom - top <= 61, "rotated text spans y %d..%d", top, bottom);
    CHECK_MSG(abs((top + bottom) / 2 - 100) <= 3, "rotated text centred at y %d", (top + bottom) / 2);
    CHECK_MSG(right - left < 20, "rotated text is narrow: x %d..%d", left, right);
    el_canvas_free(c);
}

static void test_png_roundtrip(const char *dir) {
    el_canvas *c = raster(64, 32);
    if (!c) return;
    el_draw_line(c, 0, 16.5, 64, 16.5, 1, el_rgb(213, 94, 0));
    char path[512];
    snprintf(path, sizeof path, "%s/roundtrip.png", dir);
    CHECK(el_canvas_save(c, path) == EL_OK);
    rgba_img im;
    CHECK(png_load(path, &im) == 0);
    if (im.px) {
        CHECK(im.w == 64 && im.h == 32);
        CHECK(memcmp(im.px, el_canvas_pixels(c), 64 * 32 * 4) == 0);
        free(im.px);
    }
    el_canvas_free(c);
    CHECK(el_canvas_kind_from_path("a/b.SVG") == EL_CANVAS_SVG);
    CHECK(el_canvas_kind_from_path("x.png") == EL_CANVAS_PNG);
    CHECK(el_canvas_kind_from_path("x.pdf") == EL_CANVAS_PDF);
    CHECK(el_canvas_kind_from_path("x.eps") == -1);
}

static void test_svg(const char *dir) {
    el_canvas *c = NULL;
    CHECK(el_canvas_new(EL_CANVAS_SVG, 300, 200, el_rgb(255, 255, 255), &c) == EL_OK);
    if (!c) return;
    el_text_style st = el_text_style_make(12, el_rgb(0, 0, 0), EL_ALIGN_LEFT, EL_VALIGN_BASELINE);
    el_clip_push(c, 10, 10, 100, 100);
    el_draw_text(c, 20, 20, "a<b & \"c\" 'd' \x01 caf\xC3\xA9 \xFF", &st);
    el_clip_pop(c);
    el_draw_circle(c, 50, 50, 5, el_rgb(1, 2, 3), EL_NONE, 0);
    uint8_t px[4] = {255, 0, 0, 255};
    el_draw_image(c, 0, 0, 10, 10, px, 1, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/t.svg", dir);
    CHECK(el_canvas_save(c, path) == EL_OK);
    el_canvas_free(c);
    char *s = slurp(path);
    CHECK(s != NULL);
    if (!s) return;
    const char *why = xml_check(s);
    CHECK_MSG(why == NULL, "t.svg: %s", why);
    CHECK(strstr(s, "a&lt;b &amp; &quot;c&quot; &apos;d&apos;") != NULL);
    CHECK(strstr(s, "caf\xC3\xA9") != NULL);
    CHECK(strstr(s, "\xEF\xBF\xBD") != NULL); /* the invalid byte */
    CHECK(strstr(s, "\x01") == NULL);
    CHECK(strstr(s, "clip-path=") != NULL && strstr(s, "data:image/png;base64,") != NULL);
    free(s);
    /* The checker itself rejects broken XML. */
    CHECK(xml_check("<a><b></a></b>") != NULL);
    CHECK(xml_check("<a x=\"1<2\"/>") != NULL);
    CHECK(xml_check("<a>&nbsp;</a>") != NULL);
    CHECK(xml_check("<a/><b/>") != NULL);
    CHECK(xml_check("<a>x &amp; &#233; &#xE9;</a>") == NULL);
}

static void test_profile_figure(const char *dir) {
    double x[5] = {0, 0.25, 0.5, 0.75, 1}, m1[5] = {2, 1.9, 1.5, 0.8, 0.1}, s1[5] = {0.1, 0.2, 0.2, 0.1, 0.05};
    double m2[5] = {2.2, 2.1, 2.0, 1.4, 0.5};
    el_series s[2] = {{"alpha", 0, 5, x, m1, s1}, {"beta", 1, 5, x, m2, NULL}};
    el_panel p = {"model", s, 2};
    el_legend_entry leg[2] = {{"alpha", el_palette_category(0, 2), EL_KEY_BAND},
                              {"beta", el_palette_category(1, 2), EL_KEY_LINE}};
    el_profile_fig f = {"Title", "normalised depth", "entropy (nats)", &p, 1, 2, leg, 2, "label", 1, 1, 0, 0, 0, 0, 0,
                        0};
    int w, h;
    el_profile_fig_size(&f, &w, &h);
    CHECK(w >= 400 && h >= 300);
    el_canvas *c = raster(w, h);
    if (!c) return;
    el_profile_fig_draw(c, &f);
    const uint8_t *px = el_canvas_pixels(c);
    int distinct;
    double nonwhite;
    colour_stats(px, w, h, &distinct, &nonwhite);
    CHECK(distinct > 20 && nonwhite > 0.02 && nonwhite < 0.6);
    /* The first series' line colour is there in quantity. */
    CHECK(count_near(px, w, 0, 0, w, h, el_palette_category(0, 2), 10) > 200);
    CHECK(count_near(px, w, 0, 0, w, h, el_palette_category(1, 2), 10) > 200);
    char path[512];
    snprintf(path, sizeof path, "%s/fig.png", dir);
    CHECK(el_canvas_save(c, path) == EL_OK);
    el_canvas_free(c);
}

/* ------------------------------------------------------------ the commands */

static void test_cli(const char *cli, const char *dir) {
    char cmd[4096], path[1024];
    /* plot -> SVG */
    snprintf(path, sizeof path, "%s/plot.svg", dir);
    snprintf(cmd, sizeof cmd, "'%s' plot '%s/profiles.jsonl' -o '%s' 2>/dev/null", cli, FIX, path);
    CHECK(run(cmd) == 0);
    char *s = slurp(path);
    CHECK(s != NULL);
    if (s) {
        const char *why = xml_check(s);
        CHECK_MSG(why == NULL, "plot.svg: %s", why);
        CHECK(strstr(s, ">normalised depth</text>") != NULL);
        CHECK(strstr(s, ">entropy (nats)</text>") != NULL);
        CHECK(strstr(s, ">cat</text>") != NULL && strstr(s, ">dog</text>") != NULL && strstr(s, ">ship</text>"));
        CHECK(strstr(s, ">vit-a</text>") != NULL && strstr(s, ">vit-b</text>") != NULL); /* a panel per model */
        CHECK(strstr(s, "<polygon") != NULL);                                            /* std bands */
        free(s);
    }
    /* plot -> PNG of the stated size, by layer, with ViT and LM overlaid. */
    snprintf(path, sizeof path, "%s/plot.png", dir);
    snprintf(cmd, sizeof cmd,
             "'%s' plot '%s/profiles.jsonl' '%s/text.jsonl' --overlay --size 900x560 -o '%s' 2>/dev/null", cli, FIX,
             FIX, path);
    CHECK(run(cmd) == 0);
    rgba_img im;
    CHECK(png_load(path, &im) == 0);
    if (im.px) {
        CHECK(im.w == 900 && im.h == 560);
        int distinct;
        double nonwhite;
        colour_stats(im.px, im.w, im.h, &distinct, &nonwhite);
        CHECK_MSG(distinct >= 20, "%d colours", distinct);
        CHECK(nonwhite > 0.03);
        /* Series colours inside the plot area (left 3/4 of the canvas, below the title). */
        CHECK(count_near(im.px, im.w, 60, 60, 650, 500, el_palette_category(0, 8), 12) > 100);
        CHECK(count_near(im.px, im.w, 60, 60, 650, 500, el_palette_category(4, 8), 12) > 100);
        free(im.px);
    }
    snprintf(cmd, sizeof cmd, "'%s' plot '%s/profiles.jsonl' --depth layer --by correct -o '%s/layer.svg' 2>/dev/null",
             cli, FIX, dir);
    CHECK(run(cmd) == 0);
    snprintf(path, sizeof path, "%s/layer.svg", dir);
    s = slurp(path);
    if (s) {
        CHECK(xml_check(s) == NULL);
        CHECK(strstr(s, ">layer</text>") != NULL && strstr(s, ">true (n=") == NULL); /* two panels: no counts */
        CHECK(strstr(s, ">true</text>") != NULL && strstr(s, ">false</text>") != NULL);
        free(s);
    }
    /* heatmap over the real image */
    snprintf(path, sizeof path, "%s/heat.png", dir);
    snprintf(cmd, sizeof cmd,
             "'%s' heatmap '%s/patches.jsonl' --image ring.png --layers 1,6,12 -o '%s' 2>'%s/heat.err'", cli, FIX, path,
             dir);
    CHECK(run(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s/heat.err", dir);
    s = slurp(cmd);
    CHECK(s && !strstr(s, "warning"));
    free(s);
    CHECK(png_load(path, &im) == 0);
    if (im.px) {
        CHECK(im.w > 3 * 144 && im.h > 144 && im.h < 300);
        int distinct;
        double nonwhite;
        colour_stats(im.px, im.w, im.h, &distinct, &nonwhite);
        CHECK(distinct >= 20 && nonwhite > 0.3);
        /* The overlay is viridis-tinted: greens/blues dominate the panels. */
        int greenish = 0;
        for (int i = 0; i < im.w * im.h; i++) {
            const uint8_t *p = im.px + (size_t)i * 4;
            greenish += p[1] > p[0] + 20 && p[2] > 40;
        }
        CHECK(greenish > 3 * 144 * 144 / 4);
        free(im.px);
    }
    /* image missing: maps alone, with a warning */
    snprintf(cmd, sizeof cmd, "'%s' heatmap '%s/patches.jsonl' --image missing.png -o '%s/heat2.svg' 2>'%s/heat2.err'",
             cli, FIX, dir, dir);
    CHECK(run(cmd) == 0);
    snprintf(path, sizeof path, "%s/heat2.err", dir);
    s = slurp(path);
    CHECK(s && strstr(s, "warning"));
    free(s);
    snprintf(path, sizeof path, "%s/heat2.svg", dir);
    s = slurp(path);
    if (s) {
        CHECK(xml_check(s) == NULL);
        CHECK(strstr(s, ">layer 12</text>") != NULL);
        free(s);
    }
    /* exit codes */
    snprintf(cmd, sizeof cmd, "'%s' plot --help | grep -q 'Exit codes'", cli);
    CHECK(run(cmd) == 0);
    snprintf(cmd, sizeof cmd, "'%s' heatmap --help | grep -q 'Exit codes'", cli);
    CHECK(run(cmd) == 0);
    snprintf(cmd, sizeof cmd, "'%s' report --help | grep -q 'Exit codes'", cli);
    CHECK(run(cmd) == 0);
    snprintf(cmd, sizeof cmd, "'%s' plot 2>/dev/null", cli);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' plot '%s/profiles.jsonl' -o '%s/x.eps' 2>/dev/null", cli, FIX, dir);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' plot '%s/profiles.jsonl' --depth deep -o '%s/x.svg' 2>/dev/null", cli, FIX, dir);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' plot '%s/nonexistent.jsonl' -o '%s/x.svg' 2>/dev/null", cli, FIX, dir);
    CHECK(run(cmd) == 3);
    snprintf(cmd, sizeof cmd, "'%s' plot '%s/profiles.jsonl' -o '%s/no/such/dir/x.svg' 2>/dev/null", cli, FIX, dir);
    CHECK(run(cmd) == 3);
    snprintf(cmd, sizeof cmd, "'%s' heatmap '%s/patches.jsonl' --image ring.png --layers 13 -o '%s/x.png' 2>/dev/null",
             cli, FIX, dir);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' heatmap '%s/patches.jsonl' --image nope.png -o '%s/x.png' 2>/dev/null", cli, FIX,
             dir);
    CHECK(run(cmd) == 3);
    snprintf(cmd, sizeof cmd, "'%s' heatmap '%s/patches.jsonl' --image odd.png -o '%s/x.png' 2>/dev/null", cli, FIX,
             dir);
    CHECK(run(cmd) == 3);
    snprintf(cmd, sizeof cmd, "'%s' heatmap '%s/profiles.jsonl' --image cat_0.png -o '%s/x.png' 2>/dev/null", cli, FIX,
             dir);
    CHECK(run(cmd) == 3); /* no patch map */
}

/* ------------------------------------------------------------ checker mode */

static int check_screenshot(const char *path) {
    rgba_img im;
    if (png_load(path, &im) != 0) {
        fprintf(stderr, "%s: not a PNG\n", path);
        return 1;
    }
    int distinct;
    double nonwhite;
    colour_stats(im.px, im.w, im.h, &distinct, &nonwhite);
    free(im.px);
    printf("%s: %d x %d, %d colours, %.1f%% non-white\n", path, im.w, im.h, distinct, 100 * nonwhite);
    return distinct >= 50 && nonwhite > 0.03 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--check-screenshot")) return check_screenshot(argv[2]);
    char dir[] = "/tmp/el_test_plot_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_ticks();
    test_scatter_axes_fitted();
    test_colours();
    test_raster_shapes();
    test_text();
    test_png_roundtrip(dir);
    test_svg(dir);
    test_profile_figure(dir);
    const char *cli = getenv("EL_CLI");
    if (cli && *cli)
        test_cli(cli, dir);
    else
        printf("EL_CLI not set: command tests skipped\n");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (!el_test_failures && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return el_test_finish("test_plot");
}
