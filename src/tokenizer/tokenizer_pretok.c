/* tokenizer.json pre-tokenizers: Split, ByteLevel, Metaspace, Digits,
 * Punctuation, Whitespace, WhitespaceSplit and Sequence, as HF tokenizers'
 * pre_tokenizers/ define them. Each step maps every piece to sub-pieces;
 * the pieces left at the end are the words the model sees. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/tokenizer_pipeline.h"

#define META "\xE2\x96\x81" /* U+2581, SentencePiece's space */

/* GPT-2's pattern, which ByteLevel applies when use_regex is on. */
static const char gpt2_regex[] = EL_TOK_GPT2_REGEX;
/* Whitespace: \w+|[^\w\s]+ kept, the rest dropped. */
static const char whitespace_regex[] = "\\w+|[^\\w\\s]+";

static el_status parse_behavior(const char *path, const cJSON *j, el_tok_behavior dflt, el_tok_behavior *b) {
    static const char *const names[] = {"Removed", "Isolated", "MergedWithPrevious", "MergedWithNext",
                                        "Contiguous"};
    const cJSON *v = el_tj_get(j, "behavior");
    *b = dflt;
    if (el_tj_absent(v)) return EL_OK;
    for (int i = 0; i < 5; i++)
        if (el_tj_is(v, names[i])) {
            *b = (el_tok_behavior)i;
            return EL_OK;
        }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: split behavior %.40s is not supported", path,
                   cJSON_IsString(v) ? v->valuestring : "(not a string)");
}

el_status el_tok_parse_metaspace(const char *path, const cJSON *j, char rep[8], size_t *rep_len,
                                 el_tok_prepend *prepend) {
    const cJSON *r = el_tj_get(j, "replacement"), *scheme = el_tj_get(j, "prepend_scheme");
    const char *s = cJSON_IsString(r) ? r->valuestring : META;
    size_t n = strlen(s), adv = 0;
    if (n) el_tok_utf8_next(s, n, 0, &adv);
    if (n == 0 || adv != n) return el_fail(EL_ERR_FORMAT, "%s: Metaspace replacement is not one character", path);
    memcpy(rep, s, n);
    *rep_len = n;
    *prepend = el_tj_flag(j, "add_prefix_space", 1) ? EL_PREPEND_ALWAYS : EL_PREPEND_NEVER;
    if (el_tj_absent(scheme)) return EL_OK;
    if (el_tj_is(scheme, "always")) *prepend = EL_PREPEND_ALWAYS;
    else if (el_tj_is(scheme, "first")) *prepend = EL_PREPEND_FIRST;
    else if (el_tj_is(scheme, "never")) *prepend = EL_PREPEND_NEVER;
    else return el_fail(EL_ERR_UNSUPPORTED, "%s: Metaspace prepend_scheme is not always/first/never", path);
    return EL_OK;
}

static el_status class_pattern(el_tok_pre *s, int (*pred)(uint32_t), el_tok_behavior b) {
    s->pat.kind = EL_PAT_CLASS;
    s->pat.pred = pred;
    s->has_pat = 1;
    s->behavior = b;
    return EL_OK;
}

static el_status regex_pattern(const char *path, el_tok_pre *s, const char *rx, el_tok_behavior b) {
    s->has_pat = 1;
    s->behavior = b;
    s->pat.kind = EL_PAT_REGEX;
    return el_tok_regex_new(path, rx, strlen(rx), &s->pat.re);
}

