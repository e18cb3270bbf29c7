#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* The terminal's width in columns: the tty's own size, else $COLUMNS, else 80. */
static int terminal_columns(void) {
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *env = getenv("COLUMNS");
    int cols = env ? atoi(env) : 0;
    return cols > 0 ? cols : 80;
}

double el_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void el_progress_start(el_progress *p, size_t total, const char *unit) {
    p->enabled = isatty(STDERR_FILENO);
    p->total = total;
    p->start = el_now();
    p->last_draw = 0.0;
    p->unit = unit;
}

void el_progress_update(el_progress *p, size_t done, size_t failed) {
    if (!p->enabled) return;
    double now = el_now();
    if (now - p->last_draw < 0.1 && done < p->total) return;
    p->last_draw = now;
    double el = now - p->start, rate = el > 0 ? done / el : 0.0;
    double eta = rate > 0 ? (p->total - done) / rate : 0.0;
    /* The text after the bar first, so the bar takes what the line has left
     * and the whole line never wraps (a wrapped line breaks the \r redraw). */
    char tail[160];
    int tn = snprintf(tail, sizeof tail, " %zu/%zu %s  %.1f/s  ETA %d:%02d", done, p->total,
                      p->unit, rate, (int)eta / 60, (int)eta % 60);
    if (failed && tn >= 0 && (size_t)tn < sizeof tail)
        snprintf(tail + tn, sizeof tail - (size_t)tn, "  (%zu failed)", failed);
    int cols = terminal_columns() - 1; /* the last column would wrap on some terminals */
    int width = cols - (int)strlen(tail) - 2;
    if (width > 40) width = 40;
    char bar[64];
    if (width >= 5) {
        int fill = p->total ? (int)((double)done / p->total * width) : width;
        for (int i = 0; i < width; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[width] = '\0';
        fprintf(stderr, "\r[%s]%.*s\x1b[K", bar, cols - width - 2, tail);
    } else {
        fprintf(stderr, "\r%.*s\x1b[K", cols > 0 ? cols : 0, tail + 1);
    }
    fflush(stderr);
}

void el_progress_finish(el_progress *p) {
    if (!p->enabled) return;
    fprintf(stderr, "\r\x1b[K");
    fflush(stderr);
}
