/* GGUF model files on hostile bytes: el_model_load on the file (metadata to
 * block config, gguf_config.c's per-architecture rules, every tensor checked
 * against the shape the config implies, leftovers refused), and if it loads,
 * two generated tokens through the lens. fuzz_gguf covers the container and
 * the tokenizer; this one the text model built from it. Seeds: tiny Qwen3 and
 * Gemma 1/2/3 files (tests/fixtures/gguf/seeds, make_gguf_models.py). */
#include "fuzz_text_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[1024];
    return el_fuzz_text_model(data, size, path, sizeof path, "model.gguf");
}
