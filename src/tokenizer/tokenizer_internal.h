/* Shared internals of the tokenizer implementation (src/text/tokenizer_*.c).
 * Nothing outside src/text includes this. */
#ifndef EL_TEXT_TOKENIZER_INTERNAL_H
#define EL_TEXT_TOKENIZER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer/tokenizer.h"

/* Safety limits: the largest real tokenizer files are tens of MB with a few
 * hundred thousand entries, so anything beyond these is treated as hostile.
 * The text limit is far past any model's context and keeps the merge heap
 * of a one-word SentencePiece text under 1 GB. */
#define EL_TOK_MAX_VOCAB (1 << 22)
#define EL_TOK_MAX_PIECE (1 << 16)
#define EL_TOK_MAX_TEXT ((size_t)16 << 20)

typedef enum { EL_TOK_LLAMA2C, EL_TOK_BYTELEVEL, EL_TOK_SPM } el_tok_kind;

/* How SentencePiece-style text gets its leading "▁". */
typedef enum {
    EL_SPM_PREPEND_NONE,         /* Metaspace prepend_scheme "never" */
    EL_SPM_PREPEND_ALWAYS,       /* normalizer Prepend: every non-empty segment */
    EL_SPM_PREPEND_META_ALWAYS,  /* Metaspace "always": unless it already starts with ▁ */
    EL_SPM_PREPEND_META_FIRST    /* Metaspace "first": same, first segment of the text only */
} el_spm_prepend;

/* Which leading space the decoder removes. */
typedef enum {
    EL_STRIP_NONE,
    EL_STRIP_FUSED,      /* Strip decoder: up to strip_count ' ' off the joined text */
    EL_STRIP_FIRST_PIECE /* Metaspace decoder: the ▁ starting the first token */
} el_strip_mode;

/* Open addressing, piece bytes -> id; slots hold ids and keys are the pieces. */
typedef struct {
    int32_t *slot; /* -1 = empty */
    size_t mask;
} el_tok_strmap;

/* Open addressing, (left id, right id) -> (rank, merged id). */
typedef struct {
    uint64_t *key; /* UINT64_MAX = empty */
    int32_t *rank;
    int32_t *merged;
    size_t mask;
} el_tok_pairmap;

/* A token HF cuts out of the text literally before the model sees it. Under
 * a ▁ normalizer, "normalized" ones are matched in the normalised text,
 * as their own normalised content (HF's split_normalized_trie). */
typedef struct {
    int id;
    int normalized;
    char *pat; /* the bytes matched; set by el_tok_finish */
    uint32_t len;
} el_tok_added;

struct el_tokenizer {
    el_tok_kind kind;
    int n_vocab;
    char **piece;        /* as stored in the file, NUL-terminated; NULL = id unused */
    uint32_t *piece_len;
    char **text;         /* bytes the token decodes to, NUL-terminated; NULL = unused */
    uint32_t *text_len;
    float *score;        /* llama2.c merge scores, else NULL */
    uint32_t max_piece_len;
    el_tok_strmap lookup;
    el_tok_pairmap merges;
    int bos, eos, unk;
    el_tok_added *added; /* longest pattern first once finished */
    int n_added;
    int added_norm_split; /* normalized added tokens match after the ▁ normalizer */
    uint8_t added_first[2][256]; /* [matched in normalised text][first byte] */
    int byte_id[256];    /* SentencePiece: id of <0xXX>; byte-level: id of the byte's char; -1 */
    int byte_fallback, fuse_unk;
    int add_prefix_space; /* byte-level */
    el_spm_prepend spm_prepend;
    int spm_split;        /* Metaspace split: each ▁ starts a new word */
    el_strip_mode strip_mode;
    int strip_count;
};

/* Growable id list. */
typedef struct {
    int *v;
    size_t n, cap;
} el_tok_ids;
el_status el_tok_ids_push(el_tok_ids *a, int id);

/* Growable byte string, always NUL-terminated once non-empty. */
typedef struct {
    char *p;
    size_t n, cap;
} el_tok_buf;
el_status el_tok_buf_add(el_tok_buf *b, const char *s, size_t n);

/* Decodes the UTF-8 sequence at s[i] (i < len) and sets *adv to its length.
 * Malformed or truncated sequences decode as one byte, returning 0xFFFD. */
uint32_t el_tok_utf8_next(const char *s, size_t len, size_t i, size_t *adv);
/* Encodes cp (<= 0x10FFFF) into out; returns the length 1..4. */
int el_tok_utf8_put(uint32_t cp, char out[4]);
/* "<0xXX>" (hex of either case, as the reference decoders accept): the byte, else -1. */
int el_tok_parse_byte_piece(const char *s, size_t len);

