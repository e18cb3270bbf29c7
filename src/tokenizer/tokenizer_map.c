/* Hash tables: piece -> id (encode looks up every candidate merge, so this
 * must be O(1), not a scan) and (left, right) -> merge rank. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"

#define FNV_START 1469598103934665603ull

static uint64_t fnv_add(uint64_t h, const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t hash_bytes(const char *s, size_t len) {
    uint64_t h = fnv_add(FNV_START, s, len);
    return h ^ (h >> 29);
}

static uint64_t hash_pair(uint64_t key) {
    key ^= key >> 33; /* murmur3 finaliser */
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ull;
    key ^= key >> 33;
    return key;
}

/* Power of two with load factor <= 1/2. */
static el_status table_size(size_t n, size_t *cap) {
    size_t c = 16;
    while (c < 2 * n) {
        if (c > SIZE_MAX / 4) return el_fail(EL_ERR_LIMIT, "tokenizer: table too large");
        c *= 2;
    }
    *cap = c;
    return EL_OK;
}

el_status el_tok_build_lookup(el_tokenizer *t, int *dup) {
    if (dup) *dup = -1;
    size_t cap = 0;
    EL_TRY(table_size((size_t)t->n_vocab, &cap));
    free(t->lookup.slot);
    t->lookup.slot = malloc(cap * sizeof(int32_t));
    if (!t->lookup.slot) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for lookup table");
    memset(t->lookup.slot, 0xff, cap * sizeof(int32_t));
    t->lookup.mask = cap - 1;
    for (int id = 0; id < t->n_vocab; id++) {
        if (!t->piece[id]) continue;
        size_t h = (size_t)hash_bytes(t->piece[id], t->piece_len[id]) & t->lookup.mask;
        for (;;) {
            int32_t other = t->lookup.slot[h];
            if (other < 0) {
                t->lookup.slot[h] = id;
                break;
            }
            if (t->piece_len[other] == t->piece_len[id] &&
                memcmp(t->piece[other], t->piece[id], t->piece_len[id]) == 0) {
                if (dup && *dup < 0) *dup = id;
                break; /* keep the lower id */
            }
            h = (h + 1) & t->lookup.mask;
        }
    }
    return EL_OK;
}

int el_tok_find(const el_tokenizer *t, const char *s, size_t len) {
    if (!t->lookup.slot) return -1;
    size_t h = (size_t)hash_bytes(s, len) & t->lookup.mask;
    for (;;) {
        int32_t id = t->lookup.slot[h];
        if (id < 0) return -1;
        if (t->piece_len[id] == len && memcmp(t->piece[id], s, len) == 0) return id;
        h = (h + 1) & t->lookup.mask;
    }
}

int el_tok_find2(const el_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen) {
    if (!t->lookup.slot) return -1;
    uint64_t hv = fnv_add(fnv_add(FNV_START, a, alen), b, blen);
    size_t h = (size_t)(hv ^ (hv >> 29)) & t->lookup.mask;
    for (;;) {
        int32_t id = t->lookup.slot[h];
        if (id < 0) return -1;
        const char *p = t->piece[id];
        if (t->piece_len[id] == alen + blen && memcmp(p, a, alen) == 0 &&
            memcmp(p + alen, b, blen) == 0)
            return id;
        h = (h + 1) & t->lookup.mask;
    }
}

el_status el_tok_pairmap_init(el_tok_pairmap *m, size_t n_entries) {
    size_t cap = 0;
    EL_TRY(table_size(n_entries, &cap));
    m->key = malloc(cap * sizeof(uint64_t));
    m->rank = malloc(cap * sizeof(int32_t));
    m->merged = malloc(cap * sizeof(int32_t));
    if (!m->key || !m->rank || !m->merged) {
        el_tok_pairmap_free(m);
        return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %zu merges", n_entries);
    }
    memset(m->key, 0xff, cap * sizeof(uint64_t));
    m->mask = cap - 1;
    return EL_OK;
}

static uint64_t pair_key(int left, int right) {
    return ((uint64_t)(uint32_t)left << 32) | (uint32_t)right;
}

void el_tok_pairmap_put(el_tok_pairmap *m, int left, int right, int rank, int merged) {
    uint64_t k = pair_key(left, right);
    size_t h = (size_t)hash_pair(k) & m->mask;
    while (m->key[h] != UINT64_MAX && m->key[h] != k) h = (h + 1) & m->mask;
    m->key[h] = k;
    m->rank[h] = rank;
    m->merged[h] = merged;
}

int el_tok_pairmap_get(const el_tok_pairmap *m, int left, int right, int *rank, int *merged) {
    if (!m->key) return 0;
    uint64_t k = pair_key(left, right);
    size_t h = (size_t)hash_pair(k) & m->mask;
    for (;;) {
        if (m->key[h] == UINT64_MAX) return 0;
        if (m->key[h] == k) {
            *rank = m->rank[h];
            *merged = m->merged[h];
            return 1;
        }
        h = (h + 1) & m->mask;
    }
}

void el_tok_pairmap_free(el_tok_pairmap *m) {
    free(m->key);
    free(m->rank);
    free(m->merged);
    memset(m, 0, sizeof *m);
}
