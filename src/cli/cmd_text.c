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
#include "base/buffer.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "cli/run_loop.h"
#include "cli/dist.h"
#include "cli/resume.h"
#include "cli/run_identity.h"
#include "cli/progress.h"
#include "cli/prompts.h"
#include "cli/summary.h"
#include "base/strbuf.h"
#include "analysis/answer.h"
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
    "                       output field names (entropy, model, ...): error record.\n"
    "                       \"answer\" (and optional \"extract\", a regex): records get\n"
    "                       \"correct\" (true/false, null when nothing is extracted)\n"
    "                       and \"extracted\"; default extract: the first standalone\n"
    "                       capital A-E (multiple choice); see docs/experiments.md\n"
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

typedef struct {
    const char *model_dir, *tokenizer, *prompt, *prompts, *output;
    el_text_params tp;
    el_lens_params alpha; /* --alpha, copied into tp */
    int windows, threads, batch, per_step, quiet, resume, samples;
    el_format format;
} text_options;

typedef struct {
    const text_options *o;
    prompt_item *items;
    size_t n_items, first; /* first: items already in the output (--resume) */
    el_model *m;
    el_state *st;
    el_model_info info;
    el_text_record_ctx rctx;
    float *mean; /* L: one record's mean profile over the steps (summary) */
    el_run run;
} text_run;

static int parse_temperature(const char *v, void *dest) {
    char *end;
    double t = strtod(v, &end);
    if (end == v || *end || !(t >= 0) || !isfinite(t)) return -1;
    *(double *)dest = t;
    return 0;
}

/* What the options cannot be together; NULL when fine. */
static const char *conflict(const text_options *o, char *buf, size_t n) {
    if (!o->prompt == !o->prompts) return "give exactly one of --prompt TEXT or --prompts FILE.jsonl";
    if (o->resume && (!o->output || !strcmp(o->output, "-")))
        return "--resume needs -o FILE (the output of the run to continue)";
    /* CSV has one row of (window, layer) columns: what does not fit is refused, never dropped. */
    if (o->format == EL_FORMAT_CSV && o->tp.n_alpha) return "--format csv cannot hold --alpha (Renyi entropies) (use JSONL)";
    if (o->format == EL_FORMAT_CSV && o->per_step) return "--format csv cannot hold --per-step (entropy_steps) (use JSONL)";
    if (o->samples > 1 && o->tp.temperature <= 0)
        return "--samples needs --temperature > 0 (greedy decoding gives identical samples)";
    if (o->tp.n_tokens % o->windows) {
        snprintf(buf, n, "--tokens %d is not divisible by --windows %d", o->tp.n_tokens, o->windows);
        return buf;
    }
    return NULL;
}

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, text_options *o) {
    *o = (text_options){.tp = el_text_default_params(), .alpha = el_lens_default_params(), .windows = 1, .batch = 16};
    const el_opt opts[] = {
        EL_OPT_STR("model", &o->model_dir),
        EL_OPT_STR("tokenizer", &o->tokenizer),
        EL_OPT_STR("prompt", &o->prompt),
        EL_OPT_STR("prompts", &o->prompts),
        {EL_OPT_INT, "tokens", 'n', &o->tp.n_tokens, 1, 1 << 20, NULL, NULL},
        EL_OPT_FN("temperature", &o->tp.temperature, parse_temperature, "a number >= 0"),
        EL_OPT_SEED("seed", &o->tp.seed),
        EL_OPT_NUM("samples", &o->samples, 1, 1 << 20),
        EL_OPT_FN("bos", &o->tp.bos, el_opt_parse_bos, "auto, always or never"),
        EL_OPT_NUM("windows", &o->windows, 1, 1 << 20),
        EL_OPT_SET("per-step", &o->per_step),
        EL_OPT_FN("alpha", &o->alpha, el_opt_parse_alpha, "up to 16 orders: 0, inf, or > 0 and != 1"),
        EL_OPT_FN("units", &o->tp.units, el_opt_parse_units, "nats, bits or normalized"),
        EL_OPT_STR_SHORT("output", 'o', &o->output),
        EL_OPT_FN("format", &o->format, el_opt_parse_format, "jsonl or csv"),
        EL_OPT_NUM("threads", &o->threads, 0, 1024),
        EL_OPT_NUM("batch", &o->batch, 1, EL_TEXT_MAX_BATCH),
        EL_OPT_SET("resume", &o->resume),
        EL_OPT_SET_SHORT("quiet", 'q', &o->quiet),
        EL_OPT_TABLE_END};
    const el_cli cli = {"text", help, el_cli_families_tail(), opts, 0, NULL};
    int rc = el_cli_parse_options(&cli, argc, argv);
    if (rc != EL_CLI_RUN) return rc;
    o->tp.n_alpha = o->alpha.n_alpha;
    memcpy(o->tp.alpha, o->alpha.alpha, sizeof o->tp.alpha);
    char buf[128];
    const char *bad = conflict(o, buf, sizeof buf);
    if (bad) {
        fprintf(stderr, "entropy-lens text: %s\n", bad);
        return EL_EXIT_USAGE;
    }
    return EL_CLI_RUN;
}

