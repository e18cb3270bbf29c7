#include "cli/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

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
    const int width = 30;
    int fill = p->total ? (int)((double)done / p->total * width) : width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
    bar[width] = '\0';
    double el = now - p->start, rate = el > 0 ? done / el : 0.0;
    double eta = rate > 0 ? (p->total - done) / rate : 0.0;
    fprintf(stderr, "\r[%s] %zu/%zu %s  %.1f/s  ETA %d:%02d", bar, done, p->total, p->unit, rate,
            (int)eta / 60, (int)eta % 60);
    if (failed) fprintf(stderr, "  (%zu failed)", failed);
    fprintf(stderr, "\x1b[K");
    fflush(stderr);
}

void el_progress_finish(el_progress *p) {
    if (!p->enabled) return;
    fprintf(stderr, "\r\x1b[K");
    fflush(stderr);
}
