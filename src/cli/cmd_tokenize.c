/* entropy-lens tokenize: text to token ids and pieces, and ids back to text,
 * with any tokenizer the text command can use. One JSON record per input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/options.h"

static const char *help =
    "Usage: entropy-lens tokenize (--tokenizer FILE | --model DIR)\n"
    "                             (--text T | --ids LIST | --file F.jsonl) [options]\n"
    "\n"
    "Encode text to token ids, or decode ids to text, as the model's own tokenizer\n"
    "does (Hugging Face tokenizer.json, GPT-2 vocab.json + merges.txt, llama2.c\n"
    "tokenizer.bin, a GGUF file's tokenizer.ggml.*). Writes one JSON record per input:\n"
    "  encode: {\"text\": T, \"n\": N, \"ids\": [...], \"pieces\": [...]}\n"
    "  decode: {\"ids\": [...], \"text\": T}\n"
    "Pieces are vocabulary entries as the file stores them (\"Ġthe\", \"▁the\").\n"
    "\n"
    "  --tokenizer FILE   tokenizer.json, a llama2.c tokenizer.bin or a .gguf file\n"
    "  --model DIR        a model folder (tokenizer.json, vocab.json + merges.txt,\n"
    "                     tokenizer.bin or one tok*.bin) or a .gguf file\n"
    "  --text T           encode T\n"
    "  --ids LIST         decode the ids LIST (\"15496,995\" or \"15496 995\")\n"
    "  --file F.jsonl     one input per line: a JSON string or {\"text\": ...} to\n"
    "                     encode, an array of ids or {\"ids\": [...]} to decode\n"
    "                     (\"-\": standard input)\n"
    "  --bos MODE         special tokens around encoded text: auto (the tokenizer's\n"
    "                     own template, default), always (BOS first, as\n"
    "                     TransformerLens), never (the text's ids only)\n"
    "  --skip-special     decode without special tokens (HF skip_special_tokens);\n"
    "                     by default every token is decoded\n"
    "  --output F         write the records to F (default: standard output)\n"
    "  --bench            instead of records, encode the inputs repeatedly for about\n"
    "                     2 s of CPU time on one thread and print the throughput\n"
    "                     (MB of text per CPU second, and per wall-clock second)\n"
    "\n"
    "Decoded text that is not valid UTF-8 (ids cut mid-character) is written with\n"
    "U+FFFD for the broken bytes.\n"
    "\n" EL_EXIT_CODES_HELP;

typedef struct {
    const char *tokenizer, *model, *text, *ids, *file, *output;
    el_text_bos bos;
    int skip_special, bench;
} options;

/* JSON string of len bytes: escapes, and U+FFFD for bytes that are not UTF-8. */
static void put_json_string(FILE *f, const char *s, size_t len) {
    fputc('"', f);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        int ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++) ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
        if (ok && n == 3) ok = !(c == 0xE0 && (unsigned char)s[i + 1] < 0xA0) && !(c == 0xED && (unsigned char)s[i + 1] >= 0xA0);
        if (ok && n == 4) ok = !(c == 0xF0 && (unsigned char)s[i + 1] < 0x90) && !(c == 0xF4 && (unsigned char)s[i + 1] >= 0x90);
        if (!ok) {
            fputs("\xEF\xBF\xBD", f);
            i++;
        } else if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(f, "\\u%04x", c);
            i++;
        } else {
            fwrite(s + i, 1, n, f);
            i += n;
        }
    }
    fputc('"', f);
}

static void put_ids(FILE *f, const int *ids, int n) {
    fputc('[', f);
    for (int i = 0; i < n; i++) fprintf(f, i ? ",%d" : "%d", ids[i]);
    fputc(']', f);
}

static int encode_record(FILE *f, const el_tokenizer *t, const options *o, const char *text, size_t len) {
    int *ids = NULL, n = 0;
    if (el_tokenizer_encode_n(t, text, len, o->bos, &ids, &n) != EL_OK) {
        fprintf(stderr, "entropy-lens tokenize: %s\n", el_last_error());
        return -1;
    }
    fputs("{\"text\":", f);
    put_json_string(f, text, len);
    fprintf(f, ",\"n\":%d,\"ids\":", n);
    put_ids(f, ids, n);
    fputs(",\"pieces\":[", f);
    for (int i = 0; i < n; i++) {
        const char *p = el_tokenizer_piece(t, ids[i]);
        if (i) fputc(',', f);
        put_json_string(f, p, strlen(p));
    }
    fputs("]}\n", f);
    free(ids);
    return 0;
}

