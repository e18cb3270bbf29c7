/* Finding and loading a tokenizer from a path: a tokenizer.json, a llama2.c
 * tokenizer.bin, or a model folder holding one of tokenizer.json,
 * vocab.json + merges.txt, tokenizer.bin or a single tok*.bin. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/status.h"
#include "tokenizer/tokenizer_internal.h"
#include "weights/gguf_tokenizer.h"

static int is_file(const char *dir, const char *name, char *out, size_t n) {
    struct stat st;
    if ((size_t)snprintf(out, n, "%s/%s", dir, name) >= n) return 0;
    return stat(out, &st) == 0 && S_ISREG(st.st_mode);
}

/* llama2.c files do not store their size: count the entries. */
static el_status load_llama2c_counted(const char *path, el_tokenizer **out) {
    char *d;
    size_t len, off = 4;
    EL_TRY(el_file_read(path, EL_FILE_TOKENIZER, &d, &len));
    int n = 0;
    while (len >= 4 && len - off >= 8 && n < EL_TOK_MAX_VOCAB) {
        const unsigned char *p = (const unsigned char *)d + off + 4;
        uint32_t k = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (k > len - off - 8) break;
        off += 8 + k;
        n++;
    }
    free(d);
    if (n == 0 || off != len) return el_fail(EL_ERR_FORMAT, "%s: neither tokenizer.json nor a llama2.c tokenizer", path);
    return el_tokenizer_load_llama2c(path, n, out);
}

/* The one tok*.bin in dir (llama2.c's tok512.bin style), if exactly one. */
static int single_tok_bin(const char *dir, char *out, size_t n) {
    DIR *d = opendir(dir);
    int found = 0;
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (!strncmp(e->d_name, "tok", 3) && l > 4 && !strcmp(e->d_name + l - 4, ".bin") && is_file(dir, e->d_name, out, n))
            found++;
    }
    closedir(d);
    return found == 1;
}

el_status el_tokenizer_load_path(const char *path, el_tokenizer **out) {
    if (!out) return el_fail(EL_ERR_ARG, "tokenizer: NULL output");
    *out = NULL;
    if (!path) return el_fail(EL_ERR_ARG, "tokenizer: NULL path");
    struct stat st;
    if (stat(path, &st) != 0) return el_fail(EL_ERR_IO, "%s: no such file or folder", path);
    size_t n = strlen(path);
    if (S_ISREG(st.st_mode)) {
        if (n >= 5 && !strcmp(path + n - 5, ".json")) return el_tokenizer_load_hf_json(path, out);
        if (el_is_gguf_file(path)) return el_gguf_load_tokenizer_path(path, out);
        return load_llama2c_counted(path, out);
    }
    char a[4096], b[4096];
    if (is_file(path, "tokenizer.json", a, sizeof a)) return el_tokenizer_load_hf_json(a, out);
    if (is_file(path, "vocab.json", a, sizeof a) && is_file(path, "merges.txt", b, sizeof b))
        return el_tokenizer_load_gpt2(a, b, out);
    if (is_file(path, "tokenizer.bin", a, sizeof a) || single_tok_bin(path, a, sizeof a))
        return load_llama2c_counted(a, out);
    return el_fail(EL_ERR_IO, "%s: no tokenizer.json, vocab.json + merges.txt or tokenizer.bin", path);
}
