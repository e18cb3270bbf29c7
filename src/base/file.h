/* Opening data files safely: only regular files (checked without blocking,
 * so a FIFO, socket, device or directory named as input is refused at once
 * instead of hanging the run or streaming /dev/zero forever) and every whole
 * file read bounded by a size limit for its kind of file.
 *
 * The limits (bytes) are the defaults below. EL_MAX_FILE_SIZE in the
 * environment, or el_file_set_max_size() (the CLI's --max-file-size), replaces
 * the limit of EVERY kind with one value (raise it for a huge tokenizer, or
 * lower it in tests). Sizes accept a K/M/G/T suffix (binary: 1K = 1024).
 * docs/hostile-input.md lists them. */
#ifndef EL_FILE_H
#define EL_FILE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "entropy_lens.h"

typedef enum {
    EL_FILE_CONFIG,    /* config.json, preprocessor_config.json, shard index */
    EL_FILE_TOKENIZER, /* tokenizer.json, vocab.json, merges.txt, tokenizer.model/.bin */
    EL_FILE_IMAGE,     /* PNG/JPEG/PNM (a PPM at the default pixel limit is 256 MiB) */
    EL_FILE_PROMPTS,   /* prompt files of `text` (one prompt per line or JSONL) */
    EL_FILE_LABELS,    /* labels CSV of `profile --labels` */
    EL_FILE_RECORDS,   /* JSONL records read back by classify/report/plot/... */
    EL_FILE_KIND_COUNT
} el_file_kind;

#define EL_FILE_LIMIT_CONFIG ((uint64_t)64 << 20)
#define EL_FILE_LIMIT_TOKENIZER ((uint64_t)128 << 20)
#define EL_FILE_LIMIT_IMAGE ((uint64_t)256 << 20)
#define EL_FILE_LIMIT_PROMPTS ((uint64_t)256 << 20)
#define EL_FILE_LIMIT_LABELS ((uint64_t)64 << 20)
#define EL_FILE_LIMIT_RECORDS ((uint64_t)1 << 30)
#define EL_MAX_FILE_SIZE_ENV "EL_MAX_FILE_SIZE"

/* The limit in force for a kind: el_file_set_max_size() if called with a
 * non-zero value, else $EL_MAX_FILE_SIZE if valid, else the default. */
uint64_t el_file_limit(el_file_kind kind);
/* "JSON config", "image", ... for messages. */
const char *el_file_kind_name(el_file_kind kind);
/* One limit for every kind (0: back to the environment/defaults). Call before
 * starting threads. */
void el_file_set_max_size(uint64_t bytes);
/* "1048576", "64M", "2G" -> bytes; 0 on success, -1 if malformed or zero. */
int el_parse_size(const char *s, uint64_t *out);

/* Ctrl-C: while *flag is set, a read that a signal interrupts fails with
 * "PATH: read interrupted (the run is stopping)" instead of being retried,
 * and el_file_cut_reads() counts it, so the caller can drop what it was
 * producing rather than write an error record that is not the file's fault.
 * NULL: always retry. EL_TEST_BLOCK_READ=NAME (tests only) makes a read of a
 * file whose path ends with NAME hang until the flag is set. */
#define EL_TEST_BLOCK_READ_ENV "EL_TEST_BLOCK_READ"
void el_file_set_stop_flag(volatile sig_atomic_t *flag);
unsigned long el_file_cut_reads(void);

/* Opens path read-only and close-on-exec if it is a regular file; anything
 * else fails with "PATH: not a regular file (a FIFO)" without blocking.
 * *size is the size fstat reports. */
el_status el_file_open(const char *path, int *fd, uint64_t *size);

/* Reads a whole regular file into a NUL-terminated malloc'd buffer (*len
 * excludes the NUL). Refuses files over the kind's limit before reading, and
 * stops at the limit if the file grows (or lies about its size, as /proc
 * files do). */
el_status el_file_read(const char *path, el_file_kind kind, char **data, size_t *len);

/* A stdio stream on a regular file within the kind's limit, for line
 * readers. The size is checked at open; a reader that must also stay bounded
 * against a file growing under it counts bytes against el_file_limit(). */
el_status el_file_fopen(const char *path, el_file_kind kind, FILE **out);

/* getline() that stays bounded: reads one line (with its '\n', NUL-terminated;
 * *len = -1 at end of file) into *line (capacity *cap) like getline, adding its bytes to
 * *used, and fails with a message naming path once *used passes the kind's
 * limit, so a line-oriented reader of stdin, a growing file or a file with
 * no newline never holds more than the limit. NUL bytes are kept (*len
 * counts them). */
el_status el_file_getline(FILE *fp, const char *path, el_file_kind kind, uint64_t *used, char **line,
                          size_t *cap, long *len);

/* Read-only private mapping of a regular file (checkpoints: no size limit
 * beyond the address space). An empty file gives data = NULL, size = 0: the
 * caller's own "too short" check names the format. populate = 1 faults every
 * page in at once (the whole file is read anyway). */
typedef struct {
    const uint8_t *data;
    size_t size;
} el_file_map;
el_status el_file_map_open(const char *path, int populate, el_file_map *m);
void el_file_map_close(el_file_map *m);

#endif
