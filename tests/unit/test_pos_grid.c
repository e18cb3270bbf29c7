/* src/nn/pos_grid.c against PyTorch (tests/fixtures/vision/pos_grid.json,
 * made by tools/fixtures/make_vision_family_fixtures.py): bicubic position
 * grid resampling as F.interpolate(align_corners=False) with and without
 * antialias, down, up, unchanged and non-square; BEiT's relative position
 * index and the bias gathered from a table. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/pos_grid.h"
#include "test_util.h"

#define FIXTURE EL_SOURCE_DIR "/tests/fixtures/vision/pos_grid.json"
#define TOL 1e-5

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

static int jint(const cJSON *o, const char *k) {
    return cJSON_GetObjectItemCaseSensitive(o, k)->valueint;
}

static float *floats(const cJSON *a, int n) {
    float *v = malloc(sizeof(float) * (size_t)n);
    if (!v || cJSON_GetArraySize(a) != n) {
        free(v);
        return NULL;
    }
    for (int i = 0; i < n; i++) v[i] = (float)cJSON_GetArrayItem(a, i)->valuedouble;
    return v;
}

static void test_interpolate(const cJSON *cases) {
    const cJSON *c;
    int n_cases = 0;
    cJSON_ArrayForEach(c, cases) {
        const int ih = jint(c, "in_h"), iw = jint(c, "in_w"), oh = jint(c, "out_h"), ow = jint(c, "out_w");
        const int dim = jint(c, "dim"), aa = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "antialias"));
        float *src = floats(cJSON_GetObjectItemCaseSensitive(c, "src"), ih * iw * dim);
        float *want = floats(cJSON_GetObjectItemCaseSensitive(c, "dst"), oh * ow * dim);
        float *got = calloc((size_t)oh * ow * dim, sizeof(float));
        CHECK(src && want && got);
        if (src && want && got) {
            CHECK(el_pos_interp_bicubic(src, ih, iw, dim, oh, ow, aa, got) == 0);
            double worst = 0;
            for (int i = 0; i < oh * ow * dim; i++) worst = fmax(worst, fabs((double)got[i] - want[i]));
            CHECK_MSG(worst <= TOL, "%dx%d -> %dx%d antialias %d: max |d| %.3g", ih, iw, oh, ow, aa, worst);
        }
        free(src);
        free(want);
        free(got);
        n_cases++;
    }
    CHECK(n_cases >= 8);
}

static void test_rel_index(const cJSON *cases) {
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        const int gh = jint(c, "gh"), gw = jint(c, "gw"), T = gh * gw + 1;
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "index");
        int *idx = malloc(sizeof(int) * (size_t)T * T);
        CHECK(idx && cJSON_GetArraySize(want) == T * T);
        if (!idx || cJSON_GetArraySize(want) != T * T) {
            free(idx);
            continue;
        }
        el_rel_pos_index(gh, gw, idx);
        int bad = 0;
        for (int k = 0; k < T * T; k++) bad += idx[k] != cJSON_GetArrayItem(want, k)->valueint;
        CHECK_MSG(bad == 0, "%dx%d grid: %d index entries differ", gh, gw, bad);
        /* The bias gathers table rows per head and accumulates. */
        const int heads = 2, n_rel = (2 * gh - 1) * (2 * gw - 1) + 3;
        float *table = malloc(sizeof(float) * (size_t)n_rel * heads);
        float *bias = calloc((size_t)heads * T * T, sizeof(float));
        if (table && bias) {
            for (int r = 0; r < n_rel * heads; r++) table[r] = (float)r;
            el_rel_pos_bias_add(table, heads, gh, gw, idx, bias);
            el_rel_pos_bias_add(table, heads, gh, gw, idx, bias);
            int wrong = 0;
            for (int h = 0; h < heads; h++)
                for (int k = 0; k < T * T; k++) wrong += bias[(size_t)h * T * T + k] != 2.0f * (float)(idx[k] * heads + h);
            CHECK(wrong == 0);
        }
        free(table);
        free(bias);
        free(idx);
    }
}

int main(void) {
    char *s = slurp(FIXTURE);
    cJSON *j = s ? cJSON_Parse(s) : NULL;
    CHECK_MSG(j != NULL, "cannot read %s", FIXTURE);
    if (j) {
        test_interpolate(cJSON_GetObjectItemCaseSensitive(j, "interpolate"));
        test_rel_index(cJSON_GetObjectItemCaseSensitive(j, "relative_position_index"));
    }
    cJSON_Delete(j);
    free(s);
    return el_test_finish("test_pos_grid");
}
