/* entropy-lens plot: entropy vs depth, one line (mean +- std) per group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dataset.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "plot/dataset_plots.h"

static const char *help = "Usage: entropy-lens plot FILES... [--by FIELD] [--depth normalized|layer] [--depth-axis ends|fraction] [--overlay]\n"
                          "                         [--no-band] [--title TEXT] [--size WxH] [--dpi N]\n"
                          "                         -o OUT.svg|OUT.png|OUT.pdf\n"
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
                          "  --depth-axis A    the normalized axis: ends (default): block l of L at\n"
                          "                    (l-1)/(L-1), first at 0, last at 1; fraction: block l\n"
                          "                    at l/L (the x axis of the paper's plots)\n"
                          "  --overlay         draw every model on one axes (default: one panel per model\n"
                          "                    when the files hold several; `--by model` overlays too)\n"
                          "  --no-band         lines only, no +-1 std band\n"
                          "  --title TEXT      figure title (default \"Entropy profiles by FIELD\")\n"
                          "  --size WxH        canvas size in layout units = pixels at 96 dpi (default:\n"
                          "                    from the panel count)\n"
                          "  --dpi N           PNG resolution: N / 96 pixels per layout unit (default 96;\n"
                          "                    e.g. 300 for print); SVG and PDF are vector, unaffected\n"
                          "  -o, --output OUT  the figure: .svg or .pdf (vector), .png (raster)\n"
                          "\n"
                          "The y axis is labelled with the records' `units` (nats, bits or normalized).\n"
                          "\n"
                          "Exit codes: 0 done; 2 usage error; 3 fatal (unreadable or malformed input,\n"
                          "no records to plot, or the output cannot be written).\n";

static int parse_depth_axis(const char *v, void *dest) {
    if (!strcmp(v, "normalized") || !strcmp(v, "normalised")) *(int *)dest = 0;
    else if (!strcmp(v, "layer")) *(int *)dest = 1;
    else return -1;
    return 0;
}

typedef struct {
    const char **files;
    int n_files;
    const char *output, *by;
    el_profile_plot_opts po;
    int kind, size[2];
} plot_args;

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, plot_args *a) {
    *a = (plot_args){.po.band = 1};
    int no_band = 0;
    const el_opt opts[] = {
        EL_OPT_STR("by", &a->by),
        EL_OPT_FN("depth", &a->po.depth_layer, parse_depth_axis, "normalized or layer"),
        EL_OPT_FN("depth-axis", &a->po.depth_axis, el_opt_parse_depth_axis, "ends or fraction"),
        EL_OPT_STR("title", &a->po.title),
        EL_OPTS_FIGURE(a->size, &a->po.dpi),
        EL_OPT_STR_SHORT("output", 'o', &a->output),
        EL_OPT_SET("overlay", &a->po.overlay),
        EL_OPT_SET("no-band", &no_band),
        EL_OPT_TABLE_END};
    const el_cli cli = {"plot", help, NULL, opts, EL_CLI_ANY, "no input files"};
    int rc = el_cli_parse(&cli, argc, argv, &a->files, &a->n_files);
    if (rc != EL_CLI_RUN) return rc;
    a->po.band = !no_band;
    a->po.width = a->size[0], a->po.height = a->size[1];
    a->po.by = a->by ? a->by : "label";
    a->kind = el_cli_figure_kind("plot", a->output);
    return a->kind < 0 ? EL_EXIT_USAGE : EL_CLI_RUN;
}

/* The records grouped by --by; without --by and with no labels anywhere,
 * one group of everything. */
static el_status load(plot_args *a, el_dataset *ds) {
    el_dataset_opts dopt = el_dataset_default_opts();
    dopt.by = a->po.by;
    dopt.need_features = 0;
    if (el_dataset_load(a->files, a->n_files, &dopt, ds) != EL_OK) return EL_ERR_IO;
    if (ds->n == 0 && !a->by && ds->n_missing_group > 0) {
        el_dataset_free(ds);
        dopt.by = a->po.by = NULL;
        return el_dataset_load(a->files, a->n_files, &dopt, ds);
    }
    return EL_OK;
}

static int draw(plot_args *a, const el_dataset *ds) {
    if (ds->n == 0) {
        fprintf(stderr, "entropy-lens plot: no records to plot (%d error records, %d without `%s`)\n",
                ds->n_error_records, ds->n_missing_group, a->po.by ? a->po.by : "");
        return EL_EXIT_FATAL;
    }
    if (ds->n_missing_group > 0)
        fprintf(stderr, "entropy-lens plot: skipped %d records without `%s`\n", ds->n_missing_group, a->po.by);
    if (ds->n_groups > 10)
        fprintf(stderr, "entropy-lens plot: warning: %d groups; colours repeat after 10\n", ds->n_groups);
    int mixed = 0, code = EL_EXIT_OK;
    char *units = el_jsonl_units(a->files, a->n_files, &mixed);
    if (mixed) fprintf(stderr, "entropy-lens plot: warning: the files use different `units`\n");
    a->po.units = mixed ? NULL : units;
    el_canvas *c = NULL;
    if (el_plot_profiles(ds, &a->po, (el_canvas_kind)a->kind, &c) != EL_OK || el_canvas_save(c, a->output) != EL_OK) {
        fprintf(stderr, "entropy-lens plot: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
    }
    el_canvas_free(c);
    free(units);
    return code;
}

int cmd_plot(int argc, char **argv) {
    plot_args a;
    int code = parse_args(argc, argv, &a);
    if (code == EL_CLI_RUN) {
        el_dataset ds;
        if (load(&a, &ds) != EL_OK) {
            fprintf(stderr, "entropy-lens plot: %s\n", el_last_error());
            code = EL_EXIT_FATAL;
        } else {
            code = draw(&a, &ds);
            el_dataset_free(&ds);
        }
    }
    free(a.files);
    return code;
}
