#include "cli/prompts.h"
#include "base/buffer.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/strbuf.h"
#include "entropy_lens.h"
#include "records/json_read.h"


void el_prompt_items_free(prompt_item *it, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(it[i].prompt);
        free(it[i].label);
        free(it[i].extra);
        free(it[i].error);
        free(it[i].answer);
        free(it[i].extract);
    }
    free(it);
}

/* Fields the tool writes into a text record: a prompts line may not carry
 * them as extra fields (they would be copied ahead of the real ones, giving
 * duplicate keys that analysis would read). */
static const char *const reserved_fields[] = {"error",   "generated", "tokens", "n_prompt_tokens", "windows",
                                              "entropy", "renyi",     "entropy_steps", "model", "units",
                                              "sample",  "seed",      "correct", "extracted", "prob"};

static const char *reserved_field(const cJSON *o) {
    for (const cJSON *f = o->child; f; f = f->next)
        for (size_t i = 0; i < sizeof reserved_fields / sizeof *reserved_fields; i++)
            if (!strcmp(f->string, reserved_fields[i])) return reserved_fields[i];
    return NULL;
}

/* One JSONL line (len bytes, may hold NULs) into an item; problems become the
 * item's error so the line gets its own error record. */
static void parse_prompt_line(const char *path, int lineno, const char *line, size_t len, prompt_item *it) {
    char msg[512];
    memset(it, 0, sizeof *it);
    it->sample = -1;
    if (strlen(line) != len) {
        snprintf(msg, sizeof msg, "%s:%d: NUL byte in the line (prompts are text)", path, lineno);
        it->error = strdup(msg);
        return;
    }
    cJSON *o = el_json_parse(line, len, NULL);
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(o, "prompt");
    const char *res = cJSON_IsObject(o) ? reserved_field(o) : NULL;
    if (!cJSON_IsObject(o) || !cJSON_IsString(pr)) {
        snprintf(msg, sizeof msg, "%s:%d: not a JSON object with a string \"prompt\"", path, lineno);
        it->error = strdup(msg);
    } else if (res) {
        snprintf(msg, sizeof msg, "%s:%d: field \"%s\" is reserved for the output record", path, lineno, res);
        it->error = strdup(msg);
    } else {
        it->prompt = strdup(pr->valuestring);
        const cJSON *lab = cJSON_GetObjectItemCaseSensitive(o, "label");
        if (cJSON_IsString(lab)) it->label = strdup(lab->valuestring);
        else if (lab && !cJSON_IsNull(lab)) it->label = cJSON_PrintUnformatted(lab);
        const cJSON *ans = cJSON_GetObjectItemCaseSensitive(o, "answer");
        const cJSON *ext = cJSON_GetObjectItemCaseSensitive(o, "extract");
        if (cJSON_IsString(ans)) it->answer = strdup(ans->valuestring);
        else if (cJSON_IsNumber(ans)) it->answer = cJSON_PrintUnformatted(ans);
        if (cJSON_IsString(ext)) it->extract = strdup(ext->valuestring);
        el_strbuf extra = {0};
        for (const cJSON *f = o->child; f; f = f->next) {
            if (!strcmp(f->string, "prompt") || !strcmp(f->string, "label")) continue;
            char *v = cJSON_PrintUnformatted(f);
            if (!v) continue;
            el_sb_json_str(&extra, f->string);
            el_sb_putc(&extra, ':');
            el_sb_puts(&extra, v);
            el_sb_putc(&extra, ',');
            free(v);
        }
        it->extra = extra.data;
    }
    cJSON_Delete(o);
}

/* Each JSONL line becomes one item; a bad line becomes an item with an error
 * so it gets its own error record and the run goes on. Only a regular file,
 * read within the prompts limit (src/base/file.h). */
int el_prompts_read(const char *path, prompt_item **out, size_t *n_out) {
    FILE *fp = NULL;
    if (el_file_fopen(path, EL_FILE_PROMPTS, &fp) != EL_OK) {
        fprintf(stderr, "entropy-lens text: %s\n", el_last_error());
        return -1;
    }
    prompt_item *items = NULL;
    size_t n = 0, cap = 0, lcap = 0;
    char *line = NULL;
    long len;
    uint64_t used = 0;
    int lineno = 0, rc = 0;
    el_status st;
    while ((st = el_file_getline(fp, path, EL_FILE_PROMPTS, &used, &line, &lcap, &len)) == EL_OK && len >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        if (el_grow(&items, &cap, n, sizeof *items, 64)) {
            st = el_fail(EL_ERR_NOMEM, "%s: out of memory at line %d", path, lineno);
            break;
        }
        parse_prompt_line(path, lineno, line, (size_t)len, &items[n++]);
    }
    if (st != EL_OK) {
        fprintf(stderr, "entropy-lens text: %s\n", el_last_error());
        rc = -1;
    } else if (n == 0) {
        fprintf(stderr, "entropy-lens text: %s: no prompts (empty file)\n", path);
        rc = -1;
    }
    free(line);
    fclose(fp);
    if (rc) {
        el_prompt_items_free(items, n);
        items = NULL, n = 0;
    }
    *out = items;
    *n_out = n;
    return rc;
}

static uint64_t mix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t el_sample_seed(uint64_t seed, uint64_t p, uint64_t s) { return mix64(seed ^ mix64((p << 32) + s)); }

static char *dup_or_null(const char *s, int *oom) {
    char *d = s ? strdup(s) : NULL;
    if (s && !d) *oom = 1;
    return d;
}

int el_prompts_expand_samples(prompt_item **items, size_t *n, int n_samples, uint64_t seed) {
    const size_t total = *n * (size_t)n_samples;
    prompt_item *out = calloc(total ? total : 1, sizeof *out);
    if (!out) return -1;
    int oom = 0;
    for (size_t p = 0; p < *n; p++)
        for (int s = 0; s < n_samples; s++) {
            const prompt_item *a = &(*items)[p];
            prompt_item *b = &out[p * (size_t)n_samples + (size_t)s];
            b->prompt = dup_or_null(a->prompt, &oom);
            b->label = dup_or_null(a->label, &oom);
            b->extra = dup_or_null(a->extra, &oom);
            b->error = dup_or_null(a->error, &oom);
            b->answer = dup_or_null(a->answer, &oom);
            b->extract = dup_or_null(a->extract, &oom);
            b->sample = s;
            b->seed = el_sample_seed(seed, p, (uint64_t)s);
        }
    if (oom) {
        el_prompt_items_free(out, total);
        return -1;
    }
    el_prompt_items_free(*items, *n);
    *items = out;
    *n = total;
    return 0;
}
