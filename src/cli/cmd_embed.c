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
#include "base/strbuf.h"

static const char *help =
    "Usage: entropy-lens embed FILES... --by FIELD [--method tsne|pca] [--perplexity 20]\n"
    "                          [--seed 42] [--features cls|patches|mean|renyi:A]\n"
    "                          [--depth native|resample:N|pad:N] [--standardize] -o OUT.svg|png|pdf|csv\n"
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
    "  --standardize       z-score every feature first (off by default)\n"
    "  -o, --output FILE   .csv: file,group,x,y; .svg, .png or .pdf: scatter plot with a legend\n"
    "\n"
    "Exit codes: 0 done; 2 usage error; 3 fatal (unreadable or malformed input, no\n"
    "records, or the output file cannot be written).\n";

static int ends_with(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcasecmp(s + n - m, suf);
}

static int write_csv(const char *path, const el_dataset *ds, const double *Y) {
    FILE *fp = !strcmp(path, "-") ? stdout : fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "entropy-lens embed: %s: %s\n", path, strerror(errno));
        return -1;
    }
    el_strbuf sb = {0};
    el_sb_puts(&sb, "file,group,x,y\n");
    for (int i = 0; i < ds->n; i++) {
        el_sb_csv_str(&sb, ds->rec[i].file);
        el_sb_putc(&sb, ',');
        el_sb_csv_str(&sb, ds->rec[i].group);
        el_sb_printf(&sb, ",%.9g,%.9g\n", Y[2 * i], Y[2 * i + 1]);
    }
    int bad = sb.oom || fwrite(sb.data, 1, sb.len, fp) != sb.len;
    el_sb_free(&sb);
    if (fp == stdout) bad |= fflush(fp) != 0;
    else if (fclose(fp) != 0) bad = 1;
    if (bad) fprintf(stderr, "entropy-lens embed: %s: write failed\n", path);
    return bad ? -1 : 0;
}

