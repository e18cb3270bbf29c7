/* HF's Pattern::find_matches and NormalizedString::split: how a regex, a
 * literal or a character class cuts a piece of text, and how the pieces are
 * kept (SplitDelimiterBehavior). Used by the Split, Digits, Punctuation,
 * Whitespace, WhitespaceSplit, Metaspace and ByteLevel pre-tokenizers and the
 * Replace normalizer and decoder. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/buffer.h"
#include "base/status.h"
#include "tokenizer/tokenizer_pipeline.h"

el_status el_tok_splits_mark(el_tok_splits *o, size_t off, int id, int at_start) {
    if (el_grow(&o->v, &o->cap, o->n, sizeof *o->v, 64))
        return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %zu pieces", o->n + 1);
    o->v[o->n++] = (el_tok_span){off, o->buf.n - off, id, at_start};
    return EL_OK;
}

el_status el_tok_splits_add(el_tok_splits *o, const char *s, size_t len, int id, int at_start) {
    size_t off = o->buf.n;
    EL_TRY(el_tok_buf_add(&o->buf, s, len));
    return el_tok_splits_mark(o, off, id, at_start);
}

void el_tok_splits_clear(el_tok_splits *o) {
    o->n = 0;
    o->buf.n = 0;
    if (o->buf.p) o->buf.p[0] = '\0';
}

void el_tok_splits_free(el_tok_splits *o) {
    free(o->v);
    free(o->buf.p);
    memset(o, 0, sizeof *o);
}

static el_status push_match(el_tok_matches *m, size_t a, size_t b, int match) {
    if (el_grow(&m->v, &m->cap, m->n, sizeof *m->v, 64))
        return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory for %zu matches", m->n + 1);
    m->v[m->n++] = (el_tok_match){a, b, match};
    return EL_OK;
}

/* A found match [ms, me) after the previous one ended at *prev. */
static el_status add_found(el_tok_matches *m, size_t *prev, size_t ms, size_t me) {
    if (ms > *prev) EL_TRY(push_match(m, *prev, ms, 0));
    EL_TRY(push_match(m, ms, me, 1));
    *prev = me;
    return EL_OK;
}

static el_status regex_matches(const el_tok_pattern *p, const char *s, size_t len, void *region,
                               el_tok_matches *m) {
    size_t prev = 0, pos = 0;
    while (pos <= len) {
        size_t ms, me;
        int rc = el_tok_regex_search(p->re, s, len, pos, region, &ms, &me);
        if (rc < 0) return (el_status)rc;
        if (rc == 0) break;
        if (me == ms) { /* an empty match cuts nothing: step over one char */
            size_t adv = 1;
            if (ms < len) el_tok_utf8_next(s, len, ms, &adv);
            pos = ms + adv;
            continue;
        }
        EL_TRY(add_found(m, &prev, ms, me));
        pos = me;
    }
    if (prev < len) EL_TRY(push_match(m, prev, len, 0));
    return EL_OK;
}

/* First occurrence of p in s (memmem is a GNU extension). */
static const char *find_bytes(const char *s, size_t len, const char *p, size_t n) {
    for (const char *end = s + len; (size_t)(end - s) >= n;) {
        const char *c = memchr(s, p[0], (size_t)(end - s) - n + 1);
        if (!c) return NULL;
        if (memcmp(c, p, n) == 0) return c;
        s = c + 1;
    }
    return NULL;
}

static el_status string_matches(const el_tok_pattern *p, const char *s, size_t len, el_tok_matches *m) {
    size_t prev = 0;
    if (p->len == 0) return push_match(m, 0, len, 0); /* an empty literal never matches */
    for (size_t pos = 0; pos + p->len <= len;) {
        const char *hit = find_bytes(s + pos, len - pos, p->str, p->len);
        if (!hit) break;
        size_t ms = (size_t)(hit - s);
        EL_TRY(add_found(m, &prev, ms, ms + p->len));
        pos = ms + p->len;
    }
    if (prev < len) EL_TRY(push_match(m, prev, len, 0));
    return EL_OK;
}

/* Every char passing the test is a match of its own. */
static el_status char_matches(const el_tok_pattern *p, const char *s, size_t len, el_tok_matches *m) {
    size_t prev = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = el_tok_utf8_next(s, len, i, &adv);
        int bad = cp == 0xFFFD && adv == 1; /* a malformed byte is no class member */
        int hit = !bad && (p->kind == EL_PAT_CHAR ? cp == p->cp : p->pred(cp));
        if (hit) EL_TRY(add_found(m, &prev, i, i + adv));
        i += adv;
    }
    if (prev < len) EL_TRY(push_match(m, prev, len, 0));
    return EL_OK;
}

