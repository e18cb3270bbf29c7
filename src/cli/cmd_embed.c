/* entropy-lens embed: 2-D t-SNE or PCA of entropy profiles, as CSV or a
 * scatter plot coloured by group. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/analysis.h"
#include "analysis/dataset.h"
#include "plot/scatter.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "base/strbuf.h"

static const char *help =
    "Usage: entropy-lens embed FILES... --by FIELD [--method tsne|pca] [--perplexity 20]\n"
    "                          [--seed 42] [--features cls|patches|mean|renyi:A]\n"
    "                          [--depth native|resample:N|pad:N] [--standardize] [--size WxH] [--dpi N]\n"
    "                          -o OUT.svg|png|pdf|csv\n"
    "\n"
    "A 2-D map of the entropy profiles in the JSONL files written by `profile` or\n"
    "`text`, one point per record, coloured by FIELD (`error` records and records\n"
    "without FIELD are skipped and counted).\n"
    "\n"
    "  --by FIELD          the record field that colours the points (required)\n"
    "  --method M          tsne (default): exact t-SNE (van der Maaten & Hinton;\n"
    "                      Gaussian affinities calibrated to the perplexity, early\n"
    "                      exaggeration 12 for 250 iterations, momentum 0.5 then\n"
    "                      0.8, learning rate 200, 1000 iterations; O(n^2) memory\n"
    "                      and time, fine up to a few thousand records);\n"
    "                      pca: the first two principal components of the centred\n"
    "                      profiles (each axis signed so its largest loading is > 0)\n"
    "  --perplexity P      t-SNE perplexity (default 20; lowered to (n-1)/3 with a\n"
    "                      warning when P >= n)\n"
    "  --seed S            t-SNE initialisation seed (default 42): same seed, same map\n"
    "  --features F        cls (default), mean, patches or renyi:A (see classify --help)\n"
    "  --depth D           native, resample:N or pad:N (see classify --help)\n"
    "  --depth-axis A      ends (default) or fraction: the axis resample:N uses\n"
    "                      (see classify --help; fraction is the paper's l/L)\n"
    "  --standardize       z-score every feature first (off by default)\n"
    "  --size WxH          figure size in layout units = pixels at 96 dpi (default 900x640)\n"
    "  --dpi N             PNG resolution: N / 96 pixels per unit (default 96); SVG/PDF are vector\n"
    "  -o, --output FILE   .csv: file,group,x,y; .svg, .png or .pdf: scatter plot with a legend\n"
    "\n"
    "Exit codes: 0 done; 2 usage error; 3 fatal (unreadable or malformed input, no\n"
    "records, or the output file cannot be written).\n";

static int ends_with(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcasecmp(s + n - m, suf);
}

static int write_csv(const char *path, const el_dataset *ds, const double *Y) {
    el_strbuf sb = {0};
    el_sb_puts(&sb, "file,group,x,y\n");
    for (int i = 0; i < ds->n; i++) {
        el_sb_csv_str(&sb, ds->rec[i].file);
        el_sb_putc(&sb, ',');
        el_sb_csv_str(&sb, ds->rec[i].group);
        el_sb_printf(&sb, ",%.9g,%.9g\n", Y[2 * i], Y[2 * i + 1]);
    }
    int rc = el_cli_write_file("embed", path, &sb);
    el_sb_free(&sb);
    return rc;
}

typedef struct {
    el_dataset_opts dopt;
    el_tsne_params tp;
    int pca, standardize, n_files, kind; /* kind: 0 CSV, 1 SVG, 2 PNG or PDF */
    int size[2], dpi;
    const char *out;
    const char **files;
} embed_args;

static int parse_method(const char *v, void *dest) {
    if (!strcmp(v, "tsne") || !strcmp(v, "t-sne")) *(int *)dest = 0;
    else if (!strcmp(v, "pca")) *(int *)dest = 1;
    else return -1;
    return 0;
}

static int parse_perplexity(const char *v, void *dest) {
    char *end;
    double p = strtod(v, &end);
    if (end == v || *end || !(p > 0) || !isfinite(p)) return -1;
    *(double *)dest = p;
    return 0;
}

