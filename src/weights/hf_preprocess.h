/* preprocessor_config.json of a Hugging Face image model -> el_preprocess,
 * with each image processor's reading of an integer `size`: the shortest
 * edge for CLIPImageProcessor / CLIPFeatureExtractor / BitImageProcessor
 * (DINOv2), a square for the others (ViT, DeiT, BEiT, SigLIP), as
 * transformers' get_size_dict(default_to_square=...) does. */
#ifndef EL_HF_PREPROCESS_H
#define EL_HF_PREPROCESS_H

#include "entropy_lens.h"

/* fixed_input = 1: the pipeline must end at image_size x image_size (absolute
 * position embeddings), else EL_ERR_CONFIG. fixed_input = 0 (models that
 * interpolate their position embeddings, e.g. DINOv2): the model input is
 * what the processor makes (the crop, or the exact resize), which must not
 * depend on the image. An absent file means ViTImageProcessor's defaults
 * at image_size. */
el_status el_hf_preprocess_load(const char *dir, int channels, int image_size, int fixed_input, el_preprocess *pp);

#endif
