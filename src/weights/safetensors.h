/* safetensors reader: the file is mmapped, the JSON header validated in full
 * (offsets inside the file, sizes = dtype x shape, no overlaps) before any
 * tensor is used, and tensors are converted to float32 on request. A set of
 * files (one, or the shards named by model.safetensors.index.json) is searched
 * as one namespace. */
#ifndef EL_SAFETENSORS_H
#define EL_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "base/dtype.h"
#include "entropy_lens.h"
#include "nn/quant.h"

#define EL_ST_MAX_DIMS 8
#define EL_ST_MAX_HEADER ((uint64_t)100 << 20) /* the format's own limit */

typedef struct {
    char *name;
    el_dtype dtype;
    char dtype_name[12];
    int ndim;
    int64_t shape[EL_ST_MAX_DIMS];
    uint64_t n_elems;
    const uint8_t *data; /* inside the mapping */
    uint64_t nbytes;
    int file;            /* index of the file in the set */
} el_st_tensor;

typedef struct {
    char *path;
    const uint8_t *map;
    size_t size;
} el_st_file;

typedef struct {
    el_st_file *files;
    int n_files;
    el_st_tensor *tensors; /* sorted by name */
    int n_tensors;
} el_st_set;

/* Open path: a .safetensors file, or a directory holding model.safetensors or
 * model.safetensors.index.json. */
el_status el_st_open(el_st_set *set, const char *path);
void el_st_close(el_st_set *set);
/* Move an open set to the heap (the original becomes empty), for a model
 * that keeps using tensors inside the mapping; el_st_release closes it. */
el_st_set *el_st_keep(el_st_set *set);
void el_st_release(void *heap_set);

const el_st_tensor *el_st_find(const el_st_set *set, const char *name);
/* Copy a tensor into dst as float32 after checking it has exactly the shape
 * given (ndim values); a name the set lacks is EL_ERR_FORMAT naming it. */
el_status el_st_read(const el_st_set *set, const char *name, float *dst, int ndim,
                     const int64_t *shape);
/* An F32 tensor with exactly this shape, aligned in the mapping, checked to
 * be finite: *out points into the mapping. *out = NULL (and EL_OK) when the
 * tensor must be converted instead (another dtype, unaligned). */
el_status el_st_map_f32(const el_st_set *set, const char *name, int ndim, const int64_t *shape, const float **out);
/* A tensor with exactly this shape used in its stored precision: *out points
 * into the mapping and *type is F32, F16 or BF16 (checked finite). *out =
 * NULL (and EL_OK) when it must be converted instead (unaligned). */
el_status el_st_map_typed(const el_st_set *set, const char *name, int ndim, const int64_t *shape, const void **out,
                          el_qtype *type);
/* Copy a 2-d F16/BF16 tensor's raw values into dst as [rows][cols] (from
 * [cols][rows] when transposed: Conv1D weights). *type says which; for an
 * F32 tensor *type = EL_Q_F32 and nothing is copied. */
el_status el_st_read_half(const el_st_set *set, const char *name, uint16_t *dst, int64_t rows, int64_t cols,
                          int transposed, el_qtype *type);
/* Read a 2-d tensor stored [cols][rows] into dst as [rows][cols] (Conv1D
 * weights into nn.Linear order), converting and transposing in one pass. */
el_status el_st_read_transposed(const el_st_set *set, const char *name, float *dst, int64_t rows, int64_t cols);
/* Element count of a shape with overflow checking; 0 on overflow. */
uint64_t el_shape_count(int ndim, const int64_t *shape);
const char *el_st_dtype_summary(const el_st_set *set); /* "F32", "BF16", "mixed", ... */

float el_f16_to_f32(uint16_t h);
float el_bf16_to_f32(uint16_t h);

#endif
