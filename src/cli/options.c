/* Table-driven option parsing over getopt_long (see options.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "analysis/dataset.h"
#include "records/records.h"

#define MAX_OPTS 64

static int n_opts(const el_opt *o) {
    int n = 0;
    while (o[n].kind != EL_OPT_END) n++;
    return n;
}

/* The getopt_long tables: long options return 256 + their index, short ones
 * their letter (mapped back through the table). */
static int build_tables(const el_opt *opts, int n, struct option *lo, char *shorts, size_t shorts_size) {
    int nl = 0;
    size_t ns = 0;
    shorts[ns++] = ':'; /* a missing value is reported as ':' */
    shorts[ns++] = 'h';
    for (int i = 0; i < n; i++) {
        const int has_arg = opts[i].kind == EL_OPT_FLAG || opts[i].kind == EL_OPT_CLEAR ? no_argument : required_argument;
        if (opts[i].name) lo[nl++] = (struct option){opts[i].name, has_arg, NULL, 256 + i};
        if (opts[i].short_name && ns + 3 < shorts_size) {
            shorts[ns++] = opts[i].short_name;
            if (has_arg == required_argument) shorts[ns++] = ':';
        }
    }
    lo[nl++] = (struct option){"help", no_argument, NULL, 'h'};
    lo[nl] = (struct option){0, 0, 0, 0};
    shorts[ns] = '\0';
    return 0;
}

static void opt_name(const el_opt *o, char *buf, size_t n) {
    if (o->name) snprintf(buf, n, "--%s", o->name);
    else snprintf(buf, n, "-%c", o->short_name);
}

/* Stores one option's value; 0, or -1 after a message. */
static int store(const el_cli *cli, const el_opt *o, const char *v) {
    char name[64];
    opt_name(o, name, sizeof name);
    long l;
    switch (o->kind) {
    case EL_OPT_FLAG: *(int *)o->dest = 1; return 0;
    case EL_OPT_CLEAR: *(int *)o->dest = 0; return 0;
    case EL_OPT_STRING: *(const char **)o->dest = v; return 0;
    case EL_OPT_INT:
        if (el_parse_int(cli->cmd, name, v, o->lo, o->hi, &l)) return -1;
        *(int *)o->dest = (int)l;
        return 0;
    case EL_OPT_LONG: return el_parse_int(cli->cmd, name, v, o->lo, o->hi, (long *)o->dest);
    case EL_OPT_U64: return el_parse_u64(cli->cmd, name, v, (uint64_t *)o->dest);
    case EL_OPT_PARSE:
        if (o->parse(v, o->dest) == 0) return 0;
        fprintf(stderr, "entropy-lens %s: %s is %s, not '%s'\n", cli->cmd, name, o->expects, v);
        return -1;
    case EL_OPT_END: break;
    }
    return -1;
}

static const el_opt *by_short(const el_opt *opts, int n, int c) {
    for (int i = 0; i < n; i++)
        if (opts[i].short_name == c) return &opts[i];
    return NULL;
}

