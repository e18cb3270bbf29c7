/* The body of the model-file targets (fuzz_llama2c_model, fuzz_gguf_model):
 * write the input as `file_name`, el_model_load it, and if it loads, two
 * generated tokens through the lens. A failed load must name the file and
 * return no model; a loaded one must be a text model whose generation
 * succeeds (or reports float overflow) with ids inside the vocabulary. */
#ifndef EL_FUZZ_TEXT_MODEL_H
#define EL_FUZZ_TEXT_MODEL_H

#include "entropy_lens.h"
#include "fuzz_util.h"

static void el_fuzz_generate(el_model *m, const el_model_info *info) {
    el_text_params tp = el_text_default_params();
    tp.n_tokens = 2;
    int ids[2] = {info->n_classes - 1, 0};
    el_text_result r;
    memset(&r, 0, sizeof r);
    el_state_params sp = el_state_default_params();
    sp.n_threads = 1;
    el_state *s = NULL;
    el_status st = el_state_new(m, &sp, &s);
    if (st == EL_OK) st = el_text_generate_ids(s, ids, 2, &tp, &r);
    el_state_free(s);
    /* Finite but huge weights may overflow in the forward pass: that is
     * reported as this prompt's error (F6), never as a result. */
    EL_FUZZ_CHECK(st == EL_OK || strstr(el_last_error(), "overflowed float32"),
                  "generation failed on a loaded model: %s", el_last_error());
    if (st == EL_OK)
        for (int i = 0; i < r.n_steps; i++)
            EL_FUZZ_CHECK(r.ids[i] >= 0 && r.ids[i] < info->n_classes, "generated id %d outside vocab %d", r.ids[i],
                          info->n_classes);
    el_text_result_free(&r);
}

static int el_fuzz_text_model(const uint8_t *data, size_t size, char *path, size_t path_cap, const char *file_name) {
    if (!path[0]) el_fuzz_path(path, path_cap, file_name);
    el_fuzz_write(path, data, size);
    el_model *m = NULL;
    el_status st = el_model_load(path, NULL, &m);
    if (st != EL_OK) {
        EL_FUZZ_CHECK(m == NULL, "failed load returned a model");
        EL_FUZZ_CHECK_NAMES(el_last_error(), path);
        return 0;
    }
    el_model_info info;
    el_model_get_info(m, &info);
    EL_FUZZ_CHECK(info.is_text, "%s loaded as an image model", file_name);
    EL_FUZZ_CHECK(info.n_layers > 0 && info.hidden > 0 && info.n_classes > 0, "sizes %d/%d/%d", info.n_layers,
                  info.hidden, info.n_classes);
    if (info.context >= 4 && (size_t)info.n_classes * (size_t)info.hidden <= ((size_t)1 << 22))
        el_fuzz_generate(m, &info);
    el_model_free(m);
    return 0;
}

#endif
