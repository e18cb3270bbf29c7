/* A GGUF file's tokenizer as the tokenizer.json its family ships, built in
 * memory and handed to the tokenizer.json loader, so GGUF text is tokenised
 * by the same pipeline as the Hugging Face folder.
 *
 * Byte-level BPE (tokenizer.ggml.model "gpt2": GPT-2, Llama 3, Qwen 2/3,
 * GPT-NeoX):
 *   pre_tokenizer  Split(the pre name's regex, Isolated) + ByteLevel(no regex)
 *   normalizer     NFC for Qwen 2 (its tokenizer.json has one), else none
 *   model          BPE over tokens/merges; ignore_merges for Llama 3 (as its
 *                  tokenizer.json and llama.cpp's llama-bpe vocab do)
 *   decoder        ByteLevel
 * SentencePiece BPE ("llama": Llama 1/2, Mistral, Gemma, Phi-3), as
 * llama.cpp's SPM tokenizer runs it:
 *   normalizer     " " -> "▁", with "▁" in front of each piece of text (at the
 *                  start and after every special token) when add_space_prefix
 *   model          BPE with byte fallback, merging the pair whose
 *                  concatenation has the highest score (no merges list)
 *   decoder        "▁" -> " ", byte fallback, fuse, and the leading space
 *                  stripped when add_space_prefix
 * Both:
 *   added_tokens   unknown and control (types 2, 3: special) and
 *                  user-defined (type 4) tokens, cut out of the text first
 *   post_processor BOS before / EOS after the text when add_bos/add_eos_token */
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

static cJSON *template_piece(const char *kind, const char *id) {
    cJSON *e = cJSON_CreateObject(), *in = cJSON_AddObjectToObject(e, kind);
    cJSON_AddStringToObject(in, "id", id);
    cJSON_AddNumberToObject(in, "type_id", 0);
    return e;
}

static void template_special(cJSON *specials, const char *s, int64_t id) {
    cJSON *e = cJSON_AddObjectToObject(specials, s);
    cJSON_AddStringToObject(e, "id", s);
    cJSON_AddItemToObject(e, "ids", cJSON_CreateDoubleArray((double[]){(double)id}, 1));
    cJSON *toks = cJSON_AddArrayToObject(e, "tokens");
    cJSON_AddItemToArray(toks, cJSON_CreateString(s));
}

/* TemplateProcessing: [bos] A [eos], either end NULL. */
static cJSON *bos_eos_template(const char *bos, int64_t bos_id, const char *eos, int64_t eos_id) {
    if (!bos && !eos) return cJSON_CreateNull();
    cJSON *post = cJSON_CreateObject(), *single = cJSON_AddArrayToObject(post, "single");
    cJSON_AddStringToObject(post, "type", "TemplateProcessing");
    cJSON *specials = cJSON_AddObjectToObject(post, "special_tokens");
    if (bos) cJSON_AddItemToArray(single, template_piece("SpecialToken", bos));
    cJSON_AddItemToArray(single, template_piece("Sequence", "A"));
    if (eos) cJSON_AddItemToArray(single, template_piece("SpecialToken", eos));
    if (bos) template_special(specials, bos, bos_id);
    if (eos && (!bos || strcmp(bos, eos))) template_special(specials, eos, eos_id);
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

/* vocab, added_tokens and the BOS/EOS template from tokens + token_type. */
static void add_tokens(const el_gguf_tokenizer *t, cJSON *root, cJSON *model) {
    cJSON *vocab = cJSON_AddObjectToObject(model, "vocab"), *added = cJSON_AddArrayToObject(root, "added_tokens");
    const uint8_t *p = t->tokens->value;
    char *bos = NULL, *eos = NULL;
    for (uint64_t i = 0; i < t->tokens->n_items; i++) {
        const char *s;
        uint64_t len;
        p = el_gguf_next_str(p, &s, &len);
        char *z = strndup(s, len);
        if (!z) continue;
        const int32_t ty = token_type(t, i);
        /* No lookup for duplicates here (linear in cJSON, quadratic over a vocab):
         * the vocab loader names a duplicated piece. */
        cJSON_AddNumberToObject(vocab, z, (double)i);
        /* convert_hf_to_gguf pads short vocabularies with user-defined [PADn]. */
        if (ty == 2 || ty == 3 || (ty == 4 && strncmp(z, "[PAD", 4)))
            cJSON_AddItemToArray(added, added_token(z, (int64_t)i, ty != 4));
        if ((int64_t)i == t->bos_id) bos = strdup(z);
        if ((int64_t)i == t->eos_id) eos = strdup(z);
        if ((int64_t)i == t->unk_id && !strcmp(t->model, "llama")) cJSON_AddStringToObject(model, "unk_token", z);
        free(z);
    }
    /* SentencePiece vocabularies add BOS unless the file says not to (llama.cpp). */
    const int add_bos = t->add_bos == 1 || (t->add_bos < 0 && !strcmp(t->model, "llama"));
    cJSON_AddItemToObject(root, "post_processor", bos_eos_template(add_bos ? bos : NULL, t->bos_id,
                                                                   t->add_eos == 1 ? eos : NULL, t->eos_id));
    free(bos);
    free(eos);
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

static cJSON *replace_step(const char *from, const char *to) {
    cJSON *r = cJSON_CreateObject(), *pat = cJSON_AddObjectToObject(r, "pattern");
    cJSON_AddStringToObject(r, "type", "Replace");
    cJSON_AddStringToObject(pat, "String", from);
    cJSON_AddStringToObject(r, "content", to);
    return r;
}

static cJSON *typed(const char *type) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type);
    return o;
}

