#include "weights/text_load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/status.h"
#include "weights/json_config.h"
#include "weights/param_reader.h"
#include "weights/safetensors.h"

#define MAX_DIM 65536
#define MAX_LAYERS 1024
#define MAX_VOCAB 10000000
#define MAX_CONTEXT (1 << 20)

static el_status check_sizes(const el_text *m, const char *file) {
    if (m->dim < 1 || m->dim > MAX_DIM || m->n_layers < 1 || m->n_layers > MAX_LAYERS || m->n_heads < 1 ||
        m->n_heads > m->dim || m->n_kv_heads < 1 || m->n_kv_heads > m->n_heads || m->n_heads % m->n_kv_heads ||
        m->mlp_dim < 1 || m->mlp_dim > 16 * MAX_DIM || m->vocab < 1 || m->vocab > MAX_VOCAB || m->context < 1 ||
        m->context > MAX_CONTEXT || m->head_dim < 2 || m->head_dim % 2 || m->head_dim > MAX_DIM)
        return el_fail(EL_ERR_CONFIG,
                       "%s: sizes out of range or inconsistent (dim %d, layers %d, heads %d, kv heads %d, head dim %d, "
                       "mlp %d, vocab %d, context %d)",
                       file, m->dim, m->n_layers, m->n_heads, m->n_kv_heads, m->head_dim, m->mlp_dim, m->vocab,
                       m->context);
    return EL_OK;
}

/* Parameters the struct will hold, in floats (all products fit in 64 bits
 * given check_sizes). */
static size_t param_floats(const el_text *m, int untied, int qkv_bias) {
    size_t D = m->dim, hd = m->head_dim, H = m->n_heads, KV = m->n_kv_heads, M = m->mlp_dim, V = m->vocab;
    size_t qkv = (H + 2 * KV) * hd, block, rest;
    if (m->arch == EL_TEXT_GPT2) { /* LayerNorms and every Linear have biases */
        block = 2 * D + qkv * D + qkv + D * D + D + 2 * D + M * D + M + D * M + D;
        rest = V * D + (size_t)m->context * D + 2 * D;
    } else {                       /* RMSNorm weights only; SwiGLU's gate and up */
        block = D + qkv * D + (qkv_bias ? qkv : 0) + H * hd * D + D + 2 * M * D + D * M;
        rest = V * D + D;
    }
    return rest + (size_t)m->n_layers * block + (untied ? V * D : 0);
}

static int cfg_file_exists(const char *dir, const char *name) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, R_OK) == 0;
}

/* ---------------------------------------------------------------- llama2.c */

typedef struct {
    const uint8_t *p, *end;
} cursor;

/* Copy n floats from the checkpoint into dst, refusing to read past the end. */
static int pull(cursor *c, float *dst, size_t n) {
    if ((size_t)(c->end - c->p) / sizeof(float) < n) return -1;
    memcpy(dst, c->p, n * sizeof(float));
    c->p += n * sizeof(float);
    return 0;
}

