/* entropy-lens text: prompts in, generated text and per-layer entropy
 * profiles out (the paper's protocol: the lens at the last position after
 * every block, at every generated step). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "cli/cli.h"
#include "cli/dist.h"
#include "cli/resume.h"
#include "cli/run_identity.h"
#include "cli/progress.h"
#include "cli/prompts.h"
#include "cli/summary.h"
#include "base/strbuf.h"
#include "entropy_lens.h"
#include "records/records.h"

static const char *help =
    "Usage: entropy-lens text [--model PATH] (--prompt TEXT | --prompts FILE.jsonl) [options]\n"
    "\n"
    "Generate tokens from each prompt and record, at every step, the logit-lens\n"
    "entropy after every block at the last position (final norm + unembedding).\n"
    "\n"
    "Options:\n"
    "  --model PATH         HF GPT-2 / Llama (2, 3.x) / Mistral / Qwen2 / Qwen3 / Phi-3 / GPT-NeoX /\n"
    "                       OPT / Gemma 1/2/3 / BLOOM\n"
    "                       folder, a GGUF file (llama, qwen2, phi3, gpt2, gptneox;\n"
    "                       F32..Q4_K) or llama2.c .bin,\n"
    "                       or ORG/NAME[@REV] from the Hugging Face cache (HF_HOME)\n"
    "                       (default: the sample model samples/models/fortune-gpt2)\n"
    "  --tokenizer FILE     tokenizer.bin (llama2.c) or tokenizer.json; default: beside the model\n"
    "  --prompt TEXT        one prompt\n"
    "  --prompts FILE       JSONL, one object per line with \"prompt\", optional \"label\";\n"
    "                       other fields are copied into the output record, except\n"
    "                       output field names (entropy, model, ...): error record\n"
    "  -n, --tokens N       tokens to generate per prompt (default 32)\n"
    "  --temperature T      0 = greedy (default), else sampling with --seed\n"
    "  --seed S             sampling seed (default 42); same seed, same output\n"
    "  --samples N          N independent samples of every prompt (needs --temperature\n"
    "                       > 0): sample s of prompt p (0-based) uses the seed\n"
    "                       mix(S ^ mix(p * 2^32 + s)), mix = SplitMix64's output\n"
    "                       function; records carry \"sample\" and \"seed\"\n"
    "  --bos MODE           special tokens around each prompt: auto (what the\n"
    "                       tokenizer's own template adds, default), always (BOS\n"
    "                       first, as TransformerLens does), never\n"
    "  --windows W          average the steps in W contiguous windows (N must be a\n"
    "                       multiple of W): entropy is W x L; W = 1 (default) is the mean, L numbers\n"
    "  --per-step           also write every step's L entropies (entropy_steps)\n"
    "  --alpha A[,A...]     also Renyi entropies (0, inf, or > 0 and != 1)\n"
    "  --units U            nats (default), bits, or normalized (/ log vocabulary size)\n"
    "  -o, --output FILE    write records here (default stdout)\n"
    "  --format jsonl|csv   record format (default jsonl)\n"
    "  --batch N            prompts generated together, one pass over the weights\n"
    "                       per step for all of them (default 16)\n"
    "  --threads N          threads (default: all cores)\n"
    "  --resume             continue a killed run: keep the records in -o FILE, do the rest\n"
    "  -q, --quiet          no progress bar or summary\n"
    "\n" EL_EXIT_CODES_HELP;

#define EL_TEXT_MAX_BATCH 256

static volatile sig_atomic_t interrupted = 0;
static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
    signal(SIGINT, SIG_DFL);
}

/* Mean over the steps of each window: [W][L]. */
static void window_means(const float *steps, int S, int L, int W, float *out) {
    const int per = S / W;
    for (int w = 0; w < W; w++)
        for (int l = 0; l < L; l++) {
            double s = 0.0;
            for (int k = 0; k < per; k++) s += steps[(size_t)(w * per + k) * L + l];
            out[(size_t)w * L + l] = (float)(s / per);
        }
}

