/* One way to read a subcommand's command line: a table of options parsed
 * with getopt_long. Each entry names the option, what it takes and where the
 * value goes; values are range-checked and errors are one line naming the
 * command and the option. */
#ifndef EL_CLI_OPTIONS_H
#define EL_CLI_OPTIONS_H

#include <stdint.h>

typedef enum {
    EL_OPT_END = 0, /* ends the table */
    EL_OPT_FLAG,    /* no value: *(int *)dest = 1 */
    EL_OPT_CLEAR,   /* no value: *(int *)dest = 0 (e.g. --no-tsne) */
    EL_OPT_STRING,  /* *(const char **)dest = value (points into argv) */
    EL_OPT_INT,     /* *(int *)dest, an integer in [lo, hi] */
    EL_OPT_LONG,    /* *(long *)dest, an integer in [lo, hi] */
    EL_OPT_U64,     /* *(uint64_t *)dest, a non-negative integer (seeds) */
    EL_OPT_PARSE    /* parse(value, dest) returns 0, or -1: "OPT is EXPECTS, not 'value'" */
} el_opt_kind;

typedef struct {
    el_opt_kind kind;
    const char *name; /* long name without "--" (NULL: short only) */
    char short_name;  /* 'o' for -o, or 0 */
    void *dest;
    long lo, hi;                                  /* INT, LONG */
    int (*parse)(const char *value, void *dest);  /* PARSE */
    const char *expects;                          /* PARSE: the accepted values, for the error */
} el_opt;

/* Table entries: a string, a flag (sets 1), a clear flag (sets 0), an int
 * or long in [lo, hi], a seed, a parsed value; SHORT adds a one-letter form. */
#define EL_OPT_STR(name, dest) {EL_OPT_STRING, name, 0, dest, 0, 0, NULL, NULL}
#define EL_OPT_STR_SHORT(name, c, dest) {EL_OPT_STRING, name, c, dest, 0, 0, NULL, NULL}
#define EL_OPT_SET(name, dest) {EL_OPT_FLAG, name, 0, dest, 0, 0, NULL, NULL}
#define EL_OPT_SET_SHORT(name, c, dest) {EL_OPT_FLAG, name, c, dest, 0, 0, NULL, NULL}
#define EL_OPT_UNSET(name, dest) {EL_OPT_CLEAR, name, 0, dest, 0, 0, NULL, NULL}
#define EL_OPT_NUM(name, dest, lo, hi) {EL_OPT_INT, name, 0, dest, lo, hi, NULL, NULL}
#define EL_OPT_BIG(name, dest, lo, hi) {EL_OPT_LONG, name, 0, dest, lo, hi, NULL, NULL}
#define EL_OPT_SEED(name, dest) {EL_OPT_U64, name, 0, dest, 0, 0, NULL, NULL}
#define EL_OPT_FN(name, dest, fn, expects) {EL_OPT_PARSE, name, 0, dest, 0, 0, fn, expects}
#define EL_OPT_TABLE_END {EL_OPT_END, NULL, 0, NULL, 0, 0, NULL, NULL}

typedef struct {
    const char *cmd;       /* "profile": messages start "entropy-lens profile: " */
    const char *help;      /* printed by -h/--help */
    const char *help_tail; /* printed after it when not NULL (e.g. the model families) */
    const el_opt *opts;    /* ends with {EL_OPT_END} */
    int max_pos;           /* positional arguments accepted at most (EL_CLI_ANY: any number) */
    const char *need_pos;  /* non-NULL: at least one is required, else this usage error */
} el_cli;

#define EL_CLI_ANY (-1)

/* What el_cli_parse returns when the command should run; otherwise it
 * returns the exit code (0 after --help, EL_EXIT_USAGE after a message). */
#define EL_CLI_RUN (-1)

/* Parses argv[1..argc) by the table (GNU getopt_long: options and
 * positionals in any order, "--opt=v" or "--opt v", "--" ends options).
 * argv itself is left as it was (the run identity reads it). Positionals go
 * to *pos (a calloc'ed array the caller frees) in their order; more than
 * cli->max_pos of them is a usage error naming the first one too many. */
int el_cli_parse(const el_cli *cli, int argc, char **argv, const char ***pos, int *n_pos);

/* "\nModel families: ...\n" for the help of the commands that load models. */
const char *el_cli_families_tail(void);

/* el_cli_parse for a command that takes no positional arguments. */
int el_cli_parse_options(const el_cli *cli, int argc, char **argv);

/* Parsers for EL_OPT_PARSE shared by several commands. */
int el_opt_parse_format(const char *value, void *dest); /* el_format: jsonl|csv */
int el_opt_parse_units(const char *value, void *dest);  /* el_units: nats|bits|normalized */
int el_opt_parse_alpha(const char *value, void *dest);  /* el_lens_params: Renyi orders */
int el_opt_parse_bos(const char *value, void *dest);    /* el_text_bos: auto|always|never */
int el_opt_parse_size(const char *value, void *dest);   /* int[2]: "WxH", 200x150 .. 8000x8000 */

/* --size and --dpi of the figure commands (plot, embed, heatmap). */
#define EL_OPTS_FIGURE(size, dpi)                                                      \
    EL_OPT_FN("size", size, el_opt_parse_size, "WxH (200x150 .. 8000x8000)"), \
    EL_OPT_NUM("dpi", dpi, 36, 1200)
int el_opt_parse_feature(const char *value, void *dest); /* el_dataset_opts: --features */
int el_opt_parse_depth(const char *value, void *dest);   /* el_dataset_opts: --depth */
int el_opt_parse_depth_axis(const char *value, void *dest); /* el_depth_axis: ends|fraction */

/* The options of the analysis commands that cross-validate a k-NN
 * (classify, correctness, report): one definition, one help text each. */
#define EL_OPTS_CV(cv)                                                                          \
    EL_OPT_NUM("k", &(cv).k, 1, 1000000), EL_OPT_NUM("folds", &(cv).folds, 2, 1000000),        \
    EL_OPT_SEED("seed", &(cv).seed), EL_OPT_SET("standardize", &(cv).standardize),            \
    EL_OPT_SET("standardise", &(cv).standardize), EL_OPT_SET("no-shuffle", &(cv).no_shuffle)
#define EL_OPTS_FEATURES(dopt)                                                                         \
    EL_OPT_FN("features", &(dopt), el_opt_parse_feature, "cls, mean, patches or renyi:A"),               \
    EL_OPT_FN("depth", &(dopt), el_opt_parse_depth, "native, resample:N or pad:N (N >= 2)"),             \
    EL_OPT_FN("depth-axis", &(dopt).depth_axis, el_opt_parse_depth_axis, "ends or fraction")

#endif
