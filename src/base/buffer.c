#include "base/buffer.h"

#include <stdlib.h>
#include <sys/mman.h>

float *el_buf_get(el_buf *b, size_t n) {
    if (n <= b->cap) return b->data;
    if (n > ((size_t)-1) / sizeof(float) / 2) return NULL;
    /* 64-byte alignment suits AVX-512 loads in OpenBLAS and our loops. */
    size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes);
    if (!p) return NULL;
    free(b->data);
    b->data = p;
    b->cap = n;
    return p;
}

void el_buf_free(el_buf *b) {
    free(b->data);
    b->data = NULL;
    b->cap = 0;
}

float *el_alloc_params(size_t n) {
    if (n > ((size_t)-1) / sizeof(float) / 2) return NULL;
    const size_t huge = (size_t)2 << 20;
    size_t bytes = (n * sizeof(float) + huge - 1) & ~(huge - 1);
    void *p = NULL;
    if (posix_memalign(&p, huge, bytes) != 0) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE); /* advisory: fine if the kernel says no */
#endif
    return p;
}

void el_free_params(float *p) { free(p); }
