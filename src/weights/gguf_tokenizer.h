/* The tokenizer a GGUF file carries in its tokenizer.ggml.* metadata, as a
 * view into the mapping, for the tokenizer module to build from (the
 * tokenizer pipeline itself lives in src/tokenizer).
 *   model:      "gpt2" (byte-level BPE with merges) or "llama" (SentencePiece
 *               with scores; Llama 1/2, Gemma, Phi-3)
 *   tokens:     string array; merges: string array "a b" (BPE only);
 *   scores:     f32 array (SPM); token_type: i32 array (1 normal, 2 unknown,
 *               3 control, 4 user-defined, 5 unused, 6 byte)
 *   pre:        llama.cpp's pre-tokenizer name, mapped here to the regex the
 *               Hugging Face tokenizer.json of that family uses. */
#ifndef EL_GGUF_TOKENIZER_H
#define EL_GGUF_TOKENIZER_H

#include "tokenizer/tokenizer.h"
#include "weights/gguf.h"

typedef struct {
    char model[16];
    const el_gguf_kv *tokens, *merges, *scores, *token_type; /* NULL when absent */
    int64_t bos_id, eos_id, unk_id, pad_id;                 /* -1 when absent */
    int add_bos, add_eos;                                   /* -1 when unspecified */
    int add_space_prefix;   /* SentencePiece: "▁" before text at the start and after
                             * each special token; llama.cpp's default is 1 */
    char pre[32];           /* tokenizer.ggml.pre, "" when absent */
    const char *pre_regex;  /* NULL for SentencePiece models */
} el_gguf_tokenizer;

el_status el_gguf_read_tokenizer(const el_gguf *g, el_gguf_tokenizer *t);
/* The file's tokenizer through the tokenizer.json pipeline
 * (gguf_tokenizer_json.c): byte-level BPE with merges ("gpt2"), or
 * SentencePiece BPE merging by score ("llama"). */
el_status el_gguf_load_tokenizer(const el_gguf *g, el_tokenizer **out);
el_status el_gguf_load_tokenizer_path(const char *path, el_tokenizer **out);
/* The pre-tokenizer regex for a llama.cpp pre name, NULL when unknown. */
const char *el_gguf_pre_regex(const char *pre);

#endif
