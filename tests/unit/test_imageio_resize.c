/* el_image_resize against Pillow 9.4's Image.resize (fixtures from
 * tools/fixtures/make_image_fixtures.py: up/down scaling, non-integer ratios, one axis
 * only, every filter, RGB and L). Tolerance: 0 for every filter — the port
 * is bit-exact, so any difference is a bug (the brief allows 1/255 for
 * BILINEAR/BICUBIC; we assert exact equality).
 * el_preprocess_image against float references computed in Python the way
 * HF image processors and timm/torchvision do it (tolerance 1e-6). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy_lens.h"
#include "test_util.h"

#define FIX EL_SOURCE_DIR "/tests/fixtures/imageio/"

static const char *filter_names[] = {"NEAREST", "LANCZOS", "BILINEAR", "BICUBIC", "BOX", "HAMMING"};

static void test_pillow_resize(void) {
    const int sw = 37, sh = 23;
    size_t n_rgb, n_gray;
    uint8_t *rgb = (uint8_t *)el_test_slurp(FIX "resize/src.rgb", &n_rgb);
    uint8_t *gray = (uint8_t *)el_test_slurp(FIX "resize/src.gray", &n_gray);
    FILE *man = fopen(FIX "resize.txt", "r");
    int maxdiff[6] = {0}, cases[6] = {0}, total = 0;
    char mode[8], file[128];
    int filt, w, h;
    CHECK(rgb && gray && man && n_rgb == (size_t)sw * sh * 3 && n_gray == (size_t)sw * sh);
    if (!rgb || !gray || !man || n_rgb != (size_t)sw * sh * 3 || n_gray != (size_t)sw * sh) {
        free(rgb);
        free(gray);
        if (man) fclose(man);
        return;
    }
    el_image src_rgb = {sw, sh, 3, rgb}, src_gray = {sw, sh, 1, gray};
    while (fscanf(man, "%7s %d %d %d %127s", mode, &filt, &w, &h, file) == 5) {
        char path[512];
        size_t n;
        el_image out;
        const el_image *src = strcmp(mode, "rgb") == 0 ? &src_rgb : &src_gray;
        snprintf(path, sizeof path, FIX "resize/%s", file);
        uint8_t *exp = (uint8_t *)el_test_slurp(path, &n);
        CHECK(exp && n == (size_t)w * h * src->channels && filt >= 0 && filt < 6);
        if (!exp || n != (size_t)w * h * src->channels || filt < 0 || filt >= 6) {
            free(exp);
            continue;
        }
        el_status s = el_image_resize(src, w, h, (el_resample)filt, &out);
        CHECK_MSG(s == EL_OK, "%s: %s", file, el_last_error());
        if (s == EL_OK) {
            int d = 0;
            CHECK(out.width == w && out.height == h && out.channels == src->channels);
            for (size_t i = 0; i < n; i++) {
                int e = abs((int)out.pixels[i] - (int)exp[i]);
                if (e > d) d = e;
            }
            CHECK_MSG(d == 0, "%s: max diff %d vs Pillow", file, d);
            if (d > maxdiff[filt]) maxdiff[filt] = d;
            cases[filt]++;
            total++;
        }
        el_image_free(&out);
        free(exp);
    }
    fclose(man);
    CHECK(total >= 70);
    for (int f = 0; f < 6; f++) {
        CHECK(cases[f] >= 10);
        fprintf(stderr, "resize %-8s: %2d cases, max diff vs Pillow %d (tolerance 0)\n",
                filter_names[f], cases[f], maxdiff[f]);
    }
    free(rgb);
    free(gray);
}

static void test_resize_api(void) {
    uint8_t px[2 * 3 * 3];
    for (int i = 0; i < 18; i++) px[i] = (uint8_t)(i * 13);
    el_image in = {3, 2, 3, px}, out;
    /* Same size: a copy (Image.resize returns self.copy()). */
    CHECK(el_image_resize(&in, 3, 2, EL_RESAMPLE_LANCZOS, &out) == EL_OK);
    CHECK(out.pixels && out.pixels != px && memcmp(out.pixels, px, sizeof px) == 0);
    /* out may be the input struct (its old pixels stay with the caller). */
    el_image alias = out;
    uint8_t *old = alias.pixels;
    CHECK(el_image_resize(&alias, 6, 4, EL_RESAMPLE_BICUBIC, &alias) == EL_OK);
    CHECK(alias.width == 6 && alias.height == 4 && alias.pixels != old);
    free(old);
    el_image_free(&alias);
    CHECK(el_image_resize(&in, 0, 4, EL_RESAMPLE_BILINEAR, &out) == EL_ERR_ARG);
    CHECK(out.pixels == NULL);
    CHECK(el_image_resize(&in, 4, 4, (el_resample)9, &out) == EL_ERR_ARG);
    CHECK(el_image_resize(NULL, 4, 4, EL_RESAMPLE_BILINEAR, &out) == EL_ERR_ARG);
    el_image bad = {3, 2, 2, px};
    CHECK(el_image_resize(&bad, 4, 4, EL_RESAMPLE_BILINEAR, &out) == EL_ERR_ARG);
    /* A constant image stays constant under every filter (taps sum to 1). */
    uint8_t flat[5 * 4];
    memset(flat, 77, sizeof flat);
    el_image f = {5, 4, 1, flat};
    for (int k = 0; k < 6; k++) {
        CHECK(el_image_resize(&f, 13, 2, (el_resample)k, &out) == EL_OK);
        int ok = 1;
        for (int i = 0; out.pixels && i < 26; i++) ok &= out.pixels[i] == 77;
        CHECK_MSG(ok, "filter %s changed a flat image", filter_names[k]);
        el_image_free(&out);
    }
}

