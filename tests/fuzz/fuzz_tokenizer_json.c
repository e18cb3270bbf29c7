/* Hugging Face tokenizer.json on hostile bytes: every supported normalizer,
 * pre-tokenizer (regexes included), post-processor and decoder, added-token
 * flags and BPE options; the seed corpus holds one small file per component
 * (tools/fixtures/make_tokenizer_components.py).
 *
 * Input: tokenizer.json [NUL text]. The text, if any, is encoded and decoded
 * besides the fixed texts every tokenizer target uses. */
#include "entropy_lens.h"
#include "fuzz_tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    el_fuzz_part part[2];
    int np = el_fuzz_split(data, size, part, 2);
    static char path[1024];
    if (!path[0]) el_fuzz_path(path, sizeof path, "tokenizer.json");
    el_fuzz_write(path, part[0].p, part[0].n);
    el_tokenizer *t = NULL;
    el_status st = el_tokenizer_load_hf_json(path, &t);
    if (st != EL_OK) {
        EL_FUZZ_CHECK(t == NULL, "failed load returned a tokenizer");
        EL_FUZZ_CHECK_NAMES(el_last_error(), path);
        return 0;
    }
    el_fuzz_tokenizer_exercise(t, np > 1 ? part[1].p : NULL, np > 1 ? part[1].n : 0);
    /* Overriding BOS/EOS: in range accepted, out of range refused. */
    const int V = el_tokenizer_vocab_size(t);
    EL_FUZZ_CHECK(el_tokenizer_set_bos_eos(t, V - 1, 0) == EL_OK, "set_bos_eos in range refused");
    EL_FUZZ_CHECK(el_tokenizer_set_bos_eos(t, V, 0) != EL_OK, "set_bos_eos(V) accepted");
    el_fuzz_encode_decode(t, "Hello world", 1);
    el_tokenizer_free(t);
    return 0;
}
