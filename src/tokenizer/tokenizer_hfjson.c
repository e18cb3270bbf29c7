/* HF tokenizer.json with a BPE model: the byte-level GPT-2 layout and the
 * SentencePiece-style Llama 2 / Mistral layout. Each pipeline stage is
 * matched against the configurations we reproduce exactly; anything else is
 * refused as unsupported rather than encoded differently from HF. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/file.h"
#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"
#include "weights/json_config.h"

#define META "\xE2\x96\x81"

typedef struct {
    el_tok_kind kind;
    int prepend_normalizer; /* normalizer Prepend("▁") */
    int replace_normalizer; /* normalizer Replace(" " -> "▁") */
    int metaspace;          /* pre_tokenizer Metaspace */
    el_spm_prepend meta_prepend;
    int meta_split;
    int add_prefix_space; /* ByteLevel */
    el_strip_mode strip_mode;
    int strip_count;
} pipeline;

static const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }

static const char *type_of(const cJSON *o) {
    const cJSON *ty = get(o, "type");
    return cJSON_IsString(ty) ? ty->valuestring : "";
}

static int is_str(const cJSON *o, const char *s) { return cJSON_IsString(o) && strcmp(o->valuestring, s) == 0; }

/* Boolean field with a default when absent or null. */
static int flag(const cJSON *o, const char *k, int dflt) {
    const cJSON *v = get(o, k);
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    return dflt;
}

/* Replace's pattern is {"String": "x"} (or {"Regex": ...}, unsupported). */
static int replace_is(const cJSON *o, const char *from, const char *to) {
    return is_str(get(get(o, "pattern"), "String"), from) && is_str(get(o, "content"), to);
}

static el_status normalizer_step(const char *path, const cJSON *n, pipeline *p) {
    const char *ty = type_of(n);
    if (strcmp(ty, "Prepend") == 0 && is_str(get(n, "prepend"), META)) {
        p->prepend_normalizer = 1;
        return EL_OK;
    }
    if (strcmp(ty, "Replace") == 0 && replace_is(n, " ", META)) {
        p->replace_normalizer = 1;
        return EL_OK;
    }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: normalizer \"%s\" is not supported (only Prepend \"▁\" and Replace \" \" -> \"▁\")",
                   path, ty);
}

static el_status parse_normalizer(const char *path, const cJSON *n, pipeline *p) {
    if (!n || cJSON_IsNull(n)) return EL_OK;
    if (strcmp(type_of(n), "Sequence") != 0) return normalizer_step(path, n, p);
    const cJSON *list = get(n, "normalizers"), *e;
    if (!cJSON_IsArray(list)) return el_fail(EL_ERR_FORMAT, "%s: normalizer Sequence without a list", path);
    cJSON_ArrayForEach(e, list) EL_TRY(normalizer_step(path, e, p));
    return EL_OK;
}

static el_status parse_pre_tokenizer(const char *path, const cJSON *pt, pipeline *p) {
    if (!pt || cJSON_IsNull(pt)) return EL_OK;
    const char *ty = type_of(pt);
    if (strcmp(ty, "ByteLevel") == 0) {
        if (!flag(pt, "use_regex", 1))
            return el_fail(EL_ERR_UNSUPPORTED, "%s: ByteLevel pre_tokenizer without use_regex", path);
        p->kind = EL_TOK_BYTELEVEL;
        p->add_prefix_space = flag(pt, "add_prefix_space", 0);
        return EL_OK;
    }
    if (strcmp(ty, "Metaspace") == 0) {
        if (!is_str(get(pt, "replacement"), META))
            return el_fail(EL_ERR_UNSUPPORTED, "%s: Metaspace replacement other than \"▁\"", path);
        const cJSON *scheme = get(pt, "prepend_scheme");
        p->metaspace = 1;
        if (cJSON_IsString(scheme)) {
            if (strcmp(scheme->valuestring, "always") == 0) p->meta_prepend = EL_SPM_PREPEND_META_ALWAYS;
            else if (strcmp(scheme->valuestring, "first") == 0) p->meta_prepend = EL_SPM_PREPEND_META_FIRST;
            else if (strcmp(scheme->valuestring, "never") == 0) p->meta_prepend = EL_SPM_PREPEND_NONE;
            else return el_fail(EL_ERR_UNSUPPORTED, "%s: Metaspace prepend_scheme \"%s\"", path, scheme->valuestring);
        } else { /* older files: add_prefix_space */
            p->meta_prepend = flag(pt, "add_prefix_space", 1) ? EL_SPM_PREPEND_META_ALWAYS : EL_SPM_PREPEND_NONE;
        }
        p->meta_split = flag(pt, "split", 1);
        return EL_OK;
    }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: pre_tokenizer \"%s\" is not supported", path, ty);
}