static int decode_record(FILE *f, const el_tokenizer *t, const options *o, const int *ids, int n) {
    char *text = NULL;
    size_t len = 0;
    el_decode_mode mode = o->skip_special ? EL_DECODE_SKIP_SPECIAL : EL_DECODE_KEEP_ALL;
    if (el_tokenizer_decode_ex(t, ids, n, mode, &text, &len) != EL_OK) {
        fprintf(stderr, "entropy-lens tokenize: %s\n", el_last_error());
        return -1;
    }
    fputs("{\"ids\":", f);
    put_ids(f, ids, n);
    fputs(",\"text\":", f);
    put_json_string(f, text, len);
    fputs("}\n", f);
    free(text);
    return 0;
}

/* "1,2 3" -> ids; -1 on anything that is not an integer list. */
static int parse_id_list(const char *s, int **ids, int *n) {
    size_t cap = strlen(s) / 2 + 1;
    *ids = malloc(cap * sizeof(int));
    *n = 0;
    if (!*ids) return -1;
    while (*s) {
        while (*s == ',' || *s == ' ' || *s == '\t') s++;
        if (!*s) break;
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < -1 || v > 0x7FFFFFFF || (size_t)*n >= cap) return -1;
        (*ids)[(*n)++] = (int)v;
        s = end;
    }
    return 0;
}

/* Ids from a JSON array of integers; -1 if it is something else. */
static int json_ids(const cJSON *a, int **ids, int *n) {
    int k = cJSON_GetArraySize(a);
    *ids = malloc(((size_t)k + 1) * sizeof(int));
    *n = 0;
    if (!*ids) return -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (!cJSON_IsNumber(e) || e->valuedouble != (double)(int)e->valuedouble) return -1;
        (*ids)[(*n)++] = (int)e->valuedouble;
    }
    return 0;
}

/* One JSONL line: encode a string / {"text"}, decode an array / {"ids"}. */
static int file_record(FILE *f, const el_tokenizer *t, const options *o, const char *line, long no) {
    cJSON *j = cJSON_Parse(line);
    const cJSON *text = cJSON_IsString(j) ? j : cJSON_GetObjectItemCaseSensitive(j, "text");
    const cJSON *arr = cJSON_IsArray(j) ? j : cJSON_GetObjectItemCaseSensitive(j, "ids");
    int rc = -1;
    if (cJSON_IsString(text) && !strstr(line, "\\u0000")) {
        rc = encode_record(f, t, o, text->valuestring, strlen(text->valuestring));
    } else if (cJSON_IsArray(arr)) {
        int *ids = NULL, n = 0;
        if (json_ids(arr, &ids, &n) == 0) rc = decode_record(f, t, o, ids, n);
        else fprintf(stderr, "entropy-lens tokenize: %s line %ld: \"ids\" is not a list of integers\n", o->file, no);
        free(ids);
    } else {
        fprintf(stderr, "entropy-lens tokenize: %s line %ld: %s\n", o->file, no,
                cJSON_IsString(text) ? "NUL characters (\\u0000) in text are not supported"
                                     : "neither a string, {\"text\": ...}, an id list nor {\"ids\": [...]}");
    }
    cJSON_Delete(j);
    return rc;
}

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* --bench: the texts encoded over and over for about 2 s of this thread's
 * CPU time, which other processes on a busy machine do not inflate. */
