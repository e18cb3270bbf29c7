#include "model/lens.h"
#include "base/buffer.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "model/attn_pool.h"
#include "nn/kernels.h"

/* Rows up to which a multi-chunk lens runs its chunks on separate threads. */
#define EL_LENS_SPLIT_MAX_ROWS 64

/* Chunk width: about 1 MB of logits per chunk (they are reduced while still
 * in cache), at least 1024 columns to keep the GEMM efficient and at most
 * 8192 so that a few rows over a 50k vocabulary are still streamed. */
static int chunk_width(int n_rows, int n_out) {
    long w = (1L << 18) / (n_rows > 0 ? n_rows : 1);
    if (w < 1024) w = 1024;
    if (w > 8192) w = 8192;
    if (w > n_out) w = n_out;
    return (int)w;
}

static void normalise(const el_lens *L, float *dst, const float *rows, int n, int ld) {
    /* Rows may be strided (CLS rows of a batch); pack them first. */
    if (ld != L->dim)
        for (int r = 0; r < n; r++) memcpy(dst + (size_t)r * L->dim, rows + (size_t)r * ld, sizeof(float) * L->dim);
    const float *src = ld != L->dim ? dst : rows;
    el_norm(&L->norm, dst, src, L->norm_w, L->norm_b, n, L->dim);
}

/* The steps between the norm and the head, on x ([n][D] normed, the
 * caller's work buffer): the pooling head, the projection, L2
 * normalisation. Returns the head's input (its width in *hw), or NULL when
 * out of memory. */
static float *pre_head(const el_lens *L, float *x, int n, int *hw, el_lens_work *w) {
    *hw = L->dim;
    if (L->row_pool) {
        float *pooled = el_buf_get(&w->pooled, (size_t)n * L->dim);
        float *work = el_buf_get(&w->pool_work, el_attn_pool_work_floats(L->row_pool, n));
        if (!pooled || !work) return NULL;
        el_attn_pool_rows(L->row_pool, x, n, pooled, work);
        x = pooled;
    }
    if (L->proj.n_parts > 0) {
        *hw = L->proj.rows;
        float *xp = el_buf_get(&w->projected, (size_t)n * *hw);
        if (!xp) return NULL;
        el_linear(xp, x, &L->proj, NULL, n);
        x = xp;
    }
    if (L->l2) el_l2_normalize_rows(x, n, *hw);
    return x;
}

/* What every chunk of one lens call shares. */
typedef struct {
    const el_lens *L;
    const float *x1, *x2; /* the head's inputs (x2: the second head's) */
    int n, hw;            /* rows, head input width */
    float *logits_out;    /* full logits of rows >= logits_first, or NULL */
    int logits_first;
} lens_rows;

/* Vocabulary columns c0..c0+nc of every row: logits into z (n x nc), fed to
 * the rows' accumulators acc[0..n). */
static void lens_chunk(const lens_rows *R, int c0, int nc, float *z, el_entropy_acc *acc) {
    const el_lens *L = R->L;
    const int n = R->n, V = L->n_out, two_heads = L->head2.n_parts > 0;
    /* Bias first, then let sgemm accumulate onto it. */
    for (int r = 0; r < n; r++) {
        float *zr = z + (size_t)r * nc;
        if (two_heads) {
            for (int j = 0; j < nc; j++)
                zr[j] = 0.5f * ((L->head_b ? L->head_b[c0 + j] : 0.0f) + (L->head2_b ? L->head2_b[c0 + j] : 0.0f));
        } else if (L->head_b) {
            memcpy(zr, L->head_b + c0, sizeof(float) * nc);
        } else {
            memset(zr, 0, sizeof(float) * nc);
        }
    }
    const el_mat w1 = el_mat_rows(&L->head, c0, nc), w2 = el_mat_rows(&L->head2, c0, nc);
    el_mat_gemm(n, two_heads ? 0.5f : 1.0f, R->x1, R->hw, &w1, 1.0f, z, nc);
    if (two_heads) el_mat_gemm(n, 0.5f, R->x2, R->hw, &w2, 1.0f, z, nc);
#pragma omp parallel for schedule(static) if ((long)n * nc > EL_PAR_MIN_WORK)
    for (int r = 0; r < n; r++) {
        float *zr = z + (size_t)r * nc;
        if (L->softcap > 0.0f)
            for (int j = 0; j < nc; j++) zr[j] = L->softcap * tanhf(zr[j] / L->softcap);
        el_entropy_acc_update(&acc[r], zr, nc, c0);
        if (R->logits_out && r >= R->logits_first)
            memcpy(R->logits_out + (size_t)(r - R->logits_first) * V + c0, zr, sizeof(float) * nc);
    }
}

