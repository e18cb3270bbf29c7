/* GPT-2 vocab.json + merges.txt on hostile bytes.
 *
 * Input: vocab.json NUL merges.txt [NUL text]. Without a NUL, merges.txt is
 * empty. */
#include "entropy_lens.h"
#include "fuzz_tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    el_fuzz_part part[3];
    int np = el_fuzz_split(data, size, part, 3);
    static char vocab[1024], merges[1024];
    if (!vocab[0]) {
        el_fuzz_path(vocab, sizeof vocab, "vocab.json");
        el_fuzz_path(merges, sizeof merges, "merges.txt");
    }
    el_fuzz_write(vocab, part[0].p, part[0].n);
    el_fuzz_write(merges, np > 1 ? part[1].p : (const uint8_t *)"", np > 1 ? part[1].n : 0);
    el_tokenizer *t = NULL;
    el_status st = el_tokenizer_load_gpt2(vocab, merges, &t);
    if (st != EL_OK) {
        EL_FUZZ_CHECK(t == NULL, "failed load returned a tokenizer");
        const char *msg = el_last_error();
        EL_FUZZ_CHECK(msg && (strstr(msg, vocab) || strstr(msg, merges)),
                      "error message names neither file: \"%s\"", msg ? msg : "(null)");
        return 0;
    }
    el_fuzz_tokenizer_exercise(t, np > 2 ? part[2].p : NULL, np > 2 ? part[2].n : 0);
    el_tokenizer_free(t);
    return 0;
}