static void json_rows(el_strbuf *sb, const float *v, int rows, int cols, int flat) {
    if (!flat) el_sb_putc(sb, '[');
    for (int r = 0; r < rows; r++) {
        if (r) el_sb_putc(sb, ',');
        el_sb_putc(sb, '[');
        for (int c = 0; c < cols; c++) {
            if (c) el_sb_putc(sb, ',');
            el_sb_json_float(sb, v[(size_t)r * cols + c]);
        }
        el_sb_putc(sb, ']');
    }
    if (!flat) el_sb_putc(sb, ']');
}

typedef struct {
    prompt_item *items;
    size_t n_items, first; /* first: items already in the output (--resume) */
    el_model *m;
    el_state *st;
    el_model_info info;
    el_text_params tp;
    int windows, per_step, quiet, batch, samples; /* samples: --samples N, 0 without */
    el_format format;
    float *win;
    el_summary sum;
    el_run_counts counts;
    int out_fd;
    const char *output;
    el_progress bar;
} text_run;

/* ,"key":[1,2,3] */
static void json_ids(el_strbuf *sb, const char *key, const int *ids, int n) {
    el_sb_printf(sb, ",\"%s\":[", key);
    for (int k = 0; k < n; k++) el_sb_printf(sb, "%s%d", k ? "," : "", ids[k]);
    el_sb_putc(sb, ']');
}

/* CSV: ids as one field, space-separated. */
static void csv_ids(el_strbuf *sb, const int *ids, int n) {
    el_sb_putc(sb, ',');
    for (int k = 0; k < n; k++) el_sb_printf(sb, "%s%d", k ? " " : "", ids[k]);
}

/* CSV: the prompts line's other fields as one JSON object field ("" if none). */
static void csv_extra(el_strbuf *sb, const char *extra) {
    if (!extra || !*extra) return;
    el_strbuf o = {0};
    el_sb_putc(&o, '{');
    el_sb_puts(&o, extra);
    if (o.len && o.data[o.len - 1] == ',') o.data[--o.len] = '\0';
    el_sb_putc(&o, '}');
    if (o.data) el_sb_csv_str(sb, o.data);
    el_sb_free(&o);
}

/* A CSV row: prompt, label, extra, generated, tokens, prompt_ids, the
 * (window, layer) means, error. */
static void csv_row(const text_run *T, const prompt_item *it, const el_text_result *r, const char *err,
                    el_strbuf *sb) {
    const int L = T->info.n_layers, W = T->windows, S = T->tp.n_tokens;
    el_sb_csv_str(sb, it->prompt ? it->prompt : "");
    el_sb_putc(sb, ',');
    el_sb_csv_str(sb, it->label ? it->label : "");
    el_sb_putc(sb, ',');
    csv_extra(sb, it->extra);
    el_sb_putc(sb, ',');
    if (T->samples) el_sb_printf(sb, "%d,%llu,", it->sample, (unsigned long long)it->seed);
    if (!err[0]) {
        el_sb_csv_str(sb, r->text);
        csv_ids(sb, r->ids, S);
        csv_ids(sb, r->prompt_ids, r->n_prompt);
        window_means(r->entropy, S, L, W, T->win);
        for (int k = 0; k < W * L; k++) el_sb_printf(sb, ",%.7g", T->win[k]);
        el_sb_puts(sb, ",\n");
    } else {
        for (int k = 0; k < W * L + 2; k++) el_sb_putc(sb, ',');
        el_sb_putc(sb, ',');
        el_sb_csv_str(sb, err);
        el_sb_putc(sb, '\n');
    }
}

/* The run's identity beside its output (cli/run_identity.h); the prompts
 * in order are its inputs, so a resumed run continues at its position. */
static int settle_identity(int argc, char **argv, el_format format, const char *model, const char *output,
                           const text_run *T, int has_records) {
    static const char *const skip_value[] = {"-o", "--output", "--threads", NULL};
    static const char *const skip_flag[] = {"--resume", "-q", "--quiet", NULL};
    uint64_t fp = EL_FNV_START;
    for (size_t i = 0; i < T->n_items; i++) {
        const prompt_item *it = &T->items[i];
        const char *f[] = {it->prompt, it->label, it->extra, it->error};
        for (int k = 0; k < 4; k++) fp = el_fnv(fp, f[k] ? f[k] : "", f[k] ? strlen(f[k]) + 1 : 1);
    }
    return el_run_identity_settle("text", format == EL_FORMAT_CSV, model, argc, argv, skip_value, skip_flag,
                                  T->n_items, fp, output, has_records);
}

