/* jsonl_check: validate an `entropy-lens profile` JSONL output file for the
 * shell tests (tests/cli/cli_hostile.sh, tests/cli/cli_memory.sh), which must not
 * need Python or jq. Built by those tests with: cc jsonl_check.c -lcjson
 *
 * Usage: jsonl_check OUT.jsonl [--expect FILE ROOT] [--layers L] [--ok N]
 *                    [--errors N] [--records N] [--error-contains TEXT]
 *
 * Always checked, for every line:
 *   - the file is valid UTF-8 and every record ends with '\n';
 *   - the line is one JSON object (nothing after it) once \udc80..\udcff
 *     escapes are turned back into the raw bytes they stand for (Python's
 *     surrogateescape; cJSON refuses lone surrogates, the JSON grammar does
 *     not);
 *   - "file" is a string and "model" a string;
 *   - an error record has a non-empty "error" string and no "entropy";
 *     a normal record has no "error", an "entropy" array of numbers (null
 *     allowed for a non-finite value), integer "top1" and number "prob".
 * Options:
 *   --expect FILE ROOT  tab-separated lines "ok|error<TAB>path[<TAB>text]"
 *                       (tools/fixtures/make_hostile_inputs.sh writes DIR/.expected):
 *                       each ROOT/path must have exactly one record of that
 *                       kind, an error's message must contain text, and no
 *                       record may be for a file not listed
 *   --layers L          normal records have exactly L entropy values
 *   --ok N, --errors N  exact record counts
 *   --records N         exact number of records
 *   --error-contains T  every error message contains T
 * Exit 0 when everything holds, 1 with one line per problem otherwise. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int problems = 0;

#define PROBLEM(...)                              \
    do {                                          \
        if (problems < 50) {                      \
            fprintf(stderr, "jsonl_check: ");     \
            fprintf(stderr, __VA_ARGS__);         \
            fputc('\n', stderr);                  \
        }                                         \
        problems++;                               \
    } while (0)

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) break;
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0. */
static int utf8_seq(const unsigned char *p, size_t left) {
    unsigned c = p[0];
    if (c < 0x80) return 1;
    int n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
    else return 0;
    if (left < (size_t)n) return 0;
    unsigned cp = c & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Copy line into out, turning \udcXX (XX >= 80) escapes inside strings into
 * the raw byte XX. Other escapes are copied unchanged. */
static void undo_surrogateescape(const char *line, size_t n, char *out) {
    size_t o = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = line[i];
        if (!in_str) {
            if (c == '"') in_str = 1;
            out[o++] = c;
            continue;
        }
        if (c == '"') {
            in_str = 0;
            out[o++] = c;
            continue;
        }
        if (c == '\\' && i + 1 < n) {
            if (line[i + 1] == 'u' && i + 5 < n && (line[i + 2] == 'd' || line[i + 2] == 'D') &&
                (line[i + 3] == 'c' || line[i + 3] == 'C')) {
                int h = hexval(line[i + 4]), l = hexval(line[i + 5]);
                if (h >= 8 && l >= 0) {
                    out[o++] = (char)(h << 4 | l);
                    i += 5;
                    continue;
                }
            }
            out[o++] = c;
            out[o++] = line[++i];
            continue;
        }
        out[o++] = c;
    }
    out[o] = '\0';
}

typedef struct {
    char *kind; /* "ok" or "error" */
    char *path; /* ROOT/path */
    char *text; /* error substring or "" */
    int seen;
} expectation;

static expectation *expects = NULL;
static int n_expects = 0;

