#include "cli/summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void el_summary_add(el_summary *s, const char *label, const float *profile) {
    const char *key = label ? label : "(no label)";
    size_t i = 0;
    while (i < s->n && strcmp(s->items[i].label, key)) i++;
    if (i == s->n) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 16;
            el_label_stats *q = realloc(s->items, cap * sizeof *q);
            if (!q) return;
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
            return;
        }
        s->n++;
    }
    s->items[i].count++;
    for (int d = 0; d < s->depth; d++) s->items[i].sum[d] += profile[d];
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
