/* tokenizer.json post-processors, for a single sequence: the special tokens
 * TemplateProcessing ("single"), RobertaProcessing and BertProcessing put
 * before and after the text's ids; ByteLevel changes only offsets; Sequence
 * applies each in turn (a later one wraps what the earlier produced). */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/tokenizer_pipeline.h"

#define MAX_IDS 64 /* special tokens a template may add */

typedef struct {
    int before[MAX_IDS], after[MAX_IDS];
    int n_before, n_after;
    const el_tokenizer *t;
} wrap;

static el_status check_id(const char *path, const el_tokenizer *t, const cJSON *v, int *id) {
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble >= t->n_vocab)
        return el_fail(EL_ERR_FORMAT, "%s: post_processor token id outside the vocab (0..%d)", path, t->n_vocab - 1);
    *id = (int)v->valuedouble;
    return EL_OK;
}

static el_status push(const char *path, int *list, int *n, int id) {
    if (*n >= MAX_IDS) return el_fail(EL_ERR_LIMIT, "%s: post_processor adds more than %d tokens", path, MAX_IDS);
    list[(*n)++] = id;
    return EL_OK;
}

/* A SpecialToken item: the ids special_tokens[name] stands for. */
static el_status special_ids(const char *path, const el_tokenizer *t, const cJSON *pp, const char *name,
                             int *list, int *n) {
    const cJSON *ids = el_tj_get(el_tj_get(el_tj_get(pp, "special_tokens"), name), "ids"), *e;
    if (!cJSON_IsArray(ids))
        return el_fail(EL_ERR_FORMAT, "%s: template token \"%.40s\" is not in special_tokens", path, name);
    cJSON_ArrayForEach(e, ids) {
        int id = -1;
        EL_TRY(check_id(path, t, e, &id));
        EL_TRY(push(path, list, n, id));
    }
    return EL_OK;
}

static el_status template_single(const char *path, const el_tokenizer *t, const cJSON *pp, wrap *w) {
    const cJSON *single = el_tj_get(pp, "single"), *item;
    if (!cJSON_IsArray(single)) return el_fail(EL_ERR_FORMAT, "%s: TemplateProcessing without \"single\"", path);
    int seen_a = 0;
    cJSON_ArrayForEach(item, single) {
        const cJSON *sp = el_tj_get(item, "SpecialToken"), *seq = el_tj_get(item, "Sequence");
        if (cJSON_IsObject(seq)) {
            if (!el_tj_is(el_tj_get(seq, "id"), "A") || seen_a)
                return el_fail(EL_ERR_FORMAT, "%s: TemplateProcessing \"single\" must hold sequence A once", path);
            seen_a = 1;
            continue;
        }
        const cJSON *name = el_tj_get(sp, "id");
        if (!cJSON_IsString(name))
            return el_fail(EL_ERR_FORMAT, "%s: TemplateProcessing item is neither SpecialToken nor Sequence", path);
        if (seen_a) EL_TRY(special_ids(path, t, pp, name->valuestring, w->after, &w->n_after));
        else EL_TRY(special_ids(path, t, pp, name->valuestring, w->before, &w->n_before));
    }
    if (!seen_a) return el_fail(EL_ERR_FORMAT, "%s: TemplateProcessing \"single\" without sequence A", path);
    return EL_OK;
}

/* RobertaProcessing / BertProcessing: "cls": [token, id], "sep": [token, id]. */
static el_status cls_sep(const char *path, const el_tokenizer *t, const cJSON *pp, wrap *w) {
    int cls = -1, sep = -1;
    const cJSON *c = el_tj_get(pp, "cls"), *s = el_tj_get(pp, "sep");
    if (!cJSON_IsArray(c) || !cJSON_IsArray(s) || cJSON_GetArraySize(c) != 2 || cJSON_GetArraySize(s) != 2)
        return el_fail(EL_ERR_FORMAT, "%s: %s needs \"cls\" and \"sep\" as [token, id]", path, el_tj_type(pp));
    EL_TRY(check_id(path, t, cJSON_GetArrayItem(c, 1), &cls));
    EL_TRY(check_id(path, t, cJSON_GetArrayItem(s, 1), &sep));
    EL_TRY(push(path, w->before, &w->n_before, cls));
    return push(path, w->after, &w->n_after, sep);
}

/* One processor; it wraps what the earlier ones produced. */
static el_status parse_one(const char *path, const cJSON *pp, void *ctx) {
    wrap *w = ctx, inner;
    const char *ty = el_tj_type(pp);
    memset(&inner, 0, sizeof inner);
    if (!strcmp(ty, "ByteLevel")) return EL_OK;
    if (!strcmp(ty, "TemplateProcessing")) EL_TRY(template_single(path, w->t, pp, &inner));
    else if (!strcmp(ty, "RobertaProcessing") || !strcmp(ty, "BertProcessing")) EL_TRY(cls_sep(path, w->t, pp, &inner));
    else return el_fail(EL_ERR_UNSUPPORTED, "%s: post_processor \"%s\" is not supported", path, ty);
    for (int i = 0; i < w->n_before; i++) EL_TRY(push(path, inner.before, &inner.n_before, w->before[i]));
    for (int i = 0; i < inner.n_after; i++) EL_TRY(push(path, w->after, &w->n_after, inner.after[i]));
    memcpy(w->before, inner.before, sizeof inner.before);
    w->n_before = inner.n_before;
    return EL_OK;
}

el_status el_tok_parse_post_processor(const char *path, const cJSON *j, const el_tokenizer *t,
                                      el_tok_pipeline *p) {
    if (el_tj_absent(j)) return EL_OK;
    wrap w;
    memset(&w, 0, sizeof w);
    w.t = t;
    EL_TRY(el_tok_each_step(path, j, "post_processor", "processors", parse_one, &w));
    if (w.n_before && !(p->post_before = malloc(sizeof(int) * (size_t)w.n_before)))
        return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    if (w.n_after && !(p->post_after = malloc(sizeof(int) * (size_t)w.n_after)))
        return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    if (w.n_before) memcpy(p->post_before, w.before, sizeof(int) * (size_t)w.n_before);
    if (w.n_after) memcpy(p->post_after, w.after, sizeof(int) * (size_t)w.n_after);
    p->n_before = w.n_before;
    p->n_after = w.n_after;
    return EL_OK;
}

void el_tok_pipeline_free(el_tok_pipeline *p) {
    if (!p) return;
    for (int i = 0; i < p->n_norm; i++) {
        el_tok_pattern_free(&p->norm[i].pat);
        free(p->norm[i].str);
    }
    for (int i = 0; i < p->n_pre; i++) el_tok_pattern_free(&p->pre[i].pat);
    for (int i = 0; i < p->n_dec; i++) {
        el_tok_pattern_free(&p->dec[i].pat);
        free(p->dec[i].str);
    }
    free(p->norm);
    free(p->pre);
    free(p->dec);
    free(p->post_before);
    free(p->post_after);
    free(p);
}