static int load_expectations(const char *file, const char *root) {
    size_t len;
    char *data = slurp(file, &len);
    if (!data) {
        fprintf(stderr, "jsonl_check: cannot read %s\n", file);
        return -1;
    }
    int cap = 0;
    for (char *line = data, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (!*line) continue;
        char *f[3] = {line, NULL, NULL};
        for (int k = 1; k < 3; k++) {
            char *tab = f[k - 1] ? strchr(f[k - 1], '\t') : NULL;
            if (tab) {
                *tab = '\0';
                f[k] = tab + 1;
            }
        }
        if (!f[1] || (strcmp(f[0], "ok") && strcmp(f[0], "error"))) {
            fprintf(stderr, "jsonl_check: %s: bad expectation line '%s'\n", file, line);
            free(data);
            return -1;
        }
        if (n_expects == cap) {
            cap = cap ? cap * 2 : 64;
            expects = realloc(expects, sizeof *expects * (size_t)cap);
            if (!expects) abort();
        }
        expectation *e = &expects[n_expects++];
        e->kind = strdup(f[0]);
        size_t pl = strlen(root) + strlen(f[1]) + 2;
        e->path = malloc(pl);
        snprintf(e->path, pl, "%s%s%s", root, root[0] && root[strlen(root) - 1] == '/' ? "" : "/", f[1]);
        e->text = strdup(f[2] ? f[2] : "");
        e->seen = 0;
    }
    free(data);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: jsonl_check OUT.jsonl [--expect FILE ROOT] [--layers L] [--ok N] [--errors N] "
                        "[--records N] [--error-contains TEXT]\n");
        return 2;
    }
    const char *out = argv[1], *contains = NULL;
    long layers = -1, want_ok = -1, want_err = -1, want_records = -1;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--expect") && i + 2 < argc) {
            if (load_expectations(argv[i + 1], argv[i + 2])) return 2;
            i += 2;
        } else if (!strcmp(argv[i], "--layers") && i + 1 < argc) {
            layers = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--ok") && i + 1 < argc) {
            want_ok = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--records") && i + 1 < argc) {
            want_records = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--errors") && i + 1 < argc) {
            want_err = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--error-contains") && i + 1 < argc) {
            contains = argv[++i];
        } else {
            fprintf(stderr, "jsonl_check: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    size_t len;
    char *data = slurp(out, &len);
    if (!data) {
        fprintf(stderr, "jsonl_check: cannot read %s\n", out);
        return 1;
    }
    if (strlen(data) != len) PROBLEM("%s: contains a NUL byte", out);
    for (size_t i = 0; i < len;) {
        int n = utf8_seq((const unsigned char *)data + i, len - i);
        if (!n) {
            PROBLEM("%s: invalid UTF-8 at byte %zu", out, i);
            break;
        }
        i += (size_t)n;
    }
    if (len && data[len - 1] != '\n') PROBLEM("%s: the last record does not end with a newline", out);

    long n_ok = 0, n_err = 0, lineno = 0;
    char *buf = malloc(len + 1);
    if (!buf) abort();
    for (char *line = data, *next; line < data + len; line = next) {
        lineno++;
        next = memchr(line, '\n', (size_t)(data + len - line));
        size_t n = next ? (size_t)(next - line) : (size_t)(data + len - line);
        next = next ? next + 1 : data + len;
        undo_surrogateescape(line, n, buf);
        cJSON *rec = cJSON_ParseWithOpts(buf, NULL, 1);
        if (!cJSON_IsObject(rec)) {
            PROBLEM("%s:%ld: not one JSON object: %.120s", out, lineno, buf);
            cJSON_Delete(rec);
            continue;
        }
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(rec, "file");
        const cJSON *model = cJSON_GetObjectItemCaseSensitive(rec, "model");
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(rec, "error");
        const cJSON *entropy = cJSON_GetObjectItemCaseSensitive(rec, "entropy");
        if (!cJSON_IsString(file)) PROBLEM("%s:%ld: no \"file\" string", out, lineno);
        if (!cJSON_IsString(model)) PROBLEM("%s:%ld: no \"model\" string", out, lineno);
        const char *fname = cJSON_IsString(file) ? file->valuestring : "";
        int is_err = error != NULL;
        if (is_err) {
            n_err++;
            if (!cJSON_IsString(error) || !error->valuestring[0])
                PROBLEM("%s:%ld: \"error\" is not a non-empty string", out, lineno);
            if (entropy) PROBLEM("%s:%ld: error record with \"entropy\"", out, lineno);
            if (contains && cJSON_IsString(error) && !strstr(error->valuestring, contains))
                PROBLEM("%s:%ld: error \"%s\" does not contain \"%s\"", out, lineno, error->valuestring, contains);
        } else {
            n_ok++;
            const cJSON *top1 = cJSON_GetObjectItemCaseSensitive(rec, "top1");
            const cJSON *prob = cJSON_GetObjectItemCaseSensitive(rec, "prob");
            if (!cJSON_IsArray(entropy)) {
                PROBLEM("%s:%ld: normal record without an \"entropy\" array", out, lineno);
            } else {
                int k = 0;
                for (const cJSON *v = entropy->child; v; v = v->next, k++)
                    if (!cJSON_IsNumber(v) && !cJSON_IsNull(v))
                        PROBLEM("%s:%ld: entropy[%d] is not a number", out, lineno, k);
                if (layers >= 0 && k != layers)
                    PROBLEM("%s:%ld: %d entropy values, expected %ld", out, lineno, k, layers);
            }
            if (!cJSON_IsNumber(top1) || top1->valuedouble != (double)(long)top1->valuedouble || top1->valuedouble < 0)
                PROBLEM("%s:%ld: \"top1\" is not a non-negative integer", out, lineno);
            if (!cJSON_IsNumber(prob) || !(prob->valuedouble >= 0 && prob->valuedouble <= 1))
                PROBLEM("%s:%ld: \"prob\" is not a probability", out, lineno);
        }
        if (n_expects) {
            int found = 0;
            for (int i = 0; i < n_expects; i++) {
                expectation *e = &expects[i];
                if (strcmp(e->path, fname)) continue;
                found = 1;
                e->seen++;
                if (e->seen > 1) PROBLEM("%s:%ld: second record for %s", out, lineno, fname);
                if (!strcmp(e->kind, "ok") && is_err)
                    PROBLEM("%s:%ld: %s should profile normally, got error \"%s\"", out, lineno, fname,
                            cJSON_IsString(error) ? error->valuestring : "?");
                if (!strcmp(e->kind, "error") && !is_err)
                    PROBLEM("%s:%ld: %s should be an error record, got a normal one", out, lineno, fname);
                if (is_err && e->text[0] && cJSON_IsString(error) && !strstr(error->valuestring, e->text))
                    PROBLEM("%s:%ld: error for %s is \"%s\", expected it to contain \"%s\"", out, lineno, fname,
                            error->valuestring, e->text);
                break;
            }
            if (!found) PROBLEM("%s:%ld: record for unexpected file %s", out, lineno, fname);
        }
        cJSON_Delete(rec);
    }
    for (int i = 0; i < n_expects; i++)
        if (!expects[i].seen) PROBLEM("no record for %s (expected %s)", expects[i].path, expects[i].kind);
    if (want_ok >= 0 && n_ok != want_ok) PROBLEM("%ld normal records, expected %ld", n_ok, want_ok);
    if (want_records >= 0 && lineno != want_records) PROBLEM("%ld records, expected %ld", lineno, want_records);
    if (want_err >= 0 && n_err != want_err) PROBLEM("%ld error records, expected %ld", n_err, want_err);
    fprintf(stderr, "jsonl_check: %s: %ld records (%ld normal, %ld errors), %d problem%s\n", out, lineno, n_ok, n_err,
            problems, problems == 1 ? "" : "s");
    for (int i = 0; i < n_expects; i++) {
        free(expects[i].kind);
        free(expects[i].path);
        free(expects[i].text);
    }
    free(expects);
    free(buf);
    free(data);
    return problems ? 1 : 0;
}
