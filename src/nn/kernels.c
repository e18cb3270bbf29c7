#include "nn/kernels.h"

#include "base/fastmath.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#if EL_OPENBLAS_OPENMP
void openblas_set_num_threads(int num_threads);
#endif

/* ---------------------------------------------------------------- threads */

void el_set_threads(int n) {
    if (n <= 0) n = omp_get_num_procs();
    omp_set_num_threads(n);
    /* Kernels called inside our parallel regions run on the calling thread. */
    omp_set_max_active_levels(1);
#if EL_OPENBLAS_OPENMP
    openblas_set_num_threads(n);
#endif
}

int el_get_threads(void) { return omp_get_max_threads(); }

long el_par_min_work = 65536;
void el_set_par_min_work(long work) { el_par_min_work = work < 0 ? 0 : work; }

void el_row_slab(int t, int nt, size_t rows, size_t *r0, size_t *r1) {
    const size_t tiles = (rows + 15) / 16, per = tiles / (size_t)nt, extra = tiles % (size_t)nt;
    const size_t t0 = (size_t)t * per + ((size_t)t < extra ? (size_t)t : extra);
    const size_t t1 = t0 + per + ((size_t)t < extra ? 1 : 0);
    *r0 = t0 * 16 < rows ? t0 * 16 : rows;
    *r1 = t1 * 16 < rows ? t1 * 16 : rows;
}

/* ---------------------------------------------------------------- GEMM */

/* A few rows against a large weight matrix (a decoding step, the lens over
 * L last-position rows). OpenBLAS 0.3.21 splits such a call over its few
 * rows, so a second thread only adds a barrier (a 12-row lens chunk ran
 * slower on 2 threads than on 1), and for one row it packs the whole weight
 * matrix before a GEMV's worth of arithmetic. So: one row is an sgemv (it
 * streams W once); up to EL_SKINNY_ROWS rows, each thread takes its own slab
 * of W's rows (output columns) and runs a one-thread sgemm on it (the OpenMP
 * OpenBLAS does not open nested threads inside our parallel region). */
#define EL_SKINNY_ROWS 16

static void gemm_nt_slabs(int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                          float beta, float *C, int ldc) {
#pragma omp parallel if ((long)N * K * M > 4 * EL_PAR_MIN_WORK)
    {
        const int nt = omp_get_num_threads(), t = omp_get_thread_num();
        const int per = ((N + nt - 1) / nt + 15) / 16 * 16; /* whole micro-tiles per slab */
        const int n0 = t * per, n1 = n0 + per < N ? n0 + per : N;
        if (n1 > n0) {
            if (M == 1)
                cblas_sgemv(CblasRowMajor, CblasNoTrans, n1 - n0, K, alpha, B + (size_t)n0 * ldb, ldb, A, 1, beta,
                            C + n0, 1);
            else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, n1 - n0, K, alpha, A, lda, B + (size_t)n0 * ldb,
                            ldb, beta, C + n0, ldc);
        }
    }
}

void el_gemm_nt(int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc) {
    if (M <= EL_SKINNY_ROWS && (long)N * K >= 65536) {
        gemm_nt_slabs(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, alpha, A, lda, B, ldb, beta, C,
                ldc);
}

void el_gemm_nn(int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta,
                C, ldc);
}

/* ---------------------------------------------------------------- norms */

/* Two-pass mean/variance in float, like PyTorch's CPU kernel, so results
 * agree to float rounding rather than drifting for large-mean rows. */
static inline void layernorm_row(float *y, const float *x, const float *w, const float *b, int dim, float eps,
                                 float weight_offset) {
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (int i = 0; i < dim; i++) sum += x[i];
    float mean = (float)(sum / dim);
    double var = 0.0;
#pragma omp simd reduction(+ : var)
    for (int i = 0; i < dim; i++) {
        float d = x[i] - mean;
        var += (double)d * d;
    }
    float rstd = (float)(1.0 / sqrt(var / dim + eps));
    for (int i = 0; i < dim; i++) y[i] = (x[i] - mean) * rstd * (w[i] + weight_offset) + (b ? b[i] : 0.0f);
}

static inline void rmsnorm_row(float *y, const float *x, const float *w, int dim, float eps, float weight_offset) {
    double ss = 0.0;
#pragma omp simd reduction(+ : ss)
    for (int i = 0; i < dim; i++) ss += (double)x[i] * x[i];
    float scale = (float)(1.0 / sqrt(ss / dim + eps));
    for (int i = 0; i < dim; i++) y[i] = x[i] * scale * (w[i] + weight_offset);
}

