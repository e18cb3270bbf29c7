/* Reads checkpoint tensors into consecutive slices of one parameter arena,
 * checking each shape against what the config implies and remembering which
 * tensors were used, so leftovers (a different architecture) are reported. */
#ifndef EL_PARAM_READER_H
#define EL_PARAM_READER_H

#include <stddef.h>

#include "nn/linear.h"
#include "weights/safetensors.h"

typedef struct {
    const el_st_set *set;
    float *arena;
    size_t used, cap;          /* floats */
    unsigned char *used_flags; /* per tensor of the set */
    size_t mapped;             /* tensors used straight from the file mapping */
    size_t n_params;           /* elements of every tensor taken */
    el_status st;              /* sticky: the first failure */
} el_param_reader;

/* Allocates the arena (cap floats) and flags; 0 or a status with message. */
el_status el_param_reader_init(el_param_reader *r, const el_st_set *set, size_t cap, const char *what);
/* Hands the arena over to the caller (who frees it) and releases the rest. */
float *el_param_reader_finish(el_param_reader *r);
void el_param_reader_abort(el_param_reader *r);

/* Tensor `name` with the given shape (up to 4 dims, unused = 0). An aligned
 * F32 tensor is used in place, inside the read-only file mapping (no copy:
 * the set must outlive the model); anything else is converted into the
 * arena. Callers must treat the result as read-only. */
float *el_take(el_param_reader *r, const char *name, int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3);
/* Always a copy in the next arena slice: consecutive el_take_copy calls give
 * consecutive memory (q, k, v stacked into one fused matrix). */
float *el_take_copy(el_param_reader *r, const char *name, int ndim, int64_t d0, int64_t d1, int64_t d2, int64_t d3);
/* Read an [rows][cols] tensor stored transposed (HF Conv1D, [cols][rows] in
 * the file) so it comes out in nn.Linear order [rows][cols]. */
float *el_take_transposed(el_param_reader *r, const char *name, int64_t rows, int64_t cols);
/* A zero-filled slice for parameters a layout may omit (absent biases). */
float *el_take_zeros(el_param_reader *r, size_t n);
/* Is there such a tensor? Marks nothing. */
int el_has(const el_param_reader *r, const char *name);
/* Mark a tensor as deliberately unused (e.g. a tied head stored twice). */
void el_skip(el_param_reader *r, const char *name);

/* A weight matrix [rows][cols] in its stored precision: F32, F16 or BF16
 * used in place inside the mapping (an unaligned one copied). On failure
 * r->st is set and the matrix is empty. */
el_mat el_take_mat(el_param_reader *r, const char *name, int64_t rows, int64_t cols);
/* Always a copy in the arena, still in the stored precision (F16/BF16 stay
 * 16-bit): for matrices rewritten at load (GPT-NeoX's per-head q/k/v rows),
 * or stored transposed ([cols][rows]: HF Conv1D) when transposed is 1. */
el_mat el_take_mat_copy(el_param_reader *r, const char *name, int64_t rows, int64_t cols, int transposed);
/* A matrix stacked under the rows m already has (q, k, v; gate, up): F32
 * parts copied back to back (one matrix), F16/BF16 parts in place. */
void el_take_mat_stack(el_param_reader *r, el_mat *m, const char *name, int64_t rows, int64_t cols);

/* A Linear layer: `prefix.weight` [rows][cols] (stored precision) and
 * `prefix.bias` [rows]. */
void el_take_linear(el_param_reader *r, const char *prefix, int64_t rows, int64_t cols, el_mat *w, const float **b);
/* A LayerNorm: `prefix.weight` and `prefix.bias`, [dim] each. */
void el_take_norm(el_param_reader *r, const char *prefix, int64_t dim, const float **w, const float **b);

/* Fails naming the first tensor not read, except those ignorable() accepts. */
el_status el_check_leftovers(const el_param_reader *r, const char *where, int (*ignorable)(const char *name));

#endif
