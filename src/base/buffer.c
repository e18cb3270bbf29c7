#include "base/buffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

int el_grow(void *items, size_t *cap, size_t n, size_t elem, size_t min_cap) {
    if (n < *cap) return 0;
    const size_t nc = *cap ? *cap * 2 : min_cap;
    if (nc < n + 1 || nc > ((size_t)-1) / elem) return -1;
    void *old; /* the caller's T *, read and written bytewise (any object pointer type) */
    memcpy(&old, items, sizeof old);
    void *q = realloc(old, nc * elem);
    if (!q) return -1;
    memcpy(items, &q, sizeof q);
    *cap = nc;
    return 0;
}

void el_buf_free(el_buf *b) {
    free(b->data);
    b->data = NULL;
    b->cap = 0;
}

/* An anonymous mapping with MAP_NORESERVE: the arena is sized for every
 * parameter a checkpoint could need converted, but weights used in place
 * never touch it, so an 8 B model reserves 32 GB of address space and uses
 * little of it; without NORESERVE the kernel's overcommit heuristic refuses
 * a reservation larger than RAM. The mapping's start and length sit in a
 * header just below the 2 MB-aligned arena. */
typedef struct {
    void *base;
    size_t len;
} arena_header;

float *el_alloc_params(size_t n) {
    if (n > ((size_t)-1) / sizeof(float) / 4) return NULL;
    const size_t huge = (size_t)2 << 20;
    const size_t bytes = (n * sizeof(float) + huge - 1) & ~(huge - 1), len = bytes + huge;
    void *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return NULL;
    char *p = (char *)(((uintptr_t)base + sizeof(arena_header) + huge - 1) & ~(uintptr_t)(huge - 1));
    arena_header h = {base, len};
    memcpy(p - sizeof h, &h, sizeof h);
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE); /* advisory: fine if the kernel says no */
#endif
    return (float *)p;
}

void el_free_params(float *p) {
    if (!p) return;
    arena_header h;
    memcpy(&h, (char *)p - sizeof h, sizeof h);
    munmap(h.base, h.len);
}

void el_free_each(void *const *p, size_t n) {
    for (size_t i = 0; i < n; i++) free(p[i]);
}

void el_buf_free_each(el_buf *const *b, size_t n) {
    for (size_t i = 0; i < n; i++) el_buf_free(b[i]);
}