static el_status load_llama2c(const char *path, el_text *m, el_text_meta *meta) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return el_fail(EL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < 28) {
        close(fd);
        return el_fail(EL_ERR_FORMAT, "%s: too short for a llama2.c checkpoint", path);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return el_fail(EL_ERR_IO, "%s: mmap failed: %s", path, strerror(errno));
    /* Someone pointed --model at a file of a Hugging Face folder. */
    if (size >= 9 && (map[8] == '{' || map[0] == '{')) {
        const char *kind = map[0] == '{' ? "JSON" : "safetensors";
        munmap(map, size);
        return el_fail(EL_ERR_ARG, "%s: this looks like a %s file: pass the model's folder, not the file", path, kind);
    }
    int32_t h[7];
    uint32_t magic;
    memcpy(&magic, map, 4);
    int version = 0, shared;
    size_t off;
    if (magic == 0x616b3432u) { /* "ak42": version-1 export, 256-byte header */
        int32_t v;
        memcpy(&v, map + 4, 4);
        if (v != 1 || size < 256) {
            munmap(map, size);
            return el_fail(EL_ERR_UNSUPPORTED, "%s: llama2.c export version %d (only 1 and the legacy format)", path, v);
        }
        version = 1;
        memcpy(h, map + 8, sizeof h);
        shared = map[36] != 0;
        off = 256;
    } else {
        memcpy(h, map, sizeof h);
        shared = h[5] > 0;
        if (h[5] < 0) h[5] = h[5] == INT32_MIN ? 0 : -h[5]; /* 0 fails the size checks below */
        off = 28;
    }
    m->arch = EL_TEXT_LLAMA;
    m->dim = h[0];
    m->mlp_dim = h[1];
    m->n_layers = h[2];
    m->n_heads = h[3];
    m->n_kv_heads = h[4];
    m->vocab = h[5];
    m->context = h[6];
    m->head_dim = m->n_heads > 0 ? m->dim / m->n_heads : 0;
    m->eps = 1e-5f;
    m->rope_theta = 10000.0f;
    m->rope_interleaved = 1;
    el_status s = EL_OK;
    if (m->n_heads > 0 && m->dim % m->n_heads) s = el_fail(EL_ERR_FORMAT, "%s: dim %d not divisible by %d heads", path, m->dim, m->n_heads);
    if (!s) s = check_sizes(m, path);
    size_t need = 0;
    if (!s) {
        need = param_floats(m, !shared, 0);
        size_t D = m->dim, L = m->n_layers, KVD = (size_t)m->n_kv_heads * m->head_dim, M = m->mlp_dim, V = m->vocab;
        size_t file_floats = V * D + 2 * L * D + D + L * (2 * D * D + 2 * KVD * D) + 3 * L * M * D + (shared ? 0 : V * D);
        if (!version) file_floats += (size_t)m->context * m->head_dim; /* freq_cis real + imag */
        if (off + file_floats * 4 != size)
            s = el_fail(EL_ERR_FORMAT, "%s: header implies %zu bytes of weights, the file has %zu (truncated or not llama2.c?)",
                        path, file_floats * 4, size - off);
    }
    if (!s) {
        m->arena = malloc(need * sizeof(float));
        m->blocks = calloc((size_t)m->n_layers, sizeof(el_text_block));
        if (!m->arena || !m->blocks) s = el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    }
    if (s) {
        munmap(map, size);
        return s;
    }
    const int D = m->dim, L = m->n_layers, M = m->mlp_dim, V = m->vocab;
    const size_t KVD = (size_t)m->n_kv_heads * m->head_dim, QKV = (size_t)D + 2 * KVD;
    /* Arena layout: embeddings, then per block [norm1 | wqkv | wo | norm2 | w1;w3 | w2], final norm, head. */
    float *a = m->arena;
    float *tok = a;
    a += (size_t)V * D;
    const size_t per_block = D + QKV * D + (size_t)D * D + D + 2 * (size_t)M * D + (size_t)D * M;
    for (int l = 0; l < L; l++) {
        el_text_block *B = &m->blocks[l];
        float *b = a + (size_t)l * per_block;
        B->attn_norm_w = b;
        B->wqkv = b + D;
        B->wo = b + D + QKV * D;
        B->mlp_norm_w = b + D + QKV * D + (size_t)D * D;
        B->w_up = b + 2 * D + QKV * D + (size_t)D * D;
        B->w_down = B->w_up + 2 * (size_t)M * D;
    }
    a += (size_t)L * per_block;
    float *final_norm = a;
    a += D;
    float *wcls = shared ? tok : a;
    cursor c = {map + off, map + size};
    int bad = 0;
#define BLK(l) ((float *)m->blocks[l].attn_norm_w)
    if (version == 1) {
        for (int l = 0; l < L; l++) bad |= pull(&c, BLK(l), D);
        for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].mlp_norm_w, D);
        bad |= pull(&c, final_norm, D);
        bad |= pull(&c, tok, (size_t)V * D);
    } else {
        bad |= pull(&c, tok, (size_t)V * D);
        for (int l = 0; l < L; l++) bad |= pull(&c, BLK(l), D);
    }
    for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].wqkv, (size_t)D * D);
    for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].wqkv + (size_t)D * D, KVD * D);
    for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].wqkv + (size_t)D * D + KVD * D, KVD * D);
    for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].wo, (size_t)D * D);
    if (version == 0)
        for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].mlp_norm_w, D);
    for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].w_up, (size_t)M * D);           /* w1: gate */
    for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].w_down, (size_t)D * M);         /* w2 */
    for (int l = 0; l < L; l++) bad |= pull(&c, (float *)m->blocks[l].w_up + (size_t)M * D, (size_t)M * D); /* w3: up */
    if (version == 0) {
        bad |= pull(&c, final_norm, D);
        c.p += (size_t)m->context * m->head_dim * sizeof(float); /* precomputed RoPE: we make our own */
    }
    if (!shared) bad |= pull(&c, wcls, (size_t)V * D);