el_status el_tok_find_matches(const el_tok_pattern *p, const char *s, size_t len, void *region,
                              el_tok_matches *m) {
    m->n = 0;
    if (len == 0) return push_match(m, 0, 0, 0);
    el_status st;
    if (p->kind == EL_PAT_REGEX) st = regex_matches(p, s, len, region, m);
    else if (p->kind == EL_PAT_STRING) st = string_matches(p, s, len, m);
    else st = char_matches(p, s, len, m);
    if (st == EL_OK && p->invert)
        for (size_t i = 0; i < m->n; i++) m->v[i].match = !m->v[i].match;
    return st;
}

/* The behaviours fold the matches into kept ranges, in place: m->v[0..k). */
static size_t fold(el_tok_matches *m, el_tok_behavior b) {
    size_t k = 0;
    int prev_match = 0;
    if (b == EL_SPLIT_MERGED_NEXT) { /* HF folds from the right; mirror it */
        for (size_t i = m->n; i-- > 0;) {
            el_tok_match x = m->v[i];
            if (x.match && !prev_match && k > 0) m->v[m->n - k].a = x.a;
            else m->v[m->n - ++k] = (el_tok_match){x.a, x.b, 0};
            prev_match = x.match;
        }
        memmove(m->v, m->v + (m->n - k), k * sizeof *m->v);
        return k;
    }
    for (size_t i = 0; i < m->n; i++) {
        el_tok_match x = m->v[i];
        int merge = 0;
        if (b == EL_SPLIT_REMOVED && x.match) continue;
        if (b == EL_SPLIT_MERGED_PREV) merge = x.match && !prev_match && k > 0;
        if (b == EL_SPLIT_CONTIGUOUS) merge = x.match == prev_match && k > 0;
        if (merge) m->v[k - 1].b = x.b;
        else m->v[k++] = (el_tok_match){x.a, x.b, 0};
        prev_match = x.match;
    }
    return k;
}

el_status el_tok_split(const el_tok_pattern *p, el_tok_behavior b, const char *s, size_t len, int at_start,
                       void *region, el_tok_matches *m, el_tok_splits *out) {
    EL_TRY(el_tok_find_matches(p, s, len, region, m));
    size_t k = fold(m, b);
    for (size_t i = 0; i < k; i++) {
        const el_tok_match *x = &m->v[i];
        if (x->b > x->a) EL_TRY(el_tok_splits_add(out, s + x->a, x->b - x->a, -1, at_start && x->a == 0));
    }
    return EL_OK;
}

el_status el_tok_replace(const el_tok_pattern *p, const char *with, size_t with_len, const char *s, size_t len,
                         void *region, el_tok_matches *m, el_tok_buf *out) {
    EL_TRY(el_tok_find_matches(p, s, len, region, m));
    EL_TRY(el_tok_buf_add(out, "", 0));
    for (size_t k = 0; k < m->n; k++) {
        const el_tok_match *x = &m->v[k];
        EL_TRY(x->match ? el_tok_buf_add(out, with, with_len) : el_tok_buf_add(out, s + x->a, x->b - x->a));
    }
    return EL_OK;
}

el_status el_tok_pattern_parse(const char *what, const cJSON *j, el_tok_pattern *p) {
    memset(p, 0, sizeof *p);
    const cJSON *str = cJSON_GetObjectItemCaseSensitive(j, "String");
    const cJSON *rx = cJSON_GetObjectItemCaseSensitive(j, "Regex");
    if (cJSON_IsString(str)) {
        p->kind = EL_PAT_STRING;
        p->len = strlen(str->valuestring);
        p->str = strdup(str->valuestring);
        return p->str ? EL_OK : el_fail(EL_ERR_NOMEM, "%s: out of memory", what);
    }
    if (cJSON_IsString(rx)) {
        p->kind = EL_PAT_REGEX;
        return el_tok_regex_new(what, rx->valuestring, strlen(rx->valuestring), &p->re);
    }
    return el_fail(EL_ERR_FORMAT, "%s: pattern is neither {\"String\": ...} nor {\"Regex\": ...}", what);
}

void el_tok_pattern_free(el_tok_pattern *p) {
    el_tok_regex_free(p->re);
    free(p->str);
    memset(p, 0, sizeof *p);
}
