/* entropy-lens: per-layer logit-lens entropy profiles of transformers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/file.h"
#include "cli/cli.h"
#include "cli/dist.h"

static const char *usage =
    "entropy-lens: per-layer logit-lens entropy profiles of transformers\n"
    "\n"
    "Usage: entropy-lens COMMAND [options]\n"
    "\n"
    "Commands:\n"
    "  profile PATH...   entropy profiles of images (files and folders)\n"
    "  text              entropy profiles of a language model generating from prompts\n"
    "  info              describe a model: architecture, sizes, preprocessing, lens\n"
    "  tokenize          text to token ids and pieces, ids to text, with a model's tokenizer\n"
    "\n"
    "Analysis of the JSONL files profile and text write:\n"
    "  classify          k-NN cross-validated classification of profiles by a field\n"
    "  correctness       how well profiles predict whether top-1 is right\n"
    "  embed             2-D t-SNE or PCA of profiles (SVG, PNG or CSV)\n"
    "  plot              entropy vs normalised depth, one line per group\n"
    "  heatmap           patch-token entropy maps of one image over its layers\n"
    "  report            one self-contained HTML report of a run\n"
    "\n"
    "Run 'entropy-lens COMMAND --help' for a command's options.\n"
    "\n"
    "Every command also takes --max-file-size SIZE (e.g. 512M, 2G): the most it\n"
    "reads of any one config, tokenizer, image, prompts, labels or records file\n"
    "(defaults: docs/hostile-input.md; also $EL_MAX_FILE_SIZE).\n"
    "\n" EL_EXIT_CODES_HELP;

static int dispatch(int argc, char **argv);

/* --max-file-size SIZE (or =SIZE) anywhere before "--", for every command:
 * taken out of argv here. 0, or -1 after a message. */
static int take_max_file_size(int *argc, char **argv) {
    for (int i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
        const char *v = NULL;
        int used = 0;
        if (!strcmp(argv[i], "--max-file-size")) v = i + 1 < *argc ? argv[i + 1] : "", used = 2;
        else if (!strncmp(argv[i], "--max-file-size=", 16)) v = argv[i] + 16, used = 1;
        if (!used) continue;
        uint64_t bytes;
        if (el_parse_size(v, &bytes)) {
            fprintf(stderr, "entropy-lens: --max-file-size '%s' is not a size (bytes, or with K, M, G, T)\n", v);
            return -1;
        }
        el_file_set_max_size(bytes);
        memmove(argv + i, argv + i + used, sizeof *argv * (size_t)(*argc - i - used + 1));
        *argc -= used;
        i--;
    }
    return 0;
}

int main(int argc, char **argv) {
    el_dist_init(&argc, &argv);
    int rc = take_max_file_size(&argc, argv) ? EL_EXIT_USAGE : dispatch(argc, argv);
    el_dist_finalize();
    return rc;
}

/* `entropy-lens CMD ... --version` answers like `entropy-lens --version`
 * for every subcommand (options after "--" are arguments, not options). */
static int asks_version(int argc, char **argv) {
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--version")) return 1;
    return 0;
}

static int dispatch(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EL_EXIT_USAGE : EL_EXIT_OK;
    }
    if (asks_version(argc, argv)) {
        printf("entropy-lens %s\n", el_version());
        return EL_EXIT_OK;
    }
    if (!strcmp(argv[1], "profile")) return cmd_profile(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return cmd_info(argc - 1, argv + 1);
    if (!strcmp(argv[1], "text")) return cmd_text(argc - 1, argv + 1);
    if (!strcmp(argv[1], "tokenize")) return cmd_tokenize(argc - 1, argv + 1);
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } analysis[] = {{"classify", cmd_classify}, {"correctness", cmd_correctness}, {"embed", cmd_embed},
                    {"plot", cmd_plot},         {"heatmap", cmd_heatmap},         {"report", cmd_report}};
    for (size_t i = 0; i < sizeof analysis / sizeof analysis[0]; i++)
        if (!strcmp(argv[1], analysis[i].name)) return analysis[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "entropy-lens: unknown command '%s' (see entropy-lens --help)\n", argv[1]);
    return EL_EXIT_USAGE;
}