/* The run's identity beside its output (cli/run_identity.h); the prompts
 * in order are its inputs, so a resumed run continues at its position. */
static int settle_identity(int argc, char **argv, const text_run *T) {
    static const char *const skip_value[] = {"-o", "--output", "--threads", NULL};
    static const char *const skip_flag[] = {"--resume", "-q", "--quiet", NULL};
    uint64_t fp = EL_FNV_START;
    for (size_t i = 0; i < T->n_items; i++) {
        const prompt_item *it = &T->items[i];
        const char *f[] = {it->prompt, it->label, it->extra, it->error};
        for (int k = 0; k < 4; k++) fp = el_fnv(fp, f[k] ? f[k] : "", f[k] ? strlen(f[k]) + 1 : 1);
    }
    const text_options *o = T->o;
    return el_run_identity_settle("text", o->format == EL_FORMAT_CSV, o->model_dir, argc, argv, skip_value, skip_flag,
                                  T->n_items, fp, o->output, el_run_continues(&T->run));
}

/* One prompt's record from its result (or its error). */
static int format_record(text_run *T, const prompt_item *it, const el_text_result *res, el_strbuf *sb) {
    const char *err = it->error ? it->error : res->error;
    el_text_record r = {it->prompt, it->label, it->extra, err, res, it->sample, it->seed, it->answer != NULL, -1, NULL};
    char *extracted = NULL;
    if (!err && it->answer && el_answer_check(res->text, it->answer, it->extract, &r.correct, &extracted) != EL_OK)
        r.error = err = el_last_error();
    r.extracted = extracted;
    el_text_record_format(sb, &T->rctx, &r);
    free(extracted);
    if (err) {
        el_run_failed(&T->run, err);
    } else {
        T->run.counts.ok++;
        T->run.counts.tokens += (size_t)T->o->tp.n_tokens;
        el_window_means(res->entropy, T->o->tp.n_tokens, T->info.n_layers, 1, T->mean);
        el_summary_add(&T->run.sum, it->label, T->mean);
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
    const size_t B = (size_t)T->o->batch, start = T->first + unit * B, end = start + B < T->n_items ? start + B : T->n_items;
    const int n = (int)(end - start);
    const char *prompts[EL_TEXT_MAX_BATCH] = {0};
    int slot[EL_TEXT_MAX_BATCH], k = 0; /* unreadable input lines are not generated */
    el_text_result res[EL_TEXT_MAX_BATCH], none = {0};
    uint64_t seeds[EL_TEXT_MAX_BATCH];
    el_text_params tp = T->o->tp;
    tp.seeds = T->o->samples ? seeds : NULL;
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

/* The prompts this run does, to the other MPI ranks. */
static void serialize_items(const void *run, el_strbuf *sb) {
    const text_run *T = run;
    const prompt_item *it = T->items + T->first;
    for (size_t i = 0; i < T->n_items - T->first; i++) {
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

static int deserialize_items(void *run, const char *buf, size_t len) {
    text_run *T = run;
    const char *p = buf, *end = buf + len;
    size_t n = 0, cap = 0;
    prompt_item *items = NULL;
    while (p < end) {
        if (el_grow(&items, &cap, n, sizeof *items, 64)) return -1;
        prompt_item *it = &items[n++];
        it->prompt = el_dist_take_field(&p, end);
        it->label = el_dist_take_field(&p, end);
        it->extra = el_dist_take_field(&p, end);
        it->error = el_dist_take_field(&p, end);
        it->answer = el_dist_take_field(&p, end);
        it->extract = el_dist_take_field(&p, end);
        char *num = el_dist_take_field(&p, end);
        unsigned long long seed = 0;
        if (!num || sscanf(num, "%d %llu", &it->sample, &seed) != 2) it->sample = -1;
        it->seed = seed;
        free(num);
    }
    T->items = items;
    T->n_items = n;
    T->first = 0;
    return 0;
}

/* The model and its per-call state; 0 or -1 after a message. */
static int load_model(text_run *T) {
    el_model_params mp = el_model_default_params();
    mp.tokenizer = T->o->tokenizer;
    el_state_params sp = el_state_default_params();
    sp.n_threads = T->o->threads;
    if (el_model_load(T->o->model_dir, &mp, &T->m) != EL_OK || el_state_new(T->m, &sp, &T->st) != EL_OK) {
        fprintf(stderr, "entropy-lens text: %s\n", el_last_error());
        return -1;
    }
    el_model_get_info(T->m, &T->info);
    if (!T->info.is_text) {
        if (el_dist_rank() == 0)
            fprintf(stderr, "entropy-lens text: %s is an image model (use entropy-lens profile)\n", T->o->model_dir);
        return -1;
    }
    return 0;
}

/* Rank 0: the prompts read, the output opened; records are in prompt order,
 * one per prompt, so a resumed run skips as many prompts as the file has
 * whole records. 0 or -1 after a message. */
static int prepare_prompts(text_run *T, int argc, char **argv) {
    const text_options *o = T->o;
    if (o->prompts) {
        if (el_prompts_read(o->prompts, &T->items, &T->n_items)) return -1;
    } else {
        T->items = calloc(1, sizeof *T->items);
        if (!T->items || !(T->items[0].prompt = strdup(o->prompt))) return -1;
        T->n_items = 1;
    }
    if (o->samples && el_prompts_expand_samples(&T->items, &T->n_items, o->samples, o->tp.seed)) {
        fprintf(stderr, "entropy-lens text: out of memory for %d samples per prompt\n", o->samples);
        return -1;
    }
    const char *inputs[1] = {o->prompts};
    if (el_run_open(&T->run, inputs, o->prompts ? 1 : 0) || settle_identity(argc, argv, T)) return -1;
    if (!o->resume) return 0;
    if (T->run.rs.n_records > T->n_items) {
        fprintf(stderr, "entropy-lens text: --resume: %s holds %zu records but the run has %zu prompts\n", o->output,
                T->run.rs.n_records, T->n_items);
        return -1;
    }
    T->first = T->run.rs.n_records;
    if (!o->quiet)
        fprintf(stderr, "entropy-lens text: resuming: %zu records already in %s, %zu to go\n", T->first, o->output,
                T->n_items - T->first);
    return 0;
}

/* Record formatting and the CSV header unless resuming. 0 or -1. */
static int prepare_run(text_run *T) {
    T->rctx = (el_text_record_ctx){T->o->format, T->info.name, &T->o->tp, T->info.n_layers, T->o->windows, T->o->per_step,
                                   T->o->samples > 0};
    T->mean = malloc(sizeof(float) * (size_t)T->info.n_layers);
    if (!T->mean) return -1;
    T->run.sum.depth = T->info.n_layers;
    if (el_dist_rank() != 0 || el_run_continues(&T->run)) return 0;
    el_strbuf sb = {0};
    el_text_record_header(&sb, &T->rctx);
    int rc = sb.oom ? -1 : el_run_write(&T->run, sb.data, sb.len);
    el_sb_free(&sb);
    return rc;
}

int cmd_text(int argc, char **argv) {
    text_options o;
    int rc = parse_args(argc, argv, &o);
    if (rc != EL_CLI_RUN) return rc;
    if (!o.model_dir) o.model_dir = el_default_text_model_dir();
    text_run T = {.o = &o};
    const el_run_params rp = {"text", "prompts", o.output, o.format, o.resume, o.quiet, NULL, (size_t)o.batch};
    el_run_init(&T.run, &rp);
    rc = EL_EXIT_FATAL;
    if (el_dist_all_ok(load_model(&T) == 0) &&
        el_dist_all_ok(el_dist_rank() != 0 || prepare_prompts(&T, argc, argv) == 0) &&
        el_dist_all_ok(el_run_share(&T, serialize_items, deserialize_items) == 0) &&
        el_dist_all_ok(prepare_run(&T) == 0)) {
        rc = el_run_go(&T.run, T.n_items - T.first, text_unit, &T) ? EL_EXIT_FATAL : EL_EXIT_OK;
        const el_run_counts *c = &T.run.counts;
        if (el_dist_rank() == 0 && !o.quiet) {
            fprintf(stderr, "%zu prompts done, %zu failed, %zu tokens in %.2f s, %.1f tokens/s%s%s\n", c->ok, c->failed,
                    c->tokens, T.run.secs, T.run.secs > 0 ? c->tokens / T.run.secs : 0.0, el_run_ranks_note(),
                    el_run_interrupted_note(&T.run));
            el_summary_print(&T.run.sum, "mean entropy profile over steps", el_units_name(o.tp.units), 1);
        }
        rc = el_run_exit_code(&T.run, rc);
    }
    rc = el_run_close(&T.run, rc);
    free(T.mean);
    el_state_free(T.st);
    el_model_free(T.m);
    el_prompt_items_free(T.items, T.n_items);
    return rc;
}
