/* entropy-lens heatmap: the patch-entropy maps of one image over its layers. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dataset.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "plot/dataset_plots.h"

static const char *help = "Usage: entropy-lens heatmap FILE.jsonl --image NAME [--layers all|L1,L2,...]\n"
                          "                            [--image-root DIR] [--panel PX] [--cols N] [--alpha A]\n"
                          "                            [--size WxH] [--dpi N]\n"
                          "                            -o OUT.png|OUT.svg|OUT.pdf\n"
                          "\n"
                          "Where in the image is the model still uncertain? Draws the `patch_entropy`\n"
                          "map of one record (profile --tokens patches) at each requested layer as a\n"
                          "grid of panels titled \"layer l\": the image itself (decoded and resized to\n"
                          "the panel) under a semi-transparent viridis overlay of the g x g patch\n"
                          "entropies, with one colour bar shared by all panels (range: the minimum and\n"
                          "maximum over the drawn layers). Patches are in row-major grid order.\n"
                          "The maps lie over the part of the image the model saw: records from profile\n"
                          "carry it (`input_view`), so a model that resizes and centre-crops (timm,\n"
                          "DeiT, CLIP) shows the cropped region, black where the crop padded.\n"
                          "\n"
                          "  --image NAME      the record: its `file` exactly, or a base name / path tail\n"
                          "                    (the first match in the file)\n"
                          "  --layers L        all (default), or layer numbers as in the record\n"
                          "                    (first_layer based), e.g. 1,4,8,12\n"
                          "  --image-root DIR  look for the image under DIR (default: `file` as written,\n"
                          "                    then relative to the JSONL file's folder). If the image\n"
                          "                    cannot be read the maps are drawn alone, with a warning\n"
                          "  --panel PX        panel side in pixels (default 144)\n"
                          "  --cols N          panels per row (default: about square)\n"
                          "  --alpha A         overlay opacity over the image, 0 < A <= 1 (default 0.55)\n"
                          "  --size WxH        scale the whole figure to fit within W x H (pixels for PNG)\n"
                          "  --dpi N           PNG resolution: N / 96 pixels per layout unit (default 96;\n"
                          "                    e.g. 300 for print); SVG and PDF are vector, unaffected\n"
                          "  -o, --output OUT  .png (default choice), .svg or .pdf\n"
                          "\n"
                          "Exit codes: 0 done; 2 usage error (including a layer the record lacks);\n"
                          "3 fatal (unreadable or malformed input, no such image, no patch map, or the\n"
                          "output cannot be written).\n";

/* "all" -> n = 0; else a list of integers. */
static int parse_layers(const char *s, int **out, int *n) {
    *out = NULL;
    *n = 0;
    if (!strcmp(s, "all")) return 0;
    int cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    int *v = malloc(sizeof(int) * (size_t)cap);
    if (!v) return -1;
    const char *p = s;
    while (1) {
        char *end;
        long l = strtol(p, &end, 10);
        if (end == p || l < 0 || l > 100000 || (*end != ',' && *end)) {
            free(v);
            return -1;
        }
        v[(*n)++] = (int)l;
        if (!*end) break;
        p = end + 1;
    }
    *out = v;
    return 0;
}

static int parse_alpha(const char *v, void *dest) {
    char *end;
    double a = strtod(v, &end);
    if (end == v || *end || !(a > 0 && a <= 1)) return -1;
    *(double *)dest = a;
    return 0;
}

