/* Tensor kernels shared by the vision and text models. Every kernel takes its
 * dimensions explicitly; matrices are row-major; weights follow PyTorch's
 * nn.Linear convention ([out_dim][in_dim]) unless a name says otherwise. */
#ifndef EL_KERNELS_H
#define EL_KERNELS_H

#include <stddef.h>

/* C[M,N] = alpha * A[M,K] * B[N,K]^T + beta * C  (B is a Linear weight). */
void el_gemm_nt(int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc);
/* C[M,N] = alpha * A[M,K] * B[K,N] + beta * C. */
void el_gemm_nn(int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                float beta, float *C, int ldc);

/* The one norm of every block and of the lens: the model's config says which
 * (el_block_config.norm is copied into el_lens.norm), nobody else chooses. */
/* EL_NORM_NONE: rows pass unchanged (a head whose input is already normalised). */
typedef enum { EL_NORM_LAYER = 0, EL_NORM_RMS = 1, EL_NORM_NONE = 2 } el_norm_kind;
typedef struct {
    el_norm_kind kind;
    float eps;
    float weight_offset; /* scale by (w + offset): Gemma-style RMSNorm stores w - 1 */
} el_norm_config;
/* out = norm(in) * (w + offset) (+ b for LayerNorm; b may be NULL). */
void el_norm(const el_norm_config *c, float *out, const float *in, const float *w, const float *b, int rows,
             int dim);

/* MLP activations, by name in the configs: gelu (erf), gelu_new /
 * gelu_pytorch_tanh, quick_gelu, relu, silu. */
typedef enum { EL_ACT_GELU_ERF, EL_ACT_GELU_TANH, EL_ACT_QUICK_GELU, EL_ACT_RELU, EL_ACT_SILU } el_act;
void el_activate(el_act act, float *x, size_t n);
/* For people: "GELU (erf)", "GELU (tanh)", "quick-GELU", "ReLU", "SiLU". */
const char *el_act_name(el_act act);
/* gate = act(gate) * up: the gated MLPs (SwiGLU with SILU, GeGLU with GELU). */
void el_activate_mul(el_act act, float *gate, const float *up, size_t n);

/* Softmax of each row of x[rows,cols] in place. */
void el_softmax_rows(float *x, int rows, int cols);
/* Each row scaled to unit L2 length, as torch's F.normalize (norm clamped
 * at 1e-12: a zero row stays zero). */
void el_l2_normalize_rows(float *x, int rows, int cols);

/* Who runs a kernel's units: a team of its own (the calling thread alone
 * inside a running parallel region), or the running team, every thread of
 * which makes the same call (work shared out, a barrier at the end). */
typedef enum { EL_TEAM_OWN, EL_TEAM_SHARED } el_team;

/* Score modifiers of one attention call (Gemma 2/3, BLOOM, Mistral): every
 * field zero is plain scaled dot-product attention. Applied in this order,
 * as the Hugging Face models do: scale, soft-cap, ALiBi, then the masks. */
typedef struct {
    float scale;   /* 0: 1/sqrt(head_dim); Gemma 2/3: query_pre_attn_scalar^-1/2 */
    float softcap; /* > 0: s = softcap * tanh(s / softcap) (attn_logit_softcapping) */
    int window;    /* > 0, causal only: the query at position p sees keys p - window < j <= p */
    int alibi;     /* BLOOM: s += el_alibi_slope(h, n_heads) * j, j the key's position */
} el_attn_scores;
/* Head h's ALiBi slope as HF build_alibi_tensor makes it (float32 powers of
 * 2^(-8/p), p the largest power of two <= n_heads; the heads beyond p take
 * every other slope of 2p). */
float el_alibi_slope(int h, int n_heads);

/* Multi-head scaled dot-product attention for n_seq independent sequences.
 * Sequence s has its queries at q + s*seq_stride_q (rows of stride ldq), keys
 * and values at k/v + s*seq_stride_kv (rows of stride ldkv), n_q query rows and
 * n_kv key rows. Head h of the queries reads kv head h / (n_heads / n_kv_heads)
 * (grouped-query attention). causal: query i sees keys j <= i + (n_kv - n_q).
 * out rows (stride ldo) receive the heads side by side. scratch must hold
 * el_attention_scratch_floats(n_q, n_kv) floats per thread of the team (omp
 * max threads); run alone inside a parallel region it uses only the first
 * slice (pass the caller's own). bias (NULL: none) is added to the scaled
 * scores before the softmax, [n_heads][n_q][n_kv], the same for every
 * sequence (BEiT's relative position bias; full attention only). mods:
 * el_attn_scores, or NULL for none. */
void el_attention(float *out, int ldo, size_t seq_stride_o, const float *q, int ldq,
                  size_t seq_stride_q, const float *k, const float *v, int ldkv,
                  size_t seq_stride_kv, int n_seq, int n_q, int n_kv, int n_heads, int n_kv_heads,
                  int head_dim, int causal, const float *bias, const el_attn_scores *mods, float *scratch,
                  el_team team);
size_t el_attention_scratch_floats(int n_q, int n_kv);

/* Work (in elements touched) below which a loop stays on one thread: a
 * parallel region costs a fork and a barrier, and when another process holds
 * a core the barrier waits for a whole scheduler slice. */
extern long el_par_min_work;
#define EL_PAR_MIN_WORK el_par_min_work
/* Tests set 0 to run every parallel path even on their tiny models. */
void el_set_par_min_work(long work);

/* Rows [*r0, *r1) of `rows` for thread t of nt: even shares in whole
 * 16-row tiles, so a block's row-wise steps run without a barrier. */
void el_row_slab(int t, int nt, size_t rows, size_t *r0, size_t *r1);

/* Threads for our loops and for OpenBLAS (0 = all cores). */
void el_set_threads(int n);
int el_get_threads(void);

#endif