#undef BLK
    munmap(map, size);
    if (bad) return el_fail(EL_ERR_FORMAT, "%s: truncated weights", path);
    m->tok_emb = tok;
    m->norm_w = final_norm;
    m->lm_head = wcls;
    m->n_params = need;
    snprintf(meta->arch, sizeof meta->arch, "llama2.c%s", version ? " v1" : "");
    snprintf(meta->family, sizeof meta->family, "llama2.c");
    snprintf(meta->layout, sizeof meta->layout, "llama2.c");
    snprintf(meta->dtype, sizeof meta->dtype, "F32");
    meta->n_shards = 1;
    return EL_OK;
}

/* ---------------------------------------------------------------- HF */

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* GPT-2 checkpoints may carry the causal-mask buffers. */
static int gpt2_ignorable(const char *name) { return ends_with(name, ".attn.bias") || ends_with(name, ".attn.masked_bias"); }

static int llama_ignorable(const char *name) { return strstr(name, "rotary_emb.inv_freq") != NULL; }

static el_status read_gpt2(el_param_reader *r, el_text *m) {
    char n[160];
    const int D = m->dim, M = m->mlp_dim, V = m->vocab;
    const char *pre = el_has(r, "transformer.wte.weight") ? "transformer." : "";
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->tok_emb = el_take(r, NAME("%swte.weight", pre), 2, V, D, 0, 0);
    m->pos_emb = el_take(r, NAME("%swpe.weight", pre), 2, m->context, D, 0, 0);
    for (int l = 0; l < m->n_layers && !r->st; l++) {
        el_text_block *B = &m->blocks[l];
        B->attn_norm_w = el_take(r, NAME("%sh.%d.ln_1.weight", pre, l), 1, D, 0, 0, 0);
        B->attn_norm_b = el_take(r, NAME("%sh.%d.ln_1.bias", pre, l), 1, D, 0, 0, 0);
        /* Conv1D stores [in][out]; transpose to Linear's [out][in] once here. */
        B->wqkv = el_take_transposed(r, NAME("%sh.%d.attn.c_attn.weight", pre, l), 3 * D, D);
        B->bqkv = el_take(r, NAME("%sh.%d.attn.c_attn.bias", pre, l), 1, 3 * D, 0, 0, 0);
        B->wo = el_take_transposed(r, NAME("%sh.%d.attn.c_proj.weight", pre, l), D, D);
        B->bo = el_take(r, NAME("%sh.%d.attn.c_proj.bias", pre, l), 1, D, 0, 0, 0);
        B->mlp_norm_w = el_take(r, NAME("%sh.%d.ln_2.weight", pre, l), 1, D, 0, 0, 0);
        B->mlp_norm_b = el_take(r, NAME("%sh.%d.ln_2.bias", pre, l), 1, D, 0, 0, 0);
        B->w_up = el_take_transposed(r, NAME("%sh.%d.mlp.c_fc.weight", pre, l), M, D);
        B->b_up = el_take(r, NAME("%sh.%d.mlp.c_fc.bias", pre, l), 1, M, 0, 0, 0);
        B->w_down = el_take_transposed(r, NAME("%sh.%d.mlp.c_proj.weight", pre, l), D, M);
        B->b_down = el_take(r, NAME("%sh.%d.mlp.c_proj.bias", pre, l), 1, D, 0, 0, 0);
    }
    m->norm_w = el_take(r, NAME("%sln_f.weight", pre), 1, D, 0, 0, 0);
    m->norm_b = el_take(r, NAME("%sln_f.bias", pre), 1, D, 0, 0, 0);
    m->lm_head = m->tok_emb;
    if (el_has(r, "lm_head.weight")) m->lm_head = el_take(r, "lm_head.weight", 2, V, D, 0, 0);
#undef NAME
    return r->st;
}

