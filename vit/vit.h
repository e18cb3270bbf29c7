/* Vision Transformer (ViT / DeiT) forward pass on a batch of images, with a
 * hook after the embeddings and after every block where the lens reads the
 * residual stream. Knows nothing of files: src/weights/vit_load.c fills the
 * struct from a checkpoint. */
#ifndef EL_VIT_H
#define EL_VIT_H

#include <stddef.h>

#include "base/buffer.h"

typedef struct {
    const float *ln1_w, *ln1_b;
    const float *qkv_w, *qkv_b;   /* [3D][D], [3D]: q, k, v stacked as timm stores them */
    const float *proj_w, *proj_b; /* [D][D] */
    const float *ln2_w, *ln2_b;
    const float *fc1_w, *fc1_b;   /* [M][D] */
    const float *fc2_w, *fc2_b;   /* [D][M] */
} el_vit_block;

typedef struct {
    int n_layers, dim, n_heads, mlp_dim;
    int image_size, patch_size, channels;
    int grid, n_patches, n_prefix, n_tokens; /* n_prefix: CLS (+ distillation) */
    int n_classes;
    float eps;
    int has_dist_token; /* DeiT: a distillation token after CLS (HF keeps it even without its head) */
    int distilled;      /* ...and a distillation head: logits = mean of both heads */
    const float *patch_w, *patch_b; /* [D][C*p*p] (conv weight flattened), [D] */
    const float *cls, *dist, *pos;  /* [D], [D] or NULL, [T][D] */
    el_vit_block *blocks;
    const float *norm_w, *norm_b;
    const float *head_w, *head_b;   /* [K][D] */
    const float *head2_w, *head2_b; /* distillation head or NULL */
    float *arena;
    void *mapping;                  /* the checkpoint file(s) some weights point into */
    void (*mapping_free)(void *);                   /* every parameter, one allocation */
    size_t n_params;
} el_vit;

typedef struct {
    el_buf x, h, qkv, attn, mlp, cols, scratch;
} el_vit_work;

/* Called with the residual stream x [B][T][D] after the embeddings (layer 0)
 * and after block l (layer l = 1..L). Returns non-zero to abort. */
typedef int (*el_vit_hook)(void *ctx, int layer, const float *x, int batch);

/* pixels: [B][C][H][W] planar floats. Returns 0, or -1 when out of memory
 * (or the hook's non-zero value). */
int el_vit_forward(const el_vit *m, const float *pixels, int batch, el_vit_work *work,
                   el_vit_hook hook, void *ctx);
void el_vit_work_free(el_vit_work *w);
void el_vit_free(el_vit *m);

#endif
