/* Shared by the Hugging Face decoder loaders: hf_text_load.c (the family
 * table, GPT-2, the Llama family, GPT-NeoX) and hf_gemma_bloom.c (Gemma
 * 1/2/3 configs, BLOOM). */
#ifndef EL_HF_TEXT_INTERNAL_H
#define EL_HF_TEXT_INTERNAL_H

#include <cjson/cJSON.h>

#include "weights/param_reader.h"
#include "weights/text_load_internal.h"

/* An activation name of transformers' ACT2FN; key names the config field. */
el_status el_hf_parse_act(const char *file, const char *key, const char *name, el_act *act);
/* A fused query_key_value whose rows (row bytes each) come per head as
 * [q | k | v] (GPT-NeoX, BLOOM: [H][3][hd] rows) regrouped in place into
 * every head's q, then k, then v, as the block wants them. */
void el_hf_regroup_qkv(el_param_reader *r, void *w, int H, int hd, size_t row);

/* Gemma 1/2/3 (their tensors are read by the Llama reader) and BLOOM. A
 * gemma3_text config may omit what Gemma3TextConfig defaults (the text_config
 * of Gemma 3's multimodal folders does). */
el_status el_hf_config_gemma(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                             int *tie);
/* Gemma 3's multimodal folder (model_type gemma3): its text_config, the
 * language model's tensors; the vision tower and projector are not read. */
el_status el_hf_config_gemma3(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                              int *tie);
int el_hf_gemma3_ignorable(const char *name);
el_status el_hf_config_bloom(const cJSON *cfg, const char *file, const char *type, el_text *m, el_text_extras *x,
                             int *tie);
el_status el_hf_read_bloom(el_param_reader *r, el_text *m, const el_text_extras *x);

#endif
