/* llama2.c checkpoints (Karpathy's run.c): the legacy 28-byte header and the
 * version-1 "ak42" export, float32, Llama blocks with RoPE on adjacent pairs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buffer.h"
#include "base/mapfile.h"
#include "base/status.h"
#include "weights/text_load_internal.h"

typedef struct {
    const uint8_t *p, *end;
} cursor;

/* The file mapped, its header read. */
typedef struct {
    uint8_t *map;
    size_t size, off;
    int version, shared;
} llama2c_file;

/* Copy n floats from the checkpoint into dst, refusing to read past the end. */
static int pull(cursor *c, float *dst, size_t n) {
    if ((size_t)(c->end - c->p) / sizeof(float) < n) return -1;
    memcpy(dst, c->p, n * sizeof(float));
    c->p += n * sizeof(float);
    return 0;
}

static el_status map_file(const char *path, llama2c_file *f) {
    /* base/mapfile: a FIFO or device named as the checkpoint is refused, not waited on. */
    EL_TRY(el_map_file(path, 28, "llama2.c checkpoint", 0, &f->map, &f->size));
    /* Someone pointed --model at a file of a Hugging Face folder. */
    if (f->size >= 9 && (f->map[8] == '{' || f->map[0] == '{')) {
        const char *kind = f->map[0] == '{' ? "JSON" : "safetensors";
        munmap(f->map, f->size);
        return el_fail(EL_ERR_ARG, "%s: this looks like a %s file: pass the model's folder, not the file", path, kind);
    }
    return EL_OK;
}

/* The header's sizes into m: Llama blocks, RMSNorm eps 1e-5, RoPE theta
 * 10000 on adjacent pairs, SwiGLU. */
static el_status read_header(const char *path, llama2c_file *f, el_text *m) {
    int32_t h[7];
    uint32_t magic;
    memcpy(&magic, f->map, 4);
    if (magic == 0x616b3432u) { /* "ak42": version-1 export, 256-byte header */
        int32_t v;
        memcpy(&v, f->map + 4, 4);
        if (v != 1 || f->size < 256)
            return el_fail(EL_ERR_UNSUPPORTED, "%s: llama2.c export version %d (only 1 and the legacy format)", path, v);
        f->version = 1;
        memcpy(h, f->map + 8, sizeof h);
        f->shared = f->map[36] != 0;
        f->off = 256;
    } else {
        memcpy(h, f->map, sizeof h);
        f->shared = h[5] > 0;
        if (h[5] < 0) h[5] = h[5] == INT32_MIN ? 0 : -h[5]; /* 0 fails the size checks below */
        f->off = 28;
    }
    el_block_config *c = &m->tf.cfg;
    *c = (el_block_config){.dim = h[0], .mlp_dim = h[1], .n_layers = h[2], .n_heads = h[3], .n_kv_heads = h[4],
                           .norm = {.kind = EL_NORM_RMS, .eps = 1e-5f}, .causal = 1, .rope = EL_ROPE_INTERLEAVED,
                           .rope_theta = 10000.0f, .act = EL_ACT_SILU, .gated = 1};
    m->vocab = h[5];
    m->context = h[6];
    c->rope_dims = c->head_dim = c->n_heads > 0 ? c->dim / c->n_heads : 0;
    if (c->n_heads > 0 && c->dim % c->n_heads)
        return el_fail(EL_ERR_FORMAT, "%s: dim %d not divisible by %d heads", path, c->dim, c->n_heads);
    EL_TRY(el_text_check_sizes(m, path));
    size_t D = c->dim, L = c->n_layers, KVD = (size_t)c->n_kv_heads * c->head_dim, M = c->mlp_dim, V = m->vocab;
    size_t file_floats = V * D + 2 * L * D + D + L * (2 * D * D + 2 * KVD * D) + 3 * L * M * D + (f->shared ? 0 : V * D);
    if (!f->version) file_floats += (size_t)m->context * c->head_dim; /* freq_cis real + imag */
    if (f->off + file_floats * 4 != f->size)
        return el_fail(EL_ERR_FORMAT, "%s: header implies %zu bytes of weights, the file has %zu (truncated or not llama2.c?)",
                       path, file_floats * 4, f->size - f->off);
    return EL_OK;
}

/* Arena layout: embeddings, then per block [norm1 | wqkv | wo | norm2 |
 * w1;w3 | w2], final norm, head. */
