/* entropy-lens plot: entropy vs depth, one line (mean +- std) per group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dataset.h"
#include "cli/cli.h"
#include "plot/dataset_plots.h"

static const char *help = "Usage: entropy-lens plot FILES... [--by FIELD] [--depth normalized|layer] [--overlay]\n"
                          "                         [--no-band] [--title TEXT] [--size WxH] -o OUT.svg|OUT.png|OUT.pdf\n"
                          "\n"
                          "The entropy profile figure: lens entropy against depth, one line per group\n"
                          "(the mean over its records) with a +-1 standard deviation band. Reads the\n"
                          "JSONL files written by `entropy-lens profile` or `entropy-lens text`; `error`\n"
                          "records and records without FIELD are skipped. Text records with windows\n"
                          "are averaged over their windows.\n"
                          "\n"
                          "  --by FIELD        group by this record field (default: label; every record\n"
                          "                    in one group when no record has a label)\n"
                          "  --depth D         normalized (default): x = (l - first_layer) / (L - 1) in\n"
                          "                    [0, 1], so models of different depths (ViTs and language\n"
                          "                    models alike) share one axis; layer: x = the layer number\n"
                          "  --overlay         draw every model on one axes (default: one panel per model\n"
                          "                    when the files hold several; `--by model` overlays too)\n"
                          "  --no-band         lines only, no +-1 std band\n"
                          "  --title TEXT      figure title (default \"Entropy profiles by FIELD\")\n"
                          "  --size WxH        canvas size in pixels (default: from the panel count)\n"
                          "  -o, --output OUT  the figure: .svg or .pdf (vector), .png (raster)\n"
                          "\n"
                          "The y axis is labelled with the records' `units` (nats, bits or normalized).\n"
                          "\n"
                          "Exit codes: 0 done; 2 usage error; 3 fatal (unreadable or malformed input,\n"
                          "no records to plot, or the output cannot be written).\n";

static int parse_size(const char *s, int *w, int *h) {
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X')) return -1;
    const char *t = end + 1;
    long b = strtol(t, &end, 10);
    if (end == t || *end || a < 200 || b < 150 || a > 8000 || b > 8000) return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

int cmd_plot(int argc, char **argv) {
    const char **files = calloc((size_t)argc, sizeof(char *));
    if (!files) return EL_EXIT_FATAL;
    int n_files = 0, by_given = 0;
    const char *output = NULL;
    el_profile_plot_opts po = {0};
    po.by = "label";
    po.band = 1;
    int code = EL_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            free(files);
            return EL_EXIT_OK;
        } else if ((v = el_opt_value(argc, argv, &i, "--by"))) {
            po.by = v;
            by_given = 1;
        } else if ((v = el_opt_value(argc, argv, &i, "--depth"))) {
            if (!strcmp(v, "normalized") || !strcmp(v, "normalised"))
                po.depth_layer = 0;
            else if (!strcmp(v, "layer"))
                po.depth_layer = 1;
            else {
                fprintf(stderr, "entropy-lens plot: --depth is normalized or layer, got '%s'\n", v);
                goto usage;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "--title"))) {
            po.title = v;
        } else if ((v = el_opt_value(argc, argv, &i, "--size"))) {
            if (parse_size(v, &po.width, &po.height)) {
                fprintf(stderr, "entropy-lens plot: --size is WxH (200x150 .. 8000x8000), got '%s'\n", v);
                goto usage;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "-o")) || (v = el_opt_value(argc, argv, &i, "--output"))) {
            output = v;
        } else if (!strcmp(argv[i], "--overlay")) {
            po.overlay = 1;
        } else if (!strcmp(argv[i], "--no-band")) {
            po.band = 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "entropy-lens plot: unknown or incomplete option '%s' (see --help)\n", argv[i]);
            goto usage;
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (!n_files) {
        fprintf(stderr, "entropy-lens plot: no input files (see --help)\n");
        goto usage;
    }
    if (!output) {
        fprintf(stderr, "entropy-lens plot: -o OUT.svg, OUT.png or OUT.pdf is required\n");
        goto usage;
    }
    int kind = el_canvas_kind_from_path(output);
    if (kind < 0) {
        fprintf(stderr, "entropy-lens plot: %s: the output must end in .svg, .png or .pdf\n", output);
        goto usage;
    }

    el_dataset_opts dopt = el_dataset_default_opts();
    dopt.by = po.by;
    dopt.need_features = 0;
    el_dataset ds;
    if (el_dataset_load(files, n_files, &dopt, &ds) != EL_OK) {
        fprintf(stderr, "entropy-lens plot: %s\n", el_last_error());
        free(files);
        return EL_EXIT_FATAL;
    }
    if (ds.n == 0 && !by_given && ds.n_missing_group > 0) {
        /* No labels anywhere: one group of everything. */
        el_dataset_free(&ds);
        dopt.by = po.by = NULL;
        if (el_dataset_load(files, n_files, &dopt, &ds) != EL_OK) {
            fprintf(stderr, "entropy-lens plot: %s\n", el_last_error());
            free(files);
            return EL_EXIT_FATAL;
        }
    }
    if (ds.n == 0) {
        fprintf(stderr, "entropy-lens plot: no records to plot (%d error records, %d without `%s`)\n",
                ds.n_error_records, ds.n_missing_group, po.by ? po.by : "");
        code = EL_EXIT_FATAL;
        goto done;
    }
    if (ds.n_missing_group > 0)
        fprintf(stderr, "entropy-lens plot: skipped %d records without `%s`\n", ds.n_missing_group, po.by);
    if (ds.n_groups > 10)
        fprintf(stderr, "entropy-lens plot: warning: %d groups; colours repeat after 10\n", ds.n_groups);
    int mixed = 0;
    char *units = el_jsonl_units(files, n_files, &mixed);
    if (mixed) fprintf(stderr, "entropy-lens plot: warning: the files use different `units`\n");
    po.units = mixed ? NULL : units;
    el_canvas *c = NULL;
    if (el_plot_profiles(&ds, &po, (el_canvas_kind)kind, &c) != EL_OK || el_canvas_save(c, output) != EL_OK) {
        fprintf(stderr, "entropy-lens plot: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
    }
    el_canvas_free(c);
    free(units);
done:
    el_dataset_free(&ds);
    free(files);
    return code;
usage:
    free(files);
    return EL_EXIT_USAGE;
}
