/* entropy-lens classify: placeholder until the analysis module lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_classify(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "entropy-lens classify: not built yet\n");
    return EL_EXIT_USAGE;
}
