/* The BPE merge loop shared by every format, and HF's BPE model on one word.
 *
 * Rescanning all pairs after each merge (run.c, encoder.py) is quadratic in
 * the word length; SentencePiece-style models see a whole paragraph as one
 * word, so candidates live in a min-heap instead and stale ones are dropped
 * when popped. Ordering by (key, original position of the left symbol) picks
 * the same pair as the rescans: best key, leftmost on ties. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"

typedef struct {
    double key;
    int pos;
    int merged;
} cand;

static int cand_less(const cand *a, const cand *b) {
    if (a->key != b->key) return a->key < b->key;
    return a->pos < b->pos;
}

static void heap_push(cand *h, size_t *n, cand c) {
    size_t i = (*n)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!cand_less(&c, &h[parent])) break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = c;
}

static cand heap_pop(cand *h, size_t *n) {
    cand top = h[0], last = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const cand *best = &last;
        if (l < *n && cand_less(&h[l], best)) { m = l; best = &h[l]; }
        if (r < *n && cand_less(&h[r], best)) { m = r; best = &h[r]; }
        if (m == i) break;
        h[i] = h[m];
        i = m;
    }
    if (*n) h[i] = last;
    return top;
}

el_status el_tok_bpe(const el_tokenizer *t, int *ids, size_t *n_io, el_tok_pair_fn pair) {
    size_t n = *n_io;
    if (n < 2) return EL_OK;
    if (n > (size_t)INT32_MAX / 3) return el_fail(EL_ERR_LIMIT, "tokenizer: word too long (%zu symbols)", n);
    /* n - 1 initial pairs plus at most two new pairs per merge (< n merges). */
    size_t heap_cap = 3 * n;
    int *next = malloc(n * sizeof(int));
    int *prev = malloc(n * sizeof(int));
    cand *heap = malloc(heap_cap * sizeof(cand));
    if (!next || !prev || !heap) {
        free(next);
        free(prev);
        free(heap);
        return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory merging %zu symbols", n);
    }
    size_t hn = 0;
    for (size_t i = 0; i < n; i++) {
        prev[i] = (int)i - 1;
        next[i] = i + 1 < n ? (int)i + 1 : -1;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        cand c = {0, (int)i, -1};
        if (pair(t, ids[i], ids[i + 1], &c.key, &c.merged)) heap_push(heap, &hn, c);
    }
    while (hn) {
        cand c = heap_pop(heap, &hn);
        int p = c.pos, q = next[p];
        if (ids[p] < 0 || q < 0) continue;
        double key;
        int merged;
        /* Stale entry: one side has merged since, so the pair now differs. */
        if (!pair(t, ids[p], ids[q], &key, &merged) || merged != c.merged || key != c.key) continue;
        ids[p] = merged;
        ids[q] = -1;
        next[p] = next[q];
        if (next[q] >= 0) prev[next[q]] = p;
        cand nc;
        if (prev[p] >= 0 && pair(t, ids[prev[p]], merged, &nc.key, &nc.merged)) {
            nc.pos = prev[p];
            heap_push(heap, &hn, nc);
        }
        if (next[p] >= 0 && pair(t, merged, ids[next[p]], &nc.key, &nc.merged)) {
            nc.pos = p;
            heap_push(heap, &hn, nc);
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= 0) ids[w++] = ids[i];
    *n_io = w;
    free(next);
    free(prev);
    free(heap);
    return EL_OK;
}

int el_tok_pair_by_rank(const el_tokenizer *t, int left, int right, double *key, int *merged) {
    int rank;
    if (!el_tok_pairmap_get(&t->merges, left, right, &rank, merged)) return 0;
    *key = rank;
    return 1;
}

/* llama2.c's run.c and llama.cpp's SentencePiece tokenizer merge the pair
 * whose concatenation is the best-scoring vocab entry (leftmost on ties);
 * run.c's starting best (-1e10f) makes scores at or below it, and NaN, never
 * merge (no SentencePiece score comes near it). */
