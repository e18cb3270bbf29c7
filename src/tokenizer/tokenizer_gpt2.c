/* GPT-2 vocab.json + merges.txt (the files encoder.py and HF's slow
 * GPT2Tokenizer read). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/file.h"
#include "base/status.h"
#include "weights/json_config.h"
#include "tokenizer/tokenizer_pipeline.h"

/* merges.txt: optional "#version" line, then "a b" per line; like HF's
 * BPE::read_file a line with other than exactly one space is an error. A
 * final newline does not make an empty merge. */
static el_status read_merges(el_tokenizer *t, const char *path, const char *data, size_t len) {
    size_t lines = 1;
    for (size_t i = 0; i < len; i++) lines += data[i] == '\n';
    EL_TRY(el_tok_pairmap_init(&t->merges, lines));
    int rank = 0, line_no = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(data + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - i;
        const char *line = data + i;
        i = end + 1;
        line_no++;
        if (n && line[n - 1] == '\r') n--;
        if (n >= 8 && memcmp(line, "#version", 8) == 0) continue;
        const char *sp = memchr(line, ' ', n);
        if (!sp || memchr(sp + 1, ' ', n - (size_t)(sp - line) - 1) || sp == line || sp == line + n - 1)
            return el_fail(EL_ERR_FORMAT, "%s: line %d is not \"left right\"", path, line_no);
        if (memchr(line, '\0', n))
            return el_fail(EL_ERR_FORMAT, "%s: line %d contains a NUL byte", path, line_no);
        size_t alen = (size_t)(sp - line);
        EL_TRY(el_tok_add_merge(t, path, rank++, line, alen, sp + 1, n - alen - 1));
    }
    return EL_OK;
}

el_status el_tokenizer_load_gpt2(const char *vocab_json, const char *merges_txt, el_tokenizer **out) {
    if (!out) return el_fail(EL_ERR_ARG, "tokenizer: NULL output");
    *out = NULL;
    if (!vocab_json || !merges_txt) return el_fail(EL_ERR_ARG, "tokenizer: NULL path");
    cJSON *root;
    EL_TRY(el_json_read_file(vocab_json, EL_FILE_TOKENIZER, &root));
    el_tokenizer *t = NULL;
    el_status st = el_tok_vocab_from_json(vocab_json, root, NULL, EL_TOK_BYTELEVEL, &t);
    cJSON_Delete(root);
    if (st != EL_OK) return st;
    st = el_tok_pipeline_gpt2(&t->pipe);
    /* HF treats <|endoftext|> as a special token. */
    int eot = el_tok_find(t, "<|endoftext|>", 13);
    if (st == EL_OK && eot >= 0) {
        st = el_tok_add_added(t, &(el_tok_added){.id = eot, .special = 1});
        t->bos = t->eos = eot;
    }
    char *data;
    size_t len;
    if (st == EL_OK) st = el_file_read(merges_txt, EL_FILE_TOKENIZER, &data, &len);
    if (st == EL_OK) {
        st = read_merges(t, merges_txt, data, len);
        free(data);
    }
    if (st == EL_OK) st = el_tok_finish(t);
    if (st != EL_OK) {
        el_tokenizer_free(t);
        return st;
    }
    *out = t;
    return EL_OK;
}
