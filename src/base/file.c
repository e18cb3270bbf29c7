#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/status.h"

static const struct {
    uint64_t limit;
    const char *name;
} kinds[EL_FILE_KIND_COUNT] = {
    [EL_FILE_CONFIG] = {EL_FILE_LIMIT_CONFIG, "JSON config"},
    [EL_FILE_TOKENIZER] = {EL_FILE_LIMIT_TOKENIZER, "tokenizer"},
    [EL_FILE_IMAGE] = {EL_FILE_LIMIT_IMAGE, "image"},
    [EL_FILE_PROMPTS] = {EL_FILE_LIMIT_PROMPTS, "prompts"},
    [EL_FILE_LABELS] = {EL_FILE_LIMIT_LABELS, "labels CSV"},
    [EL_FILE_RECORDS] = {EL_FILE_LIMIT_RECORDS, "JSONL records"},
};

static uint64_t max_override; /* 0: none */
static volatile sig_atomic_t *stop_flag;
static atomic_ulong cut_reads;

void el_file_set_stop_flag(volatile sig_atomic_t *flag) { stop_flag = flag; }
unsigned long el_file_cut_reads(void) { return atomic_load(&cut_reads); }

static int stopping(void) { return stop_flag && *stop_flag; }

static el_status cut_short(const char *path) {
    atomic_fetch_add(&cut_reads, 1);
    return el_fail(EL_ERR_IO, "%s: read interrupted (the run is stopping)", path);
}

/* Test hook: a file whose path ends with $EL_TEST_BLOCK_READ reads as if
 * stuck (a hung network file system) until the stop flag is raised, then
 * fails as an interrupted read does (or, after 2 minutes, reads normally). */
static el_status test_block_read(const char *path) {
    const char *name = getenv(EL_TEST_BLOCK_READ_ENV);
    size_t n = name ? strlen(name) : 0, pl = strlen(path);
    if (!n || pl < n || strcmp(path + pl - n, name)) return EL_OK;
    for (int i = 0; i < 6000 && !stopping(); i++) nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    return stopping() ? cut_short(path) : EL_OK;
}

int el_parse_size(const char *s, uint64_t *out) {
    if (!s || *s < '0' || *s > '9') return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || v == 0) return -1;
    int shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: return -1;
    }
    if (*end && end[1] && strcmp(end + 1, "B") && strcmp(end + 1, "iB")) return -1;
    if (v > (UINT64_MAX >> shift)) return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

void el_file_set_max_size(uint64_t bytes) { max_override = bytes; }

uint64_t el_file_limit(el_file_kind kind) {
    if (max_override) return max_override;
    /* Read each time (cheap): no lazy-init race when threads load files. */
    uint64_t env;
    if (el_parse_size(getenv(EL_MAX_FILE_SIZE_ENV), &env) == 0) return env;
    return (unsigned)kind < EL_FILE_KIND_COUNT ? kinds[kind].limit : EL_FILE_LIMIT_CONFIG;
}

const char *el_file_kind_name(el_file_kind kind) {
    return (unsigned)kind < EL_FILE_KIND_COUNT ? kinds[kind].name : "data";
}

static const char *type_name(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "not a plain file";
}

el_status el_file_open(const char *path, int *fd, uint64_t *size) {
    *fd = -1;
    *size = 0;
    if (!path) return el_fail(EL_ERR_ARG, "(null): no file name given");
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer forever. Sockets fail here with ENXIO. */
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (f < 0) {
        if (errno == ENXIO) return el_fail(EL_ERR_IO, "%s: not a regular file (a socket)", path);
        return el_fail(EL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(f, &st) != 0) {
        int e = errno;
        close(f);
        return el_fail(EL_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        return el_fail(EL_ERR_IO, "%s: not a regular file (%s)", path, type_name(st.st_mode));
    }
    /* Regular files ignore O_NONBLOCK, but clear it so later reads are plain. */
    int fl = fcntl(f, F_GETFL);
    if (fl >= 0) (void)fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
    *fd = f;
    *size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
    return EL_OK;
}

static el_status over_limit(const char *path, el_file_kind kind, const char *size_text) {
    uint64_t lim = el_file_limit(kind);
    char lt[48];
    if (lim % (1u << 20) == 0)
        snprintf(lt, sizeof lt, "%llu MiB", (unsigned long long)(lim >> 20));
    else
        snprintf(lt, sizeof lt, "%llu-byte", (unsigned long long)lim);
    return el_fail(EL_ERR_LIMIT,
                   "%s: %s is over the %s limit for %s files (raise it with --max-file-size or %s)", path,
                   size_text, lt, el_file_kind_name(kind), EL_MAX_FILE_SIZE_ENV);
}

static el_status check_size(const char *path, el_file_kind kind, uint64_t size) {
    if (size <= el_file_limit(kind)) return EL_OK;
    char st[48];
    snprintf(st, sizeof st, "%llu bytes", (unsigned long long)size);
    return over_limit(path, kind, st);
}

/* read() until cap bytes or end of file, retrying on EINTR unless the run
 * is stopping (Ctrl-C must not wait on a read that may never end). */
static el_status read_fully(int fd, const char *path, char *buf, size_t cap, size_t *got) {
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR && stopping()) return cut_short(path);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return el_fail(EL_ERR_IO, "%s: read error: %s", path, strerror(errno));
        if (r == 0) break;
        n += (size_t)r;
    }
    *got = n;
    return EL_OK;
}

