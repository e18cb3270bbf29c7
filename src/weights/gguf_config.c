/* GGUF metadata keys -> el_gguf_config (see gguf_config.h). Keys are
 * "<arch>.<name>" as written by llama.cpp's convert_hf_to_gguf.py. */
#include "weights/gguf_config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/status.h"

static const char *const families[] = {"llama", "qwen2", "qwen3", "gemma", "gemma2", "gemma3",
                                       "phi3",  "gpt2",  "gptneox"};

static el_status get_int(const el_gguf *g, const char *arch, const char *name, int def, int *out) {
    char key[96];
    snprintf(key, sizeof key, "%s.%s", arch, name);
    int64_t v;
    if (!el_gguf_find_kv(g, key) && def >= 0) return *out = def, EL_OK;
    EL_TRY(el_gguf_get_int(g, key, &v));
    if (v < 0 || v > (1 << 30))
        return el_fail(EL_ERR_CONFIG, "%s: GGUF metadata '%s' = %lld is out of range", g->path, key, (long long)v);
    *out = (int)v;
    return EL_OK;
}

static el_status get_float(const el_gguf *g, const char *arch, const char *name, double def, double *out) {
    char key[96];
    snprintf(key, sizeof key, "%s.%s", arch, name);
    if (!el_gguf_find_kv(g, key) && def >= 0) return *out = def, EL_OK;
    return el_gguf_get_float(g, key, out);
}

static el_status read_arch(const el_gguf *g, el_gguf_config *c) {
    const char *s;
    uint64_t len;
    EL_TRY(el_gguf_get_str(g, "general.architecture", &s, &len));
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (len == strlen(families[i]) && !memcmp(s, families[i], len)) {
            snprintf(c->arch, sizeof c->arch, "%s", families[i]);
            return EL_OK;
        }
    return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF general.architecture '%.*s' is not a family this tool runs",
                   g->path, (int)(len > 40 ? 40 : len), s);
}

/* rope.scaling.type: "none" or "linear" (rope.scaling.factor, or the older
 * rope.scale_linear); the others change the frequencies in ways we do not
 * run from GGUF (llama3-style scaling comes as a rope_freqs tensor, refused
 * as an unused tensor). */
static el_status read_rope_scaling(const el_gguf *g, el_gguf_config *c) {
    char key[96];
    const char *s = NULL;
    uint64_t len = 0;
    snprintf(key, sizeof key, "%s.rope.scaling.type", c->arch);
    if (el_gguf_find_kv(g, key)) EL_TRY(el_gguf_get_str(g, key, &s, &len));
    int linear = s && len == 6 && !memcmp(s, "linear", 6);
    if (s && !linear && !(len == 4 && !memcmp(s, "none", 4)))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF %s '%.*s' is not supported (none, linear)", g->path, key,
                       (int)(len > 32 ? 32 : len), s);
    if (linear) EL_TRY(get_float(g, c->arch, "rope.scaling.factor", -1, &c->rope_linear));
    else EL_TRY(get_float(g, c->arch, "rope.scale_linear", 0, &c->rope_linear));
    if (c->rope_linear != 0 && !(c->rope_linear >= 1 && c->rope_linear <= 1e6))
        return el_fail(EL_ERR_CONFIG, "%s: GGUF linear RoPE factor %g", g->path, c->rope_linear);
    if (c->rope_linear == 1) c->rope_linear = 0;
    return EL_OK;
}

/* What llama.cpp's llama-model.cpp fixes per Gemma architecture instead of
 * reading keys: the attention scale (27B sizes, by block count, use
 * dim / heads, the others the head size), which layers slide, Gemma 3's
 * local RoPE base. */
static void gemma_rules(el_gguf_config *c) {
    const char *a = c->arch;
    c->gemma = !strncmp(a, "gemma", 5);
    c->qk_norm = !strcmp(a, "qwen3") || !strcmp(a, "gemma3");
    if (!c->gemma || !strcmp(a, "gemma")) return;
    const int is_27b = (!strcmp(a, "gemma2") && c->n_layers == 46) || (!strcmp(a, "gemma3") && c->n_layers == 62);
    if (is_27b) c->attn_scale = 1.0 / sqrt((double)(c->dim / c->n_heads));
    c->post_norms = 1;
    if (c->sliding_window > 0) c->swa_period = !strcmp(a, "gemma2") ? 2 : 6;
    if (!strcmp(a, "gemma3") && c->sliding_window > 0) c->rope_local_theta = 10000.0;
    if (!strcmp(a, "gemma3")) c->attn_softcap = 0; /* llama.cpp's gemma3 has none */
}

