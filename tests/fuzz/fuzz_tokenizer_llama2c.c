/* llama2.c tokenizer.bin on hostile bytes.
 *
 * Input: 2 bytes little-endian N, then the tokenizer.bin file. The checkpoint
 * header normally supplies the vocabulary size: N = 0 takes the number of
 * tokens the file appears to hold (so valid files load), any other N is used
 * as is (mismatches, tiny and huge vocabularies). The rest of the input after
 * a loaded file is also encoded as text. */
#include "entropy_lens.h"
#include "fuzz_tokenizer.h"

/* How many whole tokens the file holds if read the llama2.c way. */
static int count_tokens(const uint8_t *d, size_t n) {
    if (n < 4) return 0;
    size_t off = 4;
    int count = 0;
    while (n - off >= 8 && count < (1 << 22)) {
        uint32_t len = (uint32_t)d[off + 4] | (uint32_t)d[off + 5] << 8 | (uint32_t)d[off + 6] << 16 |
                       (uint32_t)d[off + 7] << 24;
        off += 8;
        if (len > n - off) break;
        off += len;
        count++;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    int vocab = data[0] | data[1] << 8;
    const uint8_t *file = data + 2;
    size_t n = size - 2;
    if (vocab == 0) vocab = count_tokens(file, n);
    if (vocab == 0) vocab = 1;
    static char path[1024];
    if (!path[0]) el_fuzz_path(path, sizeof path, "tokenizer.bin");
    el_fuzz_write(path, file, n);
    el_tokenizer *t = NULL;
    el_status st = el_tokenizer_load_llama2c(path, vocab, &t);
    if (st != EL_OK) {
        EL_FUZZ_CHECK(t == NULL, "failed load returned a tokenizer");
        EL_FUZZ_CHECK_NAMES(el_last_error(), path);
        return 0;
    }
    EL_FUZZ_CHECK(el_tokenizer_vocab_size(t) == vocab, "vocab %d, asked %d", el_tokenizer_vocab_size(t), vocab);
    el_fuzz_tokenizer_exercise(t, file, n > 64 ? 64 : n);
    el_tokenizer_free(t);
    return 0;
}
