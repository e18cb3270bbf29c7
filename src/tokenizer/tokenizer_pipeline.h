/* The stages of a Hugging Face tokenizer.json, as tokenizers (Rust) defines
 * them: normalizer, pre-tokenizer, post-processor and decoder, each a list of
 * steps (a "Sequence" is flattened). Only what changes ids or decoded text is
 * kept (no offsets). Nothing outside src/tokenizer includes this. */
#ifndef EL_TOKENIZER_PIPELINE_H
#define EL_TOKENIZER_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "tokenizer/tokenizer_internal.h"

/* ------------------------------------------------------------ regex, patterns */

/* A compiled Oniguruma regex (Oniguruma syntax, UTF-8: the engine and settings HF
 * tokenizers uses). Searches are thread-safe; each needs its own region. */
typedef struct el_tok_regex el_tok_regex;
/* what names the file and field for the error message. */
el_status el_tok_regex_new(const char *what, const char *pat, size_t len, el_tok_regex **out);
void el_tok_regex_free(el_tok_regex *re);
/* Per-call search state (an OnigRegion); NULL on out of memory. */
void *el_tok_region_new(void);
void el_tok_region_free(void *region);
/* Leftmost match in s[start..len): 1 and [*ms, *me), 0 when none, or an
 * error status (negative) when the engine fails. */
int el_tok_regex_search(const el_tok_regex *re, const char *s, size_t len, size_t start, void *region,
                        size_t *ms, size_t *me);

/* Unicode character classes as Rust's char methods define them (utf8proc). */
int el_tok_is_whitespace(uint32_t cp); /* White_Space */
int el_tok_is_numeric(uint32_t cp);    /* general category N* */
int el_tok_is_punct(uint32_t cp);      /* ASCII punctuation or P* */
int el_tok_is_word(uint32_t cp);       /* regex \w: alphabetic, M*, Nd, Pc, joiners */

/* HF's Pattern: a regex, a literal string, or a per-char test (each char
 * that passes is one match of its own). */
typedef enum { EL_PAT_REGEX, EL_PAT_STRING, EL_PAT_CLASS, EL_PAT_CHAR } el_tok_pat_kind;
typedef struct {
    el_tok_pat_kind kind;
    el_tok_regex *re;
    char *str; /* EL_PAT_STRING */
    size_t len;
    int (*pred)(uint32_t cp); /* EL_PAT_CLASS */
    uint32_t cp;              /* EL_PAT_CHAR */
    int invert;               /* HF Invert(pattern): matches and gaps swap */
} el_tok_pattern;

typedef struct {
    size_t a, b;
    int match;
} el_tok_match;
typedef struct {
    el_tok_match *v;
    size_t n, cap;
} el_tok_matches;

/* Pattern::find_matches: consecutive pieces covering s, matches flagged. */
el_status el_tok_find_matches(const el_tok_pattern *p, const char *s, size_t len, void *region,
                              el_tok_matches *out);
/* s with every match of p replaced by with, appended to out (HF replace). */
el_status el_tok_replace(const el_tok_pattern *p, const char *with, size_t with_len, const char *s, size_t len,
                         void *region, el_tok_matches *m, el_tok_buf *out);
/* {"String": s} or {"Regex": r} from a tokenizer.json field. */
struct cJSON;
el_status el_tok_pattern_parse(const char *what, const struct cJSON *j, el_tok_pattern *p);
void el_tok_pattern_free(el_tok_pattern *p);

typedef enum {
    EL_SPLIT_REMOVED,
    EL_SPLIT_ISOLATED,
    EL_SPLIT_MERGED_PREV,
    EL_SPLIT_MERGED_NEXT,
    EL_SPLIT_CONTIGUOUS
} el_tok_behavior;
/* NormalizedString::split of s by p: the non-empty pieces appended to out;
 * the first keeps at_start when it begins at s. */
el_status el_tok_split(const el_tok_pattern *p, el_tok_behavior b, const char *s, size_t len, int at_start,
                       void *region, el_tok_matches *scratch, el_tok_splits *out);

/* ------------------------------------------------------------ normalizers */

typedef enum {
    EL_NORM_NFC,
    EL_NORM_NFD,
    EL_NORM_NFKC,
    EL_NORM_NFKD,
    EL_NORM_LOWERCASE,
    EL_NORM_STRIP,
    EL_NORM_REPLACE,
    EL_NORM_PREPEND
} el_tok_norm_kind;
typedef struct {
    el_tok_norm_kind kind;
    el_tok_pattern pat; /* Replace */
    char *str;          /* Replace content, Prepend text */
    size_t len;
    int left, right;    /* Strip */
} el_tok_norm;

/* Unicode normal form of s (utf8proc) appended to out; malformed UTF-8
 * bytes pass through unchanged. */
el_status el_tok_unicode_normalize(el_tok_norm_kind form, const char *s, size_t len, el_tok_buf *out);
/* Rust's char::to_lowercase over s, appended to out. */
el_status el_tok_unicode_lower(const char *s, size_t len, el_tok_buf *out);