#define SPIECE_SPACE "\xe2\x96\x81" /* U+2581 */

/* GPT-2 family: byte-level pre-tokenizer, merges by rank. */
static void bytelevel_parts(const el_gguf_tokenizer *t, cJSON *root, cJSON *model) {
    cJSON_AddBoolToObject(model, "ignore_merges", !strcmp(t->pre, "llama-bpe") || !strcmp(t->pre, "llama3"));
    if (!strcmp(t->pre, "qwen2")) cJSON_AddItemToObject(root, "normalizer", typed("NFC"));
    cJSON_AddItemToObject(root, "pre_tokenizer", pre_tokenizer(t->pre_regex));
    cJSON_AddItemToObject(root, "decoder", typed("ByteLevel"));
    add_merges(t, model);
}

/* SentencePiece: spaces to "▁" (and one in front), byte fallback; merges by score. */
static void spiece_parts(const el_gguf_tokenizer *t, cJSON *root, cJSON *model) {
    cJSON *norm = typed("Sequence"), *steps = cJSON_AddArrayToObject(norm, "normalizers");
    if (t->add_space_prefix) {
        cJSON *pre = typed("Prepend");
        cJSON_AddStringToObject(pre, "prepend", SPIECE_SPACE);
        cJSON_AddItemToArray(steps, pre);
    }
    cJSON_AddItemToArray(steps, replace_step(" ", SPIECE_SPACE));
    cJSON_AddItemToObject(root, "normalizer", norm);
    cJSON *dec = typed("Sequence"), *ds = cJSON_AddArrayToObject(dec, "decoders");
    cJSON_AddItemToArray(ds, replace_step(SPIECE_SPACE, " "));
    cJSON_AddItemToArray(ds, typed("ByteFallback"));
    cJSON_AddItemToArray(ds, typed("Fuse"));
    if (t->add_space_prefix) {
        cJSON *strip = typed("Strip");
        cJSON_AddStringToObject(strip, "content", " ");
        cJSON_AddNumberToObject(strip, "start", 1);
        cJSON_AddNumberToObject(strip, "stop", 0);
        cJSON_AddItemToArray(ds, strip);
    }
    cJSON_AddItemToObject(root, "decoder", dec);
    cJSON_AddBoolToObject(model, "byte_fallback", 1);
    cJSON_AddBoolToObject(model, "fuse_unk", 1);
}

el_status el_gguf_load_tokenizer(const el_gguf *g, el_tokenizer **out) {
    *out = NULL;
    el_gguf_tokenizer t;
    EL_TRY(el_gguf_read_tokenizer(g, &t));
    const int spiece = !strcmp(t.model, "llama");
    cJSON *root = cJSON_CreateObject(), *model = cJSON_AddObjectToObject(root, "model");
    cJSON_AddStringToObject(model, "type", "BPE");
    if (spiece) spiece_parts(&t, root, model);
    else bytelevel_parts(&t, root, model);
    add_tokens(&t, root, model);
    el_status st = el_tokenizer_from_hf_json(g->path, root, out);
    cJSON_Delete(root);
    /* The scores straight from the mapping (read_tokenizer checked their count). */
    if (st == EL_OK && spiece) st = el_tokenizer_set_merge_scores(*out, t.scores->value, (int)t.scores->n_items);
    if (st != EL_OK) {
        el_tokenizer_free(*out);
        *out = NULL;
    }
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