void el_norm(const el_norm_config *c, float *out, const float *in, const float *w, const float *b, int rows,
             int dim) {
    if (c->kind == EL_NORM_NONE) {
        if (out != in) memmove(out, in, sizeof(float) * (size_t)rows * dim);
        return;
    }
    const int layer = c->kind == EL_NORM_LAYER;
#pragma omp parallel for schedule(static) if ((long)rows * dim > EL_PAR_MIN_WORK)
    for (int r = 0; r < rows; r++) {
        const float *x = in + (size_t)r * dim;
        float *y = out + (size_t)r * dim;
        if (layer) layernorm_row(y, x, w, b, dim, c->eps, c->weight_offset);
        else rmsnorm_row(y, x, w, dim, c->eps, c->weight_offset);
    }
}

/* ---------------------------------------------------------------- activations */

/* Elementwise maps run as OpenMP blocks over plain loops the compiler
 * vectorises (an "omp parallel for simd" on the whole range does not). */
#define EL_BLOCK 8192
#define EL_PARALLEL_BLOCKS(n, body_fn, ...)                                    \
    do {                                                                       \
        const size_t nb_ = ((n) + EL_BLOCK - 1) / EL_BLOCK;                    \
        _Pragma("omp parallel for schedule(static) if (nb_ > 8)")              \
        for (size_t b_ = 0; b_ < nb_; b_++) {                                  \
            size_t lo_ = b_ * EL_BLOCK, len_ = (n) - lo_ < EL_BLOCK ? (n) - lo_ : EL_BLOCK; \
            body_fn(lo_, len_, __VA_ARGS__);                                   \
        }                                                                      \
    } while (0)

/* gelu(x) = x (1 + erf(x / sqrt 2)) / 2, written with erfc of |x| so the
 * negative side keeps its relative precision: x < 0 gives x erfc(|x|/sqrt 2) / 2. */
static void gelu_erf_block(size_t lo, size_t len, float *restrict x) {
    x += lo;
    for (size_t i = 0; i < len; i++) {
        float v = x[i];
        float e = 0.5f * v * el_erfcf_pos(__builtin_fabsf(v) * (float)M_SQRT1_2);
        x[i] = v >= 0.0f ? v - e : e;
    }
}

/* tanh(y) = 1 - 2 / (exp(2y) + 1), with the fast exp. */
static void gelu_tanh_block(size_t lo, size_t len, float *restrict x) {
    const float c = 0.7978845608028654f; /* sqrt(2/pi) */
    x += lo;
    for (size_t i = 0; i < len; i++) {
        float v = x[i];
        float y = c * (v + 0.044715f * v * v * v);
        float th = 1.0f - 2.0f / (el_expf(2.0f * y) + 1.0f);
        x[i] = 0.5f * v * (1.0f + th);
    }
}

static void silu_mul_block(size_t lo, size_t len, float *restrict gate, const float *restrict up) {
    gate += lo;
    up += lo;
    for (size_t i = 0; i < len; i++) {
        float g = gate[i];
        gate[i] = g / (1.0f + el_expf(-g)) * up[i];
    }
}

/* x sigmoid(1.702 x) (CLIP's quick_gelu). */
static void quick_gelu_block(size_t lo, size_t len, float *restrict x) {
    x += lo;
    for (size_t i = 0; i < len; i++) x[i] = x[i] / (1.0f + el_expf(-1.702f * x[i]));
}