static el_status decoder_step(const char *path, const cJSON *d, pipeline *p) {
    const char *ty = type_of(d);
    if (strcmp(ty, "ByteLevel") == 0 && p->kind == EL_TOK_BYTELEVEL) return EL_OK;
    if (p->kind == EL_TOK_BYTELEVEL)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: decoder \"%s\" with a ByteLevel pre_tokenizer", path, ty);
    if (strcmp(ty, "Replace") == 0 && replace_is(d, META, " ")) return EL_OK;
    if (strcmp(ty, "ByteFallback") == 0 || strcmp(ty, "Fuse") == 0) return EL_OK;
    if (strcmp(ty, "Strip") == 0) {
        const cJSON *start = get(d, "start"), *stop = get(d, "stop");
        if (!is_str(get(d, "content"), " ") || !cJSON_IsNumber(start) || !cJSON_IsNumber(stop) ||
            stop->valuedouble != 0 || start->valuedouble < 0 || start->valuedouble > 64)
            return el_fail(EL_ERR_UNSUPPORTED, "%s: Strip decoder other than leading spaces", path);
        p->strip_mode = EL_STRIP_FUSED;
        p->strip_count = (int)start->valuedouble;
        return EL_OK;
    }
    if (strcmp(ty, "Metaspace") == 0) {
        const cJSON *scheme = get(d, "prepend_scheme");
        int strips = cJSON_IsString(scheme) ? strcmp(scheme->valuestring, "never") != 0
                                            : flag(d, "add_prefix_space", 1);
        if (strips) p->strip_mode = EL_STRIP_FIRST_PIECE;
        return EL_OK;
    }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: decoder \"%s\" is not supported", path, ty);
}

static el_status parse_decoder(const char *path, const cJSON *d, pipeline *p) {
    if (!d || cJSON_IsNull(d)) return EL_OK;
    if (strcmp(type_of(d), "Sequence") != 0) return decoder_step(path, d, p);
    const cJSON *list = get(d, "decoders"), *e;
    if (!cJSON_IsArray(list)) return el_fail(EL_ERR_FORMAT, "%s: decoder Sequence without a list", path);
    cJSON_ArrayForEach(e, list) EL_TRY(decoder_step(path, e, p));
    return EL_OK;
}

static el_status parse_pipeline(const char *path, const cJSON *root, const cJSON *model, pipeline *p) {
    memset(p, 0, sizeof *p);
    p->kind = EL_TOK_SPM;
    EL_TRY(parse_pre_tokenizer(path, get(root, "pre_tokenizer"), p));
    EL_TRY(parse_normalizer(path, get(root, "normalizer"), p));
    if (p->kind == EL_TOK_BYTELEVEL && (p->prepend_normalizer || p->replace_normalizer))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: normalizer combined with a ByteLevel pre_tokenizer", path);
    if (p->kind == EL_TOK_SPM) {
        if (p->metaspace && (p->prepend_normalizer || p->replace_normalizer))
            return el_fail(EL_ERR_UNSUPPORTED, "%s: normalizer combined with a Metaspace pre_tokenizer", path);
        if (!p->metaspace && !p->replace_normalizer)
            return el_fail(EL_ERR_UNSUPPORTED,
                           "%s: neither ByteLevel, Metaspace nor a Replace \" \" -> \"▁\" normalizer", path);
    }
    EL_TRY(parse_decoder(path, get(root, "decoder"), p));
    const char *ty = type_of(model);
    if (strcmp(ty, "BPE") != 0)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: model type \"%s\" (only BPE is supported)", path, ty);
    const cJSON *v = get(model, "dropout");
    if (cJSON_IsNumber(v) && v->valuedouble != 0)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: BPE dropout", path);
    v = get(model, "continuing_subword_prefix");
    if (cJSON_IsString(v) && v->valuestring[0])
        return el_fail(EL_ERR_UNSUPPORTED, "%s: BPE continuing_subword_prefix", path);
    v = get(model, "end_of_word_suffix");
    if (cJSON_IsString(v) && v->valuestring[0])
        return el_fail(EL_ERR_UNSUPPORTED, "%s: BPE end_of_word_suffix", path);
    if (flag(model, "ignore_merges", 0))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: BPE ignore_merges", path);
    return EL_OK;
}

