/* Minimal test harness: CHECK records a failure and goes on; a test file's
 * main returns el_test_finish(), or EL_TEST_SKIP (77) when data is absent. */
#ifndef EL_TEST_UTIL_H
#define EL_TEST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int el_test_failures = 0;
static int el_test_checks = 0;

#define EL_TEST_SKIP 77

#define CHECK(cond)                                                               \
    do {                                                                          \
        el_test_checks++;                                                         \
        if (!(cond)) {                                                            \
            el_test_failures++;                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                         \
    } while (0)

#define CHECK_MSG(cond, ...)                                                      \
    do {                                                                          \
        el_test_checks++;                                                         \
        if (!(cond)) {                                                            \
            el_test_failures++;                                                   \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                         \
            fputc('\n', stderr);                                                  \
        }                                                                         \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                     \
    do {                                                                          \
        double el_a_ = (double)(a), el_b_ = (double)(b);                          \
        el_test_checks++;                                                         \
        if (!(fabs(el_a_ - el_b_) <= (tol))) {                                    \
            el_test_failures++;                                                   \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g, tol %g\n", \
                    __FILE__, __LINE__, #a, el_a_, #b, el_b_, (double)(tol));     \
        }                                                                         \
    } while (0)

static inline int el_test_finish(const char *name) {
    if (el_test_checks == 0) {
        fprintf(stderr, "%s: no checks ran\n", name);
        return 1;
    }
    fprintf(stderr, "%s: %d checks, %d failed\n", name, el_test_checks, el_test_failures);
    return el_test_failures ? 1 : 0;
}

/* Whole file into a malloc'd NUL-terminated buffer (length in *len if not
 * NULL), or NULL. */
static inline char *el_test_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        if (buf) {
            buf[n] = '\0';
            if (len) *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

#ifdef cJSON__h
/* A JSON file parsed with cJSON, or NULL. */
static inline cJSON *el_test_load_json(const char *path) {
    char *text = el_test_slurp(path, NULL);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    return j;
}
#endif

/* Directory of ../shared relative to the source tree, or NULL (test skips). */
static inline const char *el_test_shared_dir(void) {
    static const char *candidates[] = {EL_SOURCE_DIR "/../shared", NULL};
    struct stat st;
    const char *env = getenv("EL_SHARED_DIR");
    if (env && stat(env, &st) == 0) return env;
    for (int i = 0; candidates[i]; i++)
        if (stat(candidates[i], &st) == 0 && S_ISDIR(st.st_mode)) return candidates[i];
    return NULL;
}

#define REQUIRE_SHARED(var)                                   \
    const char *var = el_test_shared_dir();                   \
    if (!var) {                                               \
        printf("SKIP: ../shared not found\n");                \
        return EL_TEST_SKIP;                                  \
    }

#endif
