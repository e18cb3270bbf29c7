/* Shared pieces of the command-line front end: exit codes, option parsing
 * helpers and the default model location. */
#ifndef EL_CLI_H
#define EL_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/dataset.h"
#include "base/strbuf.h"
#include "entropy_lens.h"

/* Exit codes (documented in the README and in every --help). */
enum {
    EL_EXIT_OK = 0,          /* everything was processed */
    EL_EXIT_PARTIAL = 1,     /* finished, but some inputs failed (error records written) */
    EL_EXIT_USAGE = 2,       /* bad command line */
    EL_EXIT_FATAL = 3,       /* nothing could run: model, output file or labels unusable */
    EL_EXIT_INTERRUPTED = 130 /* stopped by Ctrl-C after the current batch */
};

#define EL_EXIT_CODES_HELP                                                        \
    "Exit codes: 0 all inputs done; 1 done, but some inputs failed (each has an\n" \
    "error record); 2 usage error; 3 fatal (model, output or labels unusable);\n"  \
    "130 interrupted by Ctrl-C (finished records are kept).\n"

int cmd_profile(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_text(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_correctness(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_heatmap(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* The sample model shipped in samples/: next to the executable's source
 * tree. Returns a static buffer. */
const char *el_default_model_dir(void);
const char *el_default_text_model_dir(void); /* samples/models/fortune-gpt2 */

/* Parse helpers: print "entropy-lens CMD: ..." and return -1 on error. */
int el_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out);
/* Output file descriptor: stdout for NULL or "-", else the file, locked
 * (flock, exclusive, non-blocking: a second writer fails at once with a
 * message) and then truncated, or appended to when resuming. -1 with a
 * message naming cmd on failure. The lock lives as long as the descriptor. */
int el_open_output(const char *cmd, const char *path, int append);
/* 1 (with a message) when output names the same file as input: checked
 * before the output is opened, so an input is never truncated. */
int el_output_is_input(const char *cmd, const char *output, const char *input);

/* Loads the records of files as a data set (analysis/dataset.h) and runs
 * fn on it: the analysis commands' skeleton. Returns fn's exit code, or
 * EL_EXIT_FATAL with "entropy-lens CMD: reason" when loading fails. */
int el_cli_on_dataset(const char *cmd, const char *const *files, int n_files, const el_dataset_opts *o,
                      int (*fn)(void *ctx, el_dataset *ds), void *ctx);

/* The figure kind -o asks for (el_canvas_kind: .png, .svg, .pdf), or -1
 * after "entropy-lens CMD: ..." when output is missing or has another ending. */
int el_cli_figure_kind(const char *cmd, const char *output);

/* Writes sb whole to path ("-": stdout); 0, or -1 after "entropy-lens CMD:
 * PATH: reason" (also when sb ran out of memory). */
int el_cli_write_file(const char *cmd, const char *path, const el_strbuf *sb);

/* "--alpha 0.5,2,inf" and "--units nats|bits|normalized"; 0 or -1. */
int el_parse_alpha(const char *s, el_lens_params *lp);
int el_parse_units(const char *s, el_units *u);
/* A non-negative 64-bit integer (seeds); -1 with a message naming cmd/opt. */
int el_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t *out);
/* Option value: "--opt=value" or "--opt value" (advances *i). NULL if missing. */
const char *el_opt_value(int argc, char **argv, int *i, const char *name);

#endif
