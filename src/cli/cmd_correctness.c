/* entropy-lens correctness: placeholder until the analysis module lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_correctness(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "entropy-lens correctness: not built yet\n");
    return EL_EXIT_USAGE;
}
