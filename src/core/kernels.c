#include "core/kernels.h"

#include "core/fastmath.h"

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
#if EL_OPENBLAS_OPENMP
    openblas_set_num_threads(n);
#endif
}

int el_get_threads(void) { return omp_get_max_threads(); }

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

/* Broadcasting the bias into C first lets sgemm accumulate onto it (beta = 1)
 * instead of a second pass over the output. */
void el_linear(float *out, const float *in, const float *w, const float *b, int rows, int in_dim,
               int out_dim) {
    if (b) {
#pragma omp parallel for schedule(static) if ((long)rows * out_dim > EL_PAR_MIN_WORK)
        for (int r = 0; r < rows; r++) memcpy(out + (size_t)r * out_dim, b, sizeof(float) * out_dim);
    }
    el_gemm_nt(rows, out_dim, in_dim, 1.0f, in, in_dim, w, in_dim, b ? 1.0f : 0.0f, out, out_dim);
}

void el_linear_add(float *out, const float *in, const float *w, const float *b, int rows,
                   int in_dim, int out_dim) {
    if (b) {
#pragma omp parallel for schedule(static) if ((long)rows * out_dim > EL_PAR_MIN_WORK)
        for (int r = 0; r < rows; r++) {
            float *o = out + (size_t)r * out_dim;
            for (int j = 0; j < out_dim; j++) o[j] += b[j];
        }
    }
    el_gemm_nt(rows, out_dim, in_dim, 1.0f, in, in_dim, w, in_dim, 1.0f, out, out_dim);
}

/* ---------------------------------------------------------------- norms */

/* Two-pass mean/variance in float, like PyTorch's CPU kernel, so results
 * agree to float rounding rather than drifting for large-mean rows. */
void el_layernorm(float *out, const float *in, const float *w, const float *b, int rows, int dim,
                  float eps) {
#pragma omp parallel for schedule(static) if ((long)rows * dim > EL_PAR_MIN_WORK)
    for (int r = 0; r < rows; r++) {
        const float *x = in + (size_t)r * dim;
        float *y = out + (size_t)r * dim;
        double sum = 0.0;
        for (int i = 0; i < dim; i++) sum += x[i];
        float mean = (float)(sum / dim);
        double var = 0.0;
        for (int i = 0; i < dim; i++) {
            float d = x[i] - mean;
            var += (double)d * d;
        }
        float rstd = (float)(1.0 / sqrt(var / dim + eps));
        for (int i = 0; i < dim; i++) y[i] = (x[i] - mean) * rstd * w[i] + (b ? b[i] : 0.0f);
    }
}

void el_rmsnorm(float *out, const float *in, const float *w, int rows, int dim, float eps,
                float weight_offset) {
#pragma omp parallel for schedule(static) if ((long)rows * dim > EL_PAR_MIN_WORK)
    for (int r = 0; r < rows; r++) {
        const float *x = in + (size_t)r * dim;
        float *y = out + (size_t)r * dim;
        double ss = 0.0;
        for (int i = 0; i < dim; i++) ss += (double)x[i] * x[i];
        float scale = (float)(1.0 / sqrt(ss / dim + eps));
        for (int i = 0; i < dim; i++) y[i] = x[i] * scale * (w[i] + weight_offset);
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

void el_gelu_erf(float *x, size_t n) { EL_PARALLEL_BLOCKS(n, gelu_erf_block, x); }
void el_gelu_tanh(float *x, size_t n) { EL_PARALLEL_BLOCKS(n, gelu_tanh_block, x); }
void el_silu_mul(float *gate, const float *up, size_t n) { EL_PARALLEL_BLOCKS(n, silu_mul_block, gate, up); }

static void softmax_row(float *restrict x, int cols) {
    float m = x[0];
    for (int j = 1; j < cols; j++) m = x[j] > m ? x[j] : m;
    float s = 0.0f;
    for (int j = 0; j < cols; j++) x[j] = el_expf(x[j] - m);
    for (int j = 0; j < cols; j++) s += x[j];
    float inv = 1.0f / s;
    for (int j = 0; j < cols; j++) x[j] *= inv;
}

void el_softmax_rows(float *x, int rows, int cols) {
#pragma omp parallel for schedule(static) if ((long)rows * cols > EL_PAR_MIN_WORK)
    for (int r = 0; r < rows; r++) softmax_row(x + (size_t)r * cols, cols);
}

/* ---------------------------------------------------------------- attention */

size_t el_attention_scratch_floats(int n_q, int n_kv) { return (size_t)n_q * n_kv; }

/* One (sequence, head) pair is one unit of parallel work: two small GEMMs
 * (scores = Q K^T, out = P V) around a row softmax. Inside the parallel region
 * OpenBLAS's OpenMP build runs each call on the calling thread. */
void el_attention(float *out, int ldo, size_t seq_stride_o, const float *q, int ldq,
                  size_t seq_stride_q, const float *k, const float *v, int ldkv,
                  size_t seq_stride_kv, int n_seq, int n_q, int n_kv, int n_heads, int n_kv_heads,
                  int head_dim, int causal, float *scratch) {
    const float scale = 1.0f / sqrtf((float)head_dim);
    const int group = n_heads / n_kv_heads;
    const int shift = n_kv - n_q;
    const int units = n_seq * n_heads;
#pragma omp parallel for schedule(dynamic, 1) if (units > 1 && (long)units * n_q * n_kv * head_dim > EL_PAR_MIN_WORK)
    for (int u = 0; u < units; u++) {
        int s = u / n_heads, h = u % n_heads, kh = h / group;
        float *sc = scratch + (size_t)omp_get_thread_num() * el_attention_scratch_floats(n_q, n_kv);
        const float *qs = q + s * seq_stride_q + (size_t)h * head_dim;
        const float *ks = k + s * seq_stride_kv + (size_t)kh * head_dim;
        const float *vs = v + s * seq_stride_kv + (size_t)kh * head_dim;
        float *os = out + s * seq_stride_o + (size_t)h * head_dim;
        if (n_q == 1) {
            /* Decoding step: GEMV-shaped work is faster as plain loops. */
            /* A single query is the newest position: it sees every key. */
            const int lim = n_kv;
            for (int j = 0; j < lim; j++) {
                const float *kr = ks + (size_t)j * ldkv;
                float acc = 0.0f;
                for (int d = 0; d < head_dim; d++) acc += qs[d] * kr[d];
                sc[j] = acc * scale;
            }
            softmax_row(sc, lim);
            for (int d = 0; d < head_dim; d++) os[d] = 0.0f;
            for (int j = 0; j < lim; j++) {
                const float *vr = vs + (size_t)j * ldkv;
                float p = sc[j];
                for (int d = 0; d < head_dim; d++) os[d] += p * vr[d];
            }
            continue;
        }
        el_gemm_nt(n_q, n_kv, head_dim, scale, qs, ldq, ks, ldkv, 0.0f, sc, n_kv);
        if (causal) {
            for (int i = 0; i < n_q; i++) {
                float *row = sc + (size_t)i * n_kv;
                int visible = i + shift + 1;
                if (visible < 1) visible = 1;
                for (int j = visible; j < n_kv; j++) row[j] = -INFINITY;
                softmax_row(row, visible);
                for (int j = visible; j < n_kv; j++) row[j] = 0.0f;
            }
        } else {
            for (int i = 0; i < n_q; i++) softmax_row(sc + (size_t)i * n_kv, n_kv);
        }
        el_gemm_nn(n_q, head_dim, n_kv, 1.0f, sc, n_kv, vs, ldkv, 0.0f, os, ldo);
    }
}