el_status el_gguf_read_config(const el_gguf *g, el_gguf_config *c) {
    memset(c, 0, sizeof *c);
    EL_TRY(read_arch(g, c));
    const char *a = c->arch;
    int layer_norm = !strcmp(a, "gpt2") || !strcmp(a, "gptneox");
    EL_TRY(get_int(g, a, "block_count", -1, &c->n_layers));
    EL_TRY(get_int(g, a, "embedding_length", -1, &c->dim));
    EL_TRY(get_int(g, a, "feed_forward_length", -1, &c->mlp_dim));
    EL_TRY(get_int(g, a, "attention.head_count", -1, &c->n_heads));
    EL_TRY(get_int(g, a, "attention.head_count_kv", c->n_heads, &c->n_kv_heads));
    EL_TRY(get_int(g, a, "context_length", -1, &c->context));
    if (c->n_heads < 1 || c->n_kv_heads < 1 || c->n_heads % c->n_kv_heads || c->n_layers < 1)
        return el_fail(EL_ERR_CONFIG, "%s: GGUF %s: %d heads, %d kv heads, %d blocks are inconsistent", g->path, a,
                       c->n_heads, c->n_kv_heads, c->n_layers);
    /* Gemma and Qwen3 may set the head size apart from dim / heads. */
    EL_TRY(get_int(g, a, "attention.key_length", c->dim / c->n_heads, &c->head_dim));
    c->norm = layer_norm ? EL_GGUF_NORM_LAYER : EL_GGUF_NORM_RMS;
    EL_TRY(get_float(g, a, layer_norm ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon", -1,
                     &c->eps));
    if (strcmp(a, "gpt2")) {
        EL_TRY(get_float(g, a, "rope.freq_base", 10000.0, &c->rope_theta));
        EL_TRY(get_int(g, a, "rope.dimension_count", c->head_dim, &c->rope_dim));
        if (c->rope_dim > c->head_dim || c->rope_dim % 2)
            return el_fail(EL_ERR_CONFIG, "%s: GGUF %s.rope.dimension_count %d for heads of %d", g->path, a,
                           c->rope_dim, c->head_dim);
    }
    c->rope_interleaved = !strcmp(a, "llama");
    if (!strcmp(a, "gptneox")) { /* convert_hf_to_gguf writes it; llama.cpp's default is true */
        char key[96];
        int64_t v = 1;
        snprintf(key, sizeof key, "%s.use_parallel_residual", a);
        if (el_gguf_find_kv(g, key)) EL_TRY(el_gguf_get_int(g, key, &v));
        c->parallel_residual = v != 0;
    }
    /* llama.cpp's defaults when gemma2 files lack the keys: caps 50 and 30, window 4096 */
    const int g2 = !strcmp(a, "gemma2");
    EL_TRY(get_float(g, a, "attn_logit_softcapping", g2 ? 50 : 0, &c->attn_softcap));
    EL_TRY(get_float(g, a, "final_logit_softcapping", g2 ? 30 : 0, &c->final_softcap));
    int sw;
    EL_TRY(get_int(g, a, "attention.sliding_window", g2 ? 4096 : 0, &sw));
    c->sliding_window = sw;
    /* the range the Hugging Face loader accepts (0 = none); NaN or inf would run as nonsense */
    if (!(c->attn_softcap >= 0 && c->attn_softcap <= 1e9) || !(c->final_softcap >= 0 && c->final_softcap <= 1e9))
        return el_fail(EL_ERR_CONFIG, "%s: GGUF %s soft-caps (attn %g, final %g) out of range [0, 1e9]", g->path, a,
                       c->attn_softcap, c->final_softcap);
    EL_TRY(read_rope_scaling(g, c));
    gemma_rules(c);
    const el_gguf_tensor *emb = el_gguf_find_tensor(g, "token_embd.weight");
    if (!emb || emb->ndim != 2 || emb->ne[0] != (uint64_t)c->dim || emb->ne[1] > (1u << 30))
        return el_fail(EL_ERR_CONFIG, "%s: GGUF token_embd.weight missing or not [vocab][%d]", g->path, c->dim);
    c->vocab = (int)emb->ne[1];
    c->tied_embeddings = el_gguf_find_tensor(g, "output.weight") == NULL;
    return EL_OK;
}

void el_gguf_tensor_name(char *out, size_t cap, int layer, const char *what, const char *kind) {
    if (layer < 0) snprintf(out, cap, "%s.%s", what, kind);
    else snprintf(out, cap, "blk.%d.%s.%s", layer, what, kind);
}
