/* "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot/plot.h"

int el_nice_ticks(double lo, double hi, int max_ticks, int extend, el_ticks *t) {
    memset(t, 0, sizeof *t);
    if (!isfinite(lo) || !isfinite(hi)) return -1;
    if (max_ticks < 2) max_ticks = 2;
    if (max_ticks > EL_MAX_TICKS) max_ticks = EL_MAX_TICKS;
    if (lo > hi) {
        double s = lo;
        lo = hi;
        hi = s;
    }
    if (hi - lo <= fabs(hi) * 1e-12 || hi - lo < DBL_MIN) {
        double pad = lo == 0 ? 1.0 : fabs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    static const double mult[] = {1, 2, 5, 10};
    double raw = (hi - lo) / (max_ticks - 1);
    double mag = pow(10, floor(log10(raw)));
    double step = 0, first = 0, last = 0;
    int count = 0;
    /* The smallest nice step whose ticks fit; widening to whole steps can
     * need one more tick than the raw estimate, so check the count. */
    for (int e = 0; e < 3 && !step; e++, mag *= 10)
        for (size_t k = 0; k < sizeof mult / sizeof mult[0]; k++) {
            double s = mult[k] * mag;
            if (s < raw * (1 - 1e-9)) continue;
            double f = extend ? floor(lo / s + 1e-9) * s : ceil(lo / s - 1e-9) * s;
            double l = extend ? ceil(hi / s - 1e-9) * s : floor(hi / s + 1e-9) * s;
            int c = (int)llround((l - f) / s) + 1;
            if (c <= max_ticks) {
                step = s;
                first = f;
                last = l;
                count = c;
                break;
            }
        }
    if (!step) return -1;
    t->step = step;
    t->n = count;
    for (int i = 0; i < count; i++) {
        double v = first + i * step;
        if (fabs(v) < step * 1e-9) v = 0.0; /* no "-0" */
        t->v[i] = v;
    }
    t->lo = extend ? first : lo;
    t->hi = extend ? last : hi;
    int d = (int)-floor(log10(step) + 1e-9);
    t->decimals = d > 0 ? d : 0;
    return 0;
}

void el_tick_label(const el_ticks *t, double v, char *buf, size_t n) {
    if (fabs(v) < t->step * 1e-9) v = 0.0; /* rounding noise, and no "-0" */
    double a = fabs(v);
    if (a != 0 && (a >= 1e6 || a < 1e-4)) {
        snprintf(buf, n, "%.3g", v);
        return;
    }
    snprintf(buf, n, "%.*f", t->decimals > 8 ? 8 : t->decimals, v);
}
