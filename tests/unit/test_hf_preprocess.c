/* preprocessor_config.json as each HF image processor reads it
 * (src/weights/hf_preprocess.c), on the vision fixtures' real-format files:
 * CLIP's old feature-extractor format (integer size = shortest edge), BEiT's
 * (integer size = square), SigLIP's, DINOv2's BitImageProcessor (input size
 * from the crop, not config.json's image_size), and refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "weights/hf_preprocess.h"

#define VIS EL_SOURCE_DIR "/tests/fixtures/vision"

static const float clip_mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

int main(void) {
    el_preprocess pp;
    CHECK(el_hf_preprocess_load(VIS "/clip", 3, 32, 1, &pp) == EL_OK);
    CHECK(pp.do_resize && pp.shortest_edge == 32 && pp.do_center_crop && pp.crop_w == 32 && pp.crop_h == 32);
    CHECK(pp.resample == EL_RESAMPLE_BICUBIC && pp.out_w == 32 && pp.mean[0] == clip_mean[0] && pp.mean[2] == clip_mean[2]);
    CHECK(pp.do_rescale && pp.rescale_factor == 1.0 / 255.0 && pp.do_normalize);

    CHECK(el_hf_preprocess_load(VIS "/beit", 3, 32, 1, &pp) == EL_OK);
    CHECK(!pp.shortest_edge && pp.resize_w == 32 && pp.resize_h == 32 && !pp.do_center_crop);
    CHECK(pp.resample == EL_RESAMPLE_BILINEAR && pp.mean[1] == 0.5f);

    CHECK(el_hf_preprocess_load(VIS "/siglip", 3, 32, 1, &pp) == EL_OK);
    CHECK(!pp.shortest_edge && pp.resize_w == 32 && pp.resample == EL_RESAMPLE_BICUBIC && !pp.do_center_crop);

    /* DINOv2: config.json says image_size 48; the processor makes 32 x 32. */
    CHECK(el_hf_preprocess_load(VIS "/dinov2", 3, 48, 0, &pp) == EL_OK);
    CHECK(pp.shortest_edge == 36 && pp.do_center_crop && pp.out_w == 32 && pp.out_h == 32);
    CHECK(el_hf_preprocess_load(VIS "/dinov2", 3, 48, 1, &pp) == EL_ERR_CONFIG);

    char dir[] = "/tmp/el_hf_pp_XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char path[1024];
    snprintf(path, sizeof path, "%s/preprocessor_config.json", dir);
    /* Shortest edge without a crop: the input size would depend on the image. */
    write_file(path, "{\"image_processor_type\": \"BitImageProcessor\", \"size\": 36, \"do_center_crop\": false}");
    CHECK(el_hf_preprocess_load(dir, 3, 32, 0, &pp) == EL_ERR_CONFIG && strstr(el_last_error(), "depends on the image"));
    write_file(path, "{\"image_processor_type\": \"ViTImageProcessor\", \"size\": 36}");
    CHECK(el_hf_preprocess_load(dir, 3, 36, 1, &pp) == EL_OK && pp.resize_w == 36 && !pp.shortest_edge);
    write_file(path, "{\"size\": \"big\"}");
    CHECK(el_hf_preprocess_load(dir, 3, 32, 1, &pp) == EL_ERR_CONFIG && strstr(el_last_error(), "size"));
    remove(path);
    CHECK(el_hf_preprocess_load(dir, 3, 32, 1, &pp) == EL_OK && pp.resize_w == 32); /* ViT defaults */
    rmdir(dir);
    return el_test_finish("test_hf_preprocess");
}
