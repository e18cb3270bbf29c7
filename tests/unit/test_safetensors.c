/* The safetensors reader on valid files and on every kind of malformed
 * header: each must be refused with EL_ERR_FORMAT and a message naming the
 * file or tensor, never read out of bounds. Files are built here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "weights/safetensors.h"

static char dir[256];

/* Write header JSON + data bytes as a safetensors file; hlen_override != 0
 * writes a lying header length. */
static const char *write_st(const char *name, const char *json, const void *data, size_t n, uint64_t hlen_override) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    uint64_t hl = hlen_override ? hlen_override : strlen(json);
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(hl >> (8 * i));
    fwrite(le, 1, 8, f);
    fwrite(json, 1, strlen(json), f);
    if (n) fwrite(data, 1, n, f);
    fclose(f);
    return path;
}

static void expect_format_error(const char *name, const char *json, const void *data, size_t n, uint64_t hl,
                                const char *needle) {
    el_st_set set;
    el_status st = el_st_open(&set, write_st(name, json, data, n, hl));
    CHECK_MSG(st == EL_ERR_FORMAT, "%s: status %d", name, st);
    CHECK_MSG(strstr(el_last_error(), needle) != NULL, "%s: message '%s' lacks '%s'", name, el_last_error(), needle);
    CHECK_MSG(strstr(el_last_error(), name) != NULL, "%s: message '%s' does not name the file", name, el_last_error());
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/el_test_st_XXXXXX");
    if (!mkdtemp(dir)) return 1;

    /* A valid file with F32, F16 and BF16 tensors, the F16 one unaligned. */
    float f32[6] = {1, -2, 3.5f, 0, 1e-3f, -7};
    uint16_t f16[3] = {0x3c00, 0xc000, 0x0001}; /* 1, -2, smallest subnormal */
    uint16_t bf16[2] = {0x3f80, 0xc0a0};        /* 1, -5 */
    unsigned char data[24 + 1 + 6 + 4];
    memcpy(data, f32, 24);
    data[24] = 0xAA; /* padding byte: makes the F16 tensor start at an odd offset */
    memcpy(data + 25, f16, 6);
    memcpy(data + 31, bf16, 4);
    const char *good =
        "{\"__metadata__\":{\"format\":\"pt\"},"
        "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
        "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[25,31]},"
        "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[31,35]}}";
    el_st_set set;
    CHECK(el_st_open(&set, write_st("good.safetensors", good, data, sizeof data, 0)) == EL_OK);
    float out[6];
    CHECK(el_st_read(&set, "a", out, 2, (int64_t[]){2, 3}) == EL_OK);
    CHECK(memcmp(out, f32, 24) == 0);
    CHECK(el_st_read(&set, "h", out, 1, (int64_t[]){3}) == EL_OK);
    CHECK(out[0] == 1.0f && out[1] == -2.0f);
    CHECK_NEAR(out[2], 5.960464477539063e-08, 1e-20);
    CHECK(el_st_read(&set, "b", out, 1, (int64_t[]){2}) == EL_OK);
    CHECK(out[0] == 1.0f && out[1] == -5.0f);
    /* Wrong expected shape and missing names are refused with the name. */
    CHECK(el_st_read(&set, "a", out, 2, (int64_t[]){3, 2}) == EL_ERR_FORMAT);
    CHECK(strstr(el_last_error(), "'a'") && strstr(el_last_error(), "[2,3]"));
    CHECK(el_st_read(&set, "nope", out, 1, (int64_t[]){1}) == EL_ERR_FORMAT);
    CHECK(strstr(el_last_error(), "'nope'") != NULL);
    CHECK(strcmp(el_st_dtype_summary(&set), "mixed") == 0);
    el_st_close(&set);

    /* F16 conversion: infinities, NaN, max normal. */
    CHECK(el_f16_to_f32(0x7c00) == INFINITY);
    CHECK(isnan(el_f16_to_f32(0x7e00)));
    CHECK(el_f16_to_f32(0x7bff) == 65504.0f);
    CHECK(el_f16_to_f32(0x8000) == 0.0f);

    /* Malformed files. */
    unsigned char zeros[64] = {0};
    expect_format_error("empty_header.safetensors", "", NULL, 0, 0, "JSON");
    {
        /* A 5-byte file: shorter than the length prefix itself. */
        char p[512];
        snprintf(p, sizeof p, "%s/tiny.safetensors", dir);
        FILE *f = fopen(p, "wb");
        fwrite("\x01\x02\x03\x04\x05", 1, 5, f);
        fclose(f);
        CHECK(el_st_open(&set, p) == EL_ERR_FORMAT);
    }
    expect_format_error("hlen.safetensors", "{}", NULL, 0, 1u << 20, "past the end");
    expect_format_error("hlen_huge.safetensors", "{}", NULL, 0, UINT64_MAX, "past the end");
    expect_format_error("notjson.safetensors", "{\"a\": [1, 2", NULL, 0, 0, "not a JSON object");
    expect_format_error("array.safetensors", "[1,2,3]", NULL, 0, 0, "not a JSON object");
    expect_format_error("range.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", zeros,
                        8, 0, "outside");
    expect_format_error("neg.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", zeros, 8,
                        0, "outside");
    expect_format_error("backwards.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", zeros,
                        8, 0, "outside");
    expect_format_error("size.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", zeros, 8,
                        0, "do not match");
    expect_format_error("overflow.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,0]}}", zeros, 8,
                        0, "do not match");
    expect_format_error("dtype.safetensors", "{\"a\":{\"dtype\":\"Q4_K\",\"shape\":[1],\"data_offsets\":[0,4]}}", zeros, 8,
                        0, "unknown dtype");
    expect_format_error("overlap.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        zeros, 16, 0, "overlap");
    expect_format_error("fields.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", zeros, 8, 0, "data_offsets");
    expect_format_error("shape.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", zeros,
                        8, 0, "shape");
    expect_format_error("dims.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", zeros, 8, 0,
                        "dimensions");
    /* Non-finite values are refused on read, naming the tensor. */
    {
        float bad[2] = {1.0f, NAN};
        CHECK(el_st_open(&set, write_st("nan.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                                        bad, 8, 0)) == EL_OK);
        CHECK(el_st_read(&set, "w", out, 1, (int64_t[]){2}) == EL_ERR_FORMAT);
        CHECK(strstr(el_last_error(), "'w'") && strstr(el_last_error(), "NaN"));
        el_st_close(&set);
    }
    /* A known but unsupported dtype validates, then is refused on read. */
    CHECK(el_st_open(&set, write_st("i64.safetensors", "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                                    zeros, 8, 0)) == EL_OK);
    CHECK(el_st_read(&set, "a", out, 1, (int64_t[]){1}) == EL_ERR_UNSUPPORTED);
    el_st_close(&set);

    /* Sharded index: a shard name escaping the folder, and a missing tensor. */
    char sub[400], p[512];
    snprintf(sub, sizeof sub, "%s/sharded", dir);
    mkdir(sub, 0755);
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", sub);
    FILE *f = fopen(p, "w");
    fputs("{\"weight_map\":{\"a\":\"../good.safetensors\"}}", f);
    fclose(f);
    CHECK(el_st_open(&set, sub) == EL_ERR_FORMAT);
    CHECK(strstr(el_last_error(), "not a file name") != NULL);
    snprintf(p, sizeof p, "%s/shard.safetensors", sub);
    FILE *g = fopen(p, "wb");
    const char *hdr = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    uint64_t hl = strlen(hdr);
    fwrite(&hl, 8, 1, g);
    fputs(hdr, g);
    fwrite(zeros, 1, 4, g);
    fclose(g);
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", sub);
    f = fopen(p, "w");
    fputs("{\"weight_map\":{\"a\":\"shard.safetensors\",\"b\":\"shard.safetensors\"}}", f);
    fclose(f);
    CHECK(el_st_open(&set, sub) == EL_ERR_FORMAT);
    CHECK(strstr(el_last_error(), "'b'") != NULL);
    f = fopen(p, "w");
    fputs("{\"weight_map\":{\"a\":\"shard.safetensors\"}}", f);
    fclose(f);
    CHECK(el_st_open(&set, sub) == EL_OK);
    CHECK(el_st_find(&set, "a") != NULL && set.n_files == 1);
    el_st_close(&set);
    /* A missing file and an empty folder are I/O errors. */
    CHECK(el_st_open(&set, "/nonexistent/model.safetensors") == EL_ERR_IO);
    char empty[400];
    snprintf(empty, sizeof empty, "%s/empty", dir);
    mkdir(empty, 0755);
    CHECK(el_st_open(&set, empty) == EL_ERR_IO);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return el_test_finish("test_safetensors");
}
