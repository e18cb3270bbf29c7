/* Answer extraction and comparison (answer.h). */
#include "analysis/answer.h"

#include <oniguruma.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static pthread_once_t onig_once = PTHREAD_ONCE_INIT;

static void onig_setup(void) {
    OnigEncoding enc[1] = {ONIG_ENCODING_UTF8};
    onig_initialize(enc, 1); /* a no-op when the tokenizers did it first */
    /* A hostile "extract" pattern must fail, not backtrack for hours (the
     * tokenizers' limits; the settings are global). */
    onig_set_retry_limit_in_match(1000000);
    onig_set_retry_limit_in_search(10000000);
}

/* A copy with every byte outside valid UTF-8 replaced by '?' (same length). */
static char *valid_utf8(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n + 1);
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)d + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k < 1) d[i++] = '?';
        else i += (size_t)k;
    }
    return d;
}

static void trim(const char **b, const char **e) {
    while (*b < *e && strchr(" \t\r\n\f\v", **b)) (*b)++;
    while (*e > *b && strchr(" \t\r\n\f\v", (*e)[-1])) (*e)--;
}

/* The extracted span [*ms, *me) of text, or 0 when nothing matched. */
static el_status search(const char *pattern, const char *text, size_t n, int *found, size_t *ms, size_t *me) {
    regex_t *re = NULL;
    OnigErrorInfo info;
    const UChar *p = (const UChar *)pattern;
    int rc = onig_new(&re, p, p + strlen(pattern), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8, ONIG_SYNTAX_ONIGURUMA, &info);
    if (rc != ONIG_NORMAL) {
        UChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
        onig_error_code_to_str(msg, rc, &info);
        return el_fail(EL_ERR_FORMAT, "\"extract\" regex /%.60s/ does not compile: %s", pattern, (const char *)msg);
    }
    OnigRegion *reg = onig_region_new();
    el_status st = EL_OK;
    *found = 0;
    if (!reg) {
        onig_free(re);
        return el_fail(EL_ERR_NOMEM, "out of memory for a regex match");
    }
    const UChar *b = (const UChar *)text, *e = b + n;
    rc = onig_search(re, b, e, b, e, reg, ONIG_OPTION_NONE);
    if (rc >= 0) {
        int g = reg->num_regs > 1 && reg->beg[1] >= 0 ? 1 : 0;
        *ms = (size_t)reg->beg[g];
        *me = (size_t)reg->end[g];
        *found = 1;
    } else if (rc != ONIG_MISMATCH) {
        UChar msg[ONIG_MAX_ERROR_MESSAGE_LEN];
        onig_error_code_to_str(msg, rc);
        st = el_fail(EL_ERR_LIMIT, "\"extract\" regex /%.60s/: search failed: %s", pattern, (const char *)msg);
    }
    onig_region_free(reg, 1);
    onig_free(re);
    return st;
}

el_status el_answer_check(const char *generated, const char *answer, const char *extract, int *correct,
                          char **extracted) {
    *correct = -1;
    *extracted = NULL;
    pthread_once(&onig_once, onig_setup);
    const size_t n = strlen(generated);
    char *text = valid_utf8(generated, n);
    if (!text) return el_fail(EL_ERR_NOMEM, "out of memory");
    int found = 0;
    size_t ms = 0, me = 0;
    el_status st = search(extract ? extract : EL_ANSWER_DEFAULT_EXTRACT, text, n, &found, &ms, &me);
    if (st == EL_OK && found) {
        *extracted = malloc(me - ms + 1);
        if (!*extracted) {
            free(text);
            return el_fail(EL_ERR_NOMEM, "out of memory");
        }
        memcpy(*extracted, text + ms, me - ms);
        (*extracted)[me - ms] = '\0';
        const char *xb = *extracted, *xe = xb + (me - ms), *ab = answer ? answer : "", *ae = ab + strlen(ab);
        trim(&xb, &xe);
        trim(&ab, &ae);
        *correct = (xe - xb) == (ae - ab) && !memcmp(xb, ab, (size_t)(xe - xb));
    }
    free(text);
    return st;
}
