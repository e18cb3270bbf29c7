/* CLIP (CLIPModel) and SigLIP (SiglipModel) folders as Hugging Face saves
 * them: the vision tower into the el_vit (one block stack), the text tower
 * and SigLIP's pooling head into el_vit.zs (model/zs_head.h). The zero-shot
 * head itself needs class names: model/zs_head.c builds it after loading. */
#ifndef EL_CLIP_FAMILY_H
#define EL_CLIP_FAMILY_H

#include "weights/vision_families.h"

el_status el_clip_parse(const char *dir, const char *file, const cJSON *cfg, const el_st_set *set, el_vit *m,
                        el_vit_meta *meta);
el_status el_clip_read(el_param_reader *r, el_vit *m, const char *prefix);
/* Arena floats beyond the checkpoint's tensors (the text tower's stacked q, k, v). */
size_t el_clip_extra_floats(const el_vit *m);

/* hidden_act names (vision_families.c). */
el_status el_vision_parse_act(const char *file, const char *act, el_act *out);

#endif
