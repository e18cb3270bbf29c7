#include "cli/summary.h"
#include "base/buffer.h"

#include "cli/dist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static el_label_stats *find_or_add(el_summary *s, const char *key);

void el_summary_add(el_summary *s, const char *label, const float *profile) {
    el_label_stats *ls = find_or_add(s, label ? label : "(no label)");
    if (!ls) return;
    ls->count++;
    for (int d = 0; d < s->depth; d++) ls->sum[d] += profile[d];
}

static el_label_stats *find_or_add(el_summary *s, const char *key) {
    size_t i = 0;
    while (i < s->n && strcmp(s->items[i].label, key)) i++;
    if (i == s->n) {
        if (el_grow(&s->items, &s->cap, s->n, sizeof *s->items, 16)) return NULL;
        el_label_stats *ls = &s->items[s->n];
        ls->label = strdup(key);
        ls->sum = calloc((size_t)s->depth, sizeof(double));
        ls->count = 0;
        if (!ls->label || !ls->sum) {
            free(ls->label);
            free(ls->sum);
            return NULL;
        }
        s->n++;
    }
    return &s->items[i];
}

void el_summary_serialize(const el_summary *s, el_strbuf *out) {
    for (size_t i = 0; i < s->n; i++) {
        for (const char *p = s->items[i].label; *p; p++) el_sb_putc(out, *p == '\t' || *p == '\n' ? ' ' : *p);
        el_sb_printf(out, "\t%zu\t", s->items[i].count);
        for (int d = 0; d < s->depth; d++) el_sb_printf(out, "%s%.17g", d ? "," : "", s->items[i].sum[d]);
        el_sb_putc(out, '\n');
    }
}

void el_summary_merge(el_summary *s, const char *text) {
    while (*text) {
        const char *tab = strchr(text, '\t'), *nl = strchr(text, '\n');
        if (!tab || !nl || tab > nl) break;
        char *label = strndup(text, (size_t)(tab - text));
        el_label_stats *ls = label ? find_or_add(s, label) : NULL;
        free(label);
        char *p;
        size_t count = strtoull(tab + 1, &p, 10);
        if (ls) {
            ls->count += count;
            for (int d = 0; d < s->depth && *p && p < nl; d++) ls->sum[d] += strtod(p + 1, &p);
        }
        text = nl + 1;
    }
}

void el_summary_print(const el_summary *s, const char *title, const char *units, int first_layer) {
    const size_t shown = s->n < 20 ? s->n : 20;
    if (!shown) return;
    fprintf(stderr, "%s (%s), layers %d..%d:\n", title, units, first_layer, first_layer + s->depth - 1);
    for (size_t i = 0; i < shown; i++) {
        const el_label_stats *ls = &s->items[i];
        fprintf(stderr, "  %-16.16s n=%-5zu", ls->label, ls->count);
        for (int d = 0; d < s->depth; d++) fprintf(stderr, " %.3f", ls->sum[d] / ls->count);
        fputc('\n', stderr);
    }
    if (s->n > shown) fprintf(stderr, "  (+%zu more labels)\n", s->n - shown);
}

void el_summary_free(el_summary *s) {
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].label);
        free(s->items[i].sum);
    }
    free(s->items);
    memset(s, 0, sizeof *s);
}

void el_summary_gather(el_summary *s, el_run_counts *c) {
    if (el_dist_size() == 1) return;
    el_strbuf sb = {0};
    el_sb_printf(&sb, "%zu\t%zu\t%zu\t%zu\t%zu\t%d\n", c->ok, c->failed, c->tokens, c->labelled, c->right,
                 c->interrupted);
    el_summary_serialize(s, &sb);
    el_sb_putc(&sb, '\x02'); /* end of one rank's part */
    char *all = NULL;
    size_t len = 0;
    el_dist_gather(sb.data, sb.len, &all, &len);
    el_sb_free(&sb);
    if (el_dist_rank() != 0 || !all) return;
    el_summary total = {.depth = s->depth};
    el_run_counts sum = {0};
    for (char *part = all; part < all + len;) {
        char *end = memchr(part, '\x02', (size_t)(all + len - part));
        if (!end) break;
        *end = '\0';
        el_run_counts one = {0};
        char *nl = strchr(part, '\n');
        if (nl && sscanf(part, "%zu\t%zu\t%zu\t%zu\t%zu\t%d", &one.ok, &one.failed, &one.tokens, &one.labelled,
                         &one.right, &one.interrupted) == 6) {
            sum.ok += one.ok;
            sum.labelled += one.labelled;
            sum.right += one.right;
            sum.failed += one.failed;
            sum.tokens += one.tokens;
            sum.interrupted |= one.interrupted;
            el_summary_merge(&total, nl + 1);
        }
        part = end + 1;
    }
    free(all);
    el_summary_free(s);
    *s = total;
    *c = sum;
}
