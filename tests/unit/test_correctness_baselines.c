/* analysis/correctness: the two baselines beside the profile's AUC, on tiny
 * data sets whose AUCs are counted by hand (pairs right > wrong / pairs). */
#include <stdio.h>
#include <unistd.h>

#include "analysis/correctness.h"
#include "test_util.h"

static int load(const char *text, el_dataset *ds) {
    char path[] = "/tmp/el-baselines-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    const char *paths[] = {path};
    el_dataset_opts o = el_dataset_default_opts();
    int rc = el_dataset_load(paths, 1, &o, ds) == EL_OK ? 0 : -1;
    unlink(path);
    return rc;
}

int main(void) {
    /* Right: last-layer H 0.1, 0.5, prob 0.9, 0.8; wrong: H 0.3, 0.9, prob
     * 0.7, 0.2. -H: right > wrong in 3 of 4 pairs (0.75); prob: 4 of 4 (1.0);
     * the first layer (5 vs 1): 0 of 4 (0.0, anti-correlated). A null
     * `correct` is left out. */
    el_dataset ds;
    CHECK(load("{\"file\":\"a\",\"correct\":true,\"prob\":0.9,\"entropy\":[5,0.1]}\n"
               "{\"file\":\"b\",\"correct\":true,\"prob\":0.8,\"entropy\":[5,0.5]}\n"
               "{\"file\":\"c\",\"correct\":false,\"prob\":0.7,\"entropy\":[1,0.3]}\n"
               "{\"file\":\"d\",\"correct\":false,\"prob\":0.2,\"entropy\":[1,0.9]}\n"
               "{\"file\":\"e\",\"correct\":null,\"prob\":0.1,\"entropy\":[0,9]}\n",
               &ds) == 0);
    el_correctness c;
    CHECK(el_correctness_select(&ds, &c) == EL_OK);
    CHECK(c.n == 4 && c.n_right == 2 && c.n_prob == 4);
    CHECK_NEAR(c.auc_last_entropy, 0.75, 1e-12);
    CHECK_NEAR(c.auc_prob, 1.0, 1e-12);
    CHECK_NEAR(c.layer_auc[0], 0.0, 1e-12);
    CHECK_NEAR(c.layer_auc[1], 0.75, 1e-12);
    el_correctness_free(&c);
    el_dataset_free(&ds);

    /* Text records with 2 windows: the last layer's value is the mean of the
     * windows' last values (right: 1.5, 2.5; wrong: 2, 4 -> -H: 3 of 4);
     * one record without `prob`: no probability baseline. */
    CHECK(load("{\"prompt\":\"a\",\"correct\":true,\"prob\":0.5,\"entropy\":[[9,1],[9,2]]}\n"
               "{\"prompt\":\"b\",\"correct\":true,\"entropy\":[[9,2],[9,3]]}\n"
               "{\"prompt\":\"c\",\"correct\":false,\"prob\":0.5,\"entropy\":[[9,1],[9,3]]}\n"
               "{\"prompt\":\"d\",\"correct\":false,\"prob\":0.5,\"entropy\":[[9,4],[9,4]]}\n",
               &ds) == 0);
    CHECK(el_correctness_select(&ds, &c) == EL_OK);
    CHECK(c.n == 4 && c.n_prob == 3);
    CHECK_NEAR(c.auc_last_entropy, 0.75, 1e-12);
    CHECK(isnan(c.auc_prob));
    el_correctness_free(&c);
    el_dataset_free(&ds);

    /* One class only: no AUCs at all. */
    CHECK(load("{\"file\":\"a\",\"correct\":true,\"prob\":0.9,\"entropy\":[1,2]}\n", &ds) == 0);
    CHECK(el_correctness_select(&ds, &c) == EL_OK);
    CHECK(isnan(c.auc_last_entropy) && isnan(c.auc_prob));
    el_correctness_free(&c);
    el_dataset_free(&ds);
    return el_test_finish("test_correctness_baselines");
}
