/* Text models: the entry points (a llama2.c or GGUF file, or a Hugging Face folder),
 * the checks and sizes every loader shares, and the tokenizer beside the
 * model. The formats themselves are in llama2c_load.c and hf_text_load.c. */
#include "weights/text_load.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/status.h"
#include "weights/gguf_tokenizer.h"
#include "weights/json_config.h"
#include "weights/text_load_internal.h"

el_status el_text_check_sizes(const el_text *m, const char *file) {
    const el_block_config *c = &m->tf.cfg;
    if (c->dim < 1 || c->dim > EL_TEXT_MAX_DIM || c->n_layers < 1 || c->n_layers > EL_TEXT_MAX_LAYERS || c->n_heads < 1 ||
        c->n_heads > c->dim || c->n_kv_heads < 1 || c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads ||
        c->mlp_dim < 1 || c->mlp_dim > 16 * EL_TEXT_MAX_DIM || m->vocab < 1 || m->vocab > EL_TEXT_MAX_VOCAB ||
        m->context < 1 || m->context > EL_TEXT_MAX_CONTEXT || c->head_dim < 2 || c->head_dim % 2 ||
        c->head_dim > EL_TEXT_MAX_DIM)
        return el_fail(EL_ERR_CONFIG,
                       "%s: sizes out of range or inconsistent (dim %d, layers %d, heads %d, kv heads %d, head dim %d, "
                       "mlp %d, vocab %d, context %d)",
                       file, c->dim, c->n_layers, c->n_heads, c->n_kv_heads, c->head_dim, c->mlp_dim, m->vocab, m->context);
    return EL_OK;
}

size_t el_text_param_floats(const el_text *m, const el_text_extras *x) {
    const el_block_config *c = &m->tf.cfg;
    const size_t D = c->dim, M = c->mlp_dim, V = m->vocab, qkv = el_block_qkv_width(c), up = el_block_up_width(c);
    const size_t norm = x->norm_bias ? 2 * D : D;
    size_t block = (c->post_norms ? 4 : 2) * norm + qkv * D + D * c->n_heads * c->head_dim + up * D + D * M;
    if (x->qkv_bias) block += qkv;
    if (c->qk_norm) block += 2 * (size_t)c->head_dim;
    if (x->linear_bias) block += D + up + D;
    size_t rest = V * D + (x->emb_norm ? 2 : 1) * norm + (x->pos_emb ? (size_t)m->context * D : 0) + (x->untied ? V * D : 0);
    return rest + (size_t)c->n_layers * block;
}

static int cfg_file_exists(const char *dir, const char *name) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, R_OK) == 0;
}

/* ---------------------------------------------------------------- tokenizers */

/* llama2.c: the given file, else tokenizer.bin beside the checkpoint, else
 * the one tok*.bin there. */
static el_status find_llama2c_tokenizer(const char *model_path, char *out, size_t n) {
    char dir[2048]; /* shorter than out: a folder plus a file name always fits */
    if (strlen(model_path) >= sizeof dir) return el_fail(EL_ERR_ARG, "%.64s...: path too long", model_path);
    snprintf(dir, sizeof dir, "%s", model_path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    snprintf(out, n, "%s/tokenizer.bin", dir);
    if (access(out, R_OK) == 0) return EL_OK;
    DIR *d = opendir(dir);
    int found = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t l = strlen(e->d_name);
            if (!strncmp(e->d_name, "tok", 3) && l > 4 && !strcmp(e->d_name + l - 4, ".bin")) {
                snprintf(out, n, "%s/%s", dir, e->d_name);
                found++;
            }
        }
        closedir(d);
    }
    if (found == 1) return EL_OK;
    return el_fail(EL_ERR_IO, "%s: no tokenizer.bin beside the checkpoint (pass --tokenizer FILE)", model_path);
}

