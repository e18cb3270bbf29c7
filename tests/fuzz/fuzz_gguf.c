/* GGUF on hostile bytes: the input is one .gguf file. Open it with
 * el_gguf_open, then read every metadata value with the typed getters (walking
 * string arrays to their end), look every tensor up by name and expand it to
 * float32 row by row into an exact-size buffer (ASan sees any overrun).
 *
 * Contract checked: failures name the file and leave the struct empty;
 * tensors lie inside the mapping with nbytes = the type's row bytes for
 * n_elems; every string array item lies inside the mapping; lookups by name
 * find each tensor; a file with tokenizer.ggml.* metadata yields a tokenizer
 * (byte-level or SentencePiece) that passes every tokenizer target's checks
 * (fuzz_tokenizer.h), or an error naming the file. */
#include "entropy_lens.h"
#include "fuzz_tokenizer.h"
#include "fuzz_util.h"
#include "nn/quant.h"
#include "weights/gguf.h"
#include "weights/gguf_tokenizer.h"

static void walk_metadata(const el_gguf *g, const uint8_t *lo, const uint8_t *hi) {
    for (uint64_t i = 0; i < g->n_kvs; i++) {
        const el_gguf_kv *kv = &g->kvs[i];
        int64_t v;
        double f;
        const char *s;
        uint64_t len;
        EL_FUZZ_CHECK(el_gguf_find_kv(g, kv->key) == kv, "key '%s' not found by name", kv->key);
        (void)el_gguf_get_int(g, kv->key, &v);
        (void)el_gguf_get_float(g, kv->key, &f);
        if (el_gguf_get_str(g, kv->key, &s, &len) == EL_OK)
            EL_FUZZ_CHECK((const uint8_t *)s >= lo && len <= (uint64_t)(hi - (const uint8_t *)s), "string '%s' outside",
                          kv->key);
        if (kv->type == EL_GGUF_ARRAY && kv->item_type == EL_GGUF_STRING) {
            const uint8_t *p = kv->value;
            for (uint64_t k = 0; k < kv->n_items; k++) {
                p = el_gguf_next_str(p, &s, &len);
                EL_FUZZ_CHECK(p >= lo && p <= hi, "array '%s' item %llu outside the mapping", kv->key,
                              (unsigned long long)k);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[1024];
    if (!path[0]) el_fuzz_path(path, sizeof path, "model.gguf");
    el_fuzz_write(path, data, size);

    el_gguf g;
    el_status st = el_gguf_open(&g, path);
    if (st != EL_OK) {
        EL_FUZZ_CHECK_NAMES(el_last_error(), path);
        EL_FUZZ_CHECK(g.n_tensors == 0 && g.tensors == NULL && g.kvs == NULL && g.map == NULL,
                      "failed open left a populated struct");
        return 0;
    }
    const uint8_t *lo = g.map, *hi = g.map + g.size;
    walk_metadata(&g, lo, hi);
    for (uint64_t i = 0; i < g.n_tensors; i++) {
        const el_gguf_tensor *t = &g.tensors[i];
        EL_FUZZ_CHECK(t->data >= lo && t->data <= hi && t->nbytes <= (uint64_t)(hi - t->data),
                      "tensor '%s' outside the mapping", t->name);
        EL_FUZZ_CHECK(t->nbytes == el_qtype_row_bytes(t->type, t->n_elems), "tensor '%s' size", t->name);
        EL_FUZZ_CHECK(el_gguf_find_tensor(&g, t->name) == t, "tensor '%s' not found by name", t->name);
        uint64_t rows = t->ne[0] ? t->n_elems / t->ne[0] : 0;
        if (t->ne[0] > (1u << 20)) continue; /* one row must fit the buffer below */
        float *row = malloc(t->ne[0] ? t->ne[0] * sizeof(float) : 1);
        if (!row) abort();
        for (uint64_t r = 0; r < rows && r < 64; r++)
            EL_FUZZ_CHECK(el_gguf_expand_rows(&g, t, r, 1, row) == EL_OK, "expand '%s' row %llu: %s", t->name,
                          (unsigned long long)r, el_last_error());
        EL_FUZZ_CHECK(el_gguf_expand_rows(&g, t, rows, 1, row) == EL_ERR_ARG, "row past the end accepted");
        free(row);
    }
    el_tokenizer *tok = NULL;
    if (el_gguf_find_kv(&g, "tokenizer.ggml.model")) {
        if (el_gguf_load_tokenizer(&g, &tok) == EL_OK) el_fuzz_tokenizer_exercise(tok, data, size < 64 ? size : 64);
        else EL_FUZZ_CHECK_NAMES(el_last_error(), path);
    }
    el_tokenizer_free(tok);
    el_gguf_close(&g);
    return 0;
}
