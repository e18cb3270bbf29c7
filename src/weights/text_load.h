/* Fill an el_text (and its tokenizer) from a llama2.c checkpoint file or a
 * Hugging Face GPT-2 / Llama-family folder. */
#ifndef EL_TEXT_LOAD_H
#define EL_TEXT_LOAD_H

#include "entropy_lens.h"
#include "model/decoder.h"
#include "tokenizer/tokenizer.h"

typedef struct {
    char arch[96];   /* GPT2LMHeadModel, LlamaForCausalLM, llama2.c, ... */
    char family[24]; /* gpt2, llama, llama2.c */
    char layout[12]; /* hf, llama2.c */
    char dtype[12];
    int n_shards;
    char no_tokenizer[512]; /* why there is no tokenizer ("" when there is one) */
} el_text_meta;

/* tokenizer_path: NULL to look beside the model. */
el_status el_text_load(const char *path, const char *tokenizer_path, el_text *m, el_text_meta *meta,
                       el_tokenizer **tok);
/* 1 if path looks like a text model (a llama2.c file, or a folder whose
 * config.json names a GPT-2 or Llama-family model). */
int el_text_is_text_model(const char *path);

#endif
