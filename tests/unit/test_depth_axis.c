/* The two normalised depth axes (analysis/dataset.h, --depth-axis): exact
 * positions of every block, resampling along each, and a data set of two
 * depths aligned on the paper's l/L axis. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/dataset.h"
#include "test_util.h"

static void check_vec(const double *got, const double *want, int n, const char *what) {
    for (int i = 0; i < n; i++) CHECK_MSG(fabs(got[i] - want[i]) < 1e-12, "%s[%d] = %g, want %g", what, i, got[i], want[i]);
}

int main(void) {
    double x[8];
    /* ends: block l of 4 at (l-1)/3; fraction: at l/4; with embeddings
     * (first_layer 0, 5 values) they sit at 0 and blocks at l/4. */
    for (int i = 0; i < 4; i++) x[i] = el_depth_x(EL_DEPTH_AXIS_ENDS, i, 4, 1);
    check_vec(x, (const double[]){0, 1.0 / 3, 2.0 / 3, 1}, 4, "ends");
    for (int i = 0; i < 4; i++) x[i] = el_depth_x(EL_DEPTH_AXIS_FRACTION, i, 4, 1);
    check_vec(x, (const double[]){0.25, 0.5, 0.75, 1}, 4, "fraction");
    for (int i = 0; i < 5; i++) x[i] = el_depth_x(EL_DEPTH_AXIS_FRACTION, i, 5, 0);
    check_vec(x, (const double[]){0, 0.25, 0.5, 0.75, 1}, 5, "fraction with embeddings");
    CHECK(el_depth_x(EL_DEPTH_AXIS_FRACTION, 0, 1, 1) == 1 && el_depth_x(EL_DEPTH_AXIS_ENDS, 0, 1, 1) == 0);

    /* Resampling [1,2,3,4]: ends onto 2 points takes the ends; fraction
     * onto 2 points takes blocks 2 and 4 of 4 (t = 1/2, 1); onto 8 points
     * t = 1/8 .. 1, the first block's value held below 1/4. */
    const double p[4] = {1, 2, 3, 4};
    el_profile_resample_axis(EL_DEPTH_AXIS_ENDS, p, 4, 1, 1, x, 2, 1);
    check_vec(x, (const double[]){1, 4}, 2, "ends 4->2");
    el_profile_resample_axis(EL_DEPTH_AXIS_FRACTION, p, 4, 1, 1, x, 2, 1);
    check_vec(x, (const double[]){2, 4}, 2, "fraction 4->2");
    el_profile_resample_axis(EL_DEPTH_AXIS_FRACTION, p, 4, 1, 1, x, 8, 1);
    check_vec(x, (const double[]){1, 1, 1.5, 2, 2.5, 3, 3.5, 4}, 8, "fraction 4->8");
    el_profile_resample_axis(EL_DEPTH_AXIS_FRACTION, (const double[]){0, 6}, 2, 1, 1, x, 3, 1);
    check_vec(x, (const double[]){0, 2, 6}, 3, "fraction 2->3");
    el_profile_resample_axis(EL_DEPTH_AXIS_ENDS, (const double[]){0, 6}, 2, 1, 1, x, 3, 1);
    check_vec(x, (const double[]){0, 3, 6}, 3, "ends 2->3");
    /* embeddings + 2 blocks at 0, 1/2, 1 onto 4 blocks: t = 1/4 .. 1 */
    el_profile_resample_axis(EL_DEPTH_AXIS_FRACTION, (const double[]){8, 4, 0}, 3, 0, 1, x, 4, 1);
    check_vec(x, (const double[]){6, 4, 2, 0}, 4, "fraction from layer 0");

    el_depth_axis ax = EL_DEPTH_AXIS_ENDS;
    CHECK(el_parse_depth_axis("fraction", &ax) == 0 && ax == EL_DEPTH_AXIS_FRACTION);
    CHECK(el_parse_depth_axis("ends", &ax) == 0 && ax == EL_DEPTH_AXIS_ENDS);
    CHECK(el_parse_depth_axis("paper", &ax) == -1);
    CHECK(!strcmp(el_depth_axis_name(EL_DEPTH_AXIS_FRACTION), "fraction"));

    /* A data set of a 2-block and a 4-block model on resample:4. */
    char path[] = "/tmp/el-depth-axis-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("{\"file\":\"a\",\"label\":\"x\",\"entropy\":[0,6]}\n{\"file\":\"b\",\"label\":\"y\",\"entropy\":[1,2,3,4]}\n", f);
    fclose(f);
    el_dataset_opts o = el_dataset_default_opts();
    o.depth = EL_DEPTH_RESAMPLE;
    o.depth_n = 4;
    o.depth_axis = EL_DEPTH_AXIS_FRACTION;
    el_dataset ds;
    const char *paths[] = {path};
    CHECK(el_dataset_load(paths, 1, &o, &ds) == EL_OK);
    CHECK(ds.n == 2 && ds.dim == 4 && ds.depth_axis == EL_DEPTH_AXIS_FRACTION);
    if (ds.n == 2 && ds.dim == 4) {
        check_vec(ds.X, (const double[]){0, 0, 3, 6}, 4, "2-block on fraction:4");
        check_vec(ds.X + 4, p, 4, "4-block on fraction:4 (its own blocks)");
    }
    el_dataset_free(&ds);
    o.depth_axis = EL_DEPTH_AXIS_ENDS;
    CHECK(el_dataset_load(paths, 1, &o, &ds) == EL_OK);
    if (ds.n == 2 && ds.dim == 4) check_vec(ds.X, (const double[]){0, 2, 4, 6}, 4, "2-block on ends:4");
    el_dataset_free(&ds);
    unlink(path);
    return el_test_finish("test_depth_axis");
}