/* ------------------------------------------------------------ pre-tokenizers */

typedef enum {
    EL_PRE_SPLIT,
    EL_PRE_BYTELEVEL,
    EL_PRE_METASPACE,
    EL_PRE_DIGITS,
    EL_PRE_PUNCTUATION,
    EL_PRE_WHITESPACE,
    EL_PRE_WHITESPACE_SPLIT
} el_tok_pre_kind;
typedef enum { EL_PREPEND_ALWAYS, EL_PREPEND_FIRST, EL_PREPEND_NEVER } el_tok_prepend;
typedef struct {
    el_tok_pre_kind kind;
    el_tok_pattern pat;       /* Split, ByteLevel's regex (use_regex), Digits, ... */
    int has_pat;
    el_tok_behavior behavior;
    int add_prefix_space;     /* ByteLevel */
    char rep[8];              /* Metaspace replacement, UTF-8 */
    size_t rep_len;
    el_tok_prepend prepend;   /* Metaspace */
    int split;                /* Metaspace */
} el_tok_pre;

/* ------------------------------------------------------------ decoders */

typedef enum {
    EL_DEC_BYTELEVEL,
    EL_DEC_METASPACE,
    EL_DEC_BYTEFALLBACK,
    EL_DEC_FUSE,
    EL_DEC_STRIP,
    EL_DEC_REPLACE,
    EL_DEC_BPE
} el_tok_dec_kind;
typedef struct {
    el_tok_dec_kind kind;
    el_tok_pattern pat; /* Replace */
    char *str;          /* Replace content, BPE suffix */
    size_t len;
    char rep[8];        /* Metaspace replacement; Strip content */
    size_t rep_len;
    el_tok_prepend prepend;
    int start, stop;    /* Strip */
} el_tok_dec;

/* ------------------------------------------------------------ the pipeline */

struct el_tok_pipeline {
    el_tok_norm *norm;
    int n_norm;
    el_tok_pre *pre;
    int n_pre;
    el_tok_dec *dec;
    int n_dec;
    int *post_before, *post_after; /* ids the post-processor puts around the text */
    int n_before, n_after;
};
typedef struct el_tok_pipeline el_tok_pipeline;

/* Calls one() on the component j, or on each component of a (nested)
 * Sequence whose list is under list_key; nothing for null or absent. */
typedef el_status (*el_tok_step_fn)(const char *path, const struct cJSON *j, void *ctx);
el_status el_tok_each_step(const char *path, const struct cJSON *j, const char *stage, const char *list_key,
                           el_tok_step_fn one, void *ctx);
/* Appends a copy of item (size bytes) to the array *list of *n steps. */
el_status el_tok_append_step(const char *path, const char *stage, void *list, int *n, size_t size, const void *item);

/* Parsing, each from the tokenizer.json field (NULL/null = no stage);
 * unknown component types are refused by name (EL_ERR_UNSUPPORTED). */
el_status el_tok_parse_normalizer(const char *path, const struct cJSON *j, el_tok_pipeline *p);
el_status el_tok_parse_pre_tokenizer(const char *path, const struct cJSON *j, el_tok_pipeline *p);
el_status el_tok_parse_decoder(const char *path, const struct cJSON *j, el_tok_pipeline *p);
el_status el_tok_parse_post_processor(const char *path, const struct cJSON *j, const el_tokenizer *t,
                                      el_tok_pipeline *p);
void el_tok_pipeline_free(el_tok_pipeline *p);
/* GPT-2's own pipeline (what HF converts vocab.json + merges.txt to):
 * ByteLevel pre-tokenizer with its regex and no prefix space, ByteLevel
 * decoder. */
el_status el_tok_pipeline_gpt2(el_tok_pipeline **out);

/* Scratch space of one encode call. */
typedef struct {
    void *region;
    el_tok_matches matches;
    el_tok_splits a, b;
    el_tok_buf nbuf;
} el_tok_scratch;

/* Zeroed, with its search region; EL_ERR_NOMEM if that cannot be had. */
el_status el_tok_scratch_init(el_tok_scratch *sc);
void el_tok_scratch_free(el_tok_scratch *sc);

/* The normalizer over s; the result is out->p[0..out->n). */
el_status el_tok_normalize(const el_tok_pipeline *p, const char *s, size_t len, el_tok_scratch *sc,
                           el_tok_buf *out);
/* The pre-tokenizer over one piece: the words, in sc->a. */
el_status el_tok_pre_tokenize(const el_tok_pipeline *p, const char *s, size_t len, int at_start,
                              el_tok_scratch *sc);
/* The decoder chain over the tokens' pieces, given in sc->a; the text is
 * appended to out. */
el_status el_tok_decode_pieces(const el_tok_pipeline *p, el_tok_scratch *sc, el_tok_buf *out);
/* Metaspace "replacement" (one char) and "prepend_scheme" (or the older
 * add_prefix_space), for the pre-tokenizer and the decoder. */
el_status el_tok_parse_metaspace(const char *path, const struct cJSON *j, char rep[8], size_t *rep_len,
                                 el_tok_prepend *prepend);

#endif
