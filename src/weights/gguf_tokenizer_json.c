/* A GGUF file's byte-level BPE tokenizer (tokenizer.ggml.model "gpt2": GPT-2,
 * Llama 3, Qwen 2/3, GPT-NeoX) as the tokenizer.json those families ship,
 * built in memory and handed to the tokenizer.json loader, so GGUF text is
 * tokenised by the same pipeline as the Hugging Face folder:
 *   pre_tokenizer  Split(the pre name's regex, Isolated) + ByteLevel(no regex)
 *   normalizer     NFC for Qwen 2 (its tokenizer.json has one), else none
 *   model          BPE over tokens/merges; ignore_merges for Llama 3 (as its
 *                  tokenizer.json and llama.cpp's llama-bpe vocab do)
 *   added_tokens   control (type 3, special) and user-defined (type 4) tokens
 *   post_processor BOS before the text when tokenizer.ggml.add_bos_token is true
 *   decoder        ByteLevel
 * SentencePiece GGUF tokenizers (model "llama": Llama 1/2, Gemma, Phi-3)
 * carry scores, not merges, and are not read yet: pass --tokenizer. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "weights/gguf_tokenizer.h"

static cJSON *pre_tokenizer(const char *regex) {
    cJSON *seq = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(seq, "pretokenizers");
    cJSON_AddStringToObject(seq, "type", "Sequence");
    cJSON *split = cJSON_CreateObject(), *pat = cJSON_AddObjectToObject(split, "pattern");
    cJSON_AddStringToObject(split, "type", "Split");
    cJSON_AddStringToObject(pat, "Regex", regex);
    cJSON_AddStringToObject(split, "behavior", "Isolated");
    cJSON_AddBoolToObject(split, "invert", 0);
    cJSON_AddItemToArray(list, split);
    cJSON *bl = cJSON_CreateObject();
    cJSON_AddStringToObject(bl, "type", "ByteLevel");
    cJSON_AddBoolToObject(bl, "add_prefix_space", 0);
    cJSON_AddBoolToObject(bl, "trim_offsets", 1);
    cJSON_AddBoolToObject(bl, "use_regex", 0);
    cJSON_AddItemToArray(list, bl);
    return seq;
}

static cJSON *bos_template(const char *bos, int64_t id) {
    cJSON *post = cJSON_CreateObject(), *single = cJSON_AddArrayToObject(post, "single");
    cJSON_AddStringToObject(post, "type", "TemplateProcessing");
    cJSON *sp = cJSON_CreateObject(), *spi = cJSON_AddObjectToObject(sp, "SpecialToken");
    cJSON_AddStringToObject(spi, "id", bos);
    cJSON_AddNumberToObject(spi, "type_id", 0);
    cJSON *sq = cJSON_CreateObject(), *sqi = cJSON_AddObjectToObject(sq, "Sequence");
    cJSON_AddStringToObject(sqi, "id", "A");
    cJSON_AddNumberToObject(sqi, "type_id", 0);
    cJSON_AddItemToArray(single, sp);
    cJSON_AddItemToArray(single, sq);
    cJSON *st = cJSON_AddObjectToObject(post, "special_tokens"), *e = cJSON_AddObjectToObject(st, bos);
    cJSON_AddStringToObject(e, "id", bos);
    cJSON_AddItemToObject(e, "ids", cJSON_CreateDoubleArray((double[]){(double)id}, 1));
    cJSON *toks = cJSON_AddArrayToObject(e, "tokens");
    cJSON_AddItemToArray(toks, cJSON_CreateString(bos));
    return post;
}

static cJSON *added_token(const char *s, int64_t id, int special) {
    cJSON *a = cJSON_CreateObject();
    cJSON_AddNumberToObject(a, "id", (double)id);
    cJSON_AddStringToObject(a, "content", s);
    cJSON_AddBoolToObject(a, "single_word", 0);
    cJSON_AddBoolToObject(a, "lstrip", 0);
    cJSON_AddBoolToObject(a, "rstrip", 0);
    cJSON_AddBoolToObject(a, "normalized", 0);
    cJSON_AddBoolToObject(a, "special", special);
    return a;
}

static int32_t token_type(const el_gguf_tokenizer *t, uint64_t i) {
    if (!t->token_type) return 1;
    int32_t v;
    memcpy(&v, t->token_type->value + 4 * i, 4);
    return v;
}

/* vocab, added_tokens and the BOS template from tokens + token_type. */
static void add_tokens(const el_gguf_tokenizer *t, cJSON *root, cJSON *model) {
    cJSON *vocab = cJSON_AddObjectToObject(model, "vocab"), *added = cJSON_AddArrayToObject(root, "added_tokens");
    const uint8_t *p = t->tokens->value;
    char *bos = NULL;
    for (uint64_t i = 0; i < t->tokens->n_items; i++) {
        const char *s;
        uint64_t len;
        p = el_gguf_next_str(p, &s, &len);
        char *z = strndup(s, len);
        if (!z) continue;
        const int32_t ty = token_type(t, i);
        if (!cJSON_GetObjectItemCaseSensitive(vocab, z)) cJSON_AddNumberToObject(vocab, z, (double)i);
        /* convert_hf_to_gguf pads short vocabularies with user-defined [PADn]. */
        if (ty == 3 || (ty == 4 && strncmp(z, "[PAD", 4))) cJSON_AddItemToArray(added, added_token(z, (int64_t)i, ty == 3));
        if ((int64_t)i == t->bos_id) bos = strdup(z);
        free(z);
    }
    cJSON_AddItemToObject(root, "post_processor", t->add_bos == 1 && bos ? bos_template(bos, t->bos_id) : cJSON_CreateNull());
    free(bos);
}

