/* GPT-2's pre-tokenisation regex, by hand, over UTF-8:
 *
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *
 * Hand-written because C has no Unicode-aware regex engine to rely on. The
 * alternatives are tried in the regex's order; the only backtracking that can
 * change a match is \s+(?!\S) giving back the last whitespace char. */
#include "tokenizer/tokenizer_internal.h"
#include "tokenizer/unicode_tables.h"

enum { CLS_LETTER, CLS_NUMBER, CLS_SPACE, CLS_OTHER };

static int cls(uint32_t cp) {
    if (el_uni_is_letter(cp)) return CLS_LETTER;
    if (el_uni_is_number(cp)) return CLS_NUMBER;
    if (el_uni_is_space(cp)) return CLS_SPACE;
    return CLS_OTHER; /* includes U+FFFD standing for a malformed byte */
}

/* End of the longest run of class c starting at i. */
static size_t run_of(const char *s, size_t len, size_t i, int c) {
    while (i < len) {
        size_t adv;
        if (cls(el_tok_utf8_next(s, len, i, &adv)) != c) break;
        i += adv;
    }
    return i;
}

static size_t contraction(const char *s, size_t len, size_t i) {
    if (s[i] != '\'' || len - i < 2) return 0;
    char a = s[i + 1];
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (len - i < 3) return 0;
    char b = s[i + 2];
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
}

size_t el_tok_gpt2_pretoken(const char *s, size_t len, size_t i) {
    size_t n = contraction(s, len, i);
    if (n) return i + n;
    size_t j = s[i] == ' ' ? i + 1 : i;
    if (j < len) {
        size_t adv;
        int c = cls(el_tok_utf8_next(s, len, j, &adv));
        if (c != CLS_SPACE) return run_of(s, len, j + adv, c);
    }
    /* s[i] is whitespace here: the ' ' case fell through above because the
     * next char was whitespace or the text ended. */
    size_t end = i, last = i;
    while (end < len) {
        size_t adv;
        if (cls(el_tok_utf8_next(s, len, end, &adv)) != CLS_SPACE) break;
        last = end;
        end += adv;
    }
    if (end == i) { /* not whitespace after all: cannot happen, but always advance */
        size_t adv;
        el_tok_utf8_next(s, len, i, &adv);
        return i + adv;
    }
    if (end == len || last == i) return end; /* \s+(?!\S) to the end, or plain \s+ */
    return last;                              /* give back the char before the non-space */
}
