/* Heatmaps over the region the model saw: el_preprocess_view (the image
 * region after resize and centre crop, checked by hand and against where
 * el_preprocess_image actually takes its pixels), the `input_view` field
 * written into records and read back, and the heatmap backdrop cut to it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/dataset.h"
#include "entropy_lens.h"
#include "plot/dataset_plots.h"
#include "plot/png_write.h"
#include "records/records.h"
#include "test_util.h"

static el_preprocess base_pp(int out) {
    el_preprocess pp;
    memset(&pp, 0, sizeof pp);
    pp.channels = 3;
    pp.out_w = pp.out_h = out;
    pp.resample = EL_RESAMPLE_BICUBIC;
    return pp;
}

static void check_view(const char *what, const el_preprocess *pp, int w, int h, const double want[4]) {
    double v[4] = {NAN, NAN, NAN, NAN};
    CHECK_MSG(el_preprocess_view(pp, w, h, v) == EL_OK, "%s: %s", what, el_last_error());
    for (int k = 0; k < 4; k++)
        CHECK_MSG(fabs(v[k] - want[k]) < 1e-9, "%s: view[%d] = %.9g, expected %.9g", what, k, v[k], want[k]);
}

static void test_views(void) {
    el_preprocess pp = base_pp(32);
    pp.do_resize = 1;
    pp.resize_w = pp.resize_h = 32; /* squash: the whole image */
    check_view("exact resize", &pp, 45, 37, (double[4]){0, 0, 45, 37});
    /* DeiT/CLIP: short side 34 -> 41 x 34, centre crop 32 at (4, 1). */
    pp.resize_w = pp.resize_h = 0;
    pp.shortest_edge = 34;
    pp.do_center_crop = 1;
    pp.crop_w = pp.crop_h = 32;
    check_view("shortest edge + crop", &pp, 45, 37,
               (double[4]){4 * 45.0 / 41, 1 * 37.0 / 34, 32 * 45.0 / 41, 32 * 37.0 / 34});
    /* torchvision rounds the offset: short side 34 of 37 x 45 -> 34 x 41;
     * (41 - 30) / 2 = 5.5 rounds to 6 (ties to even), HF floors to 5. */
    pp.crop_w = pp.crop_h = 30;
    pp.out_w = pp.out_h = 30;
    pp.crop_round = 1;
    check_view("torchvision rounding", &pp, 37, 45, (double[4]){2 * 37.0 / 34, 6 * 45.0 / 41, 30 * 37.0 / 34, 30 * 45.0 / 41});
    pp.crop_round = 0;
    check_view("HF floor", &pp, 37, 45, (double[4]){2 * 37.0 / 34, 5 * 45.0 / 41, 30 * 37.0 / 34, 30 * 45.0 / 41});
    /* No resize, a crop wider than the image: padded, the view leaves it. */
    pp = base_pp(40);
    pp.do_center_crop = 1;
    pp.crop_w = pp.crop_h = 40;
    check_view("padding crop", &pp, 30, 50, (double[4]){-5, 5, 40, 40});
    double v[4];
    CHECK(el_preprocess_view(&pp, 0, 50, v) == EL_ERR_ARG);
}

/* A crop-only pipeline: the bright pixel at (x, y) of the image must land at
 * (x - view x, y - view y) of the model input. */
static void test_view_matches_preprocess(void) {
    const int W = 23, H = 17, C = 9;
    el_image img = {W, H, 3, calloc((size_t)W * H * 3, 1)};
    if (!img.pixels) return;
    const int bx = 12, by = 6;
    memset(img.pixels + ((size_t)by * W + bx) * 3, 255, 3);
    el_preprocess pp = base_pp(C);
    pp.do_center_crop = 1;
    pp.crop_w = pp.crop_h = C;
    pp.do_rescale = 1;
    pp.rescale_factor = 1.0 / 255;
    float out[3 * C * C];
    double v[4];
    CHECK(el_preprocess_image(&img, &pp, out) == EL_OK);
    CHECK(el_preprocess_view(&pp, W, H, v) == EL_OK);
    int found = -1;
    for (int i = 0; i < C * C; i++)
        if (out[i] > 0.5f) found = i;
    CHECK_MSG(found == (int)((by - v[1]) * C + (bx - v[0])), "bright pixel at input %d, view (%g, %g)", found, v[0],
              v[1]);
    free(img.pixels);
}

