/* Fill an el_vit from a model directory: Hugging Face ViT/DeiT
 * (config.json + preprocessor_config.json + safetensors) or timm
 * (config.json with pretrained_cfg + safetensors with timm names). */
#ifndef EL_VIT_LOAD_H
#define EL_VIT_LOAD_H

#include "entropy_lens.h"
#include "vit/vit.h"

typedef struct {
    char arch[96];
    char family[24];  /* vit, deit, deit-distilled */
    char layout[8];   /* hf, timm */
    char dtype[12];
    int n_shards;
    el_preprocess preprocess;
    char **class_names; /* n_classes strings */
} el_vit_meta;

el_status el_vit_load(const char *dir, el_vit *m, el_vit_meta *meta);
void el_vit_meta_free(el_vit_meta *meta, int n_classes);

#endif