static void add_merges(const el_gguf_tokenizer *t, cJSON *model) {
    cJSON *merges = cJSON_AddArrayToObject(model, "merges");
    const uint8_t *p = t->merges->value;
    for (uint64_t i = 0; i < t->merges->n_items; i++) {
        const char *s;
        uint64_t len;
        p = el_gguf_next_str(p, &s, &len);
        char *z = strndup(s, len);
        if (z) cJSON_AddItemToArray(merges, cJSON_CreateString(z));
        free(z);
    }
}

el_status el_gguf_load_tokenizer(const el_gguf *g, el_tokenizer **out) {
    *out = NULL;
    el_gguf_tokenizer t;
    EL_TRY(el_gguf_read_tokenizer(g, &t));
    if (strcmp(t.model, "gpt2"))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF SentencePiece tokenizers (tokenizer.ggml.model \"%s\") are not "
                       "read yet: pass --tokenizer tokenizer.json", g->path, t.model);
    cJSON *root = cJSON_CreateObject(), *model = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(model, "type", "BPE");
    cJSON_AddBoolToObject(model, "ignore_merges", !strcmp(t.pre, "llama-bpe") || !strcmp(t.pre, "llama3"));
    if (!strcmp(t.pre, "qwen2")) {
        cJSON *nfc = cJSON_AddObjectToObject(root, "normalizer");
        cJSON_AddStringToObject(nfc, "type", "NFC");
    }
    cJSON_AddItemToObject(root, "pre_tokenizer", pre_tokenizer(t.pre_regex));
    cJSON *dec = cJSON_AddObjectToObject(root, "decoder");
    cJSON_AddStringToObject(dec, "type", "ByteLevel");
    add_tokens(&t, root, model);
    add_merges(&t, model);
    el_status st = el_tokenizer_from_hf_json(g->path, root, out);
    cJSON_Delete(root);
    return st;
}

el_status el_gguf_load_tokenizer_path(const char *path, el_tokenizer **out) {
    el_gguf g;
    *out = NULL;
    EL_TRY(el_gguf_open(&g, path));
    el_status st = el_gguf_load_tokenizer(&g, out);
    el_gguf_close(&g);
    return st;
}
