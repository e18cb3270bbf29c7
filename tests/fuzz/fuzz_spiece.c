/* SentencePiece Unigram models (SigLIP's spiece.model) on hostile bytes, and
 * SiglipTokenizer's text handling on hostile text.
 *
 * Input: spiece.model NUL text. If the model loads, the text (up to 256
 * bytes) is encoded to 16 ids: every id in the vocabulary, the last one </s>. */
#include "fuzz_util.h"
#include "tokenizer/spiece.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nul = memchr(data, 0, size);
    size_t n_model = nul ? (size_t)(nul - data) : size;
    static char path[1024];
    if (!path[0]) el_fuzz_path(path, sizeof path, "spiece.model");
    el_fuzz_write(path, data, n_model);
    el_spiece *sp = NULL;
    el_status st = el_spiece_load(path, &sp);
    if (st != EL_OK) {
        EL_FUZZ_CHECK(sp == NULL, "failed load returned a model");
        EL_FUZZ_CHECK(strstr(el_last_error(), path) || st == EL_ERR_NOMEM, "error does not name the file: %s",
                      el_last_error());
        return 0;
    }
    char text[257];
    size_t n_text = nul ? size - n_model - 1 : 0;
    if (n_text > 256) n_text = 256;
    if (n_text) memcpy(text, nul + 1, n_text);
    text[n_text] = '\0'; /* the text ends at its first NUL, as a C string does */
    int ids[16];
    if (el_spiece_encode_siglip(sp, text, 16, ids) == EL_OK) {
        for (int i = 0; i < 16; i++)
            EL_FUZZ_CHECK(ids[i] >= 0 && ids[i] < el_spiece_vocab_size(sp), "id %d out of range", ids[i]);
    }
    el_spiece_free(sp);
    return 0;
}