/* One prompt's record from its result (or its error). */
static int format_record(text_run *T, prompt_item *it, el_text_result *res, el_strbuf *sb) {
    const int L = T->info.n_layers, W = T->windows, S = T->tp.n_tokens;
    float *win = T->win;
    el_text_result r = *res;
    char err[1200] = "";
    if (it->error) snprintf(err, sizeof err, "%s", it->error);
    else if (r.error) snprintf(err, sizeof err, "%s", r.error);
    if (T->format == EL_FORMAT_JSONL) {
        el_sb_puts(sb, "{\"prompt\":");
        if (it->prompt) el_sb_json_str(sb, it->prompt);
        else el_sb_puts(sb, "null");
        el_sb_puts(sb, ",\"label\":");
        if (it->label) el_sb_json_str(sb, it->label);
        else el_sb_puts(sb, "null");
        el_sb_putc(sb, ',');
        if (it->extra) el_sb_puts(sb, it->extra);
        if (T->samples) el_sb_printf(sb, "\"sample\":%d,\"seed\":%llu,", it->sample, (unsigned long long)it->seed);
        if (err[0]) {
            el_sb_puts(sb, "\"error\":");
            el_sb_json_str(sb, err);
        } else {
            el_sb_puts(sb, "\"generated\":");
            el_sb_json_str(sb, r.text);
            json_ids(sb, "tokens", r.ids, S);
            json_ids(sb, "prompt_ids", r.prompt_ids, r.n_prompt);
            el_sb_printf(sb, ",\"n_prompt_tokens\":%d,\"windows\":%d,\"entropy\":", r.n_prompt, W);
            window_means(r.entropy, S, L, W, win);
            json_rows(sb, win, W, L, W == 1);
            if (T->tp.n_alpha) {
                el_sb_puts(sb, ",\"renyi\":{");
                for (int a = 0; a < T->tp.n_alpha; a++) {
                    if (isinf(T->tp.alpha[a])) el_sb_printf(sb, "%s\"inf\":", a ? "," : "");
                    else el_sb_printf(sb, "%s\"%g\":", a ? "," : "", T->tp.alpha[a]);
                    window_means(r.renyi + (size_t)a * S * L, S, L, W, win);
                    json_rows(sb, win, W, L, W == 1);
                }
                el_sb_putc(sb, '}');
            }
            if (T->per_step) {
                el_sb_puts(sb, ",\"entropy_steps\":");
                json_rows(sb, r.entropy, S, L, 0);
            }
        }
        el_sb_puts(sb, ",\"model\":");
        el_sb_json_str(sb, T->info.name);
        el_sb_printf(sb, ",\"units\":\"%s\"}\n", el_units_name(T->tp.units));
    } else {
        csv_row(T, it, &r, err, sb);
    }
    if (err[0]) {
        T->counts.failed++;
        if (!T->quiet) {
            el_progress_finish(&T->bar);
            fprintf(stderr, "entropy-lens: error: %s\n", err);
        }
    } else {
        T->counts.ok++;
        T->counts.tokens += (size_t)S;
        window_means(r.entropy, S, L, 1, win);
        el_summary_add(&T->sum, it->label, win);
    }
    if (sb->oom) {
        fprintf(stderr, "entropy-lens text: out of memory formatting a record\n");
        return -1;
    }
    return 0;
}

/* One unit = a batch of prompts generated together, then their records in
 * prompt order. */
