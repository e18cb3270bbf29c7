/* llama2.c checkpoints on hostile bytes (legacy 28-byte header and the
 * version-1 "ak42" export): el_model_load on the file, and if it loads,
 * two generated tokens through the lens. The header's sizes drive every
 * allocation and offset, so this is the binary twin of fuzz_config. */
#include "fuzz_text_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[1024];
    return el_fuzz_text_model(data, size, path, sizeof path, "model.bin");
}
