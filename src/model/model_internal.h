/* The opaque el_model: an image classifier (ViT/DeiT) or a language model,
 * with the buffers reused across calls. Shared by model.c (common and
 * vision) and model_text.c (generation). */
#ifndef EL_MODEL_INTERNAL_H
#define EL_MODEL_INTERNAL_H

#include "entropy_lens.h"
#include "model/lens.h"
#include "model/decoder.h"
#include "tokenizer/tokenizer.h"
#include "vit/vit.h"
#include "weights/text_load.h"
#include "weights/vit_load.h"

struct el_model {
    int is_text;
    el_model_info info;
    char name[256];
    el_lens lens;
    el_lens_work lens_work;
    el_lens_out *louts;
    size_t louts_cap;
    /* image models */
    el_vit vit;
    el_vit_meta meta;
    el_vit_work work;
    el_buf cls_rows, dist_rows, row_entropy, logits;
    /* text models */
    el_text text;
    el_text_meta tmeta;
    el_tokenizer *tok;
    el_block_work twork;
    el_buf trows, tlogits;
};

el_status el_model_load_text(el_model *m, const char *path, const el_model_params *params);
/* Prompt tokens per batched prefill pass (default 2048; tests set 1 so that
 * every prompt of a batch is prefilled in a pass of its own). */
void el_text_set_prefill_rows(int rows);
void el_model_free_text(el_model *m);
const char *el_model_token_name(const el_model *m, int id);

#endif
