/* peak_rss: run a command and write its peak resident set size in KiB
 * (getrusage's ru_maxrss of the child, the VmHWM the kernel kept for it) to
 * OUTFILE; the command's own stdout/stderr pass through unchanged. Exits with
 * the command's exit code (128 + signal if it was killed). For
 * tests/cli/cli_memory.sh, which must not depend on GNU time.
 * Usage: peak_rss OUTFILE COMMAND [ARG...]
 * Build: cc -o peak_rss peak_rss.c */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: peak_rss OUTFILE COMMAND [ARG...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("peak_rss: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("peak_rss: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("peak_rss: wait4");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror("peak_rss: output");
        return 2;
    }
    fprintf(f, "%ld\n", ru.ru_maxrss);
    fclose(f);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 2;
}
