/* --resume: read what a previous (possibly killed) run wrote, so the new run
 * appends exactly the missing records. A partial last record (a write cut by
 * SIGKILL mid-record) is cut off first. CSV records end at a newline outside
 * double quotes (quoted fields hold newlines). */
#ifndef EL_CLI_RESUME_H
#define EL_CLI_RESUME_H

#include <stddef.h>

typedef struct {
    char **keys;      /* in file order: raw key text of each record (see below) */
    size_t n_keys;
    size_t n_records; /* whole records (CSV: without the header) */
    int has_header;   /* CSV: the file already has its header line */
} el_resume_state;

/* Scan path (a missing or empty file is a fresh start). Every whole record
 * must be one of this tool's: a JSON object (JSONL), or as many fields as
 * the header (CSV); anything else is refused, naming the record. With key
 * (NULL: none wanted), each record must have it: JSONL: the raw JSON string
 * literal of field `key`, quotes and escapes included; CSV: the raw first
 * field as written. Returns 0, or -1 with a message on stderr. */
int el_resume_scan(const char *path, int csv, const char *key, el_resume_state *st);
void el_resume_free(el_resume_state *st);

#endif
