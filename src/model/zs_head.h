/* CLIP and SigLIP: the text tower and the zero-shot head the lens reads.
 * The class embeddings are the text tower's output for every class name in
 * every prompt template (each L2-normalised, averaged over the templates and
 * normalised again, as OpenAI's zero-shot notebook builds ImageNet
 * classifiers); the head is those embeddings times exp(logit_scale) (plus
 * logit_bias for SigLIP, whose sigmoid logits the lens normalises with a
 * softmax over the classes: the bias cancels in the entropy). */
#ifndef EL_ZS_HEAD_H
#define EL_ZS_HEAD_H

#include "entropy_lens.h"
#include "model/attn_pool.h"
#include "model/transformer.h"
#include "vit/vit.h"
#include "weights/vit_load.h"

typedef enum {
    EL_TEXT_POOL_EOS_ID,     /* CLIP: the first eos_token_id */
    EL_TEXT_POOL_EOS_ARGMAX, /* CLIP configs with eos_token_id 2 (before transformers 4.31): the highest id */
    EL_TEXT_POOL_LAST        /* SigLIP: the last position of the max_length-padded text */
} el_text_pool;

typedef struct {
    el_transformer tf;        /* the blocks (causal for CLIP); lens.norm_w/b: final_layer_norm */
    el_mat tok;               /* token_embedding [vocab][D] */
    const float *pos;         /* position_embedding [n_pos][D] */
    int vocab, n_pos;
    el_mat proj;              /* text_projection [P][D] (CLIP) or head (SigLIP) */
    const float *proj_b;      /* SigLIP's head bias, or NULL */
    el_text_pool pool;
    int eos_id, pad_id;
} el_zs_text;

typedef struct el_zs_towers {
    int siglip;
    el_zs_text text;
    el_attn_pool pool;        /* SigLIP's vision head */
    int proj_dim;             /* P: the joint embedding width */
    float logit_scale;        /* as stored (its log) */
    float logit_bias;         /* SigLIP, else 0 */
    float *class_emb;         /* [K][P] (owned) */
    float *head, *head_b;     /* [K][P] = class_emb * exp(logit_scale), [K] = logit_bias (owned) */
    int from_cache;           /* the class embeddings were read from the cache */
} el_zs_towers;

el_zs_towers *el_zs_towers_new(void);
void el_zs_towers_free(el_zs_towers *z);
const el_attn_pool *el_zs_attn_pool(const el_zs_towers *z);

/* out[n][P]: the L2-normalised text embedding of each id list. */
el_status el_zs_text_embed(const el_zs_text *t, int P, int *const *ids, const int *n_ids, int n, float *out);

typedef struct {
    const char *classes;   /* file of class names; NULL: the config's id2label, if it names classes */
    const char *templates; /* file of templates; NULL: "a photo of a {}." */
    const char *cache;     /* class-embedding cache (model/zeroshot.h), or NULL: none */
} el_zs_options;

/* Builds (or reads from the cache) the class embeddings of v's text tower
 * for the classes and templates, then sets the lens heads, n_classes and
 * the class names. dir: the model folder (tokenizer files, identity). */
el_status el_zs_head_build(el_vit *v, el_vit_meta *meta, const char *dir, const el_zs_options *o);

#endif