int el_cli_parse(const el_cli *cli, int argc, char **argv, const char ***pos, int *n_pos) {
    const int n = n_opts(cli->opts);
    struct option lo[MAX_OPTS + 2];
    char shorts[3 * MAX_OPTS + 4];
    *pos = NULL;
    *n_pos = 0;
    if (n > MAX_OPTS) return EL_EXIT_FATAL;
    build_tables(cli->opts, n, lo, shorts, sizeof shorts);
    /* getopt_long permutes the array it is given: parse a copy. */
    char **args = malloc(sizeof(char *) * (size_t)(argc + 1));
    *pos = calloc((size_t)argc + 1, sizeof(char *));
    if (!args || !*pos) {
        free(args);
        return EL_EXIT_FATAL;
    }
    memcpy(args, argv, sizeof(char *) * (size_t)argc);
    args[argc] = NULL;
    int rc = EL_CLI_RUN, c, idx;
    optind = 0; /* glibc: re-initialise (a previous parse, or main's) */
    opterr = 0;
    while (rc == EL_CLI_RUN && (c = getopt_long(argc, args, shorts, lo, &idx)) != -1) {
        if (c == 'h') {
            fputs(cli->help, stdout);
            if (cli->help_tail) fputs(cli->help_tail, stdout);
            rc = EL_EXIT_OK;
        } else if (c == ':' || c == '?') {
            const char *what = args[optind - 1];
            fprintf(stderr, "entropy-lens %s: %s '%s' (see --help)\n", cli->cmd,
                    c == ':' ? "a value is missing after" : "unknown or ambiguous option", what);
            rc = EL_EXIT_USAGE;
        } else {
            const el_opt *o = c >= 256 ? &cli->opts[c - 256] : by_short(cli->opts, n, c);
            if (!o || store(cli, o, optarg)) rc = EL_EXIT_USAGE;
        }
    }
    for (int i = optind; rc == EL_CLI_RUN && i < argc; i++) (*pos)[(*n_pos)++] = args[i];
    if (rc == EL_CLI_RUN && cli->need_pos && *n_pos == 0) {
        fprintf(stderr, "entropy-lens %s: %s (see --help)\n", cli->cmd, cli->need_pos);
        rc = EL_EXIT_USAGE;
    }
    if (rc == EL_CLI_RUN && cli->max_pos != EL_CLI_ANY && *n_pos > cli->max_pos) {
        fprintf(stderr, "entropy-lens %s: unexpected argument '%s' (see --help)\n", cli->cmd, (*pos)[cli->max_pos]);
        rc = EL_EXIT_USAGE;
    }
    free(args);
    return rc;
}

int el_cli_parse_options(const el_cli *cli, int argc, char **argv) {
    const char **pos;
    int n_pos, rc = el_cli_parse(cli, argc, argv, &pos, &n_pos);
    free(pos);
    return rc;
}

int el_opt_parse_format(const char *v, void *dest) {
    if (!strcmp(v, "jsonl")) *(el_format *)dest = EL_FORMAT_JSONL;
    else if (!strcmp(v, "csv")) *(el_format *)dest = EL_FORMAT_CSV;
    else return -1;
    return 0;
}

int el_opt_parse_units(const char *v, void *dest) { return el_parse_units(v, (el_units *)dest); }

int el_opt_parse_bos(const char *v, void *dest) {
    el_text_bos *b = dest;
    if (!strcmp(v, "auto")) *b = EL_TEXT_BOS_AUTO;
    else if (!strcmp(v, "always")) *b = EL_TEXT_BOS_ALWAYS;
    else if (!strcmp(v, "never")) *b = EL_TEXT_BOS_NEVER;
    else return -1;
    return 0;
}

int el_opt_parse_size(const char *v, void *dest) {
    int *wh = dest;
    char *end;
    long a = strtol(v, &end, 10);
    if (end == v || (*end != 'x' && *end != 'X')) return -1;
    const char *t = end + 1;
    long b = strtol(t, &end, 10);
    if (end == t || *end || a < 200 || b < 150 || a > 8000 || b > 8000) return -1;
    wh[0] = (int)a;
    wh[1] = (int)b;
    return 0;
}

int el_opt_parse_alpha(const char *v, void *dest) { return el_parse_alpha(v, (el_lens_params *)dest); }

int el_opt_parse_feature(const char *v, void *dest) { return el_parse_feature(v, (el_dataset_opts *)dest); }

int el_opt_parse_depth(const char *v, void *dest) { return el_parse_depth(v, (el_dataset_opts *)dest); }
int el_opt_parse_depth_axis(const char *v, void *dest) { return el_parse_depth_axis(v, (el_depth_axis *)dest); }

const char *el_cli_families_tail(void) {
    static char buf[1024];
    snprintf(buf, sizeof buf, "\nModel families: %s\n", el_model_families());
    return buf;
}