int cmd_embed(int argc, char **argv) {
    el_dataset_opts dopt = el_dataset_default_opts();
    el_tsne_params tp = el_tsne_default_params();
    int pca = 0, standardize = 0, n_files = 0;
    const char *out = NULL;
    const char **files = calloc((size_t)argc, sizeof(char *));
    if (!files) return EL_EXIT_FATAL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            free(files);
            return EL_EXIT_OK;
        } else if ((v = el_opt_value(argc, argv, &i, "--by"))) {
            dopt.by = v;
        } else if ((v = el_opt_value(argc, argv, &i, "--method"))) {
            if (!strcmp(v, "tsne") || !strcmp(v, "t-sne")) pca = 0;
            else if (!strcmp(v, "pca")) pca = 1;
            else {
                fprintf(stderr, "entropy-lens embed: --method is tsne or pca, got '%s'\n", v);
                goto usage;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "--perplexity"))) {
            char *end;
            double p = strtod(v, &end);
            if (end == v || *end || !(p > 0) || !isfinite(p)) {
                fprintf(stderr, "entropy-lens embed: --perplexity needs a positive number, got '%s'\n", v);
                goto usage;
            }
            tp.perplexity = p;
        } else if ((v = el_opt_value(argc, argv, &i, "--seed"))) {
            if (el_parse_u64("embed", "--seed", v, &tp.seed)) goto usage;
        } else if ((v = el_opt_value(argc, argv, &i, "--features"))) {
            if (el_parse_feature(v, &dopt)) {
                fprintf(stderr, "entropy-lens embed: --features is cls, mean, patches or renyi:A, got '%s'\n", v);
                goto usage;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "--depth"))) {
            if (el_parse_depth(v, &dopt)) {
                fprintf(stderr, "entropy-lens embed: --depth is native, resample:N or pad:N, got '%s'\n", v);
                goto usage;
            }
        } else if ((v = el_opt_value(argc, argv, &i, "-o")) || (v = el_opt_value(argc, argv, &i, "--output"))) {
            out = v;
        } else if (!strcmp(argv[i], "--standardize") || !strcmp(argv[i], "--standardise")) {
            standardize = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "entropy-lens embed: unknown or incomplete option '%s' (see --help)\n", argv[i]);
            goto usage;
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (!n_files) {
        fprintf(stderr, "entropy-lens embed: no input files (see --help)\n");
        goto usage;
    }
    if (!dopt.by) {
        fprintf(stderr, "entropy-lens embed: --by FIELD is required (e.g. --by label)\n");
        goto usage;
    }
    if (!out) {
        fprintf(stderr, "entropy-lens embed: -o OUT.svg|png|pdf|csv is required\n");
        goto usage;
    }
    int kind = ends_with(out, ".csv") || !strcmp(out, "-") ? 0 : ends_with(out, ".svg") ? 1 : ends_with(out, ".png") || ends_with(out, ".pdf") ? 2 : -1;
    if (kind < 0) {
        fprintf(stderr, "entropy-lens embed: -o must end in .csv, .svg, .png or .pdf, got '%s'\n", out);
        goto usage;
    }

    el_dataset ds;
    if (el_dataset_load(files, n_files, &dopt, &ds) != EL_OK) {
        fprintf(stderr, "entropy-lens embed: %s\n", el_last_error());
        free(files);
        return EL_EXIT_FATAL;
    }
    int code = EL_EXIT_OK;
    double *Y = NULL, var[2] = {0, 0};
    if (ds.n < 2) {
        fprintf(stderr, "entropy-lens embed: need at least 2 records with `%s`, have %d (%d error records, %d "
                        "without the field)\n",
                dopt.by, ds.n, ds.n_error_records, ds.n_missing_group);
        code = EL_EXIT_FATAL;
        goto done;
    }
    if (ds.n_error_records || ds.n_missing_group)
        fprintf(stderr, "entropy-lens embed: skipped %d error records and %d records without `%s`\n",
                ds.n_error_records, ds.n_missing_group, dopt.by);
    Y = malloc(sizeof(double) * 2 * (size_t)ds.n);
    if (!Y) {
        fprintf(stderr, "entropy-lens embed: out of memory\n");
        code = EL_EXIT_FATAL;
        goto done;
    }
    if (standardize) {
        for (int j = 0; j < ds.dim; j++) {
            double m = 0, s = 0;
            for (int i = 0; i < ds.n; i++) m += ds.X[(size_t)i * ds.dim + j];
            m /= ds.n;
            for (int i = 0; i < ds.n; i++) s += pow(ds.X[(size_t)i * ds.dim + j] - m, 2);
            s = sqrt(s / ds.n);
            if (s == 0) s = 1;
            for (int i = 0; i < ds.n; i++) ds.X[(size_t)i * ds.dim + j] = (ds.X[(size_t)i * ds.dim + j] - m) / s;
        }
    }
    el_status st;
    if (pca) {
        st = el_pca(ds.X, ds.n, ds.dim, 2, Y, var);
    } else {
        if (tp.perplexity >= ds.n) {
            double p = (ds.n - 1) / 3.0;
            fprintf(stderr, "entropy-lens embed: warning: perplexity %g is not below the %d records; using %g\n",
                    tp.perplexity, ds.n, p);
            tp.perplexity = p;
        }
        st = el_tsne(ds.X, ds.n, ds.dim, &tp, Y, NULL);
    }
    if (st != EL_OK) {
        fprintf(stderr, "entropy-lens embed: %s\n", el_last_error());
        code = EL_EXIT_FATAL;
        goto done;
    }
    if (kind == 0) {
        if (write_csv(out, &ds, Y)) code = EL_EXIT_FATAL;
    } else {
        char title[256], xl[64], yl[64];
        const char *fname = el_feature_name(&dopt);
        if (pca) {
            snprintf(title, sizeof title, "PCA of %d entropy profiles (%s)", ds.n, fname);
            snprintf(xl, sizeof xl, "PC1 (%.1f%% of variance)", 100 * var[0]);
            snprintf(yl, sizeof yl, "PC2 (%.1f%% of variance)", 100 * var[1]);
        } else {
            snprintf(title, sizeof title, "t-SNE of %d entropy profiles (%s, perplexity %g)", ds.n, fname,
                     tp.perplexity);
            snprintf(xl, sizeof xl, "t-SNE 1");
            snprintf(yl, sizeof yl, "t-SNE 2");
        }
        int *g = malloc(sizeof(int) * (size_t)ds.n);
        if (!g) {
            code = EL_EXIT_FATAL;
            goto done;
        }
        for (int i = 0; i < ds.n; i++) g[i] = ds.rec[i].group_index;
        el_scatter sc = {Y, g, ds.n, (const char *const *)ds.groups, ds.n_groups, title, xl, yl, dopt.by};
        if (el_scatter_save(&sc, out) != EL_OK) {
            fprintf(stderr, "entropy-lens embed: %s\n", el_last_error());
            code = EL_EXIT_FATAL;
        }
        free(g);
    }
done:
    free(Y);
    el_dataset_free(&ds);
    free(files);
    return code;
usage:
    free(files);
    return EL_EXIT_USAGE;
}