int el_lens_apply(const el_lens *L, const float *rows, const float *rows2, int n, int ld,
                  const double *alpha, int n_alpha, el_lens_out *out, float *logits_out,
                  int logits_first, el_lens_work *w) {
    if (n <= 0) return 0;
    const int D = L->dim, V = L->n_out;
    const int two_heads = L->head2.n_parts > 0;
    float *x1 = el_buf_get(&w->normed, (size_t)n * D);
    float *x2 = two_heads && rows2 ? el_buf_get(&w->normed2, (size_t)n * D) : x1;
    const int cw = chunk_width(n, V), n_chunks = (V + cw - 1) / cw;
    /* A few rows (a decoding step's layers) against a large vocabulary:
     * OpenBLAS splitting each 12-row product over threads runs at a third
     * of one-thread sgemm on two cores, so the threads take whole chunks
     * instead. Each chunk has its own accumulators, merged in chunk order,
     * so the result does not depend on the thread count. */
    const int nt = el_get_threads();
    const int split = nt > 1 && n_chunks > 1 && n <= EL_LENS_SPLIT_MAX_ROWS && !omp_in_parallel();
    float *z = el_buf_get(&w->logits, (size_t)n * cw * (split ? (size_t)nt : 1));
    if (!x1 || !x2 || !z) return -1;
    const size_t n_acc = (size_t)n * n_chunks;
    if ((size_t)w->acc_cap < n_acc) {
        el_entropy_acc *a = realloc(w->acc, sizeof(*a) * n_acc);
        if (!a) return -1;
        w->acc = a;
        w->acc_cap = (int)n_acc;
    }
    normalise(L, x1, rows, n, ld);
    if (two_heads && rows2) normalise(L, x2, rows2, n, ld);
    int hw = D; /* the head's input width */
    if (L->row_pool || L->proj.n_parts > 0 || L->l2) {
        if (!(x1 = pre_head(L, x1, n, &hw, w))) return -1;
        x2 = x1;
    }
    for (size_t i = 0; i < n_acc; i++) el_entropy_acc_init(&w->acc[i], alpha, n_alpha);
    const lens_rows lr = {L, x1, x2, n, hw, logits_out, logits_first};
    if (split) {
#pragma omp parallel for schedule(dynamic, 1)
        for (int k = 0; k < n_chunks; k++) {
            const int c0 = k * cw, nc = V - c0 < cw ? V - c0 : cw;
            lens_chunk(&lr, c0, nc, z + (size_t)n * cw * (size_t)omp_get_thread_num(), w->acc + (size_t)k * n);
        }
    } else {
        /* Not inside a (one-thread) parallel region: OpenBLAS and the row
         * loops then start their own teams from the main thread pool. */
        for (int k = 0; k < n_chunks; k++) {
            const int c0 = k * cw, nc = V - c0 < cw ? V - c0 : cw;
            lens_chunk(&lr, c0, nc, z, w->acc + (size_t)k * n);
        }
    }
    for (int k = 1; k < n_chunks; k++)
        for (int r = 0; r < n; r++) el_entropy_acc_merge(&w->acc[r], &w->acc[(size_t)k * n + r]);
    for (int r = 0; r < n; r++) {
        const el_entropy_acc *a = &w->acc[r];
        out[r].entropy = el_entropy_acc_shannon(a);
        for (int i = 0; i < n_alpha && i < EL_ENTROPY_MAX_ALPHA; i++) out[r].renyi[i] = el_entropy_acc_renyi(a, i);
        out[r].top1 = a->argmax;
        out[r].prob = el_entropy_acc_maxprob(a);
    }
    return 0;
}

void el_lens_work_free(el_lens_work *w) {
    EL_BUF_FREE_ALL(&w->normed, &w->normed2, &w->logits, &w->projected, &w->pooled, &w->pool_work);
    free(w->acc);
    memset(w, 0, sizeof *w);
}
