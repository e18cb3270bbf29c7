/* GGUF reader: parse and validate the whole header against the mapping (see
 * gguf.h), then serve metadata and tensors from it. Every count is checked
 * against the bytes left before anything is allocated for it, so allocations
 * never exceed a small multiple of the file size. */
#include "weights/gguf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/mapfile.h"
#include "base/status.h"
#include "nn/quant.h"

#define GGUF_DEFAULT_ALIGNMENT 32
#define GGUF_MAX_KEY 65535 /* the spec's limit on key length */
#define GGUF_MAX_NAME 1024 /* ggml allows 64; be lenient but bounded */

typedef struct {
    const uint8_t *p, *end;
    const char *path;
} cursor;

static uint64_t left(const cursor *c) { return (uint64_t)(c->end - c->p); }

static el_status need(const cursor *c, uint64_t n, const char *field) {
    if (left(c) < n)
        return el_fail(EL_ERR_FORMAT, "%s: truncated GGUF: %s needs %llu bytes, %llu left", c->path, field,
                       (unsigned long long)n, (unsigned long long)left(c));
    return EL_OK;
}

static uint64_t le(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static el_status rd_u32(cursor *c, uint32_t *v, const char *field) {
    EL_TRY(need(c, 4, field));
    *v = (uint32_t)le(c->p, 4);
    c->p += 4;
    return EL_OK;
}

static el_status rd_u64(cursor *c, uint64_t *v, const char *field) {
    EL_TRY(need(c, 8, field));
    *v = le(c->p, 8);
    c->p += 8;
    return EL_OK;
}

/* A string: u64 length then bytes, kept in the mapping. */
static el_status rd_str(cursor *c, const char **s, uint64_t *len, uint64_t max, const char *field) {
    EL_TRY(rd_u64(c, len, field));
    if (*len > max)
        return el_fail(EL_ERR_FORMAT, "%s: GGUF %s is %llu bytes long (limit %llu)", c->path, field,
                       (unsigned long long)*len, (unsigned long long)max);
    EL_TRY(need(c, *len, field));
    *s = (const char *)c->p;
    c->p += *len;
    return EL_OK;
}

/* A key or tensor name: a string copied to the heap, NUL-terminated. */
static el_status rd_name(cursor *c, uint64_t max, const char *field, char **out) {
    const char *s = NULL;
    uint64_t len;
    EL_TRY(rd_str(c, &s, &len, max, field));
    if (memchr(s, 0, len)) return el_fail(EL_ERR_FORMAT, "%s: GGUF %s with a NUL byte", c->path, field);
    *out = malloc(len + 1);
    if (!*out) return el_fail(EL_ERR_NOMEM, "%s: out of memory", c->path);
    memcpy(*out, s, len);
    (*out)[len] = 0;
    return EL_OK;
}

size_t el_gguf_type_size(el_gguf_type t) {
    static const size_t sz[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    return (unsigned)t < sizeof sz / sizeof sz[0] ? sz[t] : 0;
}

const char *el_gguf_type_name(uint32_t t) {
    static const char *const n[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                    "bool", "string", "array", "u64", "i64", "f64"};
    return t < sizeof n / sizeof n[0] ? n[t] : "(unknown)";
}

/* Skip one value of type t (not an array), checking it fits. */
static el_status skip_value(cursor *c, uint32_t t, const char *key) {
    if (t == EL_GGUF_STRING) {
        const char *s = NULL;
        uint64_t len;
        return rd_str(c, &s, &len, UINT64_MAX, key);
    }
    size_t sz = el_gguf_type_size((el_gguf_type)t);
    if (!sz) return el_fail(EL_ERR_FORMAT, "%s: GGUF key '%s' has unknown value type %u", c->path, key, t);
    EL_TRY(need(c, sz, key));
    c->p += sz;
    return EL_OK;
}

static el_status parse_kv(cursor *c, el_gguf_kv *kv) {
    uint32_t t;
    EL_TRY(rd_name(c, GGUF_MAX_KEY, "metadata key", &kv->key));
    EL_TRY(rd_u32(c, &t, kv->key));
    kv->type = (el_gguf_type)t;
    if (t != EL_GGUF_ARRAY) {
        kv->value = c->p;
        return skip_value(c, t, kv->key);
    }
    EL_TRY(rd_u32(c, &t, kv->key));
    if (t == EL_GGUF_ARRAY)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF key '%s' is an array of arrays", c->path, kv->key);
    kv->item_type = (el_gguf_type)t;
    EL_TRY(rd_u64(c, &kv->n_items, kv->key));
    kv->value = c->p;
    size_t sz = el_gguf_type_size((el_gguf_type)t);
    if (t == EL_GGUF_STRING) {
        if (kv->n_items > left(c) / 8) return need(c, UINT64_MAX, kv->key); /* each string >= 8 bytes */
        for (uint64_t i = 0; i < kv->n_items; i++) EL_TRY(skip_value(c, t, kv->key));
        return EL_OK;
    }
    if (!sz) return el_fail(EL_ERR_FORMAT, "%s: GGUF key '%s' has unknown item type %u", c->path, kv->key, t);
    if (kv->n_items > left(c) / sz)
        return el_fail(EL_ERR_FORMAT, "%s: truncated GGUF: array '%s' of %llu %s items", c->path, kv->key,
                       (unsigned long long)kv->n_items, el_gguf_type_name(t));
    c->p += kv->n_items * sz;
    return EL_OK;
}

static el_status parse_tensor_info(cursor *c, el_gguf_tensor *t) {
    uint32_t nd;
    EL_TRY(rd_name(c, GGUF_MAX_NAME, "tensor name", &t->name));
    EL_TRY(rd_u32(c, &nd, t->name));
    if (nd < 1 || nd > EL_GGUF_MAX_DIMS)
        return el_fail(EL_ERR_FORMAT, "%s: GGUF tensor '%s' has %u dimensions (1..%d)", c->path, t->name, nd,
                       EL_GGUF_MAX_DIMS);
    t->ndim = (int)nd;
    t->n_elems = 1;
    for (int i = 0; i < EL_GGUF_MAX_DIMS; i++) {
        t->ne[i] = 1;
        if (i < t->ndim) EL_TRY(rd_u64(c, &t->ne[i], t->name));
        if (t->ne[i] && t->n_elems > UINT64_MAX / t->ne[i])
            return el_fail(EL_ERR_FORMAT, "%s: GGUF tensor '%s': element count overflows", c->path, t->name);
        t->n_elems *= t->ne[i];
    }
    EL_TRY(rd_u32(c, &t->type, t->name));
    uint64_t off;
    EL_TRY(rd_u64(c, &off, t->name));
    t->data = (const uint8_t *)(uintptr_t)off; /* relative until the data start is known */
    const el_qtype_info *q = el_qtype_get(t->type);
    if (!q)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF tensor '%s' has type %s (%u), not one we read", c->path,
                       t->name, el_qtype_name(t->type), t->type);
    if (t->ne[0] % (uint64_t)q->block_elems)
        return el_fail(EL_ERR_FORMAT, "%s: GGUF tensor '%s': row of %llu is not a multiple of the %s block (%d)",
                       c->path, t->name, (unsigned long long)t->ne[0], q->name, q->block_elems);
    t->nbytes = el_qtype_row_bytes(t->type, t->n_elems);
    if (!t->nbytes && t->n_elems)
        return el_fail(EL_ERR_FORMAT, "%s: GGUF tensor '%s': size overflows", c->path, t->name);
    return EL_OK;
}

static const el_gguf *sort_ctx; /* qsort has no context argument; open is not reentrant on this */

static int cmp_by_name(const void *a, const void *b) {
    return strcmp(sort_ctx->tensors[*(const uint64_t *)a].name, sort_ctx->tensors[*(const uint64_t *)b].name);
}

static int cmp_kv(const void *a, const void *b) {
    return strcmp((*(const el_gguf_kv *const *)a)->key, (*(const el_gguf_kv *const *)b)->key);
}

/* Duplicate keys or tensor names make lookups ambiguous: refuse them. */
static el_status check_unique(el_gguf *g) {
    g->by_name = malloc((g->n_tensors ? g->n_tensors : 1) * sizeof *g->by_name);
    const el_gguf_kv **kv = malloc((g->n_kvs ? g->n_kvs : 1) * sizeof *kv);
    if (!g->by_name || !kv) {
        free(kv);
        return el_fail(EL_ERR_NOMEM, "%s: out of memory", g->path);
    }
    for (uint64_t i = 0; i < g->n_tensors; i++) g->by_name[i] = i;
    sort_ctx = g;
    qsort(g->by_name, g->n_tensors, sizeof *g->by_name, cmp_by_name);
    for (uint64_t i = 0; i < g->n_kvs; i++) kv[i] = &g->kvs[i];
    qsort(kv, g->n_kvs, sizeof *kv, cmp_kv);
    el_status st = EL_OK;
    for (uint64_t i = 1; i < g->n_kvs && st == EL_OK; i++)
        if (!strcmp(kv[i - 1]->key, kv[i]->key))
            st = el_fail(EL_ERR_FORMAT, "%s: GGUF metadata key '%s' appears twice", g->path, kv[i]->key);
    free(kv);
    for (uint64_t i = 1; i < g->n_tensors && st == EL_OK; i++) {
        const char *a = g->tensors[g->by_name[i - 1]].name, *b = g->tensors[g->by_name[i]].name;
        if (!strcmp(a, b)) st = el_fail(EL_ERR_FORMAT, "%s: GGUF tensor '%s' appears twice", g->path, b);
    }
    return st;
}

/* general.alignment, then every tensor's offset against the data section. */
static el_status place_tensors(el_gguf *g, uint64_t header_end) {
    g->alignment = GGUF_DEFAULT_ALIGNMENT;
    const el_gguf_kv *a = el_gguf_find_kv(g, "general.alignment");
    if (a) {
        if (a->type != EL_GGUF_U32)
            return el_fail(EL_ERR_FORMAT, "%s: GGUF general.alignment is %s, not u32", g->path,
                           el_gguf_type_name(a->type));
        g->alignment = le(a->value, 4);
        if (!g->alignment || (g->alignment & (g->alignment - 1)))
            return el_fail(EL_ERR_FORMAT, "%s: GGUF general.alignment %llu is not a power of two", g->path,
                           (unsigned long long)g->alignment);
    }
    g->data_offset = (header_end + g->alignment - 1) / g->alignment * g->alignment;
    uint64_t data_size = g->data_offset <= g->size ? g->size - g->data_offset : 0;
    if (g->n_tensors && g->data_offset > g->size)
        return el_fail(EL_ERR_FORMAT, "%s: truncated GGUF: no tensor data after the header", g->path);
    for (uint64_t i = 0; i < g->n_tensors; i++) {
        el_gguf_tensor *t = &g->tensors[i];
        uint64_t off = (uint64_t)(uintptr_t)t->data;
        if (off % g->alignment)
            return el_fail(EL_ERR_FORMAT, "%s: GGUF tensor '%s': offset %llu is not a multiple of the alignment %llu",
                           g->path, t->name, (unsigned long long)off, (unsigned long long)g->alignment);
        if (off > data_size || t->nbytes > data_size - off)
            return el_fail(EL_ERR_FORMAT, "%s: truncated GGUF: tensor '%s' (%llu bytes at %llu) ends past the file",
                           g->path, t->name, (unsigned long long)t->nbytes, (unsigned long long)off);
        t->data = g->map + g->data_offset + off;
    }
    return EL_OK;
}

static el_status parse(el_gguf *g) {
    cursor c = {g->map, g->map + g->size, g->path};
    uint32_t magic;
    uint64_t nt, nkv;
    EL_TRY(rd_u32(&c, &magic, "magic"));
    if (magic != 0x46554747u) return el_fail(EL_ERR_FORMAT, "%s: not a GGUF file (no GGUF magic)", g->path);
    EL_TRY(rd_u32(&c, &g->version, "version"));
    if (g->version != 2 && g->version != 3)
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF version %u (only 2 and 3 are read)", g->path, g->version);
    EL_TRY(rd_u64(&c, &nt, "tensor count"));
    EL_TRY(rd_u64(&c, &nkv, "metadata count"));
    /* A key/value takes >= 12 bytes and a tensor info >= 24: bound both by
     * what is left before allocating. */
    if (nkv > left(&c) / 12 || nt > left(&c) / 24)
        return el_fail(EL_ERR_FORMAT, "%s: truncated GGUF: %llu tensors and %llu keys cannot fit in %zu bytes",
                       g->path, (unsigned long long)nt, (unsigned long long)nkv, g->size);
    g->kvs = calloc(nkv ? nkv : 1, sizeof *g->kvs);
    g->tensors = calloc(nt ? nt : 1, sizeof *g->tensors);
    if (!g->kvs || !g->tensors) return el_fail(EL_ERR_NOMEM, "%s: out of memory", g->path);
    /* Count an entry before parsing it, so close frees a half-parsed one's name. */
    while (g->n_kvs < nkv) EL_TRY(parse_kv(&c, &g->kvs[g->n_kvs++]));
    while (g->n_tensors < nt) EL_TRY(parse_tensor_info(&c, &g->tensors[g->n_tensors++]));
    /* Tensor infos still hold relative offsets: find_kv may run but not tensor lookups yet. */
    EL_TRY(check_unique(g));
    return place_tensors(g, (uint64_t)(c.p - g->map));
}

el_status el_gguf_open(el_gguf *g, const char *path) {
    memset(g, 0, sizeof *g);
    g->path = strdup(path);
    if (!g->path) return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    /* No MAP_POPULATE: a quantised model is read tile by tile, on demand. */
    el_status st = el_map_file(path, 24, "GGUF header", 0, &g->map, &g->size);
    if (st == EL_OK) st = parse(g);
    if (st != EL_OK) el_gguf_close(g);
    return st;
}

int el_is_gguf_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char magic[4] = {0};
    int ok = f && fread(magic, 1, 4, f) == 4 && !memcmp(magic, "GGUF", 4);
    if (f) fclose(f);
    return ok;
}

