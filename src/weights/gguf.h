/* GGUF reader (llama.cpp's single-file format, versions 2 and 3). The file is
 * mmapped; the header, every metadata key/value (all types, arrays included)
 * and every tensor info are validated against the file size before anything
 * is used, so a truncated or hostile file is a one-line error naming the file
 * and the field, never a crash or an allocation larger than the file.
 *
 * Layout (little-endian): "GGUF", u32 version, u64 n_tensors, u64 n_kv;
 * n_kv x (string key, u32 type, value); n_tensors x (string name, u32 n_dims,
 * u64 ne[n_dims], u32 ggml type, u64 offset); padding to `general.alignment`
 * (default 32); the tensor data, each tensor at data_start + offset. A string
 * is u64 length + bytes (no NUL); an array is u32 item type, u64 count, items.
 * ne[0] is the fastest-varying dimension: a PyTorch [out, in] weight is
 * ne = {in, out}, i.e. rows of ne[0] values. */
#ifndef EL_GGUF_H
#define EL_GGUF_H

#include <stddef.h>
#include <stdint.h>

#include "entropy_lens.h"

#define EL_GGUF_MAX_DIMS 4

typedef enum {
    EL_GGUF_U8 = 0, EL_GGUF_I8 = 1, EL_GGUF_U16 = 2, EL_GGUF_I16 = 3,
    EL_GGUF_U32 = 4, EL_GGUF_I32 = 5, EL_GGUF_F32 = 6, EL_GGUF_BOOL = 7,
    EL_GGUF_STRING = 8, EL_GGUF_ARRAY = 9, EL_GGUF_U64 = 10, EL_GGUF_I64 = 11,
    EL_GGUF_F64 = 12
} el_gguf_type;

typedef struct {
    char *key;
    el_gguf_type type;
    el_gguf_type item_type; /* arrays: the items' type (never ARRAY) */
    uint64_t n_items;       /* arrays: item count */
    const uint8_t *value;   /* in the mapping: the scalar, the string's u64
                               length, or an array's first item */
} el_gguf_kv;

typedef struct {
    char *name;
    uint32_t type; /* ggml type id (nn/quant.h); may be one we cannot expand */
    int ndim;
    uint64_t ne[EL_GGUF_MAX_DIMS]; /* unused dims are 1 */
    uint64_t n_elems, nbytes;
    const uint8_t *data; /* in the mapping, nbytes long */
} el_gguf_tensor;

typedef struct {
    char *path;
    uint8_t *map;
    size_t size;
    uint32_t version;
    uint64_t alignment;
    el_gguf_kv *kvs;
    uint64_t n_kvs;
    el_gguf_tensor *tensors; /* file order */
    uint64_t n_tensors;
    uint64_t *by_name;       /* tensor indices sorted by name */
    uint64_t data_offset;    /* where tensor data starts in the file */
} el_gguf;

/* 1 if path is a regular file starting with the GGUF magic. */
int el_is_gguf_file(const char *path);
el_status el_gguf_open(el_gguf *g, const char *path);
void el_gguf_close(el_gguf *g);

const el_gguf_kv *el_gguf_find_kv(const el_gguf *g, const char *key);
const el_gguf_tensor *el_gguf_find_tensor(const el_gguf *g, const char *name);

/* Typed metadata getters: EL_ERR_CONFIG naming the file and key when the key
 * is missing or has another type. Integers accept any integer type whose
 * value fits; floats accept F32 and F64. */
el_status el_gguf_get_int(const el_gguf *g, const char *key, int64_t *out);
el_status el_gguf_get_float(const el_gguf *g, const char *key, double *out);
/* A string value: *s points into the mapping (not NUL-terminated). */
el_status el_gguf_get_str(const el_gguf *g, const char *key, const char **s, uint64_t *len);
/* Walk a string array: p starts at kv->value; returns the next item's start. */
const uint8_t *el_gguf_next_str(const uint8_t *p, const char **s, uint64_t *len);
/* An array's item size in bytes (0 for strings, whose size varies). */
size_t el_gguf_type_size(el_gguf_type t);
const char *el_gguf_type_name(uint32_t t);

/* Expand rows [row0, row0 + n_rows) of a tensor viewed as rows of ne[0]
 * values into dst (n_rows * ne[0] floats). EL_ERR_UNSUPPORTED naming the
 * tensor for a type nn/quant.h cannot expand; EL_ERR_ARG for rows out of
 * range. */
el_status el_gguf_expand_rows(const el_gguf *g, const el_gguf_tensor *t, uint64_t row0, uint64_t n_rows,
                              float *dst);

#endif
