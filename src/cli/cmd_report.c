/* entropy-lens report: placeholder until the analysis module lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_report(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "entropy-lens report: not built yet\n");
    return EL_EXIT_USAGE;
}