void el_gguf_close(el_gguf *g) {
    for (uint64_t i = 0; i < g->n_kvs; i++) free(g->kvs[i].key);
    for (uint64_t i = 0; i < g->n_tensors; i++) free(g->tensors[i].name);
    free(g->kvs);
    free(g->tensors);
    free(g->by_name);
    if (g->map) munmap(g->map, g->size);
    free(g->path);
    memset(g, 0, sizeof *g);
}

const el_gguf_kv *el_gguf_find_kv(const el_gguf *g, const char *key) {
    for (uint64_t i = 0; i < g->n_kvs; i++)
        if (g->kvs[i].key && !strcmp(g->kvs[i].key, key)) return &g->kvs[i];
    return NULL;
}

const el_gguf_tensor *el_gguf_find_tensor(const el_gguf *g, const char *name) {
    uint64_t lo = 0, hi = g->by_name ? g->n_tensors : 0;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        const el_gguf_tensor *t = &g->tensors[g->by_name[mid]];
        int c = strcmp(t->name, name);
        if (!c) return t;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static el_status find_typed(const el_gguf *g, const char *key, const el_gguf_kv **kv) {
    *kv = el_gguf_find_kv(g, key);
    if (!*kv) return el_fail(EL_ERR_CONFIG, "%s: GGUF metadata has no '%s'", g->path, key);
    return EL_OK;
}

static el_status wrong_type(const el_gguf *g, const el_gguf_kv *kv, const char *want) {
    return el_fail(EL_ERR_CONFIG, "%s: GGUF metadata '%s' is %s, expected %s", g->path, kv->key,
                   el_gguf_type_name(kv->type), want);
}

el_status el_gguf_get_int(const el_gguf *g, const char *key, int64_t *out) {
    const el_gguf_kv *kv;
    EL_TRY(find_typed(g, key, &kv));
    const uint8_t *p = kv->value;
    switch (kv->type) {
    case EL_GGUF_U8: case EL_GGUF_BOOL: *out = p[0]; break;
    case EL_GGUF_I8: *out = (int8_t)p[0]; break;
    case EL_GGUF_U16: *out = (int64_t)le(p, 2); break;
    case EL_GGUF_I16: *out = (int16_t)le(p, 2); break;
    case EL_GGUF_U32: *out = (int64_t)le(p, 4); break;
    case EL_GGUF_I32: *out = (int32_t)le(p, 4); break;
    case EL_GGUF_I64: *out = (int64_t)le(p, 8); break;
    case EL_GGUF_U64:
        if (le(p, 8) > INT64_MAX) return el_fail(EL_ERR_CONFIG, "%s: GGUF metadata '%s' is too large", g->path, key);
        *out = (int64_t)le(p, 8);
        break;
    default: return wrong_type(g, kv, "an integer");
    }
    return EL_OK;
}

el_status el_gguf_get_float(const el_gguf *g, const char *key, double *out) {
    const el_gguf_kv *kv;
    EL_TRY(find_typed(g, key, &kv));
    if (kv->type == EL_GGUF_F32) {
        uint32_t b = (uint32_t)le(kv->value, 4);
        float f;
        memcpy(&f, &b, 4);
        *out = f;
    } else if (kv->type == EL_GGUF_F64) {
        uint64_t b = le(kv->value, 8);
        memcpy(out, &b, 8);
    } else {
        return wrong_type(g, kv, "a float");
    }
    return EL_OK;
}

el_status el_gguf_get_str(const el_gguf *g, const char *key, const char **s, uint64_t *len) {
    const el_gguf_kv *kv;
    EL_TRY(find_typed(g, key, &kv));
    if (kv->type != EL_GGUF_STRING) return wrong_type(g, kv, "a string");
    el_gguf_next_str(kv->value, s, len);
    return EL_OK;
}

const uint8_t *el_gguf_next_str(const uint8_t *p, const char **s, uint64_t *len) {
    *len = le(p, 8);
    *s = (const char *)(p + 8);
    return p + 8 + *len;
}

el_status el_gguf_expand_rows(const el_gguf *g, const el_gguf_tensor *t, uint64_t row0, uint64_t n_rows,
                              float *dst) {
    uint64_t rows = t->ne[0] ? t->n_elems / t->ne[0] : 0;
    if (row0 > rows || n_rows > rows - row0)
        return el_fail(EL_ERR_ARG, "%s: GGUF tensor '%s': rows %llu..%llu of %llu", g->path, t->name,
                       (unsigned long long)row0, (unsigned long long)(row0 + n_rows), (unsigned long long)rows);
    if (!el_qtype_get(t->type))
        return el_fail(EL_ERR_UNSUPPORTED, "%s: GGUF tensor '%s' has type %s", g->path, t->name,
                       el_qtype_name(t->type));
    uint64_t row_bytes = el_qtype_row_bytes(t->type, t->ne[0]);
    el_quant_expand((el_qtype)t->type, t->data + row0 * row_bytes, dst, (size_t)(n_rows * t->ne[0]));
    return EL_OK;
}
