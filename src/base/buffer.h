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

/* The parameter arena: one allocation for every weight of a model, aligned
 * to 2 MB and marked for transparent huge pages (a 500 MB model is then
 * about 250 page faults instead of 120,000), reserved without being committed
 * (pages cost memory only when written). Free with el_free_params. */
float *el_alloc_params(size_t n_floats);
void el_free_params(float *p);

#endif
