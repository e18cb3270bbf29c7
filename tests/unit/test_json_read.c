/* records/json_read: lone surrogate escapes (what el_sb_json_str writes for
 * bytes that are not UTF-8) parse back to the bytes; pairs, escaped
 * backslashes and plain text are untouched; endp points into the input. */
#include <string.h>

#include "base/strbuf.h"
#include "records/json_read.h"
#include "test_util.h"

static void expect_string(const char *json, const char *want, size_t want_len) {
    cJSON *j = el_json_parse(json, strlen(json), NULL);
    CHECK_MSG(cJSON_IsString(j), "%s did not parse to a string", json);
    if (cJSON_IsString(j))
        CHECK_MSG(strlen(j->valuestring) == want_len && !memcmp(j->valuestring, want, want_len), "%s -> '%s'", json,
                  j->valuestring);
    cJSON_Delete(j);
}

int main(void) {
    expect_string("\"a\\udc80b\"", "a\x80" "b", 3);
    expect_string("\"\\uDCFF\\udce3\\udc81\"", "\xff\xe3\x81", 3);
    expect_string("\"\\ud83d\\udc80\"", "\xf0\x9f\x92\x80", 4);    /* a valid pair: U+1F480 */
    expect_string("\"\\\\udc80\"", "\\udc80", 6);                 /* escaped backslash: text */
    expect_string("\"\\ud800x\"", "\xef\xbf\xbdx", 4);             /* lone high: U+FFFD */
    expect_string("\"\\udc41\"", "\xef\xbf\xbd", 3);               /* low below 0xdc80: U+FFFD */
    expect_string("\"\\\"\\udc80\"", "\"\x80", 2);                 /* escaped quote stays inside */
    expect_string("\"plain \\u00e9\"", "plain \xc3\xa9", 8);

    /* A key outside strings is not touched; the value keeps its bytes. */
    cJSON *o = el_json_parse("{\"k\\udc80\": 1, \"v\": \"\\udcff\"}", 29, NULL);
    CHECK(cJSON_IsObject(o));
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
    CHECK(cJSON_IsString(v) && !strcmp(v->valuestring, "\xff"));
    CHECK(cJSON_GetObjectItemCaseSensitive(o, "k\x80") != NULL);
    cJSON_Delete(o);

    /* Round trip: bytes -> el_sb_json_str -> el_json_parse -> the same bytes. */
    const char raw[] = "ok \xe6\x97 split \xff end \xc3\xa9";
    el_strbuf sb = {0};
    el_sb_json_str(&sb, raw);
    CHECK(strstr(sb.data, "\\udce6\\udc97") != NULL);
    expect_string(sb.data, raw, sizeof raw - 1);
    el_sb_free(&sb);

    /* endp: after the value, in the caller's text (trailing text is seen). */
    const char *line = "{\"a\":\"\\udc80\\udc81\"} x";
    const char *endp = NULL;
    cJSON *j = el_json_parse(line, strlen(line), &endp);
    CHECK(j != NULL && endp == line + 20);
    cJSON_Delete(j);
    const char *plain = "{\"a\":1} ";
    j = el_json_parse(plain, 8, &endp);
    CHECK(j != NULL && endp == plain + 7);
    cJSON_Delete(j);

    /* Not JSON stays not JSON; a truncated escape is not read past the end. */
    CHECK(el_json_parse("{\"a\":\"\\udc8", 11, NULL) == NULL);
    CHECK(el_json_parse("\"\\ud83d\\udc", 11, NULL) == NULL);
    return el_test_finish("test_json_read");
}
