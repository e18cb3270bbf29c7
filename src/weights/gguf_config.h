/* GGUF metadata -> a model configuration, for the families the tool runs:
 * llama, qwen2, qwen3, gemma/gemma2/gemma3, phi3, gpt2, gptneox (llama.cpp's
 * `general.architecture` names). Neutral on purpose: the decoder's own config
 * is filled from this struct, so the GGUF key names live in one place.
 *
 * llama.cpp's convert_hf_to_gguf.py PERMUTES the q and k projection rows of
 * llama-arch models (LlamaModel.permute): within each head, HF rows
 * [0..hd/2) and [hd/2..hd) are interleaved, GGUF row 2i = HF row i and row
 * 2i+1 = HF row hd/2 + i, so that llama.cpp's "normal" RoPE (rotating
 * adjacent pairs) computes what HF's rotate_half does. We keep the rows as
 * stored and rotate adjacent pairs instead (rope_interleaved = 1): the same
 * scores, no copy of the weights. The other families are not permuted (they
 * use llama.cpp's NEOX RoPE, HF's halves). */
#ifndef EL_GGUF_CONFIG_H
#define EL_GGUF_CONFIG_H

#include "weights/gguf.h"

typedef enum { EL_GGUF_NORM_RMS, EL_GGUF_NORM_LAYER } el_gguf_norm;

typedef struct {
    char arch[16];        /* general.architecture */
    int n_layers, dim, n_heads, n_kv_heads, head_dim, mlp_dim, vocab, context;
    el_gguf_norm norm;
    double eps;
    double rope_theta;    /* 0: no RoPE (gpt2: learned positions) */
    int rope_dim;         /* rotated dims per head (partial RoPE: phi, neox) */
    int rope_interleaved; /* 1 for llama (see above) */
    int parallel_residual; /* gptneox */
    double attn_softcap, final_softcap, sliding_window; /* 0 = none (gemma2/3) */
    int tied_embeddings;  /* no output.weight: the head is token_embd.weight */
    double rope_linear;   /* rope.scaling.type "linear": positions / factor; 0 = none */
    /* What llama.cpp derives from the architecture rather than from keys: */
    int gemma;            /* gemma*: embeddings x sqrtf(dim), GeGLU (tanh), norms stored as 1 + w */
    double attn_scale;    /* 0: 1/sqrt(head_dim); gemma2/3 27B: 1/sqrt(dim / heads) */
    int swa_period;       /* sliding layers are il % period < period - 1 (gemma2: 2, gemma3: 6); 0 none */
    double rope_local_theta; /* gemma3 sliding layers: base 10000, unscaled; 0 = none */
    int post_norms;       /* gemma2/3: post_attention_norm, post_ffw_norm */
    int qk_norm;          /* qwen3, gemma3: attn_q_norm, attn_k_norm over head_dim */
} el_gguf_config;

el_status el_gguf_read_config(const el_gguf *g, el_gguf_config *c);

/* The GGUF name of a model tensor: layer < 0 for the global ones.
 * `what` is llama.cpp's short name: "token_embd", "output_norm", "output",
 * "attn_norm", "attn_q", "attn_k", "attn_v", "attn_qkv", "attn_output",
 * "ffn_norm", "ffn_gate", "ffn_up", "ffn_down", "attn_q_norm",
 * "attn_k_norm", "post_attention_norm", "post_ffw_norm"; `kind` "weight" or
 * "bias". */
void el_gguf_tensor_name(char *out, size_t cap, int layer, const char *what, const char *kind);

#endif
