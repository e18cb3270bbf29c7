/* make_corrupt: write COUNT corrupt copies of the given image files into
 * OUTDIR, for tests/cli/cli_memory.sh (forking `head` thousands of times is too
 * slow on a loaded machine). File i is a copy of source i % S, either
 * truncated to a pseudo-random length in [1, n-1] (nine files in ten) or
 * whole with a run of 16 bytes inverted at a pseudo-random offset past the
 * first 8 (these often still decode: corrupt JPEG data is not an error). Names: c00000_<source base name>, so they sort in creation order
 * and keep the image extension. Deterministic.
 * Usage: make_corrupt OUTDIR COUNT SRC...
 * Build: cc -o make_corrupt make_corrupt.c */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *base;
    unsigned char *data;
    size_t n;
} source;

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: make_corrupt OUTDIR COUNT SRC...\n");
        return 2;
    }
    const char *out = argv[1];
    long count = atol(argv[2]);
    int ns = argc - 3;
    source *src = calloc((size_t)ns, sizeof *src);
    if (!src) return 2;
    for (int k = 0; k < ns; k++) {
        FILE *f = fopen(argv[3 + k], "rb");
        if (!f) {
            perror(argv[3 + k]);
            return 2;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        if (n < 32) {
            fprintf(stderr, "make_corrupt: %s is too small\n", argv[3 + k]);
            return 2;
        }
        src[k].data = malloc((size_t)n);
        if (!src[k].data || fread(src[k].data, 1, (size_t)n, f) != (size_t)n) {
            fprintf(stderr, "make_corrupt: cannot read %s\n", argv[3 + k]);
            return 2;
        }
        fclose(f);
        src[k].n = (size_t)n;
        const char *slash = strrchr(argv[3 + k], '/');
        src[k].base = slash ? slash + 1 : argv[3 + k];
    }
    unsigned long long state = 0x9E3779B97F4A7C15ull;
    char path[4096];
    unsigned char *buf = NULL;
    size_t cap = 0;
    for (long i = 0; i < count; i++) {
        source *s = &src[i % ns];
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        unsigned long long r = state >> 17;
        size_t len = s->n;
        if (cap < s->n) {
            free(buf);
            buf = malloc(s->n);
            cap = s->n;
            if (!buf) return 2;
        }
        memcpy(buf, s->data, s->n);
        if (i % 10 != 9) {
            len = 1 + (size_t)(r % (s->n - 1));
        } else {
            size_t at = 8 + (size_t)(r % (s->n - 8));
            for (size_t j = at; j < at + 16 && j < s->n; j++) buf[j] ^= 0xFF;
        }
        snprintf(path, sizeof path, "%s/c%05ld_%s", out, i, s->base);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            perror(path);
            return 2;
        }
    }
    free(buf);
    for (int k = 0; k < ns; k++) free(src[k].data);
    free(src);
    return 0;
}
