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

/* LLAMA2C: run.c's own encoder. BYTELEVEL and SPM are HF pipelines (any
 * tokenizer.json, GPT-2 files); the kind only says how a piece is shown on
 * its own (el_tokenizer_token_bytes): byte-level chars, or "▁"/<0xXX>. */
typedef enum { EL_TOK_LLAMA2C, EL_TOK_BYTELEVEL, EL_TOK_SPM } el_tok_kind;

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

/* A token HF cuts out of the text literally before the model sees it
 * (AddedToken): "normalized" ones are looked for in the normalised text, as
 * their own normalised content; the others in the raw text. */
typedef struct {
    int id;
    int special, normalized, lstrip, rstrip, single_word;
    char *pat; /* the bytes matched; set by el_tok_prepare_added */
    uint32_t len;
} el_tok_added;

/* Byte trie over added-token patterns: leftmost-longest matching as HF's
 * Aho-Corasick (MatchKind::LeftmostLongest) does. */
typedef struct {
    int32_t *child;   /* first child node, -1 */
    int32_t *sibling; /* next sibling node, -1 */
    uint8_t *byte;
    int32_t *token;   /* index into el_tokenizer.added ending here, -1 */
    int32_t root[256];
    int n, cap;
} el_tok_trie;

struct el_tok_pipeline; /* normalizer, pre-tokenizer, post-processor, decoder */

struct el_tokenizer {
    el_tok_kind kind;
    int n_vocab;
    char **piece;        /* as stored in the file, NUL-terminated; NULL = id unused */
    uint32_t *piece_len;
    char **text;         /* bytes the token decodes to, NUL-terminated; NULL = unused */
    uint32_t *text_len;
    float *score;        /* llama2.c and SentencePiece GGUF merge scores, else NULL */
    int merge_by_score;  /* the HF pipeline merges by score, not t->merges (GGUF "llama") */
    uint32_t max_piece_len;
    el_tok_strmap lookup;
    el_tok_pairmap merges;
    int bos, eos, unk;
    el_tok_added *added;
    int n_added;
    el_tok_trie trie[2]; /* [matched in normalised text] */
    uint8_t *special;    /* [id]: a special added token (HF skip_special_tokens) */
    int byte_id[256];    /* id of <0xXX> (byte fallback, llama2.c), -1 */
    int byte_fallback, fuse_unk, ignore_merges;
    char *subword_prefix, *word_suffix; /* BPE continuing_subword_prefix / end_of_word_suffix */
    uint32_t prefix_len, suffix_len;
    struct el_tok_pipeline *pipe; /* NULL for llama2.c */
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
/* Score-ordered: the pair whose concatenation has the highest t->score
 * (llama2.c, SentencePiece GGUF files). */
int el_tok_pair_by_score(const el_tokenizer *t, int left, int right, double *key, int *merged);

/* HF's BPE model on one pre-tokenised word (chars, byte fallback/unk, merges). */
el_status el_tok_hf_bpe_word(const el_tokenizer *t, const char *w, size_t len, el_tok_ids *out);
/* Id of the piece a followed by b (no concatenation buffer needed), or -1. */
int el_tok_find2(const el_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen);

/* Registers id as an added token with HF's AddedToken flags. */
el_status el_tok_add_added(el_tokenizer *t, const el_tok_added *a);
/* Builds the patterns (normalised ones through the pipeline's normalizer)
 * and the two tries; part of el_tok_finish. */
el_status el_tok_prepare_added(el_tokenizer *t);

/* A piece of text on its way through the pipeline: [off, off + len) of a
 * shared buffer; id >= 0 once an added token has claimed it; at_start when it
 * begins at offset 0 of the original text (Metaspace prepend_scheme "first"). */
typedef struct {
    size_t off, len;
    int id;
    int at_start;
} el_tok_span;
/* HF's PreTokenizedString, reduced to what the ids depend on. */
typedef struct {
    el_tok_buf buf;
    el_tok_span *v;
    size_t n, cap;
} el_tok_splits;
/* Appends a copy of s as a new span. */
el_status el_tok_splits_add(el_tok_splits *o, const char *s, size_t len, int id, int at_start);
/* Adds the bytes o->buf[off..] already written as a new span. */
el_status el_tok_splits_mark(el_tok_splits *o, size_t off, int id, int at_start);
/* Empties o, keeping its memory. */
void el_tok_splits_clear(el_tok_splits *o);
void el_tok_splits_free(el_tok_splits *o);

/* HF AddedVocabulary::find_matches over s (the raw text when normalized is
 * 0, a normalised piece when 1): the pieces of s in order, added tokens with
 * their id (lstrip/rstrip widen them, single_word ones need non-word
 * neighbours), the text between them with id -1. */
el_status el_tok_split_added(const el_tokenizer *t, int normalized, const char *s, size_t len,
                             int at_start, el_tok_splits *out);

/* The llama2.c encoder; appends to out. */
el_status el_tok_encode_llama2c(const el_tokenizer *t, const char *text, size_t len,
                                el_tok_ids *out);
/* The HF pipeline (added tokens, normalizer, pre-tokenizer, BPE); appends
 * the text's own ids to out (no post-processor). */
el_status el_tok_encode_pipeline(const el_tokenizer *t, const char *text, size_t len,
                                 el_tok_ids *out);

/* Tokenizer over a JSON vocab object {piece: id} plus HF added_tokens (array
 * or NULL; those are also matched literally in text). Checks ids, conflicts
 * and duplicate pieces; t->merges is left empty. */
struct cJSON;
el_status el_tok_vocab_from_json(const char *path, const struct cJSON *vocab,
                                 const struct cJSON *added, el_tok_kind kind, el_tokenizer **out);
/* Merge number rank: a + b -> the piece ab (b without the
 * continuing_subword_prefix); all three must be in the vocab. t->merges must
 * have been sized for every merge. */
el_status el_tok_add_merge(el_tokenizer *t, const char *path, int rank, const char *a, size_t alen,
                           const char *b, size_t blen);

/* GPT-2's bytes_to_unicode(): the printable codepoint standing for each byte. */
uint32_t el_tok_byte_to_unicode(unsigned b);
/* Appends each byte of s as its byte-level char. */
el_status el_tok_bytelevel_map(const char *s, size_t len, el_tok_buf *out);
/* Appends the bytes a byte-level token stands for: each char's byte, or the
 * token's own UTF-8 when a char is outside the map (added tokens). */
el_status el_tok_bytelevel_unmap(const char *s, size_t len, el_tok_buf *out);
/* Inverse of el_tok_byte_to_unicode, -1 for codepoints outside its image. */
int el_tok_unicode_to_byte(uint32_t cp);

#endif
