/* Vision Transformer (ViT / DeiT) front end: patch embedding, class (and
 * distillation) tokens and learned positions, then the shared transformer
 * (src/model/transformer.h) with its lens. Knows nothing of files:
 * src/weights/vit_load.c fills the struct from a checkpoint. */
#ifndef EL_VIT_H
#define EL_VIT_H

#include <stddef.h>

#include "base/buffer.h"
#include "model/transformer.h"

/* Which rows the classification lens reads at every layer. */
typedef enum {
    EL_HEAD_CLS,     /* the class token (ViT, DeiT, CLIP) */
    EL_HEAD_MEAN,    /* the mean of the patch tokens, then the lens norm (BEiT use_mean_pooling) */
    EL_HEAD_CLS_MEAN, /* [norm(CLS) | mean of norm(patches)] through cls_lens (DINOv2) */
    EL_HEAD_ATTN_POOL /* the attention-pooling head over norm(every token), then cls_lens (SigLIP) */
} el_vit_head;

struct el_zs_towers; /* CLIP / SigLIP: text tower and zero-shot head (model/zs_head.h) */

typedef struct {
    int image_size, patch_size, channels;
    int grid, n_patches, n_prefix, n_tokens; /* n_prefix: CLS (+ distillation) */
    int n_classes;
    int has_dist_token; /* DeiT: a distillation token after CLS (HF keeps it even without its head) */
    int distilled;      /* ...and a distillation head: logits = mean of both heads (tf.lens.head2) */
    el_mat patch_w;                 /* [D][C*p*p] (conv weight flattened) */
    const float *patch_b;           /* [D] */
    const float *cls, *dist, *pos;  /* [D] or NULL, [D] or NULL, [(cls + dist + P)][D] or NULL:
                                     * positions of the class, distillation and patch tokens */
    int no_class_token;             /* SigLIP: patches only (n_prefix 0) */
    const float *pre_norm_w, *pre_norm_b; /* CLIP pre_layrnorm on the embeddings (layer 0 is after it), or NULL */
    int n_registers;                /* DINOv2 register tokens after the class token (no positions) */
    const float *registers;         /* [n_registers][D] */
    el_vit_head head;
    el_lens cls_lens;               /* EL_HEAD_CLS_MEAN: norm none, head [K][2D]; EL_HEAD_ATTN_POOL:
                                     * norm none, L2 normalised, the zero-shot head */
    struct el_zs_towers *zs;        /* CLIP / SigLIP, else NULL (owned) */
    el_transformer tf;              /* blocks, final norm, classifier head(s) */
    float *arena;                   /* every parameter, one allocation */
    void *mapping;                  /* the checkpoint file(s) some weights point into */
    void (*mapping_free)(void *);
    size_t n_params;
} el_vit;

/* pixels: [B][C][H][W] planar floats; work and cols (im2col patches) are
 * the caller's buffers. Returns 0, or -1 when out of memory. */
int el_vit_forward(const el_vit *m, const float *pixels, int batch, el_block_work *work, el_buf *cols,
                   const el_encoder_taps *taps);
void el_vit_free(el_vit *m);

#endif