static void relu_block(size_t lo, size_t len, float *restrict x) {
    x += lo;
    for (size_t i = 0; i < len; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

static void silu_block(size_t lo, size_t len, float *restrict x) {
    x += lo;
    for (size_t i = 0; i < len; i++) x[i] = x[i] / (1.0f + el_expf(-x[i]));
}

static void mul_block(size_t lo, size_t len, float *restrict x, const float *restrict y) {
    for (size_t i = lo; i < lo + len; i++) x[i] *= y[i];
}

void el_activate(el_act act, float *x, size_t n) {
    switch (act) {
    case EL_ACT_GELU_ERF: EL_PARALLEL_BLOCKS(n, gelu_erf_block, x); break;
    case EL_ACT_GELU_TANH: EL_PARALLEL_BLOCKS(n, gelu_tanh_block, x); break;
    case EL_ACT_QUICK_GELU: EL_PARALLEL_BLOCKS(n, quick_gelu_block, x); break;
    case EL_ACT_RELU: EL_PARALLEL_BLOCKS(n, relu_block, x); break;
    case EL_ACT_SILU: EL_PARALLEL_BLOCKS(n, silu_block, x); break;
    }
}

void el_activate_mul(el_act act, float *gate, const float *up, size_t n) {
    if (act == EL_ACT_SILU) { /* fused: one pass */
        EL_PARALLEL_BLOCKS(n, silu_mul_block, gate, up);
        return;
    }
    el_activate(act, gate, n);
    EL_PARALLEL_BLOCKS(n, mul_block, gate, up);
}

static void softmax_row(float *restrict x, int cols) {
    float m = x[0];
    for (int j = 1; j < cols; j++) m = x[j] > m ? x[j] : m;
    float s = 0.0f;
    for (int j = 0; j < cols; j++) x[j] = el_expf(x[j] - m);
    for (int j = 0; j < cols; j++) s += x[j];
    float inv = 1.0f / s;
    for (int j = 0; j < cols; j++) x[j] *= inv;
}

const char *el_act_name(el_act act) {
    static const char *const names[] = {"GELU (erf)", "GELU (tanh)", "quick-GELU", "ReLU", "SiLU"};
    return (unsigned)act < sizeof names / sizeof names[0] ? names[act] : "?";
}

void el_l2_normalize_rows(float *x, int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        float *row = x + (size_t)r * cols;
        double ss = 0.0;
        for (int i = 0; i < cols; i++) ss += (double)row[i] * row[i];
        const float inv = (float)(1.0 / fmax(sqrt(ss), 1e-12));
        for (int i = 0; i < cols; i++) row[i] *= inv;
    }
}

void el_softmax_rows(float *x, int rows, int cols) {
#pragma omp parallel for schedule(static) if ((long)rows * cols > EL_PAR_MIN_WORK)
    for (int r = 0; r < rows; r++) softmax_row(x + (size_t)r * cols, cols);
}

/* ---------------------------------------------------------------- attention */

size_t el_attention_scratch_floats(int n_q, int n_kv) { return (size_t)n_q * n_kv; }

float el_alibi_slope(int h, int n_heads) {
    int p = 1;
    while (p * 2 <= n_heads) p *= 2;
    /* HF: base = float32(2^-(2^-(log2 p - 3))) = 2^(-8/p), slopes base^1..p;
     * then (2^(-4/p))^1,3,5.. for the heads beyond p. */
    if (h < p) return powf((float)pow(2.0, -8.0 / p), (float)(h + 1));
    return powf((float)pow(2.0, -4.0 / p), (float)(2 * (h - p) + 1));
}

typedef struct {
    float *out, *scratch;
    const float *q, *k, *v, *bias;
    int ldo, ldq, ldkv, n_q, n_kv, n_heads, group, head_dim, causal;
    size_t seq_stride_o, seq_stride_q, seq_stride_kv;
    float scale, softcap;
    int window, alibi;
} attention_args;

/* Soft-cap and ALiBi on the scores of keys [j0, j1) of one query row (only
 * models that set them pay for this pass). */
static void modify_scores(const attention_args *a, float *row, int j0, int j1, float slope) {
    if (a->softcap > 0.0f) {
        const float c = a->softcap, inv = 1.0f / a->softcap;
        for (int j = j0; j < j1; j++) row[j] = c * tanhf(row[j] * inv);
    }
    if (a->alibi)
        for (int j = j0; j < j1; j++) row[j] += slope * (float)j;
}

/* The first key the query at position pos sees (a sliding window's start). */
static int first_key(const attention_args *a, int pos) {
    return a->window > 0 && pos - a->window + 1 > 0 ? pos - a->window + 1 : 0;
}

/* A decoding step's one query (the newest position, which sees every key
 * but those left of a sliding window): GEMV-shaped work is faster as plain
 * loops. */
static void attention_one_query(const attention_args *a, const float *qs, const float *ks, const float *vs, float *os,
                                float *sc, float slope) {
    const int n_kv = a->n_kv, head_dim = a->head_dim, ldkv = a->ldkv, j0 = first_key(a, n_kv - 1);
    for (int j = j0; j < n_kv; j++) {
        const float *kr = ks + (size_t)j * ldkv;
        float acc = 0.0f;
        for (int d = 0; d < head_dim; d++) acc += qs[d] * kr[d];
        sc[j] = acc * a->scale;
    }
    if (a->softcap > 0.0f || a->alibi) modify_scores(a, sc, j0, n_kv, slope);
    softmax_row(sc + j0, n_kv - j0);
    for (int d = 0; d < head_dim; d++) os[d] = 0.0f;
    for (int j = j0; j < n_kv; j++) {
        const float *vr = vs + (size_t)j * ldkv;
        float p = sc[j];
        for (int d = 0; d < head_dim; d++) os[d] += p * vr[d];
    }
}

/* One (sequence, head) pair: two small GEMMs (scores = Q K^T, out = P V)
 * around a row softmax, on the calling thread. */
static void attention_unit(const attention_args *a, int u) {
    const int n_q = a->n_q, n_kv = a->n_kv, head_dim = a->head_dim, ldkv = a->ldkv;
    const int s = u / a->n_heads, h = u % a->n_heads, kh = h / a->group;
    float *sc = a->scratch + (size_t)omp_get_thread_num() * el_attention_scratch_floats(n_q, n_kv);
    const float *qs = a->q + s * a->seq_stride_q + (size_t)h * head_dim;
    const float *ks = a->k + s * a->seq_stride_kv + (size_t)kh * head_dim;
    const float *vs = a->v + s * a->seq_stride_kv + (size_t)kh * head_dim;
    float *os = a->out + s * a->seq_stride_o + (size_t)h * head_dim;
    const float slope = a->alibi ? el_alibi_slope(h, a->n_heads) : 0.0f;
    const int modified = a->softcap > 0.0f || a->alibi;
    if (n_q == 1) {
        attention_one_query(a, qs, ks, vs, os, sc, slope);
        return;
    }
    el_gemm_nt(n_q, n_kv, head_dim, a->scale, qs, a->ldq, ks, ldkv, 0.0f, sc, n_kv);
    if (a->causal) {
        /* Row i is position i + shift; it sees keys [j0, visible). */
        const int shift = n_kv - n_q;
        for (int i = 0; i < n_q; i++) {
            float *row = sc + (size_t)i * n_kv;
            int visible = i + shift + 1;
            if (visible < 1) visible = 1;
            const int j0 = first_key(a, visible - 1);
            if (modified) modify_scores(a, row, j0, visible, slope);
            softmax_row(row + j0, visible - j0);
            for (int j = 0; j < j0; j++) row[j] = 0.0f;
            for (int j = visible; j < n_kv; j++) row[j] = 0.0f;
        }
    } else {
        if (a->bias) {
            const float *bh = a->bias + (size_t)h * n_q * n_kv;
            for (size_t i = 0; i < (size_t)n_q * n_kv; i++) sc[i] += bh[i];
        }
        for (int i = 0; i < n_q; i++) {
            if (modified) modify_scores(a, sc + (size_t)i * n_kv, 0, n_kv, slope);
            softmax_row(sc + (size_t)i * n_kv, n_kv);
        }
    }
    el_gemm_nn(n_q, head_dim, n_kv, 1.0f, sc, n_kv, vs, ldkv, 0.0f, os, a->ldo);
}

/* Where the (sequence, head) units run: its own team (inside a running
 * parallel region, the calling thread alone), or shared out over the running
 * team that every thread of calls this (a fused block; ends with the team's
 * barrier). OpenBLAS's OpenMP build runs each call on the calling thread. */
void el_attention(float *out, int ldo, size_t seq_stride_o, const float *q, int ldq,
                  size_t seq_stride_q, const float *k, const float *v, int ldkv,
                  size_t seq_stride_kv, int n_seq, int n_q, int n_kv, int n_heads, int n_kv_heads,
                  int head_dim, int causal, const float *bias, const el_attn_scores *mods, float *scratch,
                  el_team team) {
    const el_attn_scores none = {0};
    if (!mods) mods = &none;
    const attention_args a = {.out = out, .scratch = scratch, .q = q, .k = k, .v = v, .bias = bias, .ldo = ldo, .ldq = ldq,
                              .ldkv = ldkv, .n_q = n_q, .n_kv = n_kv, .n_heads = n_heads,
                              .group = n_heads / n_kv_heads, .head_dim = head_dim, .causal = causal,
                              .seq_stride_o = seq_stride_o, .seq_stride_q = seq_stride_q,
                              .seq_stride_kv = seq_stride_kv,
                              .scale = mods->scale > 0.0f ? mods->scale : 1.0f / sqrtf((float)head_dim),
                              .softcap = mods->softcap, .window = causal ? mods->window : 0, .alibi = mods->alibi};
    const int units = n_seq * n_heads;
    if (team == EL_TEAM_SHARED) {
#pragma omp for schedule(dynamic, 1)
        for (int u = 0; u < units; u++) attention_unit(&a, u);
        return;
    }
#pragma omp parallel for schedule(dynamic, 1) if (units > 1 && !omp_in_parallel() && \
                                                      (long)units * n_q * n_kv * head_dim > EL_PAR_MIN_WORK)
    for (int u = 0; u < units; u++) attention_unit(&a, u);
}
