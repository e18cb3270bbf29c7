/* The shared transformer under every front end: the block stack (one
 * el_block_config, per-layer weights, RoPE tables) and the logit lens (the
 * model's final norm and output head). Two passes over it, the only
 * difference being attention: an encoder pass (full attention among the
 * tokens of each sequence, one OpenMP team per block over row slabs) and a
 * decoder pass (k sequences batched through the weights, causal attention
 * over each one's KV cache). Both hand their per-layer residual rows to the
 * caller (data flows one way: nothing calls back up into the model API). */
#ifndef EL_TRANSFORMER_H
#define EL_TRANSFORMER_H

#include "model/block.h"
#include "model/lens.h"

typedef struct {
    el_block_config cfg;
    el_block_weights *layers; /* [cfg.n_layers] */
    el_rope_table rope;
    el_rope_table rope_local;  /* sliding layers' table when cfg.rope_local_theta > 0 (Gemma 3) */
    el_lens lens;             /* final norm (cfg.norm) + output head */
} el_transformer;

/* What an encoder pass reports after the embeddings (layer 0) and after
 * every block (layers 1..L). */
typedef struct {
    int n_keep;            /* leading tokens of each sequence kept (0..2: CLS, distillation) */
    float *keep[2];        /* keep[i]: token i of every sequence, [L + 1][n_seq][D] */
    int lens_from;         /* first layer whose every row goes through the lens (> L: none) */
    double *row_entropy;   /* [L + 1][n_seq * T]: lens entropy (nats) of every row */
    el_lens_out *lens_out; /* [n_seq * T] scratch */
    el_lens_work *lens_work;
    /* Pooled heads (BEiT, DINOv2): pooled[layer][seq][D] = the mean over rows
     * pool_from..T-1 of each sequence, of the raw rows, or of the rows after
     * the lens norm when pool_normed (pool_tmp: 3D floats of scratch, 8-byte
 * aligned). NULL: none. */
    float *pooled;
    int pool_from, pool_normed;
    float *pool_tmp;
    /* SigLIP: pooled[layer][seq] = the attention-pooling head over the lens
     * norm of every row of the sequence (pool_from, pool_normed unused);
     * attn_pool_work: T * D + el_attn_pool_work_floats(attn_pool, T) floats. */
    const struct el_attn_pool *attn_pool;
    float *attn_pool_work;
} el_encoder_taps;

/* The lens of a stack: its dimensions and the blocks' own norm. The loaders
 * call this once the head and final norm are set. */
void el_transformer_bind_lens(el_transformer *tf, int n_out);

/* a->x holds n_seq sequences of T embedded rows; scratch holds
 * el_attention_scratch_floats(T, T) floats per thread. 0, or -1 when the
 * lens runs out of memory. */
int el_transformer_encode(const el_transformer *tf, const el_block_rows *a, int n_seq, int T, float *scratch,
                          const el_encoder_taps *taps);

/* a->x holds the new rows of k sequences, sequence j at rows row0[j] ..
 * row0[j+1] - 1 and positions caches[j].len.. (caches[j].len is left for the
 * caller to advance). Several sequences' attention runs one sequence per
 * thread, each in its slice of scratch (slice floats). rows_out [L][k][D]
 * receives each sequence's last row after every block. */
void el_transformer_decode(const el_transformer *tf, const el_block_rows *a, el_kv_cache *caches, const int *row0,
                           int k, int max_kv, float *scratch, size_t slice, float *rows_out);

void el_transformer_free(el_transformer *tf);

#endif
