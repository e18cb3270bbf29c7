/* Text records (one per prompt): JSONL objects or CSV rows (README, "Output"). */
#include <math.h>
#include <stdlib.h>

#include "records/records.h"

void el_window_means(const float *steps, int S, int L, int W, float *out) {
    const int per = S / W;
    for (int w = 0; w < W; w++)
        for (int l = 0; l < L; l++) {
            double s = 0.0;
            for (int k = 0; k < per; k++) s += steps[(size_t)(w * per + k) * L + l];
            out[(size_t)w * L + l] = (float)(s / per);
        }
}

/* rows x cols as nested arrays; flat: one row without the outer brackets. */
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

void el_text_record_header(el_strbuf *sb, const el_text_record_ctx *ctx) {
    if (ctx->format != EL_FORMAT_CSV) return;
    el_sb_puts(sb, ctx->samples ? "prompt,label,extra,sample,seed" : "prompt,label,extra");
    el_sb_puts(sb, ",generated,tokens,prompt_ids,prob,correct,extracted");
    for (int w = 0; w < ctx->windows; w++)
        for (int l = 1; l <= ctx->n_layers; l++) {
            if (ctx->windows > 1) el_sb_printf(sb, ",w%d_layer_%d", w + 1, l);
            else el_sb_printf(sb, ",layer_%d", l);
        }
    el_sb_puts(sb, ",error,version\n");
}

/* The mean over the steps of the model's top-1 probability (NaN: none). */
static double mean_prob(const el_text_result *res) {
    if (!res->prob || res->n_steps < 1) return NAN;
    double s = 0.0;
    for (int k = 0; k < res->n_steps; k++) s += res->prob[k];
    return s / res->n_steps;
}

/* CSV: ,prob,correct,extracted (empty when unknown). */
static void csv_answer(el_strbuf *sb, const el_text_record *r) {
    double p = mean_prob(r->result);
    el_sb_putc(sb, ',');
    if (isfinite(p)) el_sb_printf(sb, "%.7g", p);
    el_sb_putc(sb, ',');
    if (r->has_answer && r->correct >= 0) el_sb_puts(sb, r->correct ? "true" : "false");
    el_sb_putc(sb, ',');
    if (r->has_answer && r->extracted) el_sb_csv_str(sb, r->extracted);
}

/* A CSV row: prompt, label, extra, [sample, seed,] generated, tokens,
 * prompt_ids, prob, correct, extracted, the (window, layer) means, error. */
static void csv_row(el_strbuf *sb, const el_text_record_ctx *ctx, const el_text_record *r, float *win) {
    const int L = ctx->n_layers, W = ctx->windows, S = ctx->tp->n_tokens;
    el_sb_csv_str(sb, r->prompt ? r->prompt : "");
    el_sb_putc(sb, ',');
    el_sb_csv_str(sb, r->label ? r->label : "");
    el_sb_putc(sb, ',');
    csv_extra(sb, r->extra);
    el_sb_putc(sb, ',');
    if (ctx->samples) el_sb_printf(sb, "%d,%llu,", r->sample, (unsigned long long)r->seed);
    if (!r->error) {
        const el_text_result *res = r->result;
        el_sb_csv_str(sb, res->text);
        csv_ids(sb, res->ids, S);
        csv_ids(sb, res->prompt_ids, res->n_prompt);
        csv_answer(sb, r);
        el_window_means(res->entropy, S, L, W, win);
        for (int k = 0; k < W * L; k++) el_sb_printf(sb, ",%.7g", win[k]);
        el_sb_puts(sb, ",," EL_VERSION_STRING "\n");
    } else {
        for (int k = 0; k < W * L + 5; k++) el_sb_putc(sb, ',');
        el_sb_putc(sb, ',');
        el_sb_csv_str(sb, r->error);
        el_sb_puts(sb, "," EL_VERSION_STRING "\n");
    }
}

/* The generated text, its ids and the windowed profiles. */
static void json_result(el_strbuf *sb, const el_text_record_ctx *ctx, const el_text_result *res, float *win) {
    const int L = ctx->n_layers, W = ctx->windows, S = ctx->tp->n_tokens;
    el_sb_puts(sb, "\"generated\":");
    el_sb_json_str(sb, res->text);
    json_ids(sb, "tokens", res->ids, S);
    json_ids(sb, "prompt_ids", res->prompt_ids, res->n_prompt);
    const double p = mean_prob(res);
    if (isfinite(p)) el_sb_printf(sb, ",\"prob\":%.7g", p);
    el_sb_printf(sb, ",\"n_prompt_tokens\":%d,\"windows\":%d,\"entropy\":", res->n_prompt, W);
    el_window_means(res->entropy, S, L, W, win);
    json_rows(sb, win, W, L, W == 1);
    if (ctx->tp->n_alpha) {
        el_sb_puts(sb, ",\"renyi\":{");
        for (int a = 0; a < ctx->tp->n_alpha; a++) {
            if (isinf(ctx->tp->alpha[a])) el_sb_printf(sb, "%s\"inf\":", a ? "," : "");
            else el_sb_printf(sb, "%s\"%g\":", a ? "," : "", ctx->tp->alpha[a]);
            el_window_means(res->renyi + (size_t)a * S * L, S, L, W, win);
            json_rows(sb, win, W, L, W == 1);
        }
        el_sb_putc(sb, '}');
    }
    if (ctx->per_step) {
        el_sb_puts(sb, ",\"entropy_steps\":");
        json_rows(sb, res->entropy, S, L, 0);
    }
}

static void json_record(el_strbuf *sb, const el_text_record_ctx *ctx, const el_text_record *r, float *win) {
    el_sb_puts(sb, "{\"prompt\":");
    if (r->prompt) el_sb_json_str(sb, r->prompt);
    else el_sb_puts(sb, "null");
    el_sb_puts(sb, ",\"label\":");
    if (r->label) el_sb_json_str(sb, r->label);
    else el_sb_puts(sb, "null");
    el_sb_putc(sb, ',');
    if (r->extra) el_sb_puts(sb, r->extra);
    if (ctx->samples) el_sb_printf(sb, "\"sample\":%d,\"seed\":%llu,", r->sample, (unsigned long long)r->seed);
    if (r->error) {
        el_sb_puts(sb, "\"error\":");
        el_sb_json_str(sb, r->error);
    } else {
        json_result(sb, ctx, r->result, win);
        if (r->has_answer) {
            el_sb_printf(sb, ",\"correct\":%s,\"extracted\":", r->correct < 0 ? "null" : r->correct ? "true" : "false");
            if (r->extracted) el_sb_json_str(sb, r->extracted);
            else el_sb_puts(sb, "null");
        }
    }
    el_sb_puts(sb, ",\"model\":");
    el_sb_json_str(sb, ctx->model);
    el_sb_printf(sb, ",\"units\":\"%s\",\"version\":\"" EL_VERSION_STRING "\"}\n", el_units_name(ctx->tp->units));
}

void el_text_record_format(el_strbuf *sb, const el_text_record_ctx *ctx, const el_text_record *r) {
    float *win = malloc(sizeof(float) * (size_t)ctx->windows * (size_t)ctx->n_layers);
    if (!win) {
        sb->oom = 1;
        return;
    }
    if (ctx->format == EL_FORMAT_JSONL) json_record(sb, ctx, r, win);
    else csv_row(sb, ctx, r, win);
    free(win);
}
