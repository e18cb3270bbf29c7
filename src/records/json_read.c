/* Lone-surrogate escapes -> bytes before cJSON (see json_read.h). */
#include "records/json_read.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The code unit of a \uXXXX escape at p (p[0] == '\\'), or -1. */
static long escape_unit(const char *p, size_t left) {
    if (left < 6 || p[0] != '\\' || p[1] != 'u') return -1;
    long v = 0;
    for (int k = 2; k < 6; k++) {
        int h = hexval(p[k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

static int is_high(long u) { return u >= 0xD800 && u <= 0xDBFF; }
static int is_low(long u) { return u >= 0xDC00 && u <= 0xDFFF; }

size_t el_json_unescape_surrogates(const char *text, size_t len, char *out, size_t *map) {
    size_t i = 0, o = 0;
    int in_string = 0;
    while (i < len) {
        char c = text[i];
        if (!in_string) {
            if (c == '"') in_string = 1;
        } else if (c == '"') {
            in_string = 0;
        } else if (c == '\\') {
            long u = escape_unit(text + i, len - i);
            if (is_high(u) && is_low(escape_unit(text + i + 6, len - i > 6 ? len - i - 6 : 0))) {
                /* A valid pair: copy both escapes for cJSON. */
                for (int k = 0; k < 12; k++) {
                    if (map) map[o] = i;
                    out[o++] = text[i++];
                }
                continue;
            }
            if (is_high(u) || is_low(u)) {
                if (map) map[o] = i;
                if (u >= 0xDC80 && u <= 0xDCFF) {
                    out[o++] = (char)(unsigned char)(u - 0xDC00);
                } else {
                    memcpy(out + o, "\\ufffd", 6);
                    if (map)
                        for (int k = 1; k < 6; k++) map[o + k] = i + k;
                    o += 6;
                }
                i += 6;
                continue;
            }
            /* Any other escape: copy the backslash and the escaped char. */
            if (map) map[o] = i;
            out[o++] = text[i++];
            if (i >= len) break;
            c = text[i];
        }
        if (map) map[o] = i;
        out[o++] = c;
        i++;
    }
    if (map) map[o] = i;
    out[o] = '\0';
    return o;
}

cJSON *el_json_parse(const char *text, size_t len, const char **endp) {
    const char *end = NULL;
    /* Fast path: no escape that could be a surrogate. */
    int suspect = 0;
    for (const char *p = text; (p = memchr(p, '\\', len - (size_t)(p - text))) && p + 2 < text + len; p += 2)
        if (p[1] == 'u' && (p[2] == 'd' || p[2] == 'D')) {
            suspect = 1;
            break;
        }
    if (!suspect) {
        cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
        if (j && endp) *endp = end;
        return j;
    }
    char *buf = malloc(len + 1);
    size_t *map = endp ? malloc(sizeof(size_t) * (len + 1)) : NULL;
    if (!buf || (endp && !map)) {
        free(buf);
        free(map);
        return NULL;
    }
    size_t n = el_json_unescape_surrogates(text, len, buf, map);
    cJSON *j = cJSON_ParseWithLengthOpts(buf, n, &end, 0);
    if (j && endp) *endp = text + map[end - buf];
    free(buf);
    free(map);
    return j;
}