/* ------------------------------------------------------------- preprocess */

static el_preprocess base_pp(void) {
    el_preprocess pp;
    memset(&pp, 0, sizeof pp);
    pp.channels = 3;
    pp.do_resize = 1;
    pp.do_rescale = 1;
    pp.rescale_factor = 0.00392156862745098;
    pp.do_normalize = 1;
    for (int c = 0; c < 3; c++) pp.mean[c] = pp.std[c] = 0.5f;
    return pp;
}

static int config_for(const char *name, el_preprocess *pp, const char **input) {
    *pp = base_pp();
    *input = FIX "preprocess/input.png";
    if (strcmp(name, "hf_bilinear224") == 0) {
        pp->resize_w = pp->resize_h = 224;
        pp->resample = EL_RESAMPLE_BILINEAR;
        pp->out_w = pp->out_h = 224;
        return 1;
    }
    if (strcmp(name, "timm_bicubic248_crop224") == 0) {
        pp->shortest_edge = 248;
        pp->resample = EL_RESAMPLE_BICUBIC;
        pp->do_center_crop = 1;
        pp->crop_w = pp->crop_h = 224;
        pp->crop_round = 1;
        pp->out_w = pp->out_h = 224;
        return 1;
    }
    if (strcmp(name, "floor_resize200x180_crop175x224_pad") == 0) {
        static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
        *input = FIX "preprocess/input_wide.png";
        pp->resize_w = 200;
        pp->resize_h = 180;
        pp->resample = EL_RESAMPLE_BICUBIC;
        pp->do_center_crop = 1;
        pp->crop_w = 175;
        pp->crop_h = 224;
        pp->crop_round = 0;
        memcpy(pp->mean, mean, sizeof mean);
        memcpy(pp->std, std, sizeof std);
        pp->out_w = 175;
        pp->out_h = 224;
        return 1;
    }
    return 0;
}

static void test_preprocess_reference(void) {
    FILE *man = fopen(FIX "preprocess.txt", "r");
    char name[128];
    int w, h, stride, ch, configs = 0;
    double sums[3];
    CHECK(man != NULL);
    if (!man) return;
    while (fscanf(man, "%127s %d %d %d %d %lf %lf %lf", name, &w, &h, &stride, &ch, &sums[0],
                  &sums[1], &sums[2]) == 8) {
        el_preprocess pp;
        const char *input;
        el_image img;
        char path[512];
        size_t n;
        CHECK_MSG(config_for(name, &pp, &input), "unknown preprocess config %s", name);
        if (!config_for(name, &pp, &input)) continue;
        CHECK(pp.out_w == w && pp.out_h == h && ch == 3);
        snprintf(path, sizeof path, FIX "preprocess/%s.f32", name);
        float *ref = (float *)(uint8_t *)el_test_slurp(path, &n);
        int gw = (w + stride - 1) / stride, gh = (h + stride - 1) / stride;
        CHECK(ref && n == (size_t)ch * gw * gh * sizeof(float));
        el_status s = el_image_load(input, 3, EL_DEFAULT_MAX_PIXELS, &img);
        CHECK_MSG(s == EL_OK, "%s", el_last_error());
        float *out = malloc((size_t)ch * w * h * sizeof *out);
        if (ref && n == (size_t)ch * gw * gh * sizeof(float) && s == EL_OK && out) {
            s = el_preprocess_image(&img, &pp, out);
            CHECK_MSG(s == EL_OK, "%s: %s", name, el_last_error());
            double maxd = 0;
            for (int c = 0; c < ch && s == EL_OK; c++) {
                double sum = 0;
                for (size_t i = 0; i < (size_t)w * h; i++) sum += out[(size_t)c * w * h + i];
                /* every value within 1e-6 bounds the sum difference */
                CHECK_NEAR(sum, sums[c], 1e-6 * w * h);
                for (int gy = 0; gy < gh; gy++)
                    for (int gx = 0; gx < gw; gx++) {
                        float r = ref[((size_t)c * gh + gy) * gw + gx];
                        float v = out[((size_t)c * h + (size_t)gy * stride) * w + (size_t)gx * stride];
                        if (fabs((double)v - r) > maxd) maxd = fabs((double)v - r);
                    }
            }
            CHECK_MSG(maxd <= 1e-6, "%s: max diff %g vs Python reference", name, maxd);
            fprintf(stderr, "preprocess %s: %dx%d, max diff vs Python %.3g (tolerance 1e-6)\n", name,
                    w, h, maxd);
            configs++;
        }
        free(out);
        free(ref);
        el_image_free(&img);
    }
    fclose(man);
    CHECK(configs == 3);
}

