/* safetensors on hostile bytes: the input is one .safetensors file. Open it
 * with el_st_open, then read every tensor as float32 with its own shape
 * (exact-size buffer, so ASan sees any overrun), ask for a wrong shape and a
 * missing name, and summarise dtypes.
 *
 * Contract checked: an open set's tensors are sorted, unique, inside the
 * mapping, nbytes = dtype size x element count; failures name the file;
 * F32/F16/BF16 tensors read back, other dtypes are EL_ERR_UNSUPPORTED. */
#include "entropy_lens.h"
#include "fuzz_util.h"
#include "weights/safetensors.h"

static int dtype_size(el_dtype d) { return d == EL_DT_F32 ? 4 : 2; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[1024];
    if (!path[0]) el_fuzz_path(path, sizeof path, "model.safetensors");
    el_fuzz_write(path, data, size);

    el_st_set set;
    el_status st = el_st_open(&set, path);
    if (st != EL_OK) {
        EL_FUZZ_CHECK_NAMES(el_last_error(), path);
        EL_FUZZ_CHECK(set.n_tensors == 0 && set.tensors == NULL && set.files == NULL,
                      "failed open left a populated set");
        return 0;
    }
    EL_FUZZ_CHECK(set.n_files == 1, "one file opened, set has %d", set.n_files);
    const uint8_t *lo = set.files[0].map, *hi = set.files[0].map + set.files[0].size;
    for (int i = 0; i < set.n_tensors; i++) {
        const el_st_tensor *t = &set.tensors[i];
        EL_FUZZ_CHECK(i == 0 || strcmp(set.tensors[i - 1].name, t->name) < 0, "tensors not sorted/unique at %d", i);
        EL_FUZZ_CHECK(t->ndim >= 0 && t->ndim <= EL_ST_MAX_DIMS, "ndim %d", t->ndim);
        EL_FUZZ_CHECK(t->data >= lo && t->data <= hi && t->nbytes <= (uint64_t)(hi - t->data),
                      "tensor '%s' data outside the mapping", t->name);
        EL_FUZZ_CHECK(el_st_find(&set, t->name) == t, "el_st_find('%s') does not find it", t->name);

        float *dst = malloc(t->n_elems ? (size_t)t->n_elems * sizeof(float) : 1);
        if (!dst) abort();
        st = el_st_read(&set, t->name, dst, t->ndim, t->shape);
        if (t->dtype == EL_DT_F32 || t->dtype == EL_DT_F16 || t->dtype == EL_DT_BF16) {
            EL_FUZZ_CHECK(t->nbytes == t->n_elems * (uint64_t)dtype_size(t->dtype), "tensor '%s': %llu bytes for %llu %s",
                          t->name, (unsigned long long)t->nbytes, (unsigned long long)t->n_elems, t->dtype_name);
            /* Non-finite values are refused on purpose (a corrupt checkpoint). */
            EL_FUZZ_CHECK(st == EL_OK || (st == EL_ERR_FORMAT && strstr(el_last_error(), "NaN or infinite")),
                          "reading '%s' (%s) failed: %s", t->name, t->dtype_name, el_last_error());
            volatile float acc = 0;
            for (uint64_t k = 0; k < t->n_elems; k++) acc += dst[k];
            (void)acc;
        } else {
            EL_FUZZ_CHECK(st == EL_ERR_UNSUPPORTED, "dtype %s read returned %s", t->dtype_name, el_status_name(st));
        }
        /* A shape that differs in one dimension (or rank) must be refused. */
        if (t->ndim > 0) {
            int64_t wrong[EL_ST_MAX_DIMS];
            memcpy(wrong, t->shape, sizeof wrong);
            wrong[t->ndim - 1] += 1;
            st = el_st_read(&set, t->name, dst, t->ndim, wrong);
            EL_FUZZ_CHECK(st == EL_ERR_FORMAT, "wrong shape accepted for '%s'", t->name);
        }
        if (t->ndim < EL_ST_MAX_DIMS) {
            int64_t more[EL_ST_MAX_DIMS];
            memcpy(more, t->shape, sizeof more);
            more[t->ndim] = 1;
            st = el_st_read(&set, t->name, dst, t->ndim + 1, more);
            EL_FUZZ_CHECK(st == EL_ERR_FORMAT, "wrong rank accepted for '%s'", t->name);
        }
        free(dst);
    }
    float one;
    int64_t shape1 = 1;
    if (!el_st_find(&set, "\x01no such tensor")) {
        st = el_st_read(&set, "\x01no such tensor", &one, 1, &shape1);
        EL_FUZZ_CHECK(st == EL_ERR_FORMAT, "missing tensor read returned %s", el_status_name(st));
    }
    (void)el_st_dtype_summary(&set);
    el_st_close(&set);
    return 0;
}