int el_tok_pair_by_score(const el_tokenizer *t, int left, int right, double *key, int *merged) {
    int id = el_tok_find2(t, t->piece[left], t->piece_len[left], t->piece[right], t->piece_len[right]);
    if (id < 0 || !(t->score[id] > -1e10f)) return 0;
    *key = -(double)t->score[id];
    *merged = id;
    return 1;
}

/* The vocab id of one char of a word as HF's BPE::merge_word looks it up:
 * with the continuing_subword_prefix unless first, the end_of_word_suffix
 * if last. The looked-up bytes are left in key (for byte fallback). */
static int char_id(const el_tokenizer *t, const char *c, size_t n, int first, int last, el_tok_buf *key,
                   el_status *st) {
    if (!t->prefix_len && !t->suffix_len) {
        key->n = 0;
        *st = el_tok_buf_add(key, c, n);
        return *st == EL_OK ? el_tok_find(t, c, n) : -1;
    }
    key->n = 0;
    *st = EL_OK;
    if (!first && t->prefix_len) *st = el_tok_buf_add(key, t->subword_prefix, t->prefix_len);
    if (*st == EL_OK) *st = el_tok_buf_add(key, c, n);
    if (*st == EL_OK && last && t->suffix_len) *st = el_tok_buf_add(key, t->word_suffix, t->suffix_len);
    return *st == EL_OK ? el_tok_find(t, key->p, key->n) : -1;
}

/* HF BPE::merge_word: one symbol per character; characters missing from the
 * vocab become their <0xXX> tokens (byte_fallback) or unk (consecutive ones
 * fused when fuse_unk; dropped when there is no unk token). */
static el_status word_symbols(const el_tokenizer *t, const char *w, size_t len, el_tok_ids *sym, el_tok_buf *key) {
    int pending_unk = 0; /* HF holds an unk back until the next known char */
    for (size_t i = 0; i < len;) {
        size_t adv;
        el_status st;
        el_tok_utf8_next(w, len, i, &adv);
        int id = char_id(t, w + i, adv, i == 0, i + adv == len, key, &st);
        EL_TRY(st);
        i += adv;
        if (id >= 0) {
            if (pending_unk) EL_TRY(el_tok_ids_push(sym, t->unk));
            pending_unk = 0;
            EL_TRY(el_tok_ids_push(sym, id));
            continue;
        }
        if (t->byte_fallback) { /* every byte of what was looked up, affixes included */
            int all = 1;
            for (size_t k = 0; k < key->n; k++) all &= t->byte_id[(unsigned char)key->p[k]] >= 0;
            if (all) {
                for (size_t k = 0; k < key->n; k++) EL_TRY(el_tok_ids_push(sym, t->byte_id[(unsigned char)key->p[k]]));
                continue;
            }
        }
        if (t->unk >= 0) {
            if (pending_unk && !t->fuse_unk) EL_TRY(el_tok_ids_push(sym, t->unk));
            pending_unk = 1;
        }
    }
    if (pending_unk) EL_TRY(el_tok_ids_push(sym, t->unk));
    return EL_OK;
}

el_status el_tok_hf_bpe_word(const el_tokenizer *t, const char *w, size_t len, el_tok_ids *out) {
    if (t->ignore_merges) { /* a word that is a token is taken whole */
        int id = el_tok_find(t, w, len);
        if (id >= 0) return el_tok_ids_push(out, id);
    }
    el_tok_ids sym = {0};
    el_tok_buf key = {0};
    el_status st = word_symbols(t, w, len, &sym, &key);
    if (st == EL_OK) st = el_tok_bpe(t, sym.v, &sym.n, t->merge_by_score ? el_tok_pair_by_score : el_tok_pair_by_rank);
    for (size_t i = 0; st == EL_OK && i < sym.n; i++) st = el_tok_ids_push(out, sym.v[i]);
    free(sym.v);
    free(key.p);
    return st;
}
