/* entropy-lens heatmap: placeholder until the analysis module lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_heatmap(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "entropy-lens heatmap: not built yet\n");
    return EL_EXIT_USAGE;
}