static el_status parse_fields(const char *path, const cJSON *j, const char *ty, el_tok_pre *s) {
    if (!strcmp(ty, "Split")) {
        s->kind = EL_PRE_SPLIT;
        EL_TRY(parse_behavior(path, j, EL_SPLIT_REMOVED, &s->behavior));
        if (!cJSON_IsString(el_tj_get(j, "behavior")))
            return el_fail(EL_ERR_FORMAT, "%s: Split pre_tokenizer without a behavior", path);
        EL_TRY(el_tok_pattern_parse(path, el_tj_get(j, "pattern"), &s->pat));
        s->has_pat = 1;
        s->pat.invert = el_tj_flag(j, "invert", 0);
        return EL_OK;
    }
    if (!strcmp(ty, "ByteLevel")) {
        s->kind = EL_PRE_BYTELEVEL;
        s->add_prefix_space = el_tj_flag(j, "add_prefix_space", 1);
        if (el_tj_flag(j, "use_regex", 1)) return regex_pattern(path, s, gpt2_regex, EL_SPLIT_ISOLATED);
        return EL_OK;
    }
    if (!strcmp(ty, "Metaspace")) {
        s->kind = EL_PRE_METASPACE;
        EL_TRY(el_tok_parse_metaspace(path, j, s->rep, &s->rep_len, &s->prepend));
        s->split = el_tj_flag(j, "split", 1);
        s->pat.kind = EL_PAT_CHAR;
        size_t adv;
        s->pat.cp = el_tok_utf8_next(s->rep, s->rep_len, 0, &adv);
        s->behavior = EL_SPLIT_MERGED_NEXT;
        return EL_OK;
    }
    if (!strcmp(ty, "Digits")) {
        s->kind = EL_PRE_DIGITS;
        int each = el_tj_flag(j, "individual_digits", 0);
        return class_pattern(s, el_tok_is_numeric, each ? EL_SPLIT_ISOLATED : EL_SPLIT_CONTIGUOUS);
    }
    if (!strcmp(ty, "Punctuation")) {
        s->kind = EL_PRE_PUNCTUATION;
        EL_TRY(class_pattern(s, el_tok_is_punct, EL_SPLIT_ISOLATED));
        return parse_behavior(path, j, EL_SPLIT_ISOLATED, &s->behavior);
    }
    if (!strcmp(ty, "WhitespaceSplit")) {
        s->kind = EL_PRE_WHITESPACE_SPLIT;
        return class_pattern(s, el_tok_is_whitespace, EL_SPLIT_REMOVED);
    }
    if (!strcmp(ty, "Whitespace")) {
        s->kind = EL_PRE_WHITESPACE;
        EL_TRY(regex_pattern(path, s, whitespace_regex, EL_SPLIT_REMOVED));
        s->pat.invert = 1;
        return EL_OK;
    }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: pre_tokenizer \"%s\" is not supported", path, ty);
}

static el_status parse_one(const char *path, const cJSON *j, void *ctx) {
    el_tok_pipeline *p = ctx;
    el_tok_pre s;
    memset(&s, 0, sizeof s);
    el_status st = parse_fields(path, j, el_tj_type(j), &s);
    if (st == EL_OK) st = el_tok_append_step(path, "pre_tokenizer", &p->pre, &p->n_pre, sizeof s, &s);
    if (st != EL_OK) el_tok_pattern_free(&s.pat);
    return st;
}

el_status el_tok_pipeline_gpt2(el_tok_pipeline **out) {
    el_tok_pipeline *p = calloc(1, sizeof *p);
    el_tok_dec *d = calloc(1, sizeof *d);
    el_tok_pre s;
    memset(&s, 0, sizeof s);
    s.kind = EL_PRE_BYTELEVEL;
    el_status st = p && d ? regex_pattern("GPT-2 pre-tokenizer", &s, gpt2_regex, EL_SPLIT_ISOLATED)
                          : el_fail(EL_ERR_NOMEM, "tokenizer: out of memory");
    if (st == EL_OK) st = el_tok_append_step("GPT-2", "pre_tokenizer", &p->pre, &p->n_pre, sizeof s, &s);
    if (st != EL_OK) {
        el_tok_pattern_free(&s.pat);
        el_tok_pipeline_free(p);
        free(d);
        return st;
    }
    d->kind = EL_DEC_BYTELEVEL;
    p->dec = d;
    p->n_dec = 1;
    *out = p;
    return EL_OK;
}

