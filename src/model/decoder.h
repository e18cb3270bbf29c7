/* Decoder-only language model front end (GPT-2 family, Llama family,
 * llama2.c, GPT-NeoX): token embedding and learned positions (or RoPE in the
 * blocks), per-sequence KV caches, then the shared transformer
 * (model/transformer.h) with its lens. Knows nothing of files:
 * src/weights/text_load.c fills the struct. */
#ifndef EL_TEXT_MODEL_H
#define EL_TEXT_MODEL_H

#include <stddef.h>

#include "base/buffer.h"
#include "model/transformer.h"

typedef struct {
    int vocab, context;
    el_mat tok_emb;        /* [V][D] */
    const float *pos_emb;  /* [context][D] learned positions (GPT-2), or NULL */
    float emb_scale;       /* Gemma: embeddings times sqrt(D) rounded to the model's dtype; 0 = none */
    el_norm_weights emb_norm; /* BLOOM word_embeddings_layernorm (cfg.norm), w NULL = none */
    el_transformer tf;     /* blocks, final norm, unembedding (tok_emb when tied) */
    float *arena;
    void *mapping;         /* the checkpoint file(s) some weights point into */
    void (*mapping_free)(void *);
    size_t n_params;
} el_text;

/* Run k sequences through the model at once: sequence j's n_tok[j] tokens
 * at positions caches[j].len.., appended to its cache. The weight GEMMs see
 * all their rows together, so the weights are read once for all of them (a
 * batched prefill, or one decoding step with n_tok[j] = 1). rows_out is
 * [L][k][D]: the residual stream at each sequence's last token after each
 * block (layer-major, so the final layer's rows are the last k). 0, or -1
 * when out of memory or a cache is full. */
int el_text_forward(const el_text *m, el_kv_cache *caches, const int *const *tokens, const int *n_tok, int k,
                    float *rows_out, el_block_work *w);
void el_text_free(el_text *m);

#endif
