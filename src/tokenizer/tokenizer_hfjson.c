/* HF tokenizer.json with a BPE model: the whole pipeline (normalizer,
 * pre_tokenizer, model, added_tokens, post_processor, decoder) as HF
 * tokenizers defines it. A component we do not implement is refused by name
 * rather than encoded differently from HF. */
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "base/status.h"
#include "weights/json_config.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/tokenizer_pipeline.h"

static el_status read_merges(el_tokenizer *t, const char *path, const cJSON *merges) {
    if (el_tj_absent(merges)) merges = NULL; /* a vocab without merges: chars only */
    else if (!cJSON_IsArray(merges)) return el_fail(EL_ERR_FORMAT, "%s: model.merges is not an array", path);
    int n = merges ? cJSON_GetArraySize(merges) : 0, rank = 0;
    EL_TRY(el_tok_pairmap_init(&t->merges, (size_t)n));
    const cJSON *m;
    cJSON_ArrayForEach(m, merges) {
        const char *a, *b;
        size_t alen, blen;
        if (cJSON_IsString(m)) { /* "a b": split at the first space, as HF does */
            const char *sp = strchr(m->valuestring, ' ');
            if (!sp) return el_fail(EL_ERR_FORMAT, "%s: merge %d \"%.40s\" has no space", path, rank, m->valuestring);
            a = m->valuestring;
            alen = (size_t)(sp - a);
            b = sp + 1;
            blen = strlen(b);
        } else if (cJSON_IsArray(m) && cJSON_GetArraySize(m) == 2 && cJSON_IsString(m->child) &&
                   cJSON_IsString(m->child->next)) {
            a = m->child->valuestring;
            b = m->child->next->valuestring;
            alen = strlen(a);
            blen = strlen(b);
        } else {
            return el_fail(EL_ERR_FORMAT, "%s: merge %d is neither \"a b\" nor [\"a\", \"b\"]", path, rank);
        }
        EL_TRY(el_tok_add_merge(t, path, rank, a, alen, b, blen));
        rank++;
    }
    return EL_OK;
}

static int first_found(const el_tokenizer *t, const char *const *names) {
    for (; *names; names++) {
        int id = el_tok_find(t, *names, strlen(*names));
        if (id >= 0) return id;
    }
    return -1;
}

static el_status affix(const char *path, const cJSON *model, const char *field, char **s, uint32_t *len) {
    const cJSON *v = el_tj_get(model, field);
    if (el_tj_absent(v)) return EL_OK;
    if (!cJSON_IsString(v)) return el_fail(EL_ERR_FORMAT, "%s: model.%s is not a string", path, field);
    size_t n = strlen(v->valuestring);
    if (n > 64) return el_fail(EL_ERR_LIMIT, "%s: model.%s longer than 64 bytes", path, field);
    if (!n) return EL_OK;
    if (!(*s = strdup(v->valuestring))) return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    *len = (uint32_t)n;
    return EL_OK;
}

/* The BPE model's options (merges are read after, they need the prefix). */
static el_status model_options(el_tokenizer *t, const char *path, const cJSON *model) {
    t->byte_fallback = el_tj_flag(model, "byte_fallback", 0);
    t->fuse_unk = el_tj_flag(model, "fuse_unk", 0);
    t->ignore_merges = el_tj_flag(model, "ignore_merges", 0);
    EL_TRY(affix(path, model, "continuing_subword_prefix", &t->subword_prefix, &t->prefix_len));
    EL_TRY(affix(path, model, "end_of_word_suffix", &t->word_suffix, &t->suffix_len));
    const cJSON *unk = el_tj_get(model, "unk_token");
    if (cJSON_IsString(unk)) {
        t->unk = el_tok_find(t, unk->valuestring, strlen(unk->valuestring));
        if (t->unk < 0)
            return el_fail(EL_ERR_FORMAT, "%s: unk_token \"%.40s\" is not in the vocab", path, unk->valuestring);
    }
    return EL_OK;
}

/* BOS: the first token the post-processor puts before the text, else a
 * conventional name; EOS by name, else the last token put after. */
