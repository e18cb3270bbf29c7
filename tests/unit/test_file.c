/* base/file: only regular files are opened for data, without blocking, and
 * whole-file reads are bounded by the limit of their kind. An alarm turns a
 * regression that blocks on a FIFO into a failure instead of a hang. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/file.h"
#include "entropy_lens.h"
#include "test_util.h"

static char tmp[256];

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "test_file: blocked on a non-regular file (alarm)\n";
    if (write(2, msg, sizeof msg - 1) < 0) _exit(3);
    _exit(2);
}

static void expect_fail(el_status got, el_status want, const char *needle, const char *what) {
    CHECK_MSG(got == want, "%s: got %s (%s)", what, el_status_name(got), el_last_error());
    CHECK_MSG(strstr(el_last_error(), needle) != NULL, "%s: '%s' lacks '%s'", what, el_last_error(), needle);
    CHECK_MSG(!strchr(el_last_error(), '\n'), "%s: message is not one line", what);
}

/* Every entry point refuses a path that is not a regular file, naming it. */
static void refuse_everywhere(const char *path, const char *needle) {
    char *data = (char *)1;
    size_t len = 1;
    expect_fail(el_file_read(path, EL_FILE_CONFIG, &data, &len), EL_ERR_IO, needle, path);
    CHECK(data == NULL && len == 0);
    CHECK(strstr(el_last_error(), path) == el_last_error());
    FILE *fp = (FILE *)1;
    expect_fail(el_file_fopen(path, EL_FILE_RECORDS, &fp), EL_ERR_IO, needle, path);
    CHECK(fp == NULL);
    el_file_map m;
    expect_fail(el_file_map_open(path, 1, &m), EL_ERR_IO, needle, path);
    CHECK(m.data == NULL && m.size == 0);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

static void test_sizes(void) {
    uint64_t v = 0;
    CHECK(el_parse_size("1048576", &v) == 0 && v == 1048576);
    CHECK(el_parse_size("64M", &v) == 0 && v == (uint64_t)64 << 20);
    CHECK(el_parse_size("2G", &v) == 0 && v == (uint64_t)2 << 30);
    CHECK(el_parse_size("3k", &v) == 0 && v == 3072);
    CHECK(el_parse_size("1GiB", &v) == 0 && v == (uint64_t)1 << 30);
    CHECK(el_parse_size("0", &v) != 0);
    CHECK(el_parse_size("-5", &v) != 0);
    CHECK(el_parse_size("12x", &v) != 0);
    CHECK(el_parse_size("", &v) != 0);
    CHECK(el_parse_size(NULL, &v) != 0);
    CHECK(el_parse_size("99999999999T", &v) != 0);
    CHECK(el_file_limit(EL_FILE_CONFIG) == EL_FILE_LIMIT_CONFIG);
    CHECK(el_file_limit(EL_FILE_IMAGE) == EL_FILE_LIMIT_IMAGE);
}

static void test_limits(void) {
    char p[600];
    snprintf(p, sizeof p, "%s/small.json", tmp);
    write_file(p, "{\"hidden_size\": 64, \"padding\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n");
    char *data;
    size_t len;
    CHECK(el_file_read(p, EL_FILE_CONFIG, &data, &len) == EL_OK && len == 68 && data[len] == '\0');
    free(data);
    /* The environment variable replaces every kind's limit ... */
    setenv(EL_MAX_FILE_SIZE_ENV, "40", 1);
    CHECK(el_file_limit(EL_FILE_TOKENIZER) == 40);
    expect_fail(el_file_read(p, EL_FILE_CONFIG, &data, &len), EL_ERR_LIMIT,
                "68 bytes is over the 40-byte limit for JSON config files", "env limit");
    CHECK(strstr(el_last_error(), "--max-file-size") != NULL);
    FILE *fp;
    expect_fail(el_file_fopen(p, EL_FILE_LABELS, &fp), EL_ERR_LIMIT, "limit for labels CSV files", "fopen limit");
    /* ... a malformed value is ignored, and the call (the CLI flag) wins. */
    setenv(EL_MAX_FILE_SIZE_ENV, "lots", 1);
    CHECK(el_file_limit(EL_FILE_CONFIG) == EL_FILE_LIMIT_CONFIG);
    setenv(EL_MAX_FILE_SIZE_ENV, "40", 1);
    el_file_set_max_size(68);
    CHECK(el_file_read(p, EL_FILE_CONFIG, &data, &len) == EL_OK && len == 68);
    free(data);
    CHECK(el_file_fopen(p, EL_FILE_LABELS, &fp) == EL_OK && fp && fgetc(fp) == '{');
    if (fp) fclose(fp);
    el_file_set_max_size(67);
    expect_fail(el_file_read(p, EL_FILE_IMAGE, &data, &len), EL_ERR_LIMIT, "68 bytes", "set limit");
    el_file_set_max_size(0);
    unsetenv(EL_MAX_FILE_SIZE_ENV);
    /* A regular file whose stat size is 0 but which has content (/proc) is
     * read, and bounded by the limit all the same. */
    CHECK(el_file_read("/proc/self/status", EL_FILE_CONFIG, &data, &len) == EL_OK && len > 100 &&
          strstr(data, "Name:") == data);
    free(data);
    el_file_set_max_size(64);
    expect_fail(el_file_read("/proc/self/status", EL_FILE_CONFIG, &data, &len), EL_ERR_LIMIT, "/proc/self/status",
                "proc limit");
    el_file_set_max_size(0);
    /* Empty file: an empty string, and an empty mapping. */
    snprintf(p, sizeof p, "%s/empty", tmp);
    write_file(p, "");
    CHECK(el_file_read(p, EL_FILE_CONFIG, &data, &len) == EL_OK && len == 0 && data && data[0] == '\0');
    free(data);
    el_file_map m;
    CHECK(el_file_map_open(p, 0, &m) == EL_OK && m.data == NULL && m.size == 0);
    snprintf(p, sizeof p, "%s/small.json", tmp);
    CHECK(el_file_map_open(p, 1, &m) == EL_OK && m.size == 68 && m.data && m.data[0] == '{');
    el_file_map_close(&m);
    CHECK(m.data == NULL);
}

/* The bounded getline: lines with NUL bytes and no final newline come back
 * whole, and a stream longer than the limit stops at the limit. */
static void test_getline(void) {
    char p[600];
    snprintf(p, sizeof p, "%s/lines", tmp);
    FILE *f = fopen(p, "wb");
    fwrite("ab\n\0x\nlast", 1, 10, f);
    fclose(f);
    FILE *fp;
    CHECK(el_file_fopen(p, EL_FILE_PROMPTS, &fp) == EL_OK);
    char *line = NULL;
    size_t cap = 0;
    long len;
    uint64_t used = 0;
    CHECK(el_file_getline(fp, p, EL_FILE_PROMPTS, &used, &line, &cap, &len) == EL_OK && len == 3 && !strcmp(line, "ab\n"));
    CHECK(el_file_getline(fp, p, EL_FILE_PROMPTS, &used, &line, &cap, &len) == EL_OK && len == 3 && line[1] == 'x');
    CHECK(el_file_getline(fp, p, EL_FILE_PROMPTS, &used, &line, &cap, &len) == EL_OK && len == 4 && !strcmp(line, "last"));
    CHECK(el_file_getline(fp, p, EL_FILE_PROMPTS, &used, &line, &cap, &len) == EL_OK && len == -1);
    CHECK(used == 10);
    fclose(fp);
    /* /dev/zero through a stream (as stdin would be): one endless line. */
    fp = fopen("/dev/zero", "rb");
    used = 0;
    el_file_set_max_size(1 << 20);
    expect_fail(el_file_getline(fp, "-", EL_FILE_RECORDS, &used, &line, &cap, &len), EL_ERR_LIMIT,
                "-: the input is over the 1 MiB limit for JSONL records files", "endless line");
    CHECK(cap <= (2u << 20) + 256);
    el_file_set_max_size(0);
    fclose(fp);
    free(line);
}

int main(void) {
    snprintf(tmp, sizeof tmp, "/tmp/el_test_file_XXXXXX");
    if (!mkdtemp(tmp)) return 1;
    signal(SIGALRM, on_alarm);
    alarm(60);
    unsetenv(EL_MAX_FILE_SIZE_ENV);
    test_sizes();
    char p[600];
    snprintf(p, sizeof p, "%s/fifo", tmp);
    CHECK(mkfifo(p, 0600) == 0);
    refuse_everywhere(p, "not a regular file (a FIFO)");
    refuse_everywhere(tmp, "not a regular file (a directory)");
    refuse_everywhere("/dev/zero", "not a regular file (a character device)");
    refuse_everywhere("/dev/urandom", "not a regular file (a character device)");
    snprintf(p, sizeof p, "%s/sock", tmp);
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(p) < sizeof sa.sun_path) memcpy(sa.sun_path, p, strlen(p) + 1);
    CHECK(sfd >= 0 && bind(sfd, (struct sockaddr *)&sa, sizeof sa) == 0);
    refuse_everywhere(p, "not a regular file (a socket)");
    close(sfd);
    snprintf(p, sizeof p, "%s/missing", tmp);
    char *data;
    size_t len;
    expect_fail(el_file_read(p, EL_FILE_CONFIG, &data, &len), EL_ERR_IO, "No such file", "missing");
    test_limits();
    test_getline();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    CHECK(system(cmd) == 0);
    return el_test_finish("test_file");
}
