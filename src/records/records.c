#include "records/records.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

const char *el_units_name(el_units u) {
    switch (u) {
    case EL_UNITS_BITS: return "bits";
    case EL_UNITS_NORMALIZED: return "normalized";
    default: return "nats";
    }
}

static void json_floats(el_strbuf *sb, const float *v, int n) {
    el_sb_putc(sb, '[');
    for (int i = 0; i < n; i++) {
        if (i) el_sb_putc(sb, ',');
        el_sb_json_float(sb, v[i]);
    }
    el_sb_putc(sb, ']');
}

static void alpha_key(char *buf, size_t n, double a) {
    if (isinf(a)) snprintf(buf, n, "inf");
    else snprintf(buf, n, "%g", a);
}

static const char *class_name(const el_record_ctx *ctx, int i) {
    return i >= 0 && i < ctx->n_classes && ctx->class_names[i] ? ctx->class_names[i] : "";
}

void el_record_header(el_strbuf *sb, const el_record_ctx *ctx) {
    if (ctx->format != EL_FORMAT_CSV) return;
    el_sb_puts(sb, "file,label,label_index,top1,top1_label,prob,correct");
    for (int l = ctx->lp->include_embeddings ? 0 : 1; l <= ctx->n_layers; l++) el_sb_printf(sb, ",layer_%d", l);
    el_sb_puts(sb, ",error,version\n");
}

/* The tool version that wrote a record, so files from different builds can be told apart. */
static void json_model_version(el_strbuf *sb, const el_record_ctx *ctx) {
    el_sb_puts(sb, ",\"model\":");
    el_sb_json_str(sb, ctx->model);
    el_sb_puts(sb, ",\"version\":\"" EL_VERSION_STRING "\"");
}

static void format_csv(el_strbuf *sb, const el_record_ctx *ctx, const el_image_record *r) {
    el_sb_csv_str(sb, r->file);
    el_sb_putc(sb, ',');
    if (r->label) el_sb_csv_str(sb, r->label);
    const int depth = ctx->n_layers + (ctx->lp->include_embeddings ? 1 : 0);
    if (r->error) {
        el_sb_puts(sb, ",,,,,");
        for (int d = 0; d < depth; d++) el_sb_putc(sb, ',');
        el_sb_putc(sb, ',');
        el_sb_csv_str(sb, r->error);
        el_sb_puts(sb, "," EL_VERSION_STRING "\n");
        return;
    }
    const el_profile *p = r->profile;
    el_sb_putc(sb, ',');
    if (r->label_index >= 0) el_sb_printf(sb, "%d", r->label_index);
    el_sb_printf(sb, ",%d,", p->top1);
    el_sb_csv_str(sb, class_name(ctx, p->top1));
    el_sb_printf(sb, ",%.7g,%s", p->prob, r->label_index < 0 ? "" : r->label_index == p->top1 ? "true" : "false");
    for (int d = 0; d < depth; d++) el_sb_printf(sb, ",%.7g", p->entropy[d]);
    el_sb_puts(sb, ",," EL_VERSION_STRING "\n");
}

static void format_jsonl(el_strbuf *sb, const el_record_ctx *ctx, const el_image_record *r) {
    el_sb_puts(sb, "{\"file\":");
    el_sb_json_str(sb, r->file);
    el_sb_puts(sb, ",\"label\":");
    if (r->label) el_sb_json_str(sb, r->label);
    else el_sb_puts(sb, "null");
    if (r->error) {
        el_sb_puts(sb, ",\"error\":");
        el_sb_json_str(sb, r->error);
        json_model_version(sb, ctx);
        el_sb_puts(sb, "}\n");
        return;
    }
    const el_profile *p = r->profile;
    el_sb_puts(sb, ",\"label_index\":");
    if (r->label_index >= 0) el_sb_printf(sb, "%d", r->label_index);
    else el_sb_puts(sb, "null");
    el_sb_printf(sb, ",\"top1\":%d,\"top1_label\":", p->top1);
    el_sb_json_str(sb, class_name(ctx, p->top1));
    el_sb_puts(sb, ",\"prob\":");
    el_sb_json_float(sb, p->prob);
    el_sb_puts(sb, ",\"correct\":");
    if (r->label_index >= 0) el_sb_puts(sb, r->label_index == p->top1 ? "true" : "false");
    else el_sb_puts(sb, "null");
    json_model_version(sb, ctx);
    el_sb_printf(sb, ",\"units\":\"%s\",\"first_layer\":%d,\"entropy\":", el_units_name(ctx->lp->units),
                 p->first_layer);
    json_floats(sb, p->entropy, p->n_depth);
    if (p->entropy_mean) {
        el_sb_puts(sb, ",\"entropy_mean\":");
        json_floats(sb, p->entropy_mean, p->n_depth);
    }
    if (p->patch_entropy) {
        el_sb_puts(sb, ",\"patch_entropy\":[");
        for (int d = 0; d < p->n_depth; d++) {
            if (d) el_sb_putc(sb, ',');
            json_floats(sb, p->patch_entropy + (size_t)d * p->n_patches, p->n_patches);
        }
        el_sb_putc(sb, ']');
        /* Where the patch grid lies on the image (after resize and crop). */
        if (r->view)
            el_sb_printf(sb, ",\"input_view\":[%.7g,%.7g,%.7g,%.7g]", r->view[0], r->view[1], r->view[2], r->view[3]);
    }
    if (p->n_alpha) {
        el_sb_puts(sb, ",\"renyi\":{");
        for (int a = 0; a < p->n_alpha; a++) {
            char key[32];
            alpha_key(key, sizeof key, ctx->lp->alpha[a]);
            el_sb_printf(sb, "%s\"%s\":", a ? "," : "", key);
            json_floats(sb, p->renyi + (size_t)a * p->n_depth, p->n_depth);
        }
        el_sb_putc(sb, '}');
    }
    el_sb_puts(sb, "}\n");
}

void el_record_format(el_strbuf *sb, const el_record_ctx *ctx, const el_image_record *r) {
    if (ctx->format == EL_FORMAT_CSV) format_csv(sb, ctx, r);
    else format_jsonl(sb, ctx, r);
}

int el_write_all(int fd, const char *buf, size_t len) {
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}
