/* entropy-lens plot: placeholder until the analysis module lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_plot(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "entropy-lens plot: not built yet\n");
    return EL_EXIT_USAGE;
}