static int bench(const el_tokenizer *t, const options *o, char **texts, size_t n) {
    size_t bytes = 0, rounds = 0;
    double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC), cpu = 0;
    while (cpu < 2.0 && n) {
        for (size_t i = 0; i < n; i++) {
            int *ids = NULL, k = 0;
            size_t len = strlen(texts[i]);
            if (el_tokenizer_encode_n(t, texts[i], len, o->bos, &ids, &k) != EL_OK) {
                fprintf(stderr, "entropy-lens tokenize: %s\n", el_last_error());
                return EL_EXIT_FATAL;
            }
            free(ids);
            bytes += len;
        }
        rounds++;
        cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    double wall = clock_s(CLOCK_MONOTONIC) - w0;
    printf("tokenize: %zu texts, %zu bytes x %zu rounds: %.2f MB/s per CPU second on one thread "
           "(%.2f s CPU, %.2f s wall: %.2f MB/s)\n", n, rounds ? bytes / rounds : 0, rounds,
           cpu > 0 ? (double)bytes / cpu / 1e6 : 0.0, cpu, wall, wall > 0 ? (double)bytes / wall / 1e6 : 0.0);
    return EL_EXIT_OK;
}

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    o->bos = EL_TEXT_BOS_AUTO;
    const el_opt opts[] = {
        EL_OPT_STR("tokenizer", &o->tokenizer),
        EL_OPT_STR("model", &o->model),
        EL_OPT_STR("text", &o->text),
        EL_OPT_STR("ids", &o->ids),
        EL_OPT_STR("file", &o->file),
        EL_OPT_STR("output", &o->output),
        EL_OPT_FN("bos", &o->bos, el_opt_parse_bos, "auto, always or never"),
        EL_OPT_SET("skip-special", &o->skip_special),
        EL_OPT_SET("bench", &o->bench),
        EL_OPT_TABLE_END};
    const el_cli cli = {"tokenize", help, el_cli_families_tail(), opts, 0, NULL};
    int rc = el_cli_parse_options(&cli, argc, argv);
    if (rc != EL_CLI_RUN) return rc;
    if (!o->tokenizer == !o->model || (!!o->text + !!o->ids + !!o->file) != 1) {
        fprintf(stderr, "entropy-lens tokenize: give one of --tokenizer/--model and one of --text/--ids/--file\n");
        return EL_EXIT_USAGE;
    }
    if (o->bench && o->ids) {
        fprintf(stderr, "entropy-lens tokenize: --bench measures encoding: give --text or --file\n");
        return EL_EXIT_USAGE;
    }
    return EL_CLI_RUN;
}

/* --file: records line by line, or (bench) the texts collected. */
static int run_file(FILE *out, const el_tokenizer *t, const options *o) {
    FILE *in = strcmp(o->file, "-") ? fopen(o->file, "r") : stdin;
    if (!in) {
        fprintf(stderr, "entropy-lens tokenize: %s: cannot open\n", o->file);
        return EL_EXIT_FATAL;
    }
    char *line = NULL, **texts = NULL;
    size_t cap = 0, n_texts = 0, failed = 0;
    long no = 0;
    while (getline(&line, &cap, in) > 0) {
        no++;
        if (line[strspn(line, " \t\r\n")] == '\0') continue;
        if (!o->bench) {
            failed += file_record(out, t, o, line, no) != 0;
            continue;
        }
        cJSON *j = cJSON_Parse(line);
        const cJSON *s = cJSON_IsString(j) ? j : cJSON_GetObjectItemCaseSensitive(j, "text");
        char **grown = cJSON_IsString(s) ? realloc(texts, (n_texts + 1) * sizeof *texts) : NULL;
        if (grown && (grown[n_texts] = strdup(s->valuestring))) n_texts++;
        if (grown) texts = grown;
        cJSON_Delete(j);
    }
    free(line);
    if (in != stdin) fclose(in);
    int rc = o->bench ? bench(t, o, texts, n_texts) : failed ? EL_EXIT_PARTIAL : EL_EXIT_OK;
    for (size_t i = 0; i < n_texts; i++) free(texts[i]);
    free(texts);
    return rc;
}

int cmd_tokenize(int argc, char **argv) {
    options o;
    int a = parse_args(argc, argv, &o);
    if (a != EL_CLI_RUN) return a;
    el_tokenizer *t = NULL;
    if (el_tokenizer_load_path(o.tokenizer ? o.tokenizer : o.model, &t) != EL_OK) {
        fprintf(stderr, "entropy-lens tokenize: %s\n", el_last_error());
        return EL_EXIT_FATAL;
    }
    int fd = el_open_output("tokenize", o.output, 0);
    FILE *out = fd < 0 ? NULL : fd == 1 ? stdout : fdopen(fd, "w");
    int rc = EL_EXIT_FATAL;
    if (out && o.file) {
        rc = run_file(out, t, &o);
    } else if (out && o.bench) {
        char *texts[1] = {(char *)o.text};
        rc = bench(t, &o, texts, 1);
    } else if (out && o.text) {
        rc = encode_record(out, t, &o, o.text, strlen(o.text)) ? EL_EXIT_FATAL : EL_EXIT_OK;
    } else if (out) {
        int *ids = NULL, n = 0;
        if (parse_id_list(o.ids, &ids, &n)) {
            fprintf(stderr, "entropy-lens tokenize: --ids is not a list of integers\n");
            rc = EL_EXIT_USAGE;
        } else {
            rc = decode_record(out, t, &o, ids, n) ? EL_EXIT_FATAL : EL_EXIT_OK;
        }
        free(ids);
    }
    if (out && out != stdout && fclose(out) != 0) rc = EL_EXIT_FATAL;
    el_tokenizer_free(t);
    return rc;
}
