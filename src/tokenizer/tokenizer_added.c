/* Added tokens (<|endoftext|>, <s>, <think>, ...): HF's AddedVocabulary cuts
 * them out of the text before the model sees it, leftmost-longest, the
 * non-normalized ones from the raw text, then the normalized ones (as their
 * own normalised content) from each normalised piece in between. lstrip and
 * rstrip swallow the whitespace beside a match; a single_word token only
 * counts with no word character on either side. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_pipeline.h"

el_status el_tok_add_added(el_tokenizer *t, const el_tok_added *add) {
    el_tok_added *a = realloc(t->added, ((size_t)t->n_added + 1) * sizeof *a);
    if (!a) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for added tokens");
    t->added = a;
    a[t->n_added] = *add;
    a[t->n_added].pat = NULL;
    a[t->n_added].len = 0;
    t->n_added++;
    return EL_OK;
}

static el_status trie_node(el_tok_trie *tr, uint8_t byte, int32_t *out) {
    if (tr->n == tr->cap) {
        int cap = tr->cap ? 2 * tr->cap : 256;
        int32_t *c = realloc(tr->child, (size_t)cap * sizeof *c);
        if (c) tr->child = c;
        int32_t *s = realloc(tr->sibling, (size_t)cap * sizeof *s);
        if (s) tr->sibling = s;
        uint8_t *b = realloc(tr->byte, (size_t)cap);
        if (b) tr->byte = b;
        int32_t *k = realloc(tr->token, (size_t)cap * sizeof *k);
        if (k) tr->token = k;
        if (!c || !s || !b || !k) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for added tokens");
        tr->cap = cap;
    }
    int32_t n = tr->n++;
    tr->child[n] = tr->sibling[n] = tr->token[n] = -1;
    tr->byte[n] = byte;
    *out = n;
    return EL_OK;
}

/* Child of node (or of the root when node < 0) for byte, -1 if none. */
static int32_t trie_step(const el_tok_trie *tr, int32_t node, uint8_t byte) {
    if (node < 0) return tr->root[byte];
    for (int32_t c = tr->child[node]; c >= 0; c = tr->sibling[c])
        if (tr->byte[c] == byte) return c;
    return -1;
}

static el_status trie_insert(el_tok_trie *tr, const char *pat, size_t len, int32_t token) {
    int32_t node = -1;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = (uint8_t)pat[i];
        int32_t next = trie_step(tr, node, b);
        if (next < 0) {
            EL_TRY(trie_node(tr, b, &next));
            if (node < 0) {
                tr->root[b] = next;
            } else {
                tr->sibling[next] = tr->child[node];
                tr->child[node] = next;
            }
        }
        node = next;
    }
    if (node >= 0 && tr->token[node] < 0) tr->token[node] = token; /* the first of equal patterns wins */
    return EL_OK;
}

el_status el_tok_prepare_added(el_tokenizer *t) {
    for (int k = 0; k < 2; k++)
        for (int b = 0; b < 256; b++) t->trie[k].root[b] = -1;
    el_tok_scratch sc;
    el_status st = el_tok_scratch_init(&sc);
    for (int k = 0; k < t->n_added && st == EL_OK; k++) {
        el_tok_added *a = &t->added[k];
        const char *p = t->piece[a->id];
        size_t n = t->piece_len[a->id];
        el_tok_buf b = {0};
        if (a->normalized && t->pipe && t->pipe->n_norm) {
            st = el_tok_normalize(t->pipe, p, n, &sc, &b); /* "<s>" may be looked for as "▁<s>" */
        } else {
            st = el_tok_buf_add(&b, p, n);
        }
        if (st == EL_OK && !b.p) st = el_tok_buf_add(&b, "", 0);
        a->pat = b.p;
        a->len = (uint32_t)b.n;
        if (st == EL_OK && a->len) st = trie_insert(&t->trie[a->normalized ? 1 : 0], a->pat, a->len, k);
    }
    el_tok_scratch_free(&sc);
    return st;
}

/* Leftmost-longest: the first position where any pattern starts, the
 * longest one there. Returns the added index or -1; [*ms, *me). */
static int find_next(const el_tok_trie *tr, const char *s, size_t len, size_t from, size_t *ms, size_t *me) {
    for (size_t i = from; i < len; i++) {
        int32_t node = tr->root[(uint8_t)s[i]];
        if (node < 0) continue;
        int best = -1;
        for (size_t j = i + 1;; j++) {
            if (tr->token[node] >= 0) {
                best = tr->token[node];
                *me = j;
            }
            if (j >= len || (node = trie_step(tr, node, (uint8_t)s[j])) < 0) break;
        }
        if (best >= 0) {
            *ms = i;
            return best;
        }
    }
    return -1;
}

/* The char ending just before s[end] (a stray byte counts as itself). */
static uint32_t char_before(const char *s, size_t end, size_t *start) {
    size_t k = end - 1;
    while (k > 0 && end - k < 4 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    size_t adv;
    uint32_t cp = el_tok_utf8_next(s, end, k, &adv);
    if (k + adv != end) k = end - 1, cp = 0xFFFD;
    *start = k;
    return cp;
}

static int word_before(const char *s, size_t at) {
    size_t k;
    return at > 0 && el_tok_is_word(char_before(s, at, &k));
}

static int word_after(const char *s, size_t len, size_t at) {
    size_t adv;
    return at < len && el_tok_is_word(el_tok_utf8_next(s, len, at, &adv));
}

el_status el_tok_split_added(const el_tokenizer *t, int normalized, const char *s, size_t len, int at_start,
                             el_tok_splits *out) {
    const el_tok_trie *tr = &t->trie[normalized ? 1 : 0];
    size_t done = 0, pos = 0, ms = 0, me = 0;
    int k;
    while (tr->n && (k = find_next(tr, s, len, pos, &ms, &me)) >= 0) {
        const el_tok_added *a = &t->added[k];
        pos = me;
        if (a->single_word && (word_before(s, ms) || word_after(s, len, me))) continue;
        size_t start = ms, stop = me, cs;
        while (a->lstrip && start > done && el_tok_is_whitespace(char_before(s, start, &cs))) start = cs;
        while (a->rstrip && stop < len) {
            size_t adv;
            uint32_t cp = el_tok_utf8_next(s, len, stop, &adv);
            if (!el_tok_is_whitespace(cp) || (cp == 0xFFFD && adv == 1)) break;
            stop += adv;
        }
        if (start > done) EL_TRY(el_tok_splits_add(out, s + done, start - done, -1, at_start && done == 0));
        EL_TRY(el_tok_splits_add(out, s + start, stop - start, a->id, at_start && start == 0));
        done = pos = stop;
    }
    if (len > done) EL_TRY(el_tok_splits_add(out, s + done, len - done, -1, at_start && done == 0));
    return EL_OK;
}
