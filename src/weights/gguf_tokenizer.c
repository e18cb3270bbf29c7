/* tokenizer.ggml.* -> el_gguf_tokenizer (see gguf_tokenizer.h). The regexes
 * are the Split patterns of the families' tokenizer.json files (llama.cpp's
 * llama-vocab.cpp uses the same ones for these pre names). */
#include "weights/gguf_tokenizer.h"

#include <stdio.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer.h"

#define RE_GPT2 EL_TOK_GPT2_REGEX
#define RE_LLAMA3                                                                                       \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|" \
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define RE_QWEN2                                                                                    \
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|" \
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"

const char *el_gguf_pre_regex(const char *pre) {
    static const struct { const char *name, *re; } map[] = {
        {"default", RE_GPT2}, {"gpt-2", RE_GPT2},     {"gpt2", RE_GPT2},     {"llama3", RE_LLAMA3},
        {"llama-bpe", RE_LLAMA3}, {"smaug-bpe", RE_LLAMA3}, {"qwen2", RE_QWEN2}, {"deepseek-r1-qwen", RE_QWEN2},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(pre, map[i].name)) return map[i].re;
    return NULL;
}

static const el_gguf_kv *find_array(const el_gguf *g, const char *key, el_gguf_type item, el_status *st) {
    const el_gguf_kv *kv = el_gguf_find_kv(g, key);
    if (kv && (kv->type != EL_GGUF_ARRAY || kv->item_type != item)) {
        *st = el_fail(EL_ERR_CONFIG, "%s: GGUF %s is not an array of %s", g->path, key, el_gguf_type_name(item));
        return NULL;
    }
    return kv;
}

static void copy_str(const el_gguf *g, const char *key, char *out, size_t cap) {
    const char *s;
    uint64_t len;
    out[0] = 0;
    if (el_gguf_find_kv(g, key) && el_gguf_get_str(g, key, &s, &len) == EL_OK && len < cap) {
        memcpy(out, s, len);
        out[len] = 0;
    }
}

static int64_t get_id(const el_gguf *g, const char *key, int64_t n_tokens) {
    int64_t v;
    if (!el_gguf_find_kv(g, key) || el_gguf_get_int(g, key, &v) != EL_OK || v < 0 || v >= n_tokens) return -1;
    return v;
}

/* A boolean (or integer) key: 0 or 1, -1 when absent or not a number. */
static int get_flag(const el_gguf *g, const char *key) {
    int64_t v;
    return el_gguf_find_kv(g, key) && el_gguf_get_int(g, key, &v) == EL_OK ? (int)(v != 0) : -1;
}

el_status el_gguf_read_tokenizer(const el_gguf *g, el_gguf_tokenizer *t) {
    el_status st = EL_OK;
    memset(t, 0, sizeof *t);
    copy_str(g, "tokenizer.ggml.model", t->model, sizeof t->model);
    if (strcmp(t->model, "gpt2") && strcmp(t->model, "llama"))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF tokenizer.ggml.model '%s' (gpt2 and llama are read)", g->path,
                       t->model);
    t->tokens = find_array(g, "tokenizer.ggml.tokens", EL_GGUF_STRING, &st);
    t->merges = find_array(g, "tokenizer.ggml.merges", EL_GGUF_STRING, &st);
    t->scores = find_array(g, "tokenizer.ggml.scores", EL_GGUF_F32, &st);
    t->token_type = find_array(g, "tokenizer.ggml.token_type", EL_GGUF_I32, &st);
    EL_TRY(st);
    if (!t->tokens) return el_fail(EL_ERR_CONFIG, "%s: GGUF has no tokenizer.ggml.tokens", g->path);
    int64_t n = (int64_t)t->tokens->n_items;
    if ((t->scores && (int64_t)t->scores->n_items != n) || (t->token_type && (int64_t)t->token_type->n_items != n))
        return el_fail(EL_ERR_CONFIG, "%s: GGUF tokenizer scores/token_type length differs from tokens (%lld)",
                       g->path, (long long)n);
    if (!strcmp(t->model, "gpt2") && !t->merges)
        return el_fail(EL_ERR_CONFIG, "%s: GGUF gpt2 tokenizer without tokenizer.ggml.merges", g->path);
    /* llama.cpp would merge leftmost-first with every score 0: not the model's tokenizer. */
    if (!strcmp(t->model, "llama") && !t->scores)
        return el_fail(EL_ERR_CONFIG, "%s: GGUF llama (SentencePiece) tokenizer without tokenizer.ggml.scores", g->path);
    t->bos_id = get_id(g, "tokenizer.ggml.bos_token_id", n);
    t->eos_id = get_id(g, "tokenizer.ggml.eos_token_id", n);
    t->unk_id = get_id(g, "tokenizer.ggml.unknown_token_id", n);
    t->pad_id = get_id(g, "tokenizer.ggml.padding_token_id", n);
    t->add_bos = get_flag(g, "tokenizer.ggml.add_bos_token");
    t->add_eos = get_flag(g, "tokenizer.ggml.add_eos_token");
    t->add_space_prefix = get_flag(g, "tokenizer.ggml.add_space_prefix");
    if (t->add_space_prefix < 0) t->add_space_prefix = 1;
    copy_str(g, "tokenizer.ggml.pre", t->pre, sizeof t->pre);
    if (!strcmp(t->model, "gpt2")) {
        t->pre_regex = el_gguf_pre_regex(t->pre[0] ? t->pre : "default");
        if (!t->pre_regex)
            return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF tokenizer.ggml.pre '%s' is not a pre-tokenizer we know",
                           g->path, t->pre);
    }
    return EL_OK;
}
