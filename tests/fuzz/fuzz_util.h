/* Shared helpers for the libFuzzer targets in tests/fuzz/.
 *
 * Inputs that stand for several files are split at NUL bytes (JSON, merges.txt
 * and prompts never contain one): part 0, part 1, ... The last part gets the
 * rest of the input, NULs included.
 *
 * Files go to a private folder made once per process under $TMPDIR (or /tmp)
 * and removed at exit; tests/fuzz/run.sh points TMPDIR at its own scratch
 * folder so even a crashed process leaves nothing behind.
 *
 * EL_FUZZ_CHECK(cond, ...) is a contract check: the library promised
 * something (an id in range, an error message naming the file, no pixels
 * left behind on failure) and did not keep it. It prints and aborts, so
 * libFuzzer records the input as a crash. Set EL_FUZZ_LENIENT=1 to make
 * contract checks print only (memory errors still abort): useful to keep a
 * campaign going past a known, reported contract bug; or name the check
 * (EL_FUZZ_CHECK_TAG) and list its tag in EL_FUZZ_ALLOW. */
#ifndef EL_FUZZ_UTIL_H
#define EL_FUZZ_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EL_SOURCE_DIR
#error "EL_SOURCE_DIR must point at the source tree (tests/fuzz/CMakeLists.txt sets it)"
#endif

static int el_fuzz_lenient = -1;
static long el_fuzz_violations = 0;

/* Called on a violated contract: 1 if the details should be printed (strict
 * mode: always, then abort; lenient mode: the first 10 only). */
static inline int el_fuzz_violation(void) {
    if (el_fuzz_lenient < 0) {
        const char *e = getenv("EL_FUZZ_LENIENT");
        el_fuzz_lenient = e && *e && strcmp(e, "0") != 0;
    }
    return !el_fuzz_lenient || el_fuzz_violations++ < 10;
}

static inline void el_fuzz_violated(const char *file, int line, const char *cond, int print) {
    if (print) fprintf(stderr, "%s:%d: contract violated: %s\n", file, line, cond);
    if (!el_fuzz_lenient) abort();
}

#define EL_FUZZ_CHECK(cond, ...)                                        \
    do {                                                                \
        if (!(cond)) {                                                  \
            int el_print_ = el_fuzz_violation();                        \
            if (el_print_) {                                            \
                fprintf(stderr, "contract: ");                          \
                fprintf(stderr, __VA_ARGS__);                           \
                fputc('\n', stderr);                                    \
            }                                                           \
            el_fuzz_violated(__FILE__, __LINE__, #cond, el_print_);     \
        }                                                               \
    } while (0)

/* A contract check with a name: skipped when the name is listed in
 * EL_FUZZ_ALLOW (comma-separated), so a campaign can go on past a known,
 * reported violation while every other check still aborts. */
static inline int el_fuzz_allowed(const char *tag) {
    const char *allow = getenv("EL_FUZZ_ALLOW");
    size_t n = strlen(tag);
    for (const char *p = allow; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, tag, n)) return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

#define EL_FUZZ_CHECK_TAG(tag, cond, ...)                               \
    do {                                                                \
        if (!(cond) && !el_fuzz_allowed(tag)) EL_FUZZ_CHECK(cond, "[" tag "] " __VA_ARGS__); \
    } while (0)

/* ------------------------------------------------------------ temp folder */

static char el_fuzz_dir_path[512];

static inline int el_fuzz_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

/* EL_FUZZ_KEEP=1 leaves the folder (and the files of the last input) for a
 * look at what a target built. */
static inline void el_fuzz_cleanup(void) {
    const char *keep = getenv("EL_FUZZ_KEEP");
    if (keep && *keep && strcmp(keep, "0")) {
        fprintf(stderr, "fuzz: kept %s\n", el_fuzz_dir_path);
        return;
    }
    if (el_fuzz_dir_path[0]) nftw(el_fuzz_dir_path, el_fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The process's scratch folder (created on first use). */
static inline const char *el_fuzz_dir(void) {
    if (!el_fuzz_dir_path[0]) {
        const char *base = getenv("TMPDIR");
        if (!base || !*base) base = "/tmp";
        snprintf(el_fuzz_dir_path, sizeof el_fuzz_dir_path, "%s/el-fuzz-XXXXXX", base);
        if (!mkdtemp(el_fuzz_dir_path)) {
            fprintf(stderr, "fuzz: cannot create %s: %s\n", el_fuzz_dir_path, strerror(errno));
            abort();
        }
        atexit(el_fuzz_cleanup);
    }
    return el_fuzz_dir_path;
}

/* dir/name into buf. */
static inline const char *el_fuzz_path(char *buf, size_t cap, const char *name) {
    snprintf(buf, cap, "%s/%s", el_fuzz_dir(), name);
    return buf;
}

/* Replace the file with exactly these bytes. */
static inline void el_fuzz_write(const char *path, const uint8_t *data, size_t n) {
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
    while (n) {
        ssize_t w = write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "fuzz: write %s: %s\n", path, strerror(errno));
            abort();
        }
        data += w;
        n -= (size_t)w;
    }
    close(fd);
}

/* Symlink target -> dir/name (replacing whatever was there). */
static inline void el_fuzz_link(const char *target, const char *name) {
    char p[1024];
    el_fuzz_path(p, sizeof p, name);
    unlink(p);
    if (symlink(target, p) != 0) {
        fprintf(stderr, "fuzz: symlink %s -> %s: %s\n", p, target, strerror(errno));
        abort();
    }
}

static inline void el_fuzz_unlink(const char *name) {
    char p[1024];
    unlink(el_fuzz_path(p, sizeof p, name));
}

/* ------------------------------------------------------------ splitting */

typedef struct {
    const uint8_t *p;
    size_t n;
} el_fuzz_part;

/* Split at the first max-1 NUL bytes; returns the number of parts (>= 1). */
static inline int el_fuzz_split(const uint8_t *data, size_t size, el_fuzz_part *parts, int max) {
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i < size && k < max - 1; i++)
        if (data[i] == 0) {
            parts[k].p = data + start;
            parts[k].n = i - start;
            k++;
            start = i + 1;
        }
    parts[k].p = data + start;
    parts[k].n = size - start;
    return k + 1;
}

/* A NUL-terminated malloc'd copy (the caller frees). */
static inline char *el_fuzz_cstr(const uint8_t *p, size_t n) {
    char *s = malloc(n + 1);
    if (!s) abort();
    if (n) memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* el_last_error() must name the file: the project's error contract. */
#define EL_FUZZ_CHECK_NAMES(msg, name)                                              \
    EL_FUZZ_CHECK((msg) && strstr((msg), (name)) != NULL,                          \
                  "error message does not name the file '%s': \"%s\"", (name), (msg) ? (msg) : "(null)")

#endif