static el_status read_merges(el_tokenizer *t, const char *path, const cJSON *merges) {
    if (!cJSON_IsArray(merges)) return el_fail(EL_ERR_FORMAT, "%s: model.merges is not an array", path);
    int n = cJSON_GetArraySize(merges), rank = 0;
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

/* The first SpecialToken of TemplateProcessing's "single" template is the
 * BOS the HF post-processor adds. */
static int template_bos(const el_tokenizer *t, const cJSON *pp) {
    if (strcmp(type_of(pp), "TemplateProcessing") != 0) return -1;
    const cJSON *single = get(pp, "single");
    const cJSON *first = cJSON_IsArray(single) ? single->child : NULL;
    const cJSON *id = get(get(first, "SpecialToken"), "id");
    if (!cJSON_IsString(id)) return -1;
    const cJSON *ids = get(get(get(pp, "special_tokens"), id->valuestring), "ids");
    if (cJSON_IsArray(ids) && cJSON_GetArraySize(ids) == 1 && cJSON_IsNumber(ids->child)) {
        double v = ids->child->valuedouble;
        if (v >= 0 && v < t->n_vocab) return (int)v;
    }
    return el_tok_find(t, id->valuestring, strlen(id->valuestring));
}

static int first_found(const el_tokenizer *t, const char *const *names) {
    for (; *names; names++) {
        int id = el_tok_find(t, *names, strlen(*names));
        if (id >= 0) return id;
    }
    return -1;
}

static el_status configure(el_tokenizer *t, const char *path, const cJSON *root, const cJSON *model,
                           const pipeline *p) {
    t->byte_fallback = flag(model, "byte_fallback", 0);
    t->fuse_unk = flag(model, "fuse_unk", 0);
    const cJSON *unk = get(model, "unk_token");
    if (cJSON_IsString(unk)) {
        t->unk = el_tok_find(t, unk->valuestring, strlen(unk->valuestring));
        if (t->unk < 0)
            return el_fail(EL_ERR_FORMAT, "%s: unk_token \"%.40s\" is not in the vocab", path, unk->valuestring);
    }
    t->add_prefix_space = p->add_prefix_space;
    if (p->metaspace) {
        t->spm_prepend = p->meta_prepend;
        t->spm_split = p->meta_split;
    } else {
        t->spm_prepend = p->prepend_normalizer ? EL_SPM_PREPEND_ALWAYS : EL_SPM_PREPEND_NONE;
        /* Only a real normalizer makes "normalized" added tokens differ. */
        t->added_norm_split = p->kind == EL_TOK_SPM;
    }
    t->strip_mode = p->strip_mode;
    t->strip_count = p->strip_count;
    static const char *const bos_names[] = {"<s>", "<|begin_of_text|>", "<|endoftext|>", NULL};
    static const char *const eos_names[] = {"</s>", "<|end_of_text|>", "<|endoftext|>", NULL};
    t->bos = template_bos(t, get(root, "post_processor"));
    if (t->bos < 0) t->bos = first_found(t, bos_names);
    t->eos = first_found(t, eos_names);
    return EL_OK;
}

el_status el_tokenizer_load_hf_json(const char *path, el_tokenizer **out) {
    if (!out) return el_fail(EL_ERR_ARG, "tokenizer: NULL output");
    *out = NULL;
    if (!path) return el_fail(EL_ERR_ARG, "tokenizer: NULL path");
    char *data;
    size_t len;
    EL_TRY(el_file_read(path, EL_FILE_TOKENIZER, &data, &len));
    cJSON *root;
    el_status parsed = el_json_parse_strict(data, len, path, &root);
    free(data);
    if (parsed != EL_OK) return parsed;
    el_tokenizer *t = NULL;
    pipeline p;
    const cJSON *model = get(root, "model");
    el_status st = EL_OK;
    if (!cJSON_IsObject(root) || !cJSON_IsObject(model))
        st = el_fail(EL_ERR_FORMAT, "%s: no \"model\" object", path);
    if (st == EL_OK) st = parse_pipeline(path, root, model, &p);
    if (st == EL_OK) {
        const cJSON *added = get(root, "added_tokens");
        if (cJSON_IsNull(added)) added = NULL;
        st = el_tok_vocab_from_json(path, get(model, "vocab"), added, p.kind, &t);
    }
    if (st == EL_OK) st = read_merges(t, path, get(model, "merges"));
    if (st == EL_OK) st = configure(t, path, root, model, &p);
    if (st == EL_OK) st = el_tok_finish(t);
    cJSON_Delete(root);
    if (st != EL_OK) {
        el_tokenizer_free(t);
        return st;
    }
    *out = t;
    return EL_OK;
}
