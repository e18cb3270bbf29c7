/* Is a generated text the right answer? The correctness of text records
 * (`text --prompts` lines with "answer" and optional "extract"):
 *
 *   1. the answer is extracted from the generated text with a regex
 *      (Oniguruma, Oniguruma syntax (Ruby-like: (?<!..) look-behind, \s, \p{L}), UTF-8): the first match of
 *      `extract`, its first capture group when the pattern has one (and it
 *      took part in the match), else the whole match. The default pattern,
 *      EL_ANSWER_DEFAULT_EXTRACT, is the first standalone capital letter A-E:
 *      a letter A..E with no ASCII letter or digit right before or after it
 *      ("B", " (C)", "D." and "answer: E" give B, C, D, E; "Apple" gives
 *      nothing; note that the article in "A cat" counts as A);
 *   2. the extracted text and the expected answer are compared after
 *      trimming ASCII whitespace at both ends, byte for byte (case matters);
 *   3. correct = 1 (equal), 0 (different) or -1 (nothing extracted: null).
 * Bytes of the generated text that are not valid UTF-8 are matched as '?'.
 */
#ifndef EL_ANALYSIS_ANSWER_H
#define EL_ANALYSIS_ANSWER_H

#include "base/status.h"

#define EL_ANSWER_DEFAULT_EXTRACT "(?<![A-Za-z0-9])[A-E](?![A-Za-z0-9])"

/* extract NULL: the default. *extracted (malloc'd) is the extracted text or
 * NULL when nothing matched. EL_ERR_FORMAT when the pattern does not compile
 * (message names it), EL_ERR_LIMIT when the search gives up. */
el_status el_answer_check(const char *generated, const char *answer, const char *extract, int *correct,
                          char **extracted);

#endif
