/* Grow-only float scratch buffer: activations are allocated once per batch
 * size and reused, never freed and re-made inside the hot loop. */
#ifndef EL_BUFFER_H
#define EL_BUFFER_H

#include <stddef.h>

typedef struct {
    float *data;
    size_t cap; /* floats */
} el_buf;

/* Room for n floats (contents undefined), or NULL when out of memory. */
float *el_buf_get(el_buf *b, size_t n);
void el_buf_free(el_buf *b);

/* free() / el_buf_free() every pointer of a list: the arrays of a result or
 * the buffers of a work area, in one statement. */
void el_free_each(void *const *p, size_t n);
void el_buf_free_each(el_buf *const *b, size_t n);
#define EL_FREE_ALL(...) \
    el_free_each((void *const[]){__VA_ARGS__}, sizeof((void *const[]){__VA_ARGS__}) / sizeof(void *))
#define EL_BUF_FREE_ALL(...) \
    el_buf_free_each((el_buf *const[]){__VA_ARGS__}, sizeof((el_buf *const[]){__VA_ARGS__}) / sizeof(el_buf *))

/* Room for element n of a growable array: items points to the array
 * pointer (T **), *cap is its capacity in elements of elem bytes. When n ==
 * *cap the capacity doubles (first min_cap). 0, or -1 when out of memory
 * (the array is then unchanged). */
int el_grow(void *items, size_t *cap, size_t n, size_t elem, size_t min_cap);

/* The parameter arena: one allocation for every weight of a model, aligned
 * to 2 MB and marked for transparent huge pages (a 500 MB model is then
 * about 250 page faults instead of 120,000), reserved without being committed
 * (pages cost memory only when written). Free with el_free_params. */
float *el_alloc_params(size_t n_floats);
void el_free_params(float *p);

#endif