typedef struct {
    const char *file, *image, *output, *root, *layers_arg;
    int panel, cols, kind, *layers, n_layers, size[2], dpi;
    double alpha;
} heatmap_args;

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, heatmap_args *a) {
    *a = (heatmap_args){.layers_arg = "all", .panel = 144, .alpha = 0.55};
    const el_opt opts[] = {
        EL_OPT_STR("image", &a->image),
        EL_OPT_STR("layers", &a->layers_arg),
        EL_OPT_STR("image-root", &a->root),
        EL_OPT_NUM("panel", &a->panel, 32, 1024),
        EL_OPT_NUM("cols", &a->cols, 1, 64),
        EL_OPT_FN("alpha", &a->alpha, parse_alpha, "a number in (0, 1]"),
        EL_OPTS_FIGURE(a->size, &a->dpi),
        EL_OPT_STR_SHORT("output", 'o', &a->output),
        EL_OPT_TABLE_END};
    const el_cli cli = {"heatmap", help, NULL, opts, 1, NULL};
    const char **pos = NULL;
    int n_pos = 0, rc = el_cli_parse(&cli, argc, argv, &pos, &n_pos);
    a->file = n_pos ? pos[0] : NULL;
    free(pos);
    if (rc != EL_CLI_RUN) return rc;
    if (!a->file || !a->image || !a->output) {
        fprintf(stderr, "entropy-lens heatmap: needs FILE.jsonl, --image NAME and -o OUT (see --help)\n");
        return EL_EXIT_USAGE;
    }
    if ((a->kind = el_cli_figure_kind("heatmap", a->output)) < 0) return EL_EXIT_USAGE;
    if (parse_layers(a->layers_arg, &a->layers, &a->n_layers)) {
        fprintf(stderr, "entropy-lens heatmap: --layers is all or a list of layer numbers, got '%s'\n", a->layers_arg);
        return EL_EXIT_USAGE;
    }
    return EL_CLI_RUN;
}

/* The record's maps drawn and saved; the exit code. */
static int draw(const heatmap_args *a, const el_record *r) {
    for (int k = 0; k < a->n_layers; k++)
        if (a->layers[k] < r->first_layer || a->layers[k] >= r->first_layer + r->n_layers) {
            fprintf(stderr, "entropy-lens heatmap: layer %d is not in the record (layers %d..%d)\n", a->layers[k],
                    r->first_layer, r->first_layer + r->n_layers - 1);
            return EL_EXIT_USAGE;
        }
    char pathbuf[PATH_MAX + 256];
    const char *img_path = el_resolve_image(r, a->root, pathbuf, sizeof pathbuf);
    int mixed = 0, code = EL_EXIT_OK, used = 0;
    char *units = el_jsonl_units(&a->file, 1, &mixed);
    el_heatmap_plot_opts ho = {r,        a->layers, a->n_layers, img_path, units,      a->panel, a->cols,
                               a->alpha, NULL,      0,           a->size[0], a->size[1], a->dpi};
    el_canvas *c = NULL;
    if (el_plot_heatmap(&ho, (el_canvas_kind)a->kind, &c, &used) != EL_OK) {
        fprintf(stderr, "entropy-lens heatmap: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
    } else {
        if (!img_path)
            fprintf(stderr, "entropy-lens heatmap: warning: image '%s' not found%s%s; drawing the maps alone\n",
                    r->file, a->root ? " under " : "", a->root ? a->root : "");
        else if (!used)
            fprintf(stderr, "entropy-lens heatmap: warning: cannot read the image (%s); drawing the maps alone\n",
                    el_last_error());
        if (el_canvas_save(c, a->output) != EL_OK) {
            fprintf(stderr, "entropy-lens heatmap: %s\n", el_last_error());
            code = EL_EXIT_FATAL;
        }
    }
    el_canvas_free(c);
    free(units);
    return code;
}

/* The record named by --image, drawn. */
static int draw_named(void *ctx, el_dataset *ds) {
    const heatmap_args *a = ctx;
    const el_record *r = el_dataset_find(ds, a->image);
    if (r) return draw(a, r);
    fprintf(stderr, "entropy-lens heatmap: %s: no record for image '%s'\n", a->file, a->image);
    return EL_EXIT_FATAL;
}

int cmd_heatmap(int argc, char **argv) {
    heatmap_args a;
    int code = parse_args(argc, argv, &a);
    if (code == EL_CLI_RUN) {
        el_dataset_opts dopt = el_dataset_default_opts();
        dopt.keep_patches = 1;
        dopt.need_features = 0;
        code = el_cli_on_dataset("heatmap", &a.file, 1, &dopt, draw_named, &a);
    }
    free(a.layers);
    return code;
}
