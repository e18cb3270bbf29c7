/* entropy-lens info: what a model is and how the lens reads it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "entropy_lens.h"

static const char *help =
    "Usage: entropy-lens info [--model PATH] [--tokenizer FILE] [--classes FILE] [--templates FILE]\n"
    "\n"
    "Describe a model (image or language): architecture, sizes, checkpoint dtype,\n"
    "classes or vocabulary, preprocessing and the lens definition. Without\n"
    "--model, the sample image model in samples/models/fashion-vit. PATH may be a\n"
    "GGUF file (the checkpoint line then names its tensor types), or\n"
    "ORG/NAME[@REV]: that model's snapshot in the Hugging Face cache (HF_HOME).\n"
    "\n"
    "Zero-shot models (CLIP, SigLIP) need class names: --classes FILE (and\n"
    "--templates FILE), unless their config's id2label names classes.\n"
    "\n"
    "Any model_type not listed below is refused by name.\n"
    "\n" EL_EXIT_CODES_HELP;

static const char *resample_name(el_resample r) {
    static const char *names[] = {"nearest", "lanczos", "bilinear", "bicubic", "box", "hamming"};
    return (unsigned)r < 6 ? names[r] : "?";
}

/* The text model's card. */
static void print_text(const el_model_info *I, const char *model) {
    printf("model         %s\n", I->name);
    printf("path          %s\n", model);
    printf("architecture  %s (%s, %s layout)\n", I->arch, I->family, I->layout);
    printf("checkpoint    %s, %zu parameters, %d file%s\n", I->dtype, I->n_params, I->n_shards, I->n_shards == 1 ? "" : "s");
    printf("blocks        %d, hidden %d, heads %d (key/value heads %d), MLP %d, %s eps %g\n", I->n_layers, I->hidden,
           I->n_heads, I->n_kv_heads, I->mlp_dim, I->norm, I->ln_eps);
    printf("vocabulary    %d tokens, context %d\n", I->n_classes, I->context);
    char f[64]; /* the lens as the model's own output path: [project_out(]norm_final(h_l)[)] */
    snprintf(f, sizeof f, "%s%s%s%s", I->lens_project_out ? "project_out(" : "", I->lens_norm ? I->norm : "",
             I->lens_norm ? "_final(h_l)" : "h_l", I->lens_project_out ? ")" : "");
    printf("lens          after block l = 1..%d, at the last position: logits = unembed(%s)%s, softmax, entropy\n",
           I->n_layers, f, I->softcap > 0 ? ", soft-capped" : "");
}

/* How the image model's input is made. */
static void print_preprocess(const el_model_info *I) {
    const el_preprocess *pp = &I->preprocess;
    printf("preprocess    convert %s", I->channels == 1 ? "L" : "RGB");
    if (pp->do_resize) {
        if (pp->shortest_edge) printf(", resize shortest edge to %d", pp->shortest_edge);
        else printf(", resize to %dx%d", pp->resize_w, pp->resize_h);
        printf(" (%s)", resample_name(pp->resample));
    }
    if (pp->do_center_crop) printf(", centre crop %dx%d", pp->crop_w, pp->crop_h);
    if (pp->do_rescale) printf(", x %.6g", pp->rescale_factor);
    if (pp->do_normalize) {
        printf(", normalise mean (");
        for (int c = 0; c < I->channels; c++) printf("%s%g", c ? ", " : "", pp->mean[c]);
        printf(") std (");
        for (int c = 0; c < I->channels; c++) printf("%s%g", c ? ", " : "", pp->std[c]);
        printf(")");
    }
    printf("\n");
}

/* The image model's card. */
static void print_vision(const el_model_info *I, const el_model *m, const char *model) {
    printf("model         %s\n", I->name);
    printf("path          %s\n", model);
    printf("architecture  %s (%s, %s layout)\n", I->arch, I->family, I->layout);
    printf("checkpoint    %s, %zu parameters, %d file%s\n", I->dtype, I->n_params, I->n_shards, I->n_shards == 1 ? "" : "s");
    printf("blocks        %d, hidden %d, heads %d, MLP %d, LayerNorm eps %g, %s\n", I->n_layers, I->hidden,
           I->n_heads, I->mlp_dim, I->ln_eps, I->act ? I->act : "?");
    printf("input         %d x %d, %d channel%s, patch %d: %d patches + %d prefix token%s\n", I->image_size,
           I->image_size, I->channels, I->channels == 1 ? "" : "s", I->patch_size, I->n_patches, I->n_prefix,
           I->n_prefix == 1 ? "" : "s");
    printf("classes       %d:", I->n_classes);
    for (int k = 0; k < I->n_classes && k < 5; k++) printf(" %s%s", el_model_class_name(m, k), k + 1 < I->n_classes ? "," : "");
    printf("%s\n", I->n_classes > 5 ? " ..." : "");
    print_preprocess(I);
    if (!strcmp(I->family, "clip"))
        printf("lens          layer l = 0..%d: logits = exp(logit_scale) cos(visual_projection(LN(cls_l)), class "
               "embeddings), softmax, entropy\n", I->n_layers);
    else if (!strcmp(I->family, "siglip"))
        printf("lens          layer l = 0..%d: logits = exp(logit_scale) cos(pooling_head(LN(tokens_l)), class "
               "embeddings) + logit_bias, softmax over the classes, entropy\n", I->n_layers);
    else if (!strcmp(I->family, "deit-distilled"))
        printf("lens          layer l = 0..%d: logits = (head(LN(cls_l)) + head_dist(LN(dist_l))) / 2, softmax, entropy\n", I->n_layers);
    else
        printf("lens          layer l = 0..%d: logits = head(LN(cls_l)), softmax, entropy\n", I->n_layers);
    printf("              (LN = the model's final LayerNorm; l = 0 is the embeddings, reported with --include-embeddings)\n");
}

int cmd_info(int argc, char **argv) {
    const char *model = NULL, *tokenizer = NULL, *classes = NULL, *templates = NULL;
    const el_opt opts[] = {
        EL_OPT_STR("model", &model),
        EL_OPT_STR("tokenizer", &tokenizer),
        EL_OPT_STR("classes", &classes),
        EL_OPT_STR("templates", &templates),
        EL_OPT_TABLE_END};
    const el_cli cli = {"info", help, el_cli_families_tail(), opts, 0, NULL};
    int rc = el_cli_parse_options(&cli, argc, argv);
    if (rc != EL_CLI_RUN) return rc;
    if (!model) model = el_default_model_dir();
    el_model *m;
    el_model_params mp = el_model_default_params();
    mp.tokenizer = tokenizer;
    mp.classes = classes;
    mp.templates = templates;
    if (el_model_load(model, &mp, &m) != EL_OK) {
        fprintf(stderr, "entropy-lens info: %s\n", el_last_error());
        return EL_EXIT_FATAL;
    }
    el_model_info I;
    el_model_get_info(m, &I);
    if (I.is_text) print_text(&I, model);
    else print_vision(&I, m, model);
    el_model_free(m);
    return EL_EXIT_OK;
}