static el_status read_llama(el_param_reader *r, el_text *m, int qkv_bias, int untied) {
    char n[160];
    const int D = m->dim, M = m->mlp_dim, V = m->vocab, hd = m->head_dim, H = m->n_heads, KV = m->n_kv_heads;
#define NAME(...) (snprintf(n, sizeof n, __VA_ARGS__), n)
    m->tok_emb = el_take(r, "model.embed_tokens.weight", 2, V, D, 0, 0);
    for (int l = 0; l < m->n_layers && !r->st; l++) {
        el_text_block *B = &m->blocks[l];
        const char *P = "model.layers";
        B->attn_norm_w = el_take(r, NAME("%s.%d.input_layernorm.weight", P, l), 1, D, 0, 0, 0);
        /* q, k, v read into consecutive slices: one fused [(H+2KV) hd][D] weight. */
        B->wqkv = el_take_copy(r, NAME("%s.%d.self_attn.q_proj.weight", P, l), 2, (int64_t)H * hd, D, 0, 0);
        el_take_copy(r, NAME("%s.%d.self_attn.k_proj.weight", P, l), 2, (int64_t)KV * hd, D, 0, 0);
        el_take_copy(r, NAME("%s.%d.self_attn.v_proj.weight", P, l), 2, (int64_t)KV * hd, D, 0, 0);
        if (qkv_bias) {
            B->bqkv = el_take_copy(r, NAME("%s.%d.self_attn.q_proj.bias", P, l), 1, (int64_t)H * hd, 0, 0, 0);
            el_take_copy(r, NAME("%s.%d.self_attn.k_proj.bias", P, l), 1, (int64_t)KV * hd, 0, 0, 0);
            el_take_copy(r, NAME("%s.%d.self_attn.v_proj.bias", P, l), 1, (int64_t)KV * hd, 0, 0, 0);
        }
        B->wo = el_take(r, NAME("%s.%d.self_attn.o_proj.weight", P, l), 2, D, (int64_t)H * hd, 0, 0);
        B->mlp_norm_w = el_take(r, NAME("%s.%d.post_attention_layernorm.weight", P, l), 1, D, 0, 0, 0);
        B->w_up = el_take_copy(r, NAME("%s.%d.mlp.gate_proj.weight", P, l), 2, M, D, 0, 0);
        el_take_copy(r, NAME("%s.%d.mlp.up_proj.weight", P, l), 2, M, D, 0, 0);
        B->w_down = el_take(r, NAME("%s.%d.mlp.down_proj.weight", P, l), 2, D, M, 0, 0);
    }
    m->norm_w = el_take(r, "model.norm.weight", 1, D, 0, 0, 0);
    m->lm_head = untied ? el_take(r, "lm_head.weight", 2, V, D, 0, 0) : m->tok_emb;
#undef NAME
    return r->st;
}

