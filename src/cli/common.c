#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot/canvas.h"

#include "cli/cli.h"

/* The sample models: <prefix>/share/entropy-lens/models/ when the binary is
 * installed in <prefix>/bin, samples/models/ beside a binary in a tree that
 * has them, else the source tree the binary was built from. */
static const char *sample_model(char *buf, size_t n, const char *name) {
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *rel[] = {"/../samples/models/", "/../share/entropy-lens/models/"};
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                snprintf(buf, n, "%s%s%s", exe, rel[i], name);
                if (access(buf, R_OK) == 0) return buf;
            }
        }
    }
    snprintf(buf, n, "%s/samples/models/%s", EL_SOURCE_DIR, name);
    return buf;
}

const char *el_default_model_dir(void) {
    static char buf[PATH_MAX + 64];
    return sample_model(buf, sizeof buf, "fashion-vit");
}

const char *el_default_text_model_dir(void) {
    static char buf[PATH_MAX + 64];
    return sample_model(buf, sizeof buf, "fortune-gpt2");
}

int el_parse_alpha(const char *s, el_lens_params *lp) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    lp->n_alpha = 0;
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (lp->n_alpha == EL_MAX_ALPHA) return -1;
        double a;
        if (!strcmp(t, "inf") || !strcmp(t, "infinity")) {
            a = INFINITY;
        } else {
            char *end;
            a = strtod(t, &end);
            if (end == t || *end || !isfinite(a)) return -1;
        }
        if (a < 0.0 || a == 1.0) return -1;
        lp->alpha[lp->n_alpha++] = a;
    }
    return lp->n_alpha ? 0 : -1;
}

int el_parse_units(const char *s, el_units *u) {
    if (!strcmp(s, "nats")) *u = EL_UNITS_NATS;
    else if (!strcmp(s, "bits")) *u = EL_UNITS_BITS;
    else if (!strcmp(s, "normalized")) *u = EL_UNITS_NORMALIZED;
    else return -1;
    return 0;
}

int el_parse_int(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "entropy-lens %s: %s needs an integer in [%ld, %ld], got '%s'\n", cmd, opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

const char *el_opt_value(int argc, char **argv, int *i, const char *name) {
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name)) {
        if (*i + 1 >= argc) return NULL;
        return argv[++*i];
    }
    return NULL;
}

int el_open_output(const char *cmd, const char *path, int append) {
    if (!path || !strcmp(path, "-")) return STDOUT_FILENO;
    /* Opened without O_TRUNC: a second writer must fail at the lock before
     * it can truncate what the first one is writing. */
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : 0), 0644);
    if (fd < 0) {
        fprintf(stderr, "entropy-lens %s: %s: cannot write: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "entropy-lens %s: %s: %s\n", cmd, path,
                errno == EWOULDBLOCK ? "another entropy-lens run is writing this file (locked)" : strerror(errno));
        close(fd);
        return -1;
    }
    if (!append && ftruncate(fd, 0) != 0) {
        struct stat st;
        if (fstat(fd, &st) != 0 || S_ISREG(st.st_mode)) { /* FIFOs and ttys cannot be truncated */
            fprintf(stderr, "entropy-lens %s: %s: cannot truncate: %s\n", cmd, path, strerror(errno));
            close(fd);
            return -1;
        }
    }
    return fd;
}

int el_output_is_input(const char *cmd, const char *output, const char *input) {
    struct stat so, si;
    if (!output || !strcmp(output, "-") || !input || stat(output, &so) != 0 || stat(input, &si) != 0) return 0;
    if (so.st_dev != si.st_dev || so.st_ino != si.st_ino) return 0;
    fprintf(stderr, "entropy-lens %s: -o %s is one of the inputs (%s); refusing to overwrite it\n", cmd, output,
            input);
    return 1;
}

int el_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || s[0] == '-') {
        fprintf(stderr, "entropy-lens %s: %s needs a non-negative integer, got '%s'\n", cmd, opt, s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

int el_cli_on_dataset(const char *cmd, const char *const *files, int n_files, const el_dataset_opts *o,
                      int (*fn)(void *ctx, el_dataset *ds), void *ctx) {
    el_dataset ds;
    if (el_dataset_load(files, n_files, o, &ds) != EL_OK) {
        fprintf(stderr, "entropy-lens %s: %s\n", cmd, el_last_error());
        return EL_EXIT_FATAL;
    }
    int code = fn(ctx, &ds);
    el_dataset_free(&ds);
    return code;
}

int el_cli_write_file(const char *cmd, const char *path, const el_strbuf *sb) {
    FILE *fp = !strcmp(path, "-") ? stdout : fopen(path, "wb");
    if (!fp) {
        fprintf(stderr, "entropy-lens %s: %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    int bad = sb->oom || fwrite(sb->data, 1, sb->len, fp) != sb->len;
    if (fp == stdout) bad |= fflush(fp) != 0;
    else if (fclose(fp) != 0) bad = 1;
    if (bad) fprintf(stderr, "entropy-lens %s: %s: write failed%s\n", cmd, path, sb->oom ? " (out of memory)" : "");
    return bad ? -1 : 0;
}

int el_cli_figure_kind(const char *cmd, const char *output) {
    int kind = output ? el_canvas_kind_from_path(output) : -1;
    if (!output) fprintf(stderr, "entropy-lens %s: -o OUT.png, OUT.svg or OUT.pdf is required\n", cmd);
    else if (kind < 0) fprintf(stderr, "entropy-lens %s: %s: the output must end in .png, .svg or .pdf\n", cmd, output);
    return kind;
}
