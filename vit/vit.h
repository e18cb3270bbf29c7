/* Vision Transformer (ViT / DeiT) front end: patch embedding, class (and
 * distillation) tokens and learned positions, then the shared transformer
 * (src/model/transformer.h) with its lens. Knows nothing of files:
 * src/weights/vit_load.c fills the struct from a checkpoint. */
#ifndef EL_VIT_H
#define EL_VIT_H

#include <stddef.h>

#include "base/buffer.h"
#include "model/transformer.h"

typedef struct {
    int image_size, patch_size, channels;
    int grid, n_patches, n_prefix, n_tokens; /* n_prefix: CLS (+ distillation) */
    int n_classes;
    int has_dist_token; /* DeiT: a distillation token after CLS (HF keeps it even without its head) */
    int distilled;      /* ...and a distillation head: logits = mean of both heads (tf.lens.head2) */
    el_mat patch_w;                 /* [D][C*p*p] (conv weight flattened) */
    const float *patch_b;           /* [D] */
    const float *cls, *dist, *pos;  /* [D], [D] or NULL, [T][D] */
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
