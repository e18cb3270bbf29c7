/* Stored weight precisions and their expansion to float32, exactly as
 * llama.cpp's ggml defines them (ggml-quants.c, dequantize_row_*): the type
 * ids are ggml's, so a GGUF tensor's type field indexes this table directly.
 *
 * A type stores elements in blocks: `block_elems` values in `block_bytes`
 * bytes (1 element for F32/F16/BF16, 32 for Q8_0/Q4_0, 256-element
 * super-blocks for the K-quants). A row's length must be a multiple of
 * block_elems; el_quant_expand expands any whole number of blocks, so a tile
 * of rows of a matrix is one call. */
#ifndef EL_QUANT_H
#define EL_QUANT_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    EL_Q_F32 = 0,
    EL_Q_F16 = 1,
    EL_Q_Q4_0 = 2,
    EL_Q_Q8_0 = 8,
    EL_Q_Q4_K = 12,
    EL_Q_Q5_K = 13,
    EL_Q_Q6_K = 14,
    EL_Q_BF16 = 30,
} el_qtype;

typedef struct {
    const char *name;  /* ggml's name: "F32", "Q4_K", ... */
    int block_elems;   /* values per block */
    int block_bytes;   /* bytes per block */
} el_qtype_info;

/* The layout of ggml type id `type`, or NULL for a type we do not expand
 * (Q4_1, Q5_0, Q2_K, IQ*, ... or an id ggml does not define). */
const el_qtype_info *el_qtype_get(uint32_t type);
/* A name for any ggml type id (also the ones we do not expand), for errors. */
const char *el_qtype_name(uint32_t type);
/* Bytes of n_elems values of `type`; 0 when the type is unknown, n_elems is
 * not a multiple of its block or the size overflows. */
uint64_t el_qtype_row_bytes(uint32_t type, uint64_t n_elems);

/* Expand n_elems values (a multiple of the type's block) stored at src into
 * dst. The caller has checked the type with el_qtype_get. */
void el_quant_expand(el_qtype type, const void *src, float *dst, size_t n_elems);
/* ggml's get_scale_min_k4: the j-th (0..7) 6-bit scale and min of a Q4_K or
 * Q5_K block from its 12 scale bytes. */
void el_q4k_scale_min(int j, const uint8_t *scales, uint8_t *sc, uint8_t *m);
/* The 256 values q - 32 of one Q6_K block (210 bytes), in element order. */
void el_q6k_decode(const uint8_t *block, int8_t *q);

#endif