el_status el_tok_parse_pre_tokenizer(const char *path, const cJSON *j, el_tok_pipeline *p) {
    return el_tok_each_step(path, j, "pre_tokenizer", "pretokenizers", parse_one, p);
}

/* ByteLevel: the optional leading space, GPT-2's regex, then every byte
 * becomes its printable stand-in char. */
static el_status bytelevel(const el_tok_pre *st, const el_tok_span *sp, const char *s, el_tok_scratch *sc,
                           el_tok_splits *out) {
    size_t len = sp->len;
    if (st->add_prefix_space && (len == 0 || s[0] != ' ')) {
        sc->nbuf.n = 0;
        EL_TRY(el_tok_buf_add(&sc->nbuf, " ", 1));
        EL_TRY(el_tok_buf_add(&sc->nbuf, s, len));
        s = sc->nbuf.p;
        len = sc->nbuf.n;
    }
    el_tok_match whole = {0, len, 0};
    el_tok_match *pieces = &whole;
    size_t n = 1;
    if (st->has_pat) {
        EL_TRY(el_tok_find_matches(&st->pat, s, len, sc->region, &sc->matches));
        pieces = sc->matches.v;
        n = sc->matches.n;
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = pieces[i].a, b = pieces[i].b;
        if (b == a) continue;
        size_t at = out->buf.n;
        EL_TRY(el_tok_bytelevel_map(s + a, b - a, &out->buf));
        EL_TRY(el_tok_splits_mark(out, at, -1, sp->at_start && a == 0));
    }
    return EL_OK;
}

/* Metaspace: spaces become the replacement, which is prepended per the
 * scheme, then each replacement char starts a new piece (split). */
static el_status metaspace(const el_tok_pre *st, const el_tok_span *sp, const char *s, el_tok_scratch *sc,
                           el_tok_splits *out) {
    el_tok_buf *b = &sc->nbuf;
    b->n = 0;
    EL_TRY(el_tok_buf_add(b, "", 0));
    int starts = sp->len > 0 && (s[0] == ' ' || (sp->len >= st->rep_len && !memcmp(s, st->rep, st->rep_len)));
    if (!starts && (st->prepend == EL_PREPEND_ALWAYS || (st->prepend == EL_PREPEND_FIRST && sp->at_start)))
        EL_TRY(el_tok_buf_add(b, st->rep, st->rep_len));
    for (size_t i = 0; i < sp->len; i++) {
        if (s[i] == ' ') EL_TRY(el_tok_buf_add(b, st->rep, st->rep_len));
        else EL_TRY(el_tok_buf_add(b, s + i, 1));
    }
    if (!st->split) return el_tok_splits_add(out, b->p, b->n, -1, sp->at_start);
    return el_tok_split(&st->pat, st->behavior, b->p, b->n, sp->at_start, sc->region, &sc->matches, out);
}

static el_status apply(const el_tok_pre *st, const el_tok_span *sp, const char *s, el_tok_scratch *sc,
                       el_tok_splits *out) {
    if (st->kind == EL_PRE_BYTELEVEL) return bytelevel(st, sp, s, sc, out);
    if (st->kind == EL_PRE_METASPACE) return metaspace(st, sp, s, sc, out);
    return el_tok_split(&st->pat, st->behavior, s, sp->len, sp->at_start, sc->region, &sc->matches, out);
}

el_status el_tok_pre_tokenize(const el_tok_pipeline *p, const char *s, size_t len, int at_start,
                              el_tok_scratch *sc) {
    el_tok_splits_clear(&sc->a);
    EL_TRY(el_tok_splits_add(&sc->a, s, len, -1, at_start));
    for (int i = 0; i < p->n_pre; i++) {
        el_tok_splits_clear(&sc->b);
        for (size_t k = 0; k < sc->a.n; k++) {
            el_tok_span sp = sc->a.v[k];
            EL_TRY(apply(&p->pre[i], &sp, sc->a.buf.p + sp.off, sc, &sc->b));
        }
        el_tok_splits t = sc->a;
        sc->a = sc->b;
        sc->b = t;
    }
    return EL_OK;
}
