#include "cli/resume.h"
#include "base/buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "records/json_read.h"

/* The JSON string literal after "key": on this line, as raw text. */
static char *json_key(const char *line, size_t len, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = NULL;
    for (size_t i = 0; i + strlen(pat) <= len; i++)
        if (!memcmp(line + i, pat, strlen(pat))) {
            p = line + i + strlen(pat) - 1;
            break;
        }
    if (!p) return NULL;
    const char *q = p + 1;
    while (q < line + len && *q != '"') q += *q == '\\' ? 2 : 1;
    if (q >= line + len) return NULL;
    return strndup(p, (size_t)(q - p + 1));
}

/* The first CSV field, raw (with its quotes if it had them). */
static char *csv_key(const char *line, size_t len) {
    size_t i = 0;
    if (len && line[0] == '"') {
        i = 1;
        while (i < len) {
            if (line[i] == '"') {
                if (i + 1 < len && line[i + 1] == '"') i += 2;
                else {
                    i++;
                    break;
                }
            } else {
                i++;
            }
        }
    } else {
        while (i < len && line[i] != ',') i++;
    }
    return strndup(line, i);
}

/* Fields of a CSV record (commas outside double quotes, plus one). */
static size_t csv_fields(const char *line, size_t len) {
    size_t n = 1;
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '"') quoted = !quoted;
        else if (line[i] == ',' && !quoted) n++;
    }
    return n;
}

/* A whole JSONL line that parses as one JSON object. */
static int json_object(const char *line, size_t len) {
    cJSON *j = el_json_parse(line, len, NULL);
    int ok = cJSON_IsObject(j);
    cJSON_Delete(j);
    return ok;
}

/* One of this tool's records: a JSON object (JSONL), or as many fields as
 * the header (CSV); else a message naming path:line. */
static int is_record(const char *path, const char *line, size_t len, int csv, size_t header_fields, size_t line_no) {
    if (!csv ? json_object(line, len) : header_fields && csv_fields(line, len) == header_fields) return 1;
    fprintf(stderr, "entropy-lens: %s:%zu: not a %s record of this tool (%s); refusing to resume\n", path, line_no,
            csv ? "CSV" : "JSONL", csv ? (header_fields ? "wrong number of fields" : "no header line") : "not a JSON object");
    return 0;
}

/* End of the record starting at start: the next '\n' (JSONL), or for CSV the
 * next '\n' outside double quotes (quoted fields hold newlines: generated
 * text nearly always does). NULL when the record is not terminated. */
static const char *record_end(const char *p, const char *end, int csv) {
    if (!csv) return memchr(p, '\n', (size_t)(end - p));
    int quoted = 0;
    for (; p < end; p++) {
        if (*p == '"') quoted = !quoted; /* "" inside quotes toggles twice */
        else if (*p == '\n' && !quoted) return p;
    }
    return NULL;
}

int el_resume_scan(const char *path, int csv, const char *key, el_resume_state *st) {
    memset(st, 0, sizeof *st);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        fprintf(stderr, "entropy-lens: %s: cannot open for --resume: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return -1;
    }
    size_t size = (size_t)sb.st_size;
    char *buf = malloc(size + 1);
    if (!buf || (size && read(fd, buf, size) != (ssize_t)size)) {
        fprintf(stderr, "entropy-lens: %s: cannot read for --resume\n", path);
        free(buf);
        close(fd);
        return -1;
    }
    /* Keep whole records only. */
    size_t whole = 0;
    for (const char *e; (e = record_end(buf + whole, buf + size, csv));) whole = (size_t)(e - buf) + 1;
    if (whole != size) {
        fprintf(stderr, "entropy-lens: %s: dropping a partial last record (%zu bytes)\n", path, size - whole);
        if (ftruncate(fd, (off_t)whole) != 0) {
            fprintf(stderr, "entropy-lens: %s: cannot truncate: %s\n", path, strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
    }
    close(fd);
    size_t cap = 0, header_fields = 0, record_no = 0;
    int rc = 0;
    for (size_t start = 0; start < whole && !rc;) {
        const char *nl = record_end(buf + start, buf + whole, csv);
        size_t len = (size_t)(nl - (buf + start));
        const char *line = buf + start;
        start += len + 1;
        if (len == 0) continue;
        if (csv && !st->has_header && st->n_records == 0 &&
            (!strncmp(line, "file,", 5) || !strncmp(line, "prompt,", 7))) {
            st->has_header = 1;
            header_fields = csv_fields(line, len);
            continue;
        }
        record_no++;
        if (!is_record(path, line, len, csv, header_fields, record_no + (csv && st->has_header ? 1 : 0))) {
            rc = -1;
            break;
        }
        st->n_records++;
        char *k = !key ? NULL : csv ? csv_key(line, len) : json_key(line, len, key);
        if (key && !k) {
            fprintf(stderr, "entropy-lens: %s:%zu: record without \"%s\"; refusing to resume\n", path,
                    record_no + (csv && st->has_header ? 1 : 0), key);
            rc = -1;
            break;
        }
        if (!k) continue;
        if (el_grow(&st->keys, &cap, st->n_keys, sizeof *st->keys, 1024)) {
            free(k);
            rc = -1;
            break;
        }
        st->keys[st->n_keys++] = k;
    }
    free(buf);
    if (rc) el_resume_free(st);
    return rc;
}

void el_resume_free(el_resume_state *st) {
    for (size_t i = 0; i < st->n_keys; i++) free(st->keys[i]);
    free(st->keys);
    memset(st, 0, sizeof *st);
}