static void test_preprocess_geometry(void) {
    /* 7x3 gray ramp, no rescale/normalise: outputs are the raw values. */
    uint8_t px[21];
    for (int i = 0; i < 21; i++) px[i] = (uint8_t)(10 + i);
    el_image img = {7, 3, 1, px};
    el_preprocess pp;
    memset(&pp, 0, sizeof pp);
    pp.channels = 1;
    pp.do_center_crop = 1;
    pp.crop_w = 4; /* (7 - 4) / 2 = 1.5: floor 1, round-half-even 2 */
    pp.crop_h = 3;
    pp.out_w = 4;
    pp.out_h = 3;
    float out[4 * 7 * 3];
    CHECK(el_preprocess_image(&img, &pp, out) == EL_OK);
    CHECK(out[0] == 11.0f && out[4] == 18.0f);
    pp.crop_round = 1;
    CHECK(el_preprocess_image(&img, &pp, out) == EL_OK);
    CHECK(out[0] == 12.0f);
    /* (7 - 2) / 2 = 2.5 rounds to 2 (even), floors to 2. */
    pp.crop_w = pp.out_w = 2;
    CHECK(el_preprocess_image(&img, &pp, out) == EL_OK && out[0] == 12.0f);
    /* Crop larger than the image: zero padding, torchvision's split
     * (left (9 - 7) // 2 = 1, top (6 - 3) // 2 = 1), then normalised zeros. */
    pp.crop_w = pp.out_w = 9;
    pp.crop_h = pp.out_h = 6;
    pp.do_normalize = 1;
    pp.mean[0] = 2.0f;
    pp.std[0] = 4.0f;
    CHECK(el_preprocess_image(&img, &pp, out) == EL_OK);
    CHECK(out[0] == -0.5f && out[9 + 1] == (10.0f - 2.0f) / 4.0f && out[9 + 8] == -0.5f);
    CHECK(out[9 * 3 + 7] == (30.0f - 2.0f) / 4.0f && out[9 * 4 + 1] == -0.5f);
    /* Gray model, RGB image: Pillow's convert('L') first. */
    uint8_t rgb[3] = {200, 100, 50};
    el_image one = {1, 1, 3, rgb};
    memset(&pp, 0, sizeof pp);
    pp.channels = 1;
    pp.out_w = pp.out_h = 1;
    CHECK(el_preprocess_image(&one, &pp, out) == EL_OK);
    CHECK(out[0] == (float)((200 * 19595 + 100 * 38470 + 50 * 7471 + 0x8000) >> 16));
    /* RGB model, gray image: replicated, planar output. */
    uint8_t g2[2] = {5, 6};
    el_image gimg = {2, 1, 1, g2};
    pp.channels = 3;
    pp.out_w = 2;
    CHECK(el_preprocess_image(&gimg, &pp, out) == EL_OK);
    CHECK(out[0] == 5 && out[1] == 6 && out[2] == 5 && out[5] == 6);
    /* Shortest edge: 46x33 -> short side 248, long int(248 * 46 / 33) = 345. */
    uint8_t big[46 * 33];
    memset(big, 9, sizeof big);
    el_image bimg = {46, 33, 1, big};
    pp = base_pp();
    pp.channels = 1;
    pp.shortest_edge = 248;
    pp.resample = EL_RESAMPLE_BILINEAR;
    pp.out_w = 345;
    pp.out_h = 248;
    float *o = malloc(345 * 248 * sizeof *o);
    CHECK(el_preprocess_image(&bimg, &pp, o) == EL_OK);
    CHECK(o[0] == ((float)(9 * 0.00392156862745098) - 0.5f) / 0.5f);
    /* Wrong final size, bad crop, bad std: EL_ERR_CONFIG with a message. */
    pp.out_w = 344;
    CHECK(el_preprocess_image(&bimg, &pp, o) == EL_ERR_CONFIG);
    CHECK(strstr(el_last_error(), "345x248") != NULL);
    pp.out_w = 345;
    pp.std[0] = 0;
    CHECK(el_preprocess_image(&bimg, &pp, o) == EL_ERR_CONFIG);
    pp = base_pp();
    pp.out_w = pp.out_h = 224; /* do_resize without any size */
    CHECK(el_preprocess_image(&bimg, &pp, o) == EL_ERR_CONFIG);
    pp.do_resize = 0;
    pp.do_center_crop = 1;
    CHECK(el_preprocess_image(&bimg, &pp, o) == EL_ERR_CONFIG);
    CHECK(el_preprocess_image(NULL, &pp, o) == EL_ERR_ARG);
    free(o);
}

int main(void) {
    test_pillow_resize();
    test_resize_api();
    test_preprocess_reference();
    test_preprocess_geometry();
    return el_test_finish("test_imageio_resize");
}
