/* Text tokenizers for the language models: one opaque handle, three loaders.
 *
 *  - llama2.c tokenizer.bin (score-ordered merges, " " dummy prefix, byte
 *    fallback to ids byte + 3), exactly as karpathy/llama2.c run.c encodes;
 *  - GPT-2 byte-level BPE from vocab.json + merges.txt;
 *  - any Hugging Face tokenizer.json with a BPE model (GPT-2, Llama 2/3,
 *    Mistral, Qwen 2/2.5/3, Gemma 2/3, Phi, Pythia, CLIP, ...): the
 *    normalizer, pre-tokenizer, added tokens, post-processor and decoder as
 *    HF tokenizers runs them (regexes through Oniguruma, Unicode normal forms
 *    through utf8proc).
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

/* GPT-2's pre-tokenizer pattern (ByteLevel's built-in regex; also what
 * GGUF's tokenizer.ggml.pre "gpt-2"/"default" means). */
#define EL_TOK_GPT2_REGEX "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

/* The public part (load by path, encode, decode, pieces, free) is in
 * entropy_lens.h; el_bos_mode is its el_text_bos. */
typedef el_text_bos el_bos_mode;
#define EL_BOS_AUTO EL_TEXT_BOS_AUTO
#define EL_BOS_ALWAYS EL_TEXT_BOS_ALWAYS
#define EL_BOS_NEVER EL_TEXT_BOS_NEVER

/* llama2.c tokenizer.bin; vocab_size comes from the checkpoint header and must
 * match the number of tokens in the file exactly. */
el_status el_tokenizer_load_llama2c(const char *path, int vocab_size, el_tokenizer **out);
/* GPT-2 style vocab.json + merges.txt; "<|endoftext|>", if in the vocab, is
 * matched literally in text and is both BOS and EOS. */
el_status el_tokenizer_load_gpt2(const char *vocab_json, const char *merges_txt,
                                 el_tokenizer **out);
/* HF tokenizer.json with a BPE model. Supported components: normalizers
 * NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace, Prepend; pre-tokenizers
 * Split, ByteLevel, Metaspace, Digits, Punctuation, Whitespace,
 * WhitespaceSplit; post-processors TemplateProcessing, RobertaProcessing,
 * BertProcessing, ByteLevel; decoders ByteLevel, Metaspace, ByteFallback,
 * Fuse, Strip, Replace, BPEDecoder; Sequence of each. Any other component
 * is EL_ERR_UNSUPPORTED with its name in the message. */
el_status el_tokenizer_load_hf_json(const char *tokenizer_json, el_tokenizer **out);
/* The same from a parsed tokenizer.json (struct cJSON *); name is for messages
 * (GGUF files build one from their metadata). */
struct cJSON;
el_status el_tokenizer_from_hf_json(const char *name, const struct cJSON *root, el_tokenizer **out);
/* Makes such a tokenizer's BPE merge by score instead of its merges list:
 * the adjacent pair whose concatenation is the vocab entry of highest
 * scores[id] goes first, leftmost on ties (SentencePiece BPE as llama.cpp
 * runs GGUF "llama" vocabularies). scores: n float32 values, any alignment
 * (a GGUF array read in place); n must be the vocab size. */
el_status el_tokenizer_set_merge_scores(el_tokenizer *t, const void *scores, int n);



/* "auto", "always", "never" to the mode; -1 for anything else. */
int el_bos_mode_parse(const char *s);

/* NUL-terminated text; add_bos is EL_BOS_ALWAYS, else EL_BOS_NEVER. */
el_status el_tokenizer_encode(const el_tokenizer *t, const char *text, int add_bos, int **ids,
                              int *n_ids);
/* Ids to text, malloc'd and NUL-terminated. BOS and EOS produce no text (they
 * mark sequence ends, as in sentencepiece and llama2.c's generate loop). The
 * reference detokenisers apply: llama2.c drops the leading space of the piece
 * right after BOS; tokenizer.json files run their decoder (HF decode).
 * Byte-fallback and byte-level tokens yield raw bytes: a sequence cut
 * mid-character is not valid UTF-8 (where HF would write U+FFFD). */
el_status el_tokenizer_decode(const el_tokenizer *t, const int *ids, int n, char **text);
/* The bytes one token stands for on its own, for display of predictions
 * ("▁the" and "Ġthe" give " the", "<0x0A>" gives "\n"); no neighbour rules.
 * *bytes stays owned by the tokenizer and is NUL-terminated. */
el_status el_tokenizer_token_bytes(const el_tokenizer *t, int id, const char **bytes, size_t *len);

int el_tokenizer_bos(const el_tokenizer *t); /* -1 if none */
int el_tokenizer_eos(const el_tokenizer *t); /* -1 if none */
/* Override BOS/EOS (e.g. from a model's config.json); -1 means none. */
el_status el_tokenizer_set_bos_eos(el_tokenizer *t, int bos, int eos);

#endif