/* Allocation of a tokenizer with n_vocab empty slots; free with el_tokenizer_free. */
el_status el_tok_new(el_tok_kind kind, int n_vocab, el_tokenizer **out);
/* Stores a copy of the piece for id (which must be unused). */
el_status el_tok_set_piece(el_tokenizer *t, int id, const char *s, size_t len);
/* Hash table over every stored piece. On duplicate pieces the lowest id wins
 * and, if dup is non-NULL, *dup receives the first duplicated id (else -1). */
el_status el_tok_build_lookup(el_tokenizer *t, int *dup);
/* Id of the piece with these bytes, or -1. */
int el_tok_find(const el_tokenizer *t, const char *s, size_t len);
/* Fills t->text, t->byte_id and the added-token patterns; call once pieces
 * and options are final. */
el_status el_tok_finish(el_tokenizer *t);

el_status el_tok_pairmap_init(el_tok_pairmap *m, size_t n_entries);
/* A later entry for the same pair replaces the earlier (as dict() and HF do). */
void el_tok_pairmap_put(el_tok_pairmap *m, int left, int right, int rank, int merged);
int el_tok_pairmap_get(const el_tok_pairmap *m, int left, int right, int *rank, int *merged);
void el_tok_pairmap_free(el_tok_pairmap *m);

/* BPE merge loop over ids[0..*n): repeatedly merges the adjacent pair with the
 * smallest key, leftmost on ties, until no pair merges. pair() returns 1 and
 * sets key/merged when (left, right) can merge. Runs in O(n log n). */
typedef int (*el_tok_pair_fn)(const el_tokenizer *t, int left, int right, double *key,
                              int *merged);
el_status el_tok_bpe(const el_tokenizer *t, int *ids, size_t *n, el_tok_pair_fn pair);
/* Rank-ordered pair function over t->merges (GPT-2 and HF BPE). */
int el_tok_pair_by_rank(const el_tokenizer *t, int left, int right, double *key, int *merged);

/* HF's BPE model on one pre-tokenised word (chars, byte fallback/unk, merges). */
el_status el_tok_hf_bpe_word(const el_tokenizer *t, const char *w, size_t len, el_tok_ids *out);
/* Id of the piece a followed by b (no concatenation buffer needed), or -1. */
int el_tok_find2(const el_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen);

/* GPT-2's pre-tokenisation regex: end of the pre-token starting at s[i]. */
size_t el_tok_gpt2_pretoken(const char *s, size_t len, size_t i);
/* Registers id as an added token (HF "normalized" flag as given). */
el_status el_tok_add_added(el_tokenizer *t, int id, int normalized);
/* Builds patterns, sorts longest first; part of el_tok_finish. */
el_status el_tok_prepare_added(el_tokenizer *t);
/* Longest added token of the given kind (matched in raw text: 0, in
 * normalised text: 1) whose pattern starts at s[i]: its id, length in
 * *mlen; or -1. */
int el_tok_match_added(const el_tokenizer *t, const char *s, size_t len, size_t i, int in_normalized,
                       size_t *mlen);
/* The ▁ normalisation of a SentencePiece-style segment (Prepend/Metaspace
 * prefix rules, spaces to ▁), malloc'd into *out. */
el_status el_tok_spm_normalize(const el_tokenizer *t, const char *seg, size_t len, int first,
                               char **out, size_t *out_len);

/* Per-kind encoders; append to out. */
el_status el_tok_encode_llama2c(const el_tokenizer *t, const char *text, size_t len,
                                el_tok_ids *out);
el_status el_tok_encode_bytelevel(const el_tokenizer *t, const char *seg, size_t len,
                                  el_tok_ids *out);
el_status el_tok_encode_spm(const el_tokenizer *t, const char *seg, size_t len, int first,
                            el_tok_ids *out);

/* Tokenizer over a JSON vocab object {piece: id} plus HF added_tokens (array
 * or NULL; those are also matched literally in text). Checks ids, conflicts
 * and duplicate pieces; t->merges is left empty. */
struct cJSON;
el_status el_tok_vocab_from_json(const char *path, const struct cJSON *vocab,
                                 const struct cJSON *added, el_tok_kind kind, el_tokenizer **out);
/* Merge number rank: a + b -> the piece ab; all three must be in the vocab.
 * t->merges must have been sized for every merge. */
el_status el_tok_add_merge(el_tokenizer *t, const char *path, int rank, const char *a, size_t alen,
                           const char *b, size_t blen);

/* GPT-2's bytes_to_unicode(): the printable codepoint standing for each byte. */
uint32_t el_tok_byte_to_unicode(unsigned b);
/* Inverse of el_tok_byte_to_unicode, -1 for codepoints outside its image. */
int el_tok_unicode_to_byte(uint32_t cp);

#endif