static int text_unit(void *vctx, size_t unit, el_strbuf *sb) {
    text_run *T = vctx;
    const size_t start = T->first + unit * (size_t)T->batch, end = start + (size_t)T->batch < T->n_items ? start + (size_t)T->batch : T->n_items;
    const int n = (int)(end - start);
    const char *prompts[EL_TEXT_MAX_BATCH] = {0};
    int slot[EL_TEXT_MAX_BATCH], k = 0; /* unreadable input lines are not generated */
    el_text_result res[EL_TEXT_MAX_BATCH], none = {0};
    uint64_t seeds[EL_TEXT_MAX_BATCH];
    el_text_params tp = T->tp;
    tp.seeds = T->samples ? seeds : NULL;
    for (int i = 0; i < n; i++) {
        const prompt_item *it = &T->items[start + (size_t)i];
        slot[i] = it->error ? -1 : k;
        if (!it->error) seeds[k] = it->seed, prompts[k++] = it->prompt;
    }
    if (el_text_generate_batch(T->st, prompts, k, &tp, res) != EL_OK) {
        /* The whole batch failed (memory): every prompt gets the error. */
        for (int j = 0; j < k; j++) {
            memset(&res[j], 0, sizeof res[j]);
            res[j].error = strdup(el_last_error());
        }
    }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) rc = format_record(T, &T->items[start + (size_t)i], slot[i] < 0 ? &none : &res[slot[i]], sb);
    for (int j = 0; j < k; j++) el_text_result_free(&res[j]);
    return rc;
}

static int text_write(void *vctx, size_t unit, const char *data, size_t len) {
    text_run *T = vctx;
    if (el_write_all(T->out_fd, data, len)) {
        fprintf(stderr, "entropy-lens text: %s: write failed: %s\n", T->output ? T->output : "stdout", strerror(errno));
        return -1;
    }
    size_t done = (unit + 1) * (size_t)T->batch;
    el_progress_update(&T->bar, done < T->n_items - T->first ? done : T->n_items - T->first, T->counts.failed);
    return 0;
}

static void serialize_items(const prompt_item *it, size_t n, el_strbuf *sb) {
    for (size_t i = 0; i < n; i++) {
        el_dist_put_field(sb, it[i].prompt);
        el_dist_put_field(sb, it[i].label);
        el_dist_put_field(sb, it[i].extra);
        el_dist_put_field(sb, it[i].error);
        el_dist_put_field(sb, it[i].answer);
        el_dist_put_field(sb, it[i].extract);
        char num[48];
        snprintf(num, sizeof num, "%d %llu", it[i].sample, (unsigned long long)it[i].seed);
        el_dist_put_field(sb, num);
    }
}

static int deserialize_items(const char *buf, size_t len, prompt_item **out, size_t *n_out) {
    const char *p = buf, *end = buf + len;
    size_t n = 0, cap = 0;
    prompt_item *items = NULL;
    while (p < end) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            prompt_item *q = realloc(items, cap * sizeof *q);
            if (!q) return -1;
            items = q;
        }
        prompt_item *it = &items[n++];
        it->prompt = el_dist_take_field(&p, end);
        it->label = el_dist_take_field(&p, end);
        it->extra = el_dist_take_field(&p, end);
        it->error = el_dist_take_field(&p, end);
        it->answer = el_dist_take_field(&p, end);
        it->extract = el_dist_take_field(&p, end);
        char *num = el_dist_take_field(&p, end);
        unsigned long long seed = 0;
        it->sample = -1;
        if (num && sscanf(num, "%d %llu", &it->sample, &seed) != 2) it->sample = -1;
        it->seed = seed;
        free(num);
    }
    *out = items;
    *n_out = n;
    return 0;
}