static el_status load_tokenizer(const char *path, const char *tokenizer_path, const el_text *m,
                                const el_text_meta *meta, el_tokenizer **tok) {
    char p[4096], q[4096];
    if (!strcmp(meta->layout, "gguf") && !tokenizer_path) {
        /* The tokenizer is in the file's metadata; a file without one runs
         * on token ids. */
        if (!el_gguf_find_kv(m->mapping, "tokenizer.ggml.model"))
            return el_fail(EL_ERR_IO, "%s: no tokenizer.ggml.* metadata (pass --tokenizer FILE)", path);
        EL_TRY(el_gguf_load_tokenizer(m->mapping, tok));
        snprintf(p, sizeof p, "%s", path);
    } else if (!strcmp(meta->layout, "llama2.c")) {
        if (tokenizer_path) snprintf(p, sizeof p, "%s", tokenizer_path);
        else EL_TRY(find_llama2c_tokenizer(path, p, sizeof p));
        EL_TRY(el_tokenizer_load_llama2c(p, m->vocab, tok));
    } else if (tokenizer_path || cfg_file_exists(path, "tokenizer.json")) {
        if (tokenizer_path) snprintf(p, sizeof p, "%s", tokenizer_path);
        else snprintf(p, sizeof p, "%s/tokenizer.json", path);
        EL_TRY(el_tokenizer_load_hf_json(p, tok));
    } else if (cfg_file_exists(path, "vocab.json") && cfg_file_exists(path, "merges.txt")) {
        snprintf(p, sizeof p, "%s/vocab.json", path);
        snprintf(q, sizeof q, "%s/merges.txt", path);
        EL_TRY(el_tokenizer_load_gpt2(p, q, tok));
    } else {
        return el_fail(EL_ERR_IO, "%s: no tokenizer.json or vocab.json + merges.txt (pass --tokenizer FILE)", path);
    }
    if (el_tokenizer_vocab_size(*tok) > m->vocab) {
        el_status s = el_fail(EL_ERR_FORMAT, "%s: tokenizer has %d tokens but the model's vocabulary is %d", p,
                              el_tokenizer_vocab_size(*tok), m->vocab);
        el_tokenizer_free(*tok);
        *tok = NULL;
        return s;
    }
    return EL_OK;
}

/* ---------------------------------------------------------------- entry */

int el_text_is_text_model(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    if (S_ISREG(st.st_mode)) return 1; /* a single file: llama2.c checkpoint or GGUF */
    char file[4096];
    snprintf(file, sizeof file, "%s/config.json", path);
    cJSON *cfg;
    if (el_json_load(file, &cfg) != EL_OK) return 0;
    int text = el_hf_text_type_known(el_json_str(cfg, "model_type"));
    cJSON_Delete(cfg);
    return text;
}

el_status el_text_load(const char *path, const char *tokenizer_path, el_text *m, el_text_meta *meta,
                       el_tokenizer **tok) {
    memset(m, 0, sizeof *m);
    memset(meta, 0, sizeof *meta);
    *tok = NULL;
    struct stat st;
    if (stat(path, &st) != 0) return el_fail(EL_ERR_IO, "%s: %s", path, strerror(errno));
    el_status s = !S_ISREG(st.st_mode) ? el_load_hf_text(path, m, meta)
                  : el_is_gguf_file(path) ? el_load_gguf_text(path, m, meta)
                                          : el_load_llama2c(path, m, meta);
    if (!s && (el_rope_table_init(&m->tf.rope, &m->tf.cfg, m->context) ||
               (m->tf.cfg.rope_local_theta > 0.0f &&
                el_rope_table_init_theta(&m->tf.rope_local, &m->tf.cfg, m->context, m->tf.cfg.rope_local_theta))))
        s = el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    if (!s) el_transformer_bind_lens(&m->tf, m->vocab);
    if (!s) {
        /* A model without any tokenizer file still runs on token ids; text
         * prompts then fail with this message. A tokenizer that exists but
         * is broken or does not fit the model is an error now. */
        s = load_tokenizer(path, tokenizer_path, m, meta, tok);
        if (s == EL_ERR_IO && !tokenizer_path) {
            snprintf(meta->no_tokenizer, sizeof meta->no_tokenizer, "%s", el_last_error());
            s = EL_OK;
        }
    }
    if (s) el_text_free(m);
    return s;
}
