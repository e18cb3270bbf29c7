/* entropy-lens embed: placeholder until the analysis module lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_embed(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "entropy-lens embed: not built yet\n");
    return EL_EXIT_USAGE;
}