static el_status load_hf(const char *dir, el_text *m, el_text_meta *meta) {
    char file[4096];
    snprintf(file, sizeof file, "%s/config.json", dir);
    cJSON *cfg;
    EL_TRY(el_json_load(file, &cfg));
    el_st_set set = {0};
    el_status s = EL_OK;
    const char *type = el_json_str(cfg, "model_type");
    const cJSON *archs = cJSON_GetObjectItemCaseSensitive(cfg, "architectures");
    const char *arch = cJSON_IsArray(archs) && cJSON_IsString(cJSON_GetArrayItem(archs, 0))
                           ? cJSON_GetArrayItem(archs, 0)->valuestring : NULL;
    long v;
    double d;
    int tie = 1, qkv_bias = 0;
    if (!type) {
        s = el_fail(EL_ERR_CONFIG, "%s: no \"model_type\"", file);
    } else if (!strcmp(type, "gpt2")) {
        m->arch = EL_TEXT_GPT2;
        snprintf(meta->family, sizeof meta->family, "gpt2");
        if (!s) s = el_json_int(cfg, file, "n_embd", 1, 0, 1, MAX_DIM, &v), m->dim = (int)v;
        if (!s) s = el_json_int(cfg, file, "n_layer", 1, 0, 1, MAX_LAYERS, &v), m->n_layers = (int)v;
        if (!s) s = el_json_int(cfg, file, "n_head", 1, 0, 1, MAX_DIM, &v), m->n_heads = m->n_kv_heads = (int)v;
        if (!s) s = el_json_int(cfg, file, "vocab_size", 1, 0, 1, MAX_VOCAB, &v), m->vocab = (int)v;
        if (!s) s = el_json_int(cfg, file, "n_positions", 0, 1024, 1, MAX_CONTEXT, &v), m->context = (int)v;
        if (!s) s = el_json_int(cfg, file, "n_inner", 0, 4L * m->dim, 1, 16L * MAX_DIM, &v), m->mlp_dim = (int)v;
        if (!s) s = el_json_double(cfg, file, "layer_norm_epsilon", 0, 1e-5, 0, 1, &d), m->eps = (float)d;
        const char *act = el_json_str(cfg, "activation_function");
        if (!s && act && strcmp(act, "gelu_new") && strcmp(act, "gelu_pytorch_tanh"))
            s = el_fail(EL_ERR_UNSUPPORTED, "%s: activation_function \"%s\" (GPT-2 uses gelu_new)", file, act);
        m->head_dim = m->n_heads ? m->dim / m->n_heads : 0;
        if (!s && m->dim % m->n_heads) s = el_fail(EL_ERR_CONFIG, "%s: n_embd %d not divisible by n_head %d", file, m->dim, m->n_heads);
        if (!arch) arch = "GPT2LMHeadModel";
    } else if (!strcmp(type, "llama") || !strcmp(type, "mistral") || !strcmp(type, "qwen2")) {
        m->arch = EL_TEXT_LLAMA;
        snprintf(meta->family, sizeof meta->family, "%s", type);
        if (!s) s = el_json_int(cfg, file, "hidden_size", 1, 0, 1, MAX_DIM, &v), m->dim = (int)v;
        if (!s) s = el_json_int(cfg, file, "num_hidden_layers", 1, 0, 1, MAX_LAYERS, &v), m->n_layers = (int)v;
        if (!s) s = el_json_int(cfg, file, "num_attention_heads", 1, 0, 1, MAX_DIM, &v), m->n_heads = (int)v;
        if (!s) s = el_json_int(cfg, file, "num_key_value_heads", 0, m->n_heads, 1, MAX_DIM, &v), m->n_kv_heads = (int)v;
        if (!s) s = el_json_int(cfg, file, "intermediate_size", 1, 0, 1, 16L * MAX_DIM, &v), m->mlp_dim = (int)v;
        if (!s) s = el_json_int(cfg, file, "vocab_size", 1, 0, 1, MAX_VOCAB, &v), m->vocab = (int)v;
        if (!s) s = el_json_int(cfg, file, "max_position_embeddings", 0, 2048, 1, MAX_CONTEXT, &v), m->context = (int)v;
        if (!s && m->dim % m->n_heads && !cJSON_GetObjectItemCaseSensitive(cfg, "head_dim"))
            s = el_fail(EL_ERR_CONFIG, "%s: hidden_size %d not divisible by %d heads", file, m->dim, m->n_heads);
        if (!s) s = el_json_int(cfg, file, "head_dim", 0, m->dim / m->n_heads, 2, MAX_DIM, &v), m->head_dim = (int)v;
        if (!s) s = el_json_double(cfg, file, "rms_norm_eps", 0, 1e-6, 0, 1, &d), m->eps = (float)d;
        if (!s) s = el_json_double(cfg, file, "rope_theta", 0, 10000.0, 1e-3, 1e12, &d), m->rope_theta = (float)d;
        if (!s) s = el_json_double(cfg, file, "final_logit_softcapping", 0, 0.0, 0.0, 1e9, &d), m->softcap = (float)d;
        if (!s) s = el_json_int(cfg, file, "sliding_window", 0, 0, 0, MAX_CONTEXT, &v), m->sliding_window = (int)v;
        if (!s) s = el_json_bool(cfg, file, "tie_word_embeddings", 0, &tie);
        int def_bias = !strcmp(type, "qwen2");
        if (!s) s = el_json_bool(cfg, file, "attention_bias", def_bias, &qkv_bias);
        const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
        if (!s && rs && !cJSON_IsNull(rs))
            s = el_fail(EL_ERR_UNSUPPORTED, "%s: rope_scaling is set (only plain RoPE is supported)", file);
        const char *act = el_json_str(cfg, "hidden_act");
        if (!s && act && strcmp(act, "silu"))
            s = el_fail(EL_ERR_UNSUPPORTED, "%s: hidden_act \"%s\" (Llama-family MLPs use silu)", file, act);
        if (!arch) arch = "LlamaForCausalLM";
    } else {
        s = el_fail(EL_ERR_UNSUPPORTED, "%s: model_type \"%s\" (text models: gpt2, llama, mistral, qwen2)", file, type);
    }
    if (!s) s = check_sizes(m, file);
    if (!s) s = el_st_open(&set, dir);
    int untied = 0;
    if (!s && m->arch == EL_TEXT_LLAMA) {
        untied = el_st_find(&set, "lm_head.weight") != NULL;
        if (!untied && !tie) s = el_fail(EL_ERR_FORMAT, "%s: tie_word_embeddings is false but there is no lm_head.weight", dir);
    }
    if (!s && m->arch == EL_TEXT_GPT2) untied = el_st_find(&set, "lm_head.weight") != NULL;
    size_t need = 0;
    if (!s) {
        need = param_floats(m, untied, qkv_bias);
        uint64_t have = 0;
        for (int i = 0; i < set.n_tensors; i++) have += set.tensors[i].n_elems;
        if (need > have + 16)
            s = el_fail(EL_ERR_FORMAT, "%s: config implies %zu parameters but the checkpoint holds %llu", file, need,
                        (unsigned long long)have);
    }
    if (!s) {
        m->blocks = calloc((size_t)m->n_layers, sizeof(el_text_block));
        if (!m->blocks) s = el_fail(EL_ERR_NOMEM, "%s: out of memory", dir);
    }
    if (!s) {
        el_param_reader r;
        s = el_param_reader_init(&r, &set, need, dir);
        if (!s) s = m->arch == EL_TEXT_GPT2 ? read_gpt2(&r, m) : read_llama(&r, m, qkv_bias, untied);
        if (!s) s = el_check_leftovers(&r, dir, m->arch == EL_TEXT_GPT2 ? gpt2_ignorable : llama_ignorable);
        m->n_params = r.n_params;
        if (s) el_param_reader_abort(&r);
        else m->arena = el_param_reader_finish(&r);
        if (!s) {
            snprintf(meta->arch, sizeof meta->arch, "%s", arch);
            snprintf(meta->layout, sizeof meta->layout, "hf");
            snprintf(meta->dtype, sizeof meta->dtype, "%s", el_st_dtype_summary(&set));
            meta->n_shards = set.n_files;
        }
        /* Weights used in place keep the mapping alive as long as the model. */
        if (!s && r.mapped) {
            if (!(m->mapping = el_st_keep(&set))) s = el_fail(EL_ERR_NOMEM, "out of memory");
            else m->mapping_free = el_st_release;
        }
    }
    el_st_close(&set);
    cJSON_Delete(cfg);
    return s;
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
    if (!strcmp(meta->layout, "llama2.c")) {
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
    if (S_ISREG(st.st_mode)) return 1; /* a single file: llama2.c checkpoint */
    char file[4096];
    snprintf(file, sizeof file, "%s/config.json", path);
    cJSON *cfg;
    if (el_json_load(file, &cfg) != EL_OK) return 0;
    const char *type = el_json_str(cfg, "model_type");
    int text = type && (!strcmp(type, "gpt2") || !strcmp(type, "llama") || !strcmp(type, "mistral") || !strcmp(type, "qwen2"));
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
    el_status s = S_ISREG(st.st_mode) ? load_llama2c(path, m, meta) : load_hf(path, m, meta);
    if (!s && el_text_rope_init(m)) s = el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
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
