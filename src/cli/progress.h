/* A one-line progress bar on stderr, drawn only when stderr is a terminal
 * and at most ten times a second. */
#ifndef EL_CLI_PROGRESS_H
#define EL_CLI_PROGRESS_H

#include <stddef.h>

typedef struct {
    int enabled;
    size_t total;
    double start, last_draw;
    const char *unit;
} el_progress;

double el_now(void); /* monotonic seconds */
void el_progress_start(el_progress *p, size_t total, const char *unit);
void el_progress_update(el_progress *p, size_t done, size_t failed);
void el_progress_finish(el_progress *p); /* clears the line */

#endif