static void pick_bos_eos(el_tokenizer *t) {
    static const char *const bos_names[] = {"<s>", "<|begin_of_text|>", "<bos>", "<|endoftext|>", NULL};
    static const char *const eos_names[] = {"</s>", "<|end_of_text|>", "<eos>", "<|endoftext|>", NULL};
    const el_tok_pipeline *p = t->pipe;
    t->bos = p->n_before ? p->post_before[0] : first_found(t, bos_names);
    t->eos = first_found(t, eos_names);
    if (t->eos < 0 && p->n_after) t->eos = p->post_after[p->n_after - 1];
}

static el_status check_model(const char *path, const cJSON *model) {
    const char *ty = el_tj_type(model);
    if (strcmp(ty, "BPE") != 0)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: model \"%s\" is not supported (only BPE)", path, ty);
    const cJSON *v = el_tj_get(model, "dropout");
    if (cJSON_IsNumber(v) && v->valuedouble != 0) return el_fail(EL_ERR_UNSUPPORTED, "%s: BPE dropout", path);
    return EL_OK;
}

static int uses_bytelevel(const el_tok_pipeline *p) {
    for (int i = 0; i < p->n_pre; i++)
        if (p->pre[i].kind == EL_PRE_BYTELEVEL) return 1;
    for (int i = 0; i < p->n_dec; i++)
        if (p->dec[i].kind == EL_DEC_BYTELEVEL) return 1;
    return 0;
}

static el_status build(const char *path, const cJSON *root, el_tokenizer **out) {
    const cJSON *model = el_tj_get(root, "model");
    if (!cJSON_IsObject(root) || !cJSON_IsObject(model)) return el_fail(EL_ERR_FORMAT, "%s: no \"model\" object", path);
    EL_TRY(check_model(path, model));
    el_tok_pipeline *p = calloc(1, sizeof *p);
    if (!p) return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    el_status st = el_tok_parse_normalizer(path, el_tj_get(root, "normalizer"), p);
    if (st == EL_OK) st = el_tok_parse_pre_tokenizer(path, el_tj_get(root, "pre_tokenizer"), p);
    if (st == EL_OK) st = el_tok_parse_decoder(path, el_tj_get(root, "decoder"), p);
    el_tokenizer *t = NULL;
    if (st == EL_OK) {
        const cJSON *added = el_tj_get(root, "added_tokens");
        st = el_tok_vocab_from_json(path, el_tj_get(model, "vocab"), el_tj_absent(added) ? NULL : added,
                                    uses_bytelevel(p) ? EL_TOK_BYTELEVEL : EL_TOK_SPM, &t);
    }
    if (st != EL_OK) {
        el_tok_pipeline_free(p);
        return st;
    }
    t->pipe = p;
    st = el_tok_parse_post_processor(path, el_tj_get(root, "post_processor"), t, p);
    if (st == EL_OK) st = model_options(t, path, model);
    if (st == EL_OK) st = read_merges(t, path, el_tj_get(model, "merges"));
    if (st == EL_OK) pick_bos_eos(t);
    if (st == EL_OK) st = el_tok_finish(t);
    if (st != EL_OK) {
        el_tokenizer_free(t);
        return st;
    }
    *out = t;
    return EL_OK;
}

el_status el_tokenizer_from_hf_json(const char *name, const cJSON *root, el_tokenizer **out) {
    *out = NULL;
    return build(name, root, out);
}

el_status el_tokenizer_set_merge_scores(el_tokenizer *t, const void *scores, int n) {
    if (!t || !t->pipe || n != t->n_vocab)
        return el_fail(EL_ERR_ARG, "tokenizer: merge scores need a tokenizer.json pipeline and one score per token");
    float *s = malloc(sizeof(float) * (size_t)n);
    if (!s) return el_fail(EL_ERR_NOMEM, "tokenizer: out of memory");
    memcpy(s, scores, sizeof(float) * (size_t)n);
    free(t->score);
    t->score = s;
    t->merge_by_score = 1;
    return EL_OK;
}

el_status el_tokenizer_load_hf_json(const char *path, el_tokenizer **out) {
    if (!out) return el_fail(EL_ERR_ARG, "tokenizer: NULL output");
    *out = NULL;
    if (!path) return el_fail(EL_ERR_ARG, "tokenizer: NULL path");
    cJSON *root;
    EL_TRY(el_json_read_file(path, EL_FILE_TOKENIZER, &root));
    el_status st = build(path, root, out);
    cJSON_Delete(root);
    return st;
}
