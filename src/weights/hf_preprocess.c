#include "weights/hf_preprocess.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"
#include "weights/json_config.h"

#define MAX_IMAGE 8192

/* Processors whose integer `size` is the shortest edge (get_size_dict with
 * default_to_square=False). */
static int int_size_is_shortest_edge(const cJSON *cfg) {
    static const char *const kinds[] = {"CLIPImageProcessor", "CLIPFeatureExtractor", "BitImageProcessor",
                                        "BitImageProcessorFast", "CLIPImageProcessorFast"};
    const char *keys[] = {"image_processor_type", "feature_extractor_type"};
    for (int k = 0; k < 2; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, keys[k]);
        if (!cJSON_IsString(v)) continue;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (!strcmp(v->valuestring, kinds[i])) return 1;
    }
    return 0;
}

static el_status parse_size_field(const cJSON *cfg, const char *file, const char *key, int int_is_shortest, int *w,
                                  int *h, int *shortest) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    *shortest = 0;
    if (!v || cJSON_IsNull(v)) return EL_OK;
    long a, b;
    if (cJSON_IsNumber(v)) {
        EL_TRY(el_json_int(cfg, file, key, 1, 0, 1, MAX_IMAGE, &a));
        if (int_is_shortest) *shortest = (int)a;
        else *w = *h = (int)a;
        return EL_OK;
    }
    if (!cJSON_IsObject(v)) return el_fail(EL_ERR_CONFIG, "%s: field \"%s\" must be a number or object", file, key);
    if (cJSON_GetObjectItemCaseSensitive(v, "shortest_edge")) {
        EL_TRY(el_json_int(v, file, "shortest_edge", 1, 0, 1, MAX_IMAGE, &a));
        *shortest = (int)a;
        return EL_OK;
    }
    EL_TRY(el_json_int(v, file, "height", 1, 0, 1, MAX_IMAGE, &a));
    EL_TRY(el_json_int(v, file, "width", 1, 0, 1, MAX_IMAGE, &b));
    *h = (int)a;
    *w = (int)b;
    return EL_OK;
}

static el_status parse_fields(const cJSON *cfg, const char *file, int channels, el_preprocess *pp) {
    long resample;
    int dummy, shortest_int = int_size_is_shortest_edge(cfg);
    EL_TRY(el_json_bool(cfg, file, "do_resize", 1, &pp->do_resize));
    EL_TRY(parse_size_field(cfg, file, "size", shortest_int, &pp->resize_w, &pp->resize_h, &pp->shortest_edge));
    EL_TRY(el_json_int(cfg, file, "resample", 0, EL_RESAMPLE_BILINEAR, 0, 5, &resample));
    pp->resample = (el_resample)resample;
    EL_TRY(el_json_bool(cfg, file, "do_center_crop", 0, &pp->do_center_crop));
    if (pp->do_center_crop) EL_TRY(parse_size_field(cfg, file, "crop_size", 0, &pp->crop_w, &pp->crop_h, &dummy));
    EL_TRY(el_json_bool(cfg, file, "do_rescale", 1, &pp->do_rescale));
    EL_TRY(el_json_double(cfg, file, "rescale_factor", 0, 1.0 / 255.0, 0.0, 1e6, &pp->rescale_factor));
    EL_TRY(el_json_bool(cfg, file, "do_normalize", 1, &pp->do_normalize));
    if (cJSON_GetObjectItemCaseSensitive(cfg, "image_mean"))
        EL_TRY(el_json_floats(cfg, file, "image_mean", channels, -1e6, 1e6, pp->mean));
    if (cJSON_GetObjectItemCaseSensitive(cfg, "image_std"))
        EL_TRY(el_json_floats(cfg, file, "image_std", channels, 1e-12, 1e6, pp->std));
    return EL_OK;
}

el_status el_hf_preprocess_load(const char *dir, int channels, int image_size, int fixed_input, el_preprocess *pp) {
    memset(pp, 0, sizeof *pp);
    pp->channels = channels;
    pp->out_w = pp->out_h = image_size;
    pp->do_resize = 1;
    pp->resize_w = pp->resize_h = image_size;
    pp->resample = EL_RESAMPLE_BILINEAR;
    pp->do_rescale = 1;
    pp->rescale_factor = 1.0 / 255.0;
    pp->do_normalize = 1;
    for (int c = 0; c < 3; c++) pp->mean[c] = pp->std[c] = 0.5f;
    pp->crop_w = pp->crop_h = image_size;
    char file[4096];
    snprintf(file, sizeof file, "%s/preprocessor_config.json", dir);
    if (access(file, F_OK) != 0) return EL_OK; /* (fopen would block on a FIFO) */
    cJSON *cfg;
    EL_TRY(el_json_load(file, &cfg));
    el_status st = parse_fields(cfg, file, channels, pp);
    cJSON_Delete(cfg);
    pp->crop_round = 0;
    if (st != EL_OK) return st;
    /* The pipeline must end at one size for every image: refuse configs
     * that cannot, rather than fail on each image later. */
    int w = -1, h = -1; /* -1: depends on the image */
    if (pp->do_center_crop) w = pp->crop_w, h = pp->crop_h;
    else if (pp->do_resize && !pp->shortest_edge) w = pp->resize_w, h = pp->resize_h;
    if (!fixed_input && w < 0)
        return el_fail(EL_ERR_CONFIG, "%s: resize/crop settings give an input size that depends on the image", file);
    if (fixed_input && ((w >= 0 && (w != image_size || h != image_size)) || (w < 0 && pp->do_resize && pp->shortest_edge)))
        return el_fail(EL_ERR_CONFIG, "%s: resize/crop settings do not end at the model's %dx%d input", file,
                       image_size, image_size);
    if (!fixed_input) pp->out_w = w, pp->out_h = h;
    return EL_OK;
}
