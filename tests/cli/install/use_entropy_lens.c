/* Built by tests/cli/cli_install.sh against an installed entropy-lens with
 * `pkg-config --cflags --libs entropy-lens`: loads a model and profiles one
 * image with nothing but the installed header and library.
 * Usage: use_entropy_lens MODEL_DIR IMAGE */
#include <entropy_lens.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    el_model_params mp = el_model_default_params();
    el_state_params sp = el_state_default_params();
    sp.n_threads = 1;
    el_model *m = NULL;
    el_state *s = NULL;
    if (el_model_load(argv[1], &mp, &m) != EL_OK || el_state_new(m, &sp, &s) != EL_OK) {
        fprintf(stderr, "load: %s\n", el_last_error());
        return 1;
    }
    el_model_info info;
    el_model_get_info(m, &info);
    el_image img;
    if (el_image_load(argv[2], info.channels, (size_t)1 << 26, &img) != EL_OK) {
        fprintf(stderr, "image: %s\n", el_last_error());
        return 1;
    }
    float *px = malloc(sizeof(float) * (size_t)info.channels * info.image_size * info.image_size);
    el_lens_params lp = el_lens_default_params();
    el_profile p;
    int rc = !px || el_preprocess_image(&img, &info.preprocess, px) != EL_OK ||
             el_profile_init(&p, m, &lp) != EL_OK || el_model_profile(s, px, 1, &lp, &p) != EL_OK;
    if (rc) {
        fprintf(stderr, "profile: %s\n", el_last_error());
        return 1;
    }
    printf("version %s layers %d top1 %s entropy", el_version(), p.n_depth,
           el_model_class_name(m, p.top1));
    for (int l = 0; l < p.n_depth; l++) printf(" %.4f", p.entropy[l]);
    printf("\n");
    el_profile_free(&p);
    free(px);
    el_image_free(&img);
    el_state_free(s);
    el_model_free(m);
    return 0;
}