int cmd_text(int argc, char **argv) {
    const char *model_dir = NULL, *tokenizer = NULL, *prompt = NULL, *prompts = NULL, *output = NULL;
    el_text_params tp = el_text_default_params();
    long windows = 1, threads = 0, batch = 16, samples = 0;
    int per_step = 0, quiet = 0, resume = 0;
    el_format format = EL_FORMAT_JSONL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        long x;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            printf("\nModel families: %s\n", el_model_families());
            return EL_EXIT_OK;
        }
        int takes = !strcmp(a, "--model") || !strcmp(a, "--tokenizer") || !strcmp(a, "--prompt") || !strcmp(a, "--prompts") ||
                    !strcmp(a, "-n") || !strcmp(a, "--tokens") || !strcmp(a, "--temperature") || !strcmp(a, "--seed") || !strcmp(a, "--bos") ||
                    !strcmp(a, "--windows") || !strcmp(a, "--alpha") || !strcmp(a, "--units") || !strcmp(a, "-o") ||
                    !strcmp(a, "--output") || !strcmp(a, "--format") || !strcmp(a, "--threads") || !strcmp(a, "--batch") || !strcmp(a, "--samples");
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "entropy-lens text: %s needs a value\n", a);
            return EL_EXIT_USAGE;
        }
        if ((v = el_opt_value(argc, argv, &i, "--model"))) model_dir = v;
        else if ((v = el_opt_value(argc, argv, &i, "--tokenizer"))) tokenizer = v;
        else if ((v = el_opt_value(argc, argv, &i, "--prompts"))) prompts = v;
        else if ((v = el_opt_value(argc, argv, &i, "--prompt"))) prompt = v;
        else if ((v = el_opt_value(argc, argv, &i, "-n")) || (v = el_opt_value(argc, argv, &i, "--tokens"))) {
            if (el_parse_int("text", "--tokens", v, 1, 1 << 20, &x)) return EL_EXIT_USAGE;
            tp.n_tokens = (int)x;
        } else if ((v = el_opt_value(argc, argv, &i, "--temperature"))) {
            char *end;
            tp.temperature = strtod(v, &end);
            if (end == v || *end || !(tp.temperature >= 0) || !isfinite(tp.temperature)) {
                fprintf(stderr, "entropy-lens text: --temperature needs a number >= 0, got '%s'\n", v);
                return EL_EXIT_USAGE;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "--seed"))) {
            if (el_parse_u64("text", "--seed", v, &tp.seed)) return EL_EXIT_USAGE;
        } else if ((v = el_opt_value(argc, argv, &i, "--bos"))) {
            if (!strcmp(v, "auto")) tp.bos = EL_TEXT_BOS_AUTO;
            else if (!strcmp(v, "always")) tp.bos = EL_TEXT_BOS_ALWAYS;
            else if (!strcmp(v, "never")) tp.bos = EL_TEXT_BOS_NEVER;
            else {
                fprintf(stderr, "entropy-lens text: --bos must be auto, always or never, not '%s'\n", v);
                return EL_EXIT_USAGE;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "--windows"))) {
            if (el_parse_int("text", "--windows", v, 1, 1 << 20, &windows)) return EL_EXIT_USAGE;
        } else if ((v = el_opt_value(argc, argv, &i, "--alpha"))) {
            el_lens_params lp = el_lens_default_params();
            if (el_parse_alpha(v, &lp)) {
                fprintf(stderr, "entropy-lens text: --alpha takes up to %d orders: 0, inf, or > 0 and != 1 ('%s')\n",
                        EL_MAX_ALPHA, v);
                return EL_EXIT_USAGE;
            }
            tp.n_alpha = lp.n_alpha;
            memcpy(tp.alpha, lp.alpha, sizeof tp.alpha);
        } else if ((v = el_opt_value(argc, argv, &i, "--units"))) {
            if (el_parse_units(v, &tp.units)) {
                fprintf(stderr, "entropy-lens text: --units is nats, bits or normalized, not '%s'\n", v);
                return EL_EXIT_USAGE;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "-o")) || (v = el_opt_value(argc, argv, &i, "--output"))) {
            output = v;
        } else if ((v = el_opt_value(argc, argv, &i, "--format"))) {
            if (!strcmp(v, "jsonl")) format = EL_FORMAT_JSONL;
            else if (!strcmp(v, "csv")) format = EL_FORMAT_CSV;
            else {
                fprintf(stderr, "entropy-lens text: --format is jsonl or csv, not '%s'\n", v);
                return EL_EXIT_USAGE;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "--threads"))) {
            if (el_parse_int("text", "--threads", v, 0, 1024, &threads)) return EL_EXIT_USAGE;
        } else if ((v = el_opt_value(argc, argv, &i, "--samples"))) {
            if (el_parse_int("text", "--samples", v, 1, 1 << 20, &samples)) return EL_EXIT_USAGE;
        } else if ((v = el_opt_value(argc, argv, &i, "--batch"))) {
            if (el_parse_int("text", "--batch", v, 1, EL_TEXT_MAX_BATCH, &batch)) return EL_EXIT_USAGE;
        } else if (!strcmp(a, "--resume")) {
            resume = 1;
        } else if (!strcmp(a, "--per-step")) {
            per_step = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else {
            fprintf(stderr, "entropy-lens text: unknown argument '%s' (see --help)\n", a);
            return EL_EXIT_USAGE;
        }
    }
    if (!prompt == !prompts) {
        fprintf(stderr, "entropy-lens text: give exactly one of --prompt TEXT or --prompts FILE.jsonl\n");
        return EL_EXIT_USAGE;
    }
    if (resume && (!output || !strcmp(output, "-"))) {
        fprintf(stderr, "entropy-lens text: --resume needs -o FILE (the output of the run to continue)\n");
        return EL_EXIT_USAGE;
    }
    /* CSV has one row of (window, layer) columns: what does not fit is refused, never dropped. */
    if (format == EL_FORMAT_CSV && (tp.n_alpha || per_step)) {
        fprintf(stderr, "entropy-lens text: --format csv cannot hold %s (use JSONL)\n",
                tp.n_alpha ? "--alpha (Renyi entropies)" : "--per-step (entropy_steps)");
        return EL_EXIT_USAGE;
    }
    if (samples > 1 && tp.temperature <= 0) {
        fprintf(stderr, "entropy-lens text: --samples %ld needs --temperature > 0 (greedy decoding gives identical samples)\n",
                samples);
        return EL_EXIT_USAGE;
    }
    if (tp.n_tokens % windows) {
        fprintf(stderr, "entropy-lens text: --tokens %d is not divisible by --windows %ld\n", tp.n_tokens, windows);
        return EL_EXIT_USAGE;
    }
    const int rank = el_dist_rank();
    int rc = EL_EXIT_OK;
    text_run T = {.tp = tp, .windows = (int)windows, .batch = (int)batch, .samples = (int)samples, .per_step = per_step, .quiet = quiet, .format = format,
                  .out_fd = -1, .output = output};
    el_resume_state rs = {0};
    el_strbuf sb = {0};
    int ok = 1;
    if (rank == 0) {
        if (prompts) {
            if (el_prompts_read(prompts, &T.items, &T.n_items)) ok = 0;
        } else {
            T.items = calloc(1, sizeof *T.items);
            if (!T.items || !(T.items[0].prompt = strdup(prompt))) ok = 0;
            else T.n_items = 1;
        }
        if (ok && samples && el_prompts_expand_samples(&T.items, &T.n_items, (int)samples, tp.seed)) {
            fprintf(stderr, "entropy-lens text: out of memory for %ld samples per prompt\n", samples);
            ok = 0;
        }
    }
    el_model_params mp = el_model_default_params();
    mp.tokenizer = tokenizer;
    el_state_params sp = el_state_default_params();
    sp.n_threads = (int)threads;
    if (!model_dir) model_dir = el_default_text_model_dir();
    if (ok && (el_model_load(model_dir, &mp, &T.m) != EL_OK || el_state_new(T.m, &sp, &T.st) != EL_OK)) {
        fprintf(stderr, "entropy-lens text: %s\n", el_last_error());
        ok = 0;
    }
    if (ok) {
        el_model_get_info(T.m, &T.info);
        if (!T.info.is_text) {
            if (rank == 0) fprintf(stderr, "entropy-lens text: %s is an image model (use entropy-lens profile)\n", model_dir);
            ok = 0;
        }
    }
    /* Refused before anything is written; locked before --resume reads. */
    if (ok && rank == 0 && prompts && el_output_is_input("text", output, prompts)) ok = 0;
    if (ok && rank == 0 && (T.out_fd = el_open_output("text", output, resume)) < 0) ok = 0;
    /* Records are in prompt order, one per prompt: a resumed run skips as
     * many prompts as the file has whole records. */
    if (ok && rank == 0 && resume && el_resume_scan(output, format == EL_FORMAT_CSV, NULL, &rs)) ok = 0;
    if (ok && rank == 0 && settle_identity(argc, argv, format, model_dir, output, &T, resume && (rs.n_records || rs.has_header))) ok = 0;
    if (ok && rank == 0 && resume && rs.n_records > T.n_items) {
        fprintf(stderr, "entropy-lens text: --resume: %s holds %zu records but the run has %zu prompts\n", output, rs.n_records, T.n_items);
        ok = 0;
    }
    if (ok && rank == 0 && resume) {
        T.first = rs.n_records;
        if (!quiet) fprintf(stderr, "entropy-lens text: resuming: %zu records already in %s, %zu to go\n", T.first, output, T.n_items - T.first);
    }
    if (!el_dist_all_ok(ok)) {
        rc = EL_EXIT_FATAL;
        goto done;
    }
    if (el_dist_size() > 1) {
        char *buf = NULL;
        size_t len = 0;
        if (rank == 0) {
            serialize_items(T.items + T.first, T.n_items - T.first, &sb);
            buf = sb.data;
            len = sb.len;
        }
        el_dist_bcast(&buf, &len);
        if (rank != 0) {
            deserialize_items(buf, len, &T.items, &T.n_items);
            free(buf);
        } else {
            el_sb_reset(&sb);
        }
        if (rank != 0) T.first = 0;
    }
    const int L = T.info.n_layers, W = (int)windows;
    T.win = malloc(sizeof(float) * (size_t)W * L);
    if (!T.win) el_dist_abort(EL_EXIT_FATAL);
    if (rank == 0 && format == EL_FORMAT_CSV && !(resume && (rs.has_header || rs.n_records))) {
        el_sb_puts(&sb, samples ? "prompt,label,extra,sample,seed,generated,tokens,prompt_ids" : "prompt,label,extra,generated,tokens,prompt_ids");
        for (int w = 0; w < W; w++)
            for (int l = 1; l <= L; l++) {
                if (W > 1) el_sb_printf(&sb, ",w%d_layer_%d", w + 1, l);
                else el_sb_printf(&sb, ",layer_%d", l);
            }
        el_sb_puts(&sb, ",error\n");
        if (el_write_all(T.out_fd, sb.data, sb.len)) {
            fprintf(stderr, "entropy-lens text: write failed: %s\n", strerror(errno));
            el_dist_abort(EL_EXIT_FATAL);
        }
    }
    T.sum.depth = L;
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    el_progress_start(&T.bar, T.n_items - T.first, "prompts");
    if (quiet || rank != 0) T.bar.enabled = 0;
    const double t0 = el_now();
    const size_t units = (T.n_items - T.first + (size_t)T.batch - 1) / (size_t)T.batch;
    if (el_dist_run(units, text_unit, text_write, &T, &interrupted)) rc = EL_EXIT_FATAL;
    el_progress_finish(&T.bar);
    double secs = el_now() - t0;
    T.counts.interrupted = interrupted;
    el_summary_gather(&T.sum, &T.counts);
    if (rank == 0) {
        if (!quiet) {
            fprintf(stderr, "%zu prompts done, %zu failed, %zu tokens in %.2f s, %.1f tokens/s%s%s\n", T.counts.ok,
                    T.counts.failed, T.counts.tokens, secs, secs > 0 ? T.counts.tokens / secs : 0.0,
                    el_dist_size() > 1 ? " (all ranks)" : "",
                    T.counts.interrupted ? " (interrupted: finished records are kept; --resume continues)" : "");
            el_summary_print(&T.sum, "mean entropy profile over steps", el_units_name(tp.units), 1);
        }
        if (rc == EL_EXIT_OK) rc = T.counts.interrupted ? EL_EXIT_INTERRUPTED : T.counts.failed ? EL_EXIT_PARTIAL : EL_EXIT_OK;
    }
done:
    if (T.out_fd > STDOUT_FILENO && close(T.out_fd) != 0 && rc == EL_EXIT_OK) rc = EL_EXIT_FATAL;
    free(T.win);
    el_sb_free(&sb);
    el_summary_free(&T.sum);
    el_resume_free(&rs);
    el_state_free(T.st);
    el_model_free(T.m);
    el_prompt_items_free(T.items, T.n_items);
    return rc;
}
