/* entropy-lens heatmap: the patch-entropy maps of one image over its layers. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dataset.h"
#include "cli/cli.h"
#include "plot/dataset_plots.h"

static const char *help = "Usage: entropy-lens heatmap FILE.jsonl --image NAME [--layers all|L1,L2,...]\n"
                          "                            [--image-root DIR] [--panel PX] [--cols N] [--alpha A]\n"
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

int cmd_heatmap(int argc, char **argv) {
    const char *file = NULL, *image = NULL, *output = NULL, *root = NULL, *layers_arg = "all";
    long panel = 144, cols = 0;
    double alpha = 0.55;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EL_EXIT_OK;
        } else if ((v = el_opt_value(argc, argv, &i, "--image"))) {
            image = v;
        } else if ((v = el_opt_value(argc, argv, &i, "--layers"))) {
            layers_arg = v;
        } else if ((v = el_opt_value(argc, argv, &i, "--image-root"))) {
            root = v;
        } else if ((v = el_opt_value(argc, argv, &i, "--panel"))) {
            if (el_parse_int("heatmap", "--panel", v, 32, 1024, &panel)) return EL_EXIT_USAGE;
        } else if ((v = el_opt_value(argc, argv, &i, "--cols"))) {
            if (el_parse_int("heatmap", "--cols", v, 1, 64, &cols)) return EL_EXIT_USAGE;
        } else if ((v = el_opt_value(argc, argv, &i, "--alpha"))) {
            char *end;
            alpha = strtod(v, &end);
            if (end == v || *end || !(alpha > 0 && alpha <= 1)) {
                fprintf(stderr, "entropy-lens heatmap: --alpha needs a number in (0, 1], got '%s'\n", v);
                return EL_EXIT_USAGE;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "-o")) || (v = el_opt_value(argc, argv, &i, "--output"))) {
            output = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "entropy-lens heatmap: unknown or incomplete option '%s' (see --help)\n", argv[i]);
            return EL_EXIT_USAGE;
        } else if (!file) {
            file = argv[i];
        } else {
            fprintf(stderr, "entropy-lens heatmap: one JSONL file only ('%s' and '%s')\n", file, argv[i]);
            return EL_EXIT_USAGE;
        }
    }
    if (!file || !image || !output) {
        fprintf(stderr, "entropy-lens heatmap: needs FILE.jsonl, --image NAME and -o OUT (see --help)\n");
        return EL_EXIT_USAGE;
    }
    int kind = el_canvas_kind_from_path(output);
    if (kind < 0) {
        fprintf(stderr, "entropy-lens heatmap: %s: the output must end in .png, .svg or .pdf\n", output);
        return EL_EXIT_USAGE;
    }
    int *layers, n_layers;
    if (parse_layers(layers_arg, &layers, &n_layers)) {
        fprintf(stderr, "entropy-lens heatmap: --layers is all or a list of layer numbers, got '%s'\n", layers_arg);
        return EL_EXIT_USAGE;
    }

    el_dataset_opts dopt = el_dataset_default_opts();
    dopt.keep_patches = 1;
    dopt.need_features = 0;
    el_dataset ds;
    const char *files[1] = {file};
    if (el_dataset_load(files, 1, &dopt, &ds) != EL_OK) {
        fprintf(stderr, "entropy-lens heatmap: %s\n", el_last_error());
        free(layers);
        return EL_EXIT_FATAL;
    }
    int code = EL_EXIT_OK;
    const el_record *r = el_dataset_find(&ds, image);
    if (!r) {
        fprintf(stderr, "entropy-lens heatmap: %s: no record for image '%s'\n", file, image);
        code = EL_EXIT_FATAL;
        goto done;
    }
    for (int k = 0; k < n_layers; k++)
        if (layers[k] < r->first_layer || layers[k] >= r->first_layer + r->n_layers) {
            fprintf(stderr, "entropy-lens heatmap: layer %d is not in the record (layers %d..%d)\n", layers[k],
                    r->first_layer, r->first_layer + r->n_layers - 1);
            code = EL_EXIT_USAGE;
            goto done;
        }
    char pathbuf[PATH_MAX + 256];
    const char *img_path = el_resolve_image(r, root, pathbuf, sizeof pathbuf);
    int mixed = 0;
    char *units = el_jsonl_units(files, 1, &mixed);
    el_heatmap_plot_opts ho = {r, layers, n_layers, img_path, units, (int)panel, (int)cols, alpha, NULL, 0};
    el_canvas *c = NULL;
    int used = 0;
    if (el_plot_heatmap(&ho, (el_canvas_kind)kind, &c, &used) != EL_OK) {
        fprintf(stderr, "entropy-lens heatmap: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
    } else {
        if (!img_path)
            fprintf(stderr, "entropy-lens heatmap: warning: image '%s' not found%s%s; drawing the maps alone\n",
                    r->file, root ? " under " : "", root ? root : "");
        else if (!used)
            fprintf(stderr, "entropy-lens heatmap: warning: cannot read the image (%s); drawing the maps alone\n",
                    el_last_error());
        if (el_canvas_save(c, output) != EL_OK) {
            fprintf(stderr, "entropy-lens heatmap: %s\n", el_last_error());
            code = EL_EXIT_FATAL;
        }
    }
    el_canvas_free(c);
    free(units);
done:
    el_dataset_free(&ds);
    free(layers);
    return code;
}
