/* Unicode for the tokenizers from maintained libraries: regexes through
 * Oniguruma (the engine Hugging Face tokenizers compiles its patterns with,
 * so \s, \p{L}, (?i:...) and look-aheads mean exactly what they mean there)
 * and normal forms, case and character classes through utf8proc. */
#include <oniguruma.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/status.h"
#include "tokenizer/tokenizer_pipeline.h"

struct el_tok_regex {
    regex_t *re;
};

static pthread_once_t onig_once = PTHREAD_ONCE_INIT;

static void onig_setup(void) {
    OnigEncoding enc[1] = {ONIG_ENCODING_UTF8};
    onig_initialize(enc, 1);
    /* A hostile pattern must fail, not backtrack for hours. */
    onig_set_retry_limit_in_match(1000000);
    onig_set_retry_limit_in_search(10000000);
}

el_status el_tok_regex_new(const char *what, const char *pat, size_t len, el_tok_regex **out) {
    *out = NULL;
    pthread_once(&onig_once, onig_setup);
    el_tok_regex *r = calloc(1, sizeof *r);
    if (!r) return el_fail(EL_ERR_NOMEM, "%s: out of memory for a regex", what);
    OnigErrorInfo info;
    const UChar *p = (const UChar *)pat;
    int rc = onig_new(&r->re, p, p + len, ONIG_OPTION_NONE, ONIG_ENCODING_UTF8, ONIG_SYNTAX_ONIGURUMA, &info);
    if (rc != ONIG_NORMAL) {
        UChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
        onig_error_code_to_str(msg, rc, &info);
        free(r);
        return el_fail(EL_ERR_FORMAT, "%s: regex /%.60s/ does not compile: %s", what, pat, (const char *)msg);
    }
    *out = r;
    return EL_OK;
}

void el_tok_regex_free(el_tok_regex *re) {
    if (!re) return;
    onig_free(re->re);
    free(re);
}

void *el_tok_region_new(void) { return onig_region_new(); }

void el_tok_region_free(void *region) {
    if (region) onig_region_free(region, 1);
}

int el_tok_regex_search(const el_tok_regex *re, const char *s, size_t len, size_t start, void *region,
                        size_t *ms, size_t *me) {
    static const char empty[1] = "";
    const UChar *b = (const UChar *)(s ? s : empty), *e = b + len;
    OnigRegion *reg = region;
    int rc = onig_search(re->re, b, e, b + start, e, reg, ONIG_OPTION_NONE);
    if (rc == ONIG_MISMATCH) return 0;
    if (rc < 0) {
        UChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
        onig_error_code_to_str(msg, rc);
        return el_fail(EL_ERR_LIMIT, "tokenizer: regex search failed: %s", (const char *)msg);
    }
    *ms = (size_t)reg->beg[0];
    *me = (size_t)reg->end[0];
    return 1;
}

/* ------------------------------------------------------------ classes */

int el_tok_is_whitespace(uint32_t cp) {
    if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
    if (cp < 0x85) return 0;
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int el_tok_is_numeric(uint32_t cp) {
    if (cp < 0x80) return cp >= '0' && cp <= '9';
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c == UTF8PROC_CATEGORY_ND || c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO;
}

int el_tok_is_punct(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= '!' && cp <= '/') || (cp >= ':' && cp <= '@') || (cp >= '[' && cp <= '`') ||
               (cp >= '{' && cp <= '~');
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

int el_tok_is_word(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
    if (cp == 0x200C || cp == 0x200D) return 1;
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME) || c == UTF8PROC_CATEGORY_ND ||
           c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_PC;
}

/* ------------------------------------------------------------ normal forms */

static el_status normalize_run(el_tok_norm_kind form, const char *s, size_t len, el_tok_buf *out) {
    int ascii = 1;
    for (size_t i = 0; i < len && ascii; i++) ascii = (unsigned char)s[i] < 0x80;
    if (ascii) return el_tok_buf_add(out, s, len); /* every form leaves ASCII alone */
    int opt = UTF8PROC_STABLE;
    if (form == EL_NORM_NFC || form == EL_NORM_NFKC) opt |= UTF8PROC_COMPOSE;
    else opt |= UTF8PROC_DECOMPOSE;
    if (form == EL_NORM_NFKC || form == EL_NORM_NFKD) opt |= UTF8PROC_COMPAT;
    utf8proc_uint8_t *dst = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &dst, opt);
    if (n < 0) {
        free(dst);
        return el_fail(EL_ERR_NOMEM, "tokenizer: unicode normalisation failed: %s", utf8proc_errmsg(n));
    }
    el_status st = el_tok_buf_add(out, (const char *)dst, (size_t)n);
    free(dst);
    return st;
}

el_status el_tok_unicode_normalize(el_tok_norm_kind form, const char *s, size_t len, el_tok_buf *out) {
    EL_TRY(el_tok_buf_add(out, "", 0));
    size_t run = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = el_tok_utf8_next(s, len, i, &adv);
        if (cp == 0xFFFD && adv == 1) { /* a malformed byte: normalise up to it, keep it */
            EL_TRY(normalize_run(form, s + run, i - run, out));
            EL_TRY(el_tok_buf_add(out, s + i, 1));
            run = i + 1;
        }
        i += adv;
    }
    return normalize_run(form, s + run, len - run, out);
}

el_status el_tok_unicode_lower(const char *s, size_t len, el_tok_buf *out) {
    EL_TRY(el_tok_buf_add(out, "", 0));
    for (size_t i = 0; i < len;) {
        size_t adv;
        uint32_t cp = el_tok_utf8_next(s, len, i, &adv);
        if (cp < 0x80) {
            char c = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
            EL_TRY(el_tok_buf_add(out, &c, 1));
        } else if (cp == 0xFFFD && adv == 1) {
            EL_TRY(el_tok_buf_add(out, s + i, 1));
        } else if (cp == 0x130) { /* the one unconditional multi-char lowercase: i + combining dot */
            EL_TRY(el_tok_buf_add(out, "i\xCC\x87", 3));
        } else {
            char u[4];
            int n = el_tok_utf8_put((uint32_t)utf8proc_tolower((utf8proc_int32_t)cp), u);
            EL_TRY(el_tok_buf_add(out, u, (size_t)n));
        }
        i += adv;
    }
    return EL_OK;
}
