/* Figure text from a real font: non-ASCII labels ("trøuser", "пальто", "凉鞋") put
 * ink where the text is, in glyphs of their own (not the old bitmap font's
 * '?' boxes), and distinct strings render differently. */
#include <stdint.h>
#include <string.h>

#include "plot/canvas.h"
#include "plot/plot.h"
#include "test_util.h"

enum { W = 240, H = 60 };

/* Render s at (10, 40) on a white canvas; returns malloc'd RGBA pixels. */
static uint8_t *render(const char *s) {
    el_canvas *c = NULL;
    if (el_canvas_new(EL_CANVAS_PNG, W, H, el_rgb(255, 255, 255), &c) != EL_OK) return NULL;
    el_text_style st = el_text_style_make(24, el_rgb(0, 0, 0), EL_ALIGN_LEFT, EL_VALIGN_BASELINE);
    el_draw_text(c, 10, 40, s, &st);
    uint8_t *px = malloc((size_t)W * H * 4);
    if (px) memcpy(px, el_canvas_pixels(c), (size_t)W * H * 4);
    el_canvas_free(c);
    return px;
}

/* Dark pixels inside and outside the box [x0, x1) x [y0, y1). */
static void ink(const uint8_t *px, int x0, int y0, int x1, int y1, int *in, int *out) {
    *in = *out = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const uint8_t *p = px + ((size_t)y * W + x) * 4;
            if (p[0] + p[1] + p[2] > 3 * 128) continue;
            if (x >= x0 && x < x1 && y >= y0 && y < y1)
                (*in)++;
            else
                (*out)++;
        }
}

static size_t differing(const uint8_t *a, const uint8_t *b) {
    size_t n = 0;
    for (size_t i = 0; i < (size_t)W * H * 4; i++) n += a[i] != b[i];
    return n;
}

int main(void) {
    const char *labels[] = {"trøuser", "пальто", "Ωμέγα"};
    uint8_t *q = render("??????");
    CHECK(q != NULL);
    for (size_t i = 0; i < sizeof labels / sizeof labels[0] && q; i++) {
        uint8_t *px = render(labels[i]);
        CHECK(px != NULL);
        if (!px) continue;
        int in, out;
        /* Capitals reach ~0.73 em above the baseline, descenders ~0.24 em below. */
        ink(px, 8, 40 - 24, 10 + 24 * (int)strlen(labels[i]), 40 + 8, &in, &out);
        CHECK_MSG(in > 60, "%s: %d dark pixels where the text is", labels[i], in);
        CHECK_MSG(out == 0, "%s: %d dark pixels outside the text", labels[i], out);
        CHECK_MSG(differing(px, q) > 200, "%s renders like question marks", labels[i]);
        free(px);
    }
    /* A byte that is not UTF-8 (a file name's) is drawn as U+FFFD and the
     * text after it still appears: cairo would otherwise refuse the string
     * and stop drawing on the canvas altogether. */
    uint8_t *bad = render("ab\xff cd"), *good = render("ab\xEF\xBF\xBD cd");
    CHECK(bad && good && differing(bad, good) == 0);
    if (bad) {
        int in, out;
        ink(bad, 8, 40 - 24, 10 + 24 * 6, 40 + 8, &in, &out);
        CHECK_MSG(in > 60, "text with an invalid byte: %d dark pixels", in);
    }
    free(bad);
    free(good);
    /* Two Cyrillic strings differing in one letter differ in ink. */
    uint8_t *a = render("пальто"), *b = render("пальта");
    CHECK(a && b && differing(a, b) > 20);
    free(a);
    free(b);
    free(q);
    /* CJK labels (which DejaVu lacks) come from the fallback face: glyphs that
     * tell two words apart, not the missing-glyph boxes that a code point no
     * font has (U+10FFFD) gets. */
    uint8_t *cj = render("凉鞋"), *cj2 = render("衬衫"), *tofu = render("\U0010FFFD\U0010FFFD");
    CHECK(cj && cj2 && tofu);
    if (cj && cj2 && tofu) {
        int in, out;
        ink(cj, 8, 40 - 24, 10 + 2 * 26, 40 + 8, &in, &out);
        CHECK_MSG(in > 60 && out == 0, "凉鞋: %d dark pixels where the text is, %d outside", in, out);
        CHECK_MSG(differing(cj, cj2) > 200, "凉鞋 and 衬衫 render alike (%zu pixels differ)", differing(cj, cj2));
        CHECK_MSG(differing(cj, tofu) > 200, "凉鞋 renders like missing-glyph boxes");
        /* Mixed scripts keep their order: the Latin run first, then the CJK run. */
        CHECK(el_text_width("ab凉鞋", 24) > el_text_width("ab", 24) + el_text_width("凉", 24));
    }
    free(cj);
    free(cj2);
    free(tofu);
    /* Legend labels too long for their room keep both ends: two model names
     * that differ only at the end stay apart (they were cut to the same text). */
    char fa[128], fb[128];
    const char *la = el_fit_text("vit-base-patch16-224-in21k-finetuned-fashion", 12, 150, fa, sizeof fa);
    const char *lb = el_fit_text("vit-base-patch16-224-in21k-finetuned-cifar10", 12, 150, fb, sizeof fb);
    CHECK_MSG(strcmp(la, lb) != 0, "both cut to %s", la);
    CHECK(el_text_width(la, 12) <= 150 && strstr(la, "\u2026") && !strncmp(la, "vit-", 4));
    CHECK(!strcmp(el_fit_text("short", 12, 150, fa, sizeof fa), "short"));
    return el_test_finish("test_plot_text");
}