el_status el_file_read(const char *path, el_file_kind kind, char **data, size_t *len) {
    *data = NULL;
    *len = 0;
    int fd;
    uint64_t size;
    EL_TRY(test_block_read(path));
    EL_TRY(el_file_open(path, &fd, &size));
    el_status s = check_size(path, kind, size);
    uint64_t lim = el_file_limit(kind);
    /* Room for the reported size, one byte more to notice growth past the
     * limit, and the NUL; a file whose stat size is 0 (/proc) gets 64 KiB
     * chunks up to the limit. */
    size_t cap = (size_t)(size ? size : 65536) + 2;
    char *buf = s == EL_OK ? malloc(cap) : NULL;
    if (s == EL_OK && !buf) s = el_fail(EL_ERR_NOMEM, "%s: cannot allocate %zu bytes to read it", path, cap);
    size_t n = 0;
    while (s == EL_OK) {
        size_t got = 0;
        s = read_fully(fd, path, buf + n, cap - 1 - n, &got);
        n += got;
        if (s != EL_OK || n < cap - 1) break;
        if (n > lim) {
            s = over_limit(path, kind, "its content (it grew while being read)");
            break;
        }
        size_t ncap = cap * 2 > lim + 2 ? (size_t)lim + 2 : cap * 2;
        char *nb = realloc(buf, ncap);
        if (!nb) s = el_fail(EL_ERR_NOMEM, "%s: cannot allocate %zu bytes to read it", path, ncap);
        else buf = nb, cap = ncap;
    }
    if (s == EL_OK && n > lim) s = over_limit(path, kind, "its content (it grew while being read)");
    close(fd);
    if (s != EL_OK) {
        free(buf);
        return s;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return EL_OK;
}

el_status el_file_fopen(const char *path, el_file_kind kind, FILE **out) {
    *out = NULL;
    int fd;
    uint64_t size;
    EL_TRY(el_file_open(path, &fd, &size));
    el_status s = check_size(path, kind, size);
    if (s != EL_OK) {
        close(fd);
        return s;
    }
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        int e = errno;
        close(fd);
        return el_fail(EL_ERR_NOMEM, "%s: cannot open a stream: %s", path, strerror(e));
    }
    *out = fp;
    return EL_OK;
}

el_status el_file_getline(FILE *fp, const char *path, el_file_kind kind, uint64_t *used, char **line,
                          size_t *cap, long *len) {
    const uint64_t lim = el_file_limit(kind);
    size_t n = 0;
    int c;
    *len = -1;
    while ((c = getc_unlocked(fp)) != EOF) {
        if (++*used > lim) return over_limit(path, kind, "the input");
        if (n + 2 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 256;
            char *nl = realloc(*line, ncap);
            if (!nl) return el_fail(EL_ERR_NOMEM, "%s: out of memory for a %zu-byte line", path, n);
            *line = nl;
            *cap = ncap;
        }
        (*line)[n++] = (char)c;
        if (c == '\n') break;
    }
    if (ferror(fp)) return el_fail(EL_ERR_IO, "%s: read error: %s", path, strerror(errno));
    if (n == 0) return EL_OK;
    (*line)[n] = '\0';
    *len = (long)n;
    return EL_OK;
}

el_status el_file_map_open(const char *path, int populate, el_file_map *m) {
    m->data = NULL;
    m->size = 0;
    int fd;
    uint64_t size;
    EL_TRY(el_file_open(path, &fd, &size));
    if (size > SIZE_MAX) {
        close(fd);
        return el_fail(EL_ERR_LIMIT, "%s: %llu bytes does not fit in the address space", path,
                       (unsigned long long)size);
    }
    if (size == 0) {
        close(fd);
        return EL_OK;
    }
    int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
    if (populate) flags |= MAP_POPULATE;
#else
    (void)populate;
#endif
    void *p = mmap(NULL, (size_t)size, PROT_READ, flags, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED) return el_fail(EL_ERR_IO, "%s: mmap failed: %s", path, strerror(e));
    m->data = p;
    m->size = (size_t)size;
    return EL_OK;
}

void el_file_map_close(el_file_map *m) {
    if (m->data) munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}
