/* analysis/answer: the extraction rule of text correctness (answer.h) on
 * texts whose answers are known by hand. */
#include <stdlib.h>
#include <string.h>

#include "analysis/answer.h"
#include "test_util.h"

static void expect(const char *gen, const char *answer, const char *extract, int want, const char *want_x) {
    int c = 9;
    char *x = (char *)1;
    el_status st = el_answer_check(gen, answer, extract, &c, &x);
    CHECK_MSG(st == EL_OK, "'%s': %s", gen, el_last_error());
    CHECK_MSG(c == want, "'%s' /%s/ vs '%s': correct %d, want %d", gen, extract ? extract : "default", answer, c, want);
    if (want_x) CHECK_MSG(x && !strcmp(x, want_x), "'%s': extracted '%s', want '%s'", gen, x ? x : "(null)", want_x);
    else CHECK_MSG(x == NULL, "'%s': extracted '%s', want nothing", gen, x);
    free(x);
}

int main(void) {
    /* The default rule: the first standalone A-E. */
    expect(" B) because", "B", NULL, 1, "B");
    expect("The answer is (C).", "C", NULL, 1, "C");
    expect("Apple, then D.", "C", NULL, 0, "D");
    expect("answer:E", "E", NULL, 1, "E");
    expect("A cat", "B", NULL, 0, "A"); /* the article counts, as documented */
    expect("Fish and chips", "A", NULL, -1, NULL);
    expect("b or c", "B", NULL, -1, NULL); /* case matters */
    expect("F G H", "A", NULL, -1, NULL);
    expect("x2B B", "B", NULL, 1, "B");    /* 2B is not standalone */
    expect("\xff\xfe C", "C", NULL, 1, "C"); /* invalid UTF-8 is matched as '?' */
    /* A custom regex: its first group, else the whole match; trimmed. */
    expect("The result is 42 apples", " 42 ", "is\\s+(\\d+)", 1, "42");
    expect("The result is 41 apples", "42", "\\d+", 0, "41");
    expect("no digits", "42", "\\d+", -1, NULL);
    expect("yes", "yes", "(?i)(YES|NO)", 1, "yes");
    expect("Paris.", "paris", "\\p{L}+", 0, "Paris");
    /* An optional group that did not take part: the whole match. */
    expect("x", "x", "(y)?x", 1, "x");

    int c;
    char *x;
    CHECK(el_answer_check("text", "A", "(unclosed", &c, &x) == EL_ERR_FORMAT && c == -1 && x == NULL);
    CHECK(strstr(el_last_error(), "does not compile") != NULL);
    /* A backtracking bomb ends (limit or no match), it does not hang. */
    char bomb[64];
    memset(bomb, 'a', 40);
    bomb[40] = '\0';
    el_status st = el_answer_check(bomb, "x", "(a|aa|a*)*b", &c, &x);
    CHECK(st == EL_ERR_LIMIT || (st == EL_OK && c == -1));
    free(x);
    return el_test_finish("test_answer");
}