static void layout(el_text *m, int shared) {
    const el_block_config *c = &m->tf.cfg;
    const int D = c->dim, M = c->mlp_dim, V = m->vocab;
    const size_t QKV = (size_t)D + 2 * (size_t)c->n_kv_heads * c->head_dim;
    const size_t per_block = D + QKV * D + (size_t)D * D + D + 2 * (size_t)M * D + (size_t)D * M;
    float *a = m->arena;
    m->tok_emb = el_mat_f32(a, V, D);
    a += (size_t)V * D;
    for (int l = 0; l < c->n_layers; l++) {
        el_block_weights *B = &m->tf.layers[l];
        float *b = a + (size_t)l * per_block;
        B->ln1.w = b;
        B->qkv = el_mat_f32(b + D, (int)QKV, D);
        B->o = el_mat_f32(b + D + QKV * D, D, D);
        B->ln2.w = b + D + QKV * D + (size_t)D * D;
        B->up = el_mat_f32(b + 2 * D + QKV * D + (size_t)D * D, 2 * M, D);
        B->down = el_mat_f32((const float *)B->up.part[0].data + 2 * (size_t)M * D, D, M);
    }
    a += (size_t)c->n_layers * per_block;
    m->tf.lens.norm_w = a;
    m->tf.lens.head = shared ? m->tok_emb : el_mat_f32(a + D, V, D);
}

#define W(mat) ((float *)(mat).part[0].data)
#define N(p) ((float *)(p))

/* The weights in file order: q, k, v into the fused matrix's row blocks, the
 * gate (w1) and up (w3) halves of the stacked MLP input. */
static int read_weights(const llama2c_file *f, el_text *m) {
    const el_block_config *c = &m->tf.cfg;
    const int D = c->dim, L = c->n_layers, M = c->mlp_dim, V = m->vocab;
    const size_t KVD = (size_t)c->n_kv_heads * c->head_dim;
    el_block_weights *B = m->tf.layers;
    cursor cur = {f->map + f->off, f->map + f->size};
    int bad = 0;
    if (f->version == 1) {
        for (int l = 0; l < L; l++) bad |= pull(&cur, N(B[l].ln1.w), D);
        for (int l = 0; l < L; l++) bad |= pull(&cur, N(B[l].ln2.w), D);
        bad |= pull(&cur, N(m->tf.lens.norm_w), D);
        bad |= pull(&cur, W(m->tok_emb), (size_t)V * D);
    } else {
        bad |= pull(&cur, W(m->tok_emb), (size_t)V * D);
        for (int l = 0; l < L; l++) bad |= pull(&cur, N(B[l].ln1.w), D);
    }
    for (int l = 0; l < L; l++) bad |= pull(&cur, W(B[l].qkv), (size_t)D * D);
    for (int l = 0; l < L; l++) bad |= pull(&cur, W(B[l].qkv) + (size_t)D * D, KVD * D);
    for (int l = 0; l < L; l++) bad |= pull(&cur, W(B[l].qkv) + (size_t)D * D + KVD * D, KVD * D);
    for (int l = 0; l < L; l++) bad |= pull(&cur, W(B[l].o), (size_t)D * D);
    if (f->version == 0)
        for (int l = 0; l < L; l++) bad |= pull(&cur, N(B[l].ln2.w), D);
    for (int l = 0; l < L; l++) bad |= pull(&cur, W(B[l].up), (size_t)M * D);                 /* w1: gate */
    for (int l = 0; l < L; l++) bad |= pull(&cur, W(B[l].down), (size_t)D * M);               /* w2 */
    for (int l = 0; l < L; l++) bad |= pull(&cur, W(B[l].up) + (size_t)M * D, (size_t)M * D); /* w3: up */
    if (f->version == 0) {
        bad |= pull(&cur, N(m->tf.lens.norm_w), D);
        cur.p += (size_t)m->context * c->head_dim * sizeof(float); /* precomputed RoPE: we make our own */
    }
    if (!f->shared) bad |= pull(&cur, W(m->tf.lens.head), (size_t)V * D);
    return bad;
}

#undef W
#undef N

el_status el_load_llama2c(const char *path, el_text *m, el_text_meta *meta) {
    llama2c_file f = {0};
    EL_TRY(map_file(path, &f));
    el_status s = read_header(path, &f, m);
    const el_text_extras x = {.untied = !f.shared};
    const size_t need = s ? 0 : el_text_param_floats(m, &x);
    if (!s) {
        m->arena = el_alloc_params(need); /* el_text_free releases it with el_free_params */
        m->tf.layers = calloc((size_t)m->tf.cfg.n_layers, sizeof(el_block_weights));
        if (!m->arena || !m->tf.layers) s = el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    }
    if (!s) {
        layout(m, f.shared);
        if (read_weights(&f, m)) s = el_fail(EL_ERR_FORMAT, "%s: truncated weights", path);
    }
    munmap(f.map, f.size);
    if (s) return s;
    m->n_params = need;
    snprintf(meta->arch, sizeof meta->arch, "llama2.c%s", f.version ? " v1" : "");
    snprintf(meta->family, sizeof meta->family, "llama2.c");
    snprintf(meta->layout, sizeof meta->layout, "llama2.c");
    snprintf(meta->dtype, sizeof meta->dtype, "F32");
    meta->n_shards = 1;
    return EL_OK;
}
