/* The vision families beyond ViT/DeiT, each a configuration of the one
 * block plus the ViT front end (vit/vit.h) and its own head: DINOv2 (with
 * registers), BEiT and data2vec-vision. One table entry per family: how its
 * config.json is read and where its tensors are (the name map). */
#ifndef EL_VISION_FAMILIES_H
#define EL_VISION_FAMILIES_H

#include <cjson/cJSON.h>

#include "weights/param_reader.h"
#include "weights/vit_load.h"

typedef struct {
    const char *model_type;
    const char *prefix;   /* tensor name prefix, e.g. "dinov2." */
    const char *family;   /* el_model_info.family */
    const char *arch;     /* the architecture whose head the lens uses */
    /* config.json and preprocessor_config.json -> sizes, block config, head kind. */
    el_status (*parse)(const char *dir, const char *file, const cJSON *cfg, const el_st_set *set, el_vit *m,
                       el_vit_meta *meta);
    el_status (*read)(el_param_reader *r, el_vit *m, const char *prefix);
} el_vision_family;

/* The family for a config's model_type, or NULL (ViT, DeiT, timm, text). */
const el_vision_family *el_vision_family_find(const char *model_type);

/* Floats of arena the family's read needs beyond the checkpoint's own
 * tensors (resampled positions, derived heads, attention biases). */
size_t el_vision_family_extra_floats(const el_vit *m);

#endif
