#include "cli/summary.h"

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
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 16;
            el_label_stats *q = realloc(s->items, cap * sizeof *q);
            if (!q) return NULL;
            s->items = q;
            s->cap = cap;
        }
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
