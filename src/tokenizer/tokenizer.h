/* Text tokenizers for the language models: one opaque handle, three loaders.
 *
 *  - llama2.c tokenizer.bin (score-ordered merges, " " dummy prefix, byte
 *    fallback to ids byte + 3), exactly as karpathy/llama2.c run.c encodes;
 *  - GPT-2 byte-level BPE from vocab.json + merges.txt or tokenizer.json;
 *  - SentencePiece-style BPE from tokenizer.json (Llama 2 / Mistral: "▁" for
 *    spaces, <0xXX> byte fallback), as HF tokenizers encodes it.
 *
 * Every loader validates the whole file and fails with EL_ERR_FORMAT (message
 * names the file and what is wrong) rather than loading something that could
 * later index out of range; encode never returns an id outside the vocab.
 * A loaded tokenizer is read-only: concurrent encode/decode calls are safe.
 */
#ifndef EL_TEXT_TOKENIZER_H
#define EL_TEXT_TOKENIZER_H

#include <stddef.h>

#include "entropy_lens.h"

typedef struct el_tokenizer el_tokenizer;

/* llama2.c tokenizer.bin; vocab_size comes from the checkpoint header and must
 * match the number of tokens in the file exactly. */
el_status el_tokenizer_load_llama2c(const char *path, int vocab_size, el_tokenizer **out);
/* GPT-2 style vocab.json + merges.txt; "<|endoftext|>", if in the vocab, is
 * matched literally in text and is both BOS and EOS. */
el_status el_tokenizer_load_gpt2(const char *vocab_json, const char *merges_txt,
                                 el_tokenizer **out);
/* HF tokenizer.json with model BPE: byte-level (pre_tokenizer ByteLevel) or
 * SentencePiece-style (normalizer Prepend+Replace or pre_tokenizer Metaspace,
 * byte_fallback). Anything else is EL_ERR_UNSUPPORTED. */
el_status el_tokenizer_load_hf_json(const char *tokenizer_json, el_tokenizer **out);

/* Text (UTF-8, NUL-terminated, at most 16 MiB else EL_ERR_LIMIT) to ids,
 * malloc'd into *ids (free() it; may be NULL when *n_ids == 0). add_bos
 * prepends the BOS id when the tokenizer has one (llama2.c and Llama-style
 * HF files: <s>; GPT-2: <|endoftext|>). Malformed UTF-8 is encoded byte by
 * byte, never rejected. */
el_status el_tokenizer_encode(const el_tokenizer *t, const char *text, int add_bos, int **ids,
                              int *n_ids);
/* Ids to text, malloc'd and NUL-terminated. BOS and EOS produce no text (they
 * mark sequence ends, as in sentencepiece and llama2.c's generate loop). The
 * reference detokenisers' space handling applies: llama2.c drops the leading
 * space of the piece right after BOS; Llama-style HF files drop the leading
 * space their decoder strips. Byte-fallback and byte-level tokens yield raw
 * bytes: a sequence cut mid-character is not valid UTF-8 (no U+FFFD). */
el_status el_tokenizer_decode(const el_tokenizer *t, const int *ids, int n, char **text);
/* The bytes one token stands for on its own, for display of predictions
 * ("▁the" and "Ġthe" give " the", "<0x0A>" gives "\n"); no neighbour rules.
 * *bytes stays owned by the tokenizer and is NUL-terminated. */
el_status el_tokenizer_token_bytes(const el_tokenizer *t, int id, const char **bytes, size_t *len);

/* Vocab entry as stored in the file ("▁the", "Ġthe", "<0x0A>"); "" for an id
 * no entry uses, NULL when id is out of range. */
const char *el_tokenizer_piece(const el_tokenizer *t, int id);
int el_tokenizer_vocab_size(const el_tokenizer *t);
int el_tokenizer_bos(const el_tokenizer *t); /* -1 if none */
int el_tokenizer_eos(const el_tokenizer *t); /* -1 if none */
/* Override BOS/EOS (e.g. from a model's config.json); -1 means none. */
el_status el_tokenizer_set_bos_eos(el_tokenizer *t, int bos, int eos);
void el_tokenizer_free(el_tokenizer *t);

#endif
