/* Parsing one JSON text (a JSONL line, a run identity) the way Python's
 * json.loads reads what this tool writes.
 *
 * el_sb_json_str (base/strbuf.h) writes a byte that is not part of valid
 * UTF-8 as the escape \udcXX (Python's surrogateescape: U+DC80..U+DCFF for
 * bytes 0x80..0xFF), e.g. sampled text whose tokens split a UTF-8 character.
 * Such a lone surrogate is legal JSON text, but cJSON refuses it. Before
 * cJSON sees the text, every \uXXXX escape of a surrogate that is not half
 * of a valid pair is rewritten:
 *   - \udc80..\udcff -> the raw byte 0x80..0xff (so strings get back exactly
 *     the bytes the tool wrote out: a file name or prompt compares equal);
 *   - any other lone surrogate -> U+FFFD (the replacement character).
 * Escaped backslashes ("\\udc80" is the text \udc80) are left alone; valid
 * pairs (\ud83d\udc80) are left to cJSON. Text without "\u" is parsed as is.
 */
#ifndef EL_RECORDS_JSON_READ_H
#define EL_RECORDS_JSON_READ_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* cJSON_ParseWithLengthOpts(text, len, endp, 0) after the rewrite above.
 * *endp (when endp is not NULL and the parse succeeds) points into text,
 * just after the value. NULL when the text is not JSON (or out of memory). */
cJSON *el_json_parse(const char *text, size_t len, const char **endp);

/* The rewrite alone: out gets at most len + 1 bytes (NUL-terminated);
 * returns the rewritten length. map (optional, len + 1 entries) receives,
 * for every output offset, the input offset it came from. */
size_t el_json_unescape_surrogates(const char *text, size_t len, char *out, size_t *map);

#endif
