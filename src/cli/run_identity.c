#include "cli/run_identity.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "entropy_lens.h"
#include "records/json_read.h"

uint64_t el_fnv(uint64_t h, const void *data, size_t len) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Size and first MiB of a regular file (opened without blocking: a FIFO
 * is skipped, not waited on). */
static uint64_t file_fp(uint64_t h, const char *path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return h;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        h = el_fnv(h, &st.st_size, sizeof st.st_size);
        static char buf[1 << 20];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) h = el_fnv(h, buf, (size_t)n);
    }
    close(fd);
    return h;
}

static int weight_file(const char *name) {
    static const char *const ends[] = {".safetensors", ".gguf", ".bin", ".json"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
        size_t k = strlen(ends[i]);
        if (n > k && !strcmp(name + n - k, ends[i])) return 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

uint64_t el_model_fingerprint(const char *path) {
    struct stat st;
    if (!path || stat(path, &st) != 0) return 0;
    if (!S_ISDIR(st.st_mode)) return file_fp(EL_FNV_START, path);
    DIR *d = opendir(path);
    if (!d) return 0;
    char *names[256];
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < 256;)
        if (weight_file(e->d_name) && (names[n] = strdup(e->d_name))) n++;
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str); /* directory order is not stable */
    uint64_t h = EL_FNV_START;
    for (int i = 0; i < n; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, names[i]);
        h = el_fnv(h, names[i], strlen(names[i]) + 1);
        h = file_fp(h, p);
        free(names[i]);
    }
    return h;
}

static int listed(const char *a, const char *const *list) {
    for (; list && *list; list++)
        if (!strcmp(a, *list)) return 1;
    return 0;
}

static char *build(const char *command, const char *format, const char *model_path, int argc, char **argv,
                   const char *const *skip_with_value, const char *const *skip_flags, size_t n_inputs,
                   uint64_t inputs_fp) {
    cJSON *o = cJSON_CreateObject(), *args = cJSON_CreateArray();
    if (!o || !args) {
        cJSON_Delete(o);
        cJSON_Delete(args);
        return NULL;
    }
    char hex[32];
    cJSON_AddStringToObject(o, "tool", "entropy-lens");
    cJSON_AddStringToObject(o, "version", el_version());
    cJSON_AddStringToObject(o, "command", command);
    cJSON_AddStringToObject(o, "format", format);
    cJSON_AddStringToObject(o, "model", model_path);
    snprintf(hex, sizeof hex, "%016" PRIx64, el_model_fingerprint(model_path));
    cJSON_AddStringToObject(o, "model_fingerprint", hex);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char opt[64];
        const char *eq = strchr(a, '=');
        snprintf(opt, sizeof opt, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        if (listed(opt, skip_flags)) continue;
        if (listed(opt, skip_with_value)) {
            if (!eq) i++; /* and its value */
            continue;
        }
        cJSON_AddItemToArray(args, cJSON_CreateString(a));
    }
    cJSON_AddItemToObject(o, "arguments", args);
    cJSON_AddNumberToObject(o, "inputs", (double)n_inputs);
    snprintf(hex, sizeof hex, "%016" PRIx64, inputs_fp);
    cJSON_AddStringToObject(o, "inputs_fingerprint", hex);
    char *json = cJSON_Print(o);
    cJSON_Delete(o);
    return json;
}

static int write_atomic(const char *cmd, const char *path, const char *text) {
    char tmp[4400];
    snprintf(tmp, sizeof tmp, "%.4200s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t len = strlen(text);
    int ok = fd >= 0 && write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    if (fd >= 0) close(fd);
    if (ok && rename(tmp, path) == 0) return 0;
    fprintf(stderr, "entropy-lens %s: %s: cannot write the run identity: %s\n", cmd, path, strerror(errno));
    unlink(tmp);
    return -1;
}

/* The first top-level field where a and b differ, or NULL. */
static const char *first_difference(const cJSON *a, const cJSON *b) {
    const cJSON *x;
    cJSON_ArrayForEach(x, a) {
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
        if (!y || !cJSON_Compare(x, y, 1)) return x->string;
    }
    cJSON_ArrayForEach(x, b) if (!cJSON_GetObjectItemCaseSensitive(a, x->string)) return x->string;
    return NULL;
}

static int settle(const char *cmd, const char *output, const char *json, int has_records) {
    char side[4300];
    snprintf(side, sizeof side, "%.4200s.run.json", output);
    if (!has_records) return write_atomic(cmd, side, json);
    char *text = NULL;
    size_t len = 0;
    if (el_file_read(side, EL_FILE_CONFIG, &text, &len) != EL_OK) {
        fprintf(stderr,
                "entropy-lens %s: %s holds records but its run identity %s cannot be read (%s): cannot check they "
                "come from this run; start a new output instead\n",
                cmd, output, side, el_last_error());
        return -1;
    }
    cJSON *want = cJSON_Parse(json), *have = el_json_parse(text, len, NULL);
    free(text);
    int rc = 0;
    if (!cJSON_IsObject(have)) {
        fprintf(stderr, "entropy-lens %s: %s: not a run identity (invalid JSON); refusing to --resume %s\n", cmd, side,
                output);
        rc = -1;
    } else {
        const char *field = first_difference(want, have);
        if (field) {
            fprintf(stderr,
                    "entropy-lens %s: --resume: %s was written by a different run (%s differs, see %s); refusing "
                    "to mix records\n",
                    cmd, output, field, side);
            rc = -1;
        }
    }
    cJSON_Delete(want);
    cJSON_Delete(have);
    return rc;
}

int el_run_identity_settle(const char *cmd, int csv, const char *model_path, int argc, char **argv,
                           const char *const *skip_value, const char *const *skip_flag, size_t n_inputs,
                           uint64_t inputs_fp, const char *output, int has_records) {
    if (!output || !strcmp(output, "-")) return 0; /* stdout: nothing to resume */
    char *json = build(cmd, csv ? "csv" : "jsonl", model_path, argc, argv, skip_value, skip_flag, n_inputs, inputs_fp);
    if (!json) {
        fprintf(stderr, "entropy-lens %s: out of memory\n", cmd);
        return -1;
    }
    int rc = settle(cmd, output, json, has_records);
    free(json);
    return rc;
}