/* EL_CLI_RUN, or the exit code (help printed or usage error). */
static int parse_args(int argc, char **argv, embed_args *a) {
    const el_opt opts[] = {
        EL_OPT_STR("by", &a->dopt.by),
        EL_OPT_FN("method", &a->pca, parse_method, "tsne or pca"),
        EL_OPT_FN("perplexity", &a->tp.perplexity, parse_perplexity, "a positive number"),
        EL_OPT_SEED("seed", &a->tp.seed),
        EL_OPTS_FEATURES(a->dopt),
        EL_OPT_SET("standardize", &a->standardize),
        EL_OPT_SET("standardise", &a->standardize),
        EL_OPTS_FIGURE(a->size, &a->dpi),
        EL_OPT_STR_SHORT("output", 'o', &a->out),
        EL_OPT_TABLE_END};
    const el_cli cli = {"embed", help, NULL, opts, EL_CLI_ANY, "no input files"};
    int rc = el_cli_parse(&cli, argc, argv, &a->files, &a->n_files);
    if (rc != EL_CLI_RUN) return rc;
    const char *missing = !a->dopt.by ? "--by FIELD is required (e.g. --by label)"
                          : !a->out     ? "-o OUT.svg|png|pdf|csv is required"
                                        : NULL;
    if (missing) {
        fprintf(stderr, "entropy-lens embed: %s\n", missing);
        return EL_EXIT_USAGE;
    }
    const char *out = a->out;
    a->kind = ends_with(out, ".csv") || !strcmp(out, "-") ? 0
              : ends_with(out, ".svg")                    ? 1
              : ends_with(out, ".png") || ends_with(out, ".pdf") ? 2 : -1;
    if (a->kind < 0) {
        fprintf(stderr, "entropy-lens embed: -o must end in .csv, .svg, .png or .pdf, got '%s'\n", out);
        return EL_EXIT_USAGE;
    }
    return EL_CLI_RUN;
}

/* The 2-D map of ds's profiles into Y (n x 2); var: PCA's explained variance. */
static el_status embed_map(embed_args *a, el_dataset *ds, double *Y, double *var) {
    if (a->standardize) el_standardize(ds->X, ds->n, NULL, 0, ds->dim);
    if (a->pca) return el_pca(ds->X, ds->n, ds->dim, 2, Y, var);
    if (a->tp.perplexity >= ds->n) {
        double p = (ds->n - 1) / 3.0;
        fprintf(stderr, "entropy-lens embed: warning: perplexity %g is not below the %d records; using %g\n",
                a->tp.perplexity, ds->n, p);
        a->tp.perplexity = p;
    }
    return el_tsne(ds->X, ds->n, ds->dim, &a->tp, Y, NULL);
}

static el_status save_scatter(const embed_args *a, const el_dataset *ds, const double *Y, const double *var) {
    char title[256], xl[64], yl[64];
    const char *fname = el_feature_name(&a->dopt);
    if (a->pca) {
        snprintf(title, sizeof title, "PCA of %d entropy profiles (%s)", ds->n, fname);
        snprintf(xl, sizeof xl, "PC1 (%.1f%% of variance)", 100 * var[0]);
        snprintf(yl, sizeof yl, "PC2 (%.1f%% of variance)", 100 * var[1]);
    } else {
        snprintf(title, sizeof title, "t-SNE of %d entropy profiles (%s, perplexity %g)", ds->n, fname,
                 a->tp.perplexity);
        snprintf(xl, sizeof xl, "t-SNE 1");
        snprintf(yl, sizeof yl, "t-SNE 2");
    }
    int *g = malloc(sizeof(int) * (size_t)ds->n);
    if (!g) return el_fail(EL_ERR_NOMEM, "out of memory");
    for (int i = 0; i < ds->n; i++) g[i] = ds->rec[i].group_index;
    el_scatter sc = {Y, g, ds->n, (const char *const *)ds->groups, ds->n_groups, title, xl, yl, a->dopt.by,
                     a->size[0], a->size[1], a->dpi};
    el_status st = el_scatter_save(&sc, a->out);
    free(g);
    return st;
}

static int run(void *ctx, el_dataset *ds) {
    embed_args *a = ctx;
    if (ds->n < 2) {
        fprintf(stderr, "entropy-lens embed: need at least 2 records with `%s`, have %d (%d error records, %d "
                        "without the field)\n",
                a->dopt.by, ds->n, ds->n_error_records, ds->n_missing_group);
        return EL_EXIT_FATAL;
    }
    if (ds->n_error_records || ds->n_missing_group)
        fprintf(stderr, "entropy-lens embed: skipped %d error records and %d records without `%s`\n",
                ds->n_error_records, ds->n_missing_group, a->dopt.by);
    double *Y = malloc(sizeof(double) * 2 * (size_t)ds->n), var[2] = {0, 0};
    int code = EL_EXIT_OK;
    if (!Y || embed_map(a, ds, Y, var) != EL_OK) {
        fprintf(stderr, "entropy-lens embed: %s\n", Y ? el_last_error() : "out of memory");
        code = EL_EXIT_FATAL;
    } else if (a->kind == 0) {
        if (write_csv(a->out, ds, Y)) code = EL_EXIT_FATAL;
    } else if (save_scatter(a, ds, Y, var) != EL_OK) {
        fprintf(stderr, "entropy-lens embed: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
    }
    free(Y);
    return code;
}

int cmd_embed(int argc, char **argv) {
    embed_args a = {.dopt = el_dataset_default_opts(), .tp = el_tsne_default_params()};
    int code = parse_args(argc, argv, &a);
    if (code == EL_CLI_RUN) code = el_cli_on_dataset("embed", a.files, a.n_files, &a.dopt, run, &a);
    free(a.files);
    return code;
}