static void test_records(const char *dir) {
    el_lens_params lp = el_lens_default_params();
    float ent[2] = {1.5f, 0.5f}, patch[2 * 4] = {1, 2, 3, 4, 5, 6, 7, 8};
    el_profile p = {.n_depth = 2, .first_layer = 1, .n_patches = 4, .n_classes = 3, .entropy = ent,
                    .patch_entropy = patch, .top1 = 1, .prob = 0.5f, .overflow_layer = -1};
    const double view[4] = {4.25, -1.5, 32, 30.5};
    const char *const names[3] = {"a", "b", "c"};
    el_record_ctx ctx = {EL_FORMAT_JSONL, "m", names, 3, &lp, 2};
    el_image_record r = {.file = "a.png", .label_index = -1, .profile = &p, .view = view};
    el_strbuf sb = {0};
    el_record_format(&sb, &ctx, &r);
    CHECK(sb.data && strstr(sb.data, "\"top1_label\":\"b\""));
    CHECK(sb.data && strstr(sb.data, "\"input_view\":[4.25,-1.5,32,30.5]"));
    char path[1024];
    snprintf(path, sizeof path, "%s/v.jsonl", dir);
    FILE *f = fopen(path, "w");
    if (f && sb.data) {
        fputs(sb.data, f);
        fputs("{\"file\":\"b.png\",\"entropy\":[1,2],\"patch_entropy\":[[1,2,3,4],[1,2,3,4]],\"input_view\":[1,2]}\n", f);
    }
    if (f) fclose(f);
    el_sb_free(&sb);
    el_dataset_opts o = el_dataset_default_opts();
    o.keep_patches = 1;
    o.need_features = 0;
    el_dataset ds;
    const char *files[1] = {path};
    /* The second record's view is malformed: the file is refused, naming it. */
    CHECK(el_dataset_load(files, 1, &o, &ds) == EL_ERR_FORMAT);
    CHECK(strstr(el_last_error(), "input_view") && strstr(el_last_error(), ":2:"));
    f = fopen(path, "r+");
    if (f) {
        /* Keep the first line only. */
        char line[4096];
        if (fgets(line, sizeof line, f)) {
            fclose(f);
            f = fopen(path, "w");
            if (f) fputs(line, f);
        }
        if (f) fclose(f);
    }
    if (el_dataset_load(files, 1, &o, &ds) == EL_OK) {
        CHECK(ds.n == 1 && ds.rec[0].has_view);
        for (int k = 0; ds.n == 1 && k < 4; k++) CHECK(ds.rec[0].view[k] == view[k]);
        el_dataset_free(&ds);
    } else {
        CHECK_MSG(0, "%s", el_last_error());
    }
}

/* Mean grey level of the panel columns [x0, x1). */
static double column_mean(const uint8_t *rgba, int panel, int x0, int x1) {
    double s = 0;
    for (int y = 0; y < panel; y++)
        for (int x = x0; x < x1; x++) s += rgba[((size_t)y * panel + x) * 4];
    return s / ((double)panel * (x1 - x0));
}

static void test_backdrop(const char *dir) {
    /* 40 x 20: left half black, right half white. */
    uint8_t px[40 * 20 * 4];
    for (int i = 0; i < 40 * 20; i++) {
        uint8_t v = (i % 40) < 20 ? 0 : 255;
        px[i * 4] = px[i * 4 + 1] = px[i * 4 + 2] = v;
        px[i * 4 + 3] = 255;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/halves.png", dir);
    CHECK(el_png_write_rgba(path, px, 40, 20) == EL_OK);
    const int P = 64;
    uint8_t *whole = el_heatmap_backdrop(path, P, NULL);
    CHECK(whole != NULL);
    if (whole) { /* the whole image: dark left (lightened black), white right */
        CHECK_MSG(column_mean(whole, P, 0, P / 2 - 4) < 60, "%g", column_mean(whole, P, 0, P / 2 - 4));
        CHECK(column_mean(whole, P, P / 2 + 4, P) > 240);
    }
    const double right[4] = {20, 0, 20, 20};
    uint8_t *seen = el_heatmap_backdrop(path, P, right);
    CHECK(seen != NULL);
    if (seen) CHECK_MSG(column_mean(seen, P, 0, P) > 240, "%g", column_mean(seen, P, 0, P));
    /* A view half outside the image: the outside half is the crop's black. */
    const double beyond[4] = {30, 0, 20, 20};
    uint8_t *pad = el_heatmap_backdrop(path, P, beyond);
    CHECK(pad != NULL);
    if (pad) {
        CHECK(column_mean(pad, P, 0, P / 2) > 240);
        CHECK(column_mean(pad, P, P / 2, P) == 0);
    }
    CHECK(el_heatmap_backdrop("/nonexistent.png", P, right) == NULL);
    free(whole);
    free(seen);
    free(pad);
}

int main(void) {
    char dir[] = "/tmp/el_heatmap_view_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    test_views();
    test_view_matches_preprocess();
    test_records(dir);
    test_backdrop(dir);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return el_test_finish("test_heatmap_view");
}
