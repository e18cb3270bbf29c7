/* Depth axes and alignment of profiles of different depths (dataset.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/dataset.h"

double el_normalised_depth(int l, int L) { return L > 1 ? (double)l / (double)(L - 1) : 0.0; }

void el_profile_resample(const double *in, int L, size_t in_stride, double *out, int n, size_t out_stride) {
    for (int j = 0; j < n; j++) {
        double v;
        if (L <= 1) {
            v = L == 1 ? in[0] : 0.0;
        } else {
            double t = n > 1 ? (double)j / (double)(n - 1) : 0.0;
            double pos = t * (double)(L - 1);
            int i = (int)floor(pos);
            if (i >= L - 1) {
                v = in[(size_t)(L - 1) * in_stride];
            } else {
                if (i < 0) i = 0;
                double f = pos - (double)i;
                double a = in[(size_t)i * in_stride], b = in[(size_t)(i + 1) * in_stride];
                v = f == 0.0 ? a : a + (b - a) * f;
            }
        }
        out[(size_t)j * out_stride] = v;
    }
}

double el_depth_x(el_depth_axis axis, int i, int L, int first) {
    if (axis == EL_DEPTH_AXIS_ENDS) return el_normalised_depth(i, L);
    const int blocks = first + L - 1; /* layer first + i of blocks 1..blocks (0: embeddings) */
    return blocks > 0 ? (double)(first + i) / (double)blocks : 0.0;
}

/* Fraction axis: the values sit at x_i = (first + i) / B, the targets at
 * (j + 1) / n; linear interpolation between neighbours, the end value
 * beyond either end. */
static void resample_fraction(const double *in, int L, int first, size_t ist, double *out, int n, size_t ost) {
    int i = 0;
    for (int j = 0; j < n; j++) {
        const double t = el_depth_x(EL_DEPTH_AXIS_FRACTION, j, n, 1);
        double v;
        while (i + 1 < L && el_depth_x(EL_DEPTH_AXIS_FRACTION, i + 1, L, first) <= t) i++;
        const double x0 = el_depth_x(EL_DEPTH_AXIS_FRACTION, i, L, first);
        if (L == 1 || t <= x0 || i + 1 >= L) {
            v = in[(size_t)i * ist];
        } else {
            const double x1 = el_depth_x(EL_DEPTH_AXIS_FRACTION, i + 1, L, first);
            const double a = in[(size_t)i * ist], b = in[(size_t)(i + 1) * ist];
            v = a + (b - a) * (t - x0) / (x1 - x0);
        }
        out[(size_t)j * ost] = v;
    }
}

void el_profile_resample_axis(el_depth_axis axis, const double *in, int L, int first, size_t in_stride, double *out,
                              int n, size_t out_stride) {
    if (axis == EL_DEPTH_AXIS_FRACTION && L >= 1) resample_fraction(in, L, first, in_stride, out, n, out_stride);
    else el_profile_resample(in, L, in_stride, out, n, out_stride);
}

int el_parse_depth_axis(const char *s, el_depth_axis *axis) {
    if (!strcmp(s, "ends")) *axis = EL_DEPTH_AXIS_ENDS;
    else if (!strcmp(s, "fraction")) *axis = EL_DEPTH_AXIS_FRACTION;
    else return -1;
    return 0;
}

const char *el_depth_axis_name(el_depth_axis axis) { return axis == EL_DEPTH_AXIS_FRACTION ? "fraction" : "ends"; }

void el_profile_pad(const double *in, int L, size_t in_stride, double *out, int n, size_t out_stride) {
    for (int j = 0; j < n; j++) out[(size_t)j * out_stride] = j < L ? in[(size_t)j * in_stride] : 0.0;
}

int el_parse_depth(const char *s, el_dataset_opts *o) {
    const char *num = NULL;
    if (!strcmp(s, "native")) {
        o->depth = EL_DEPTH_NATIVE;
        return 0;
    } else if (!strcmp(s, "auto")) {
        o->depth = EL_DEPTH_AUTO;
        return 0;
    } else if (!strcmp(s, "resample") || !strcmp(s, "pad")) {
        o->depth = s[0] == 'r' ? EL_DEPTH_RESAMPLE : EL_DEPTH_PAD;
        o->depth_n = EL_DEPTH_DEFAULT_N;
        return 0;
    } else if (!strncmp(s, "resample:", 9)) {
        o->depth = EL_DEPTH_RESAMPLE;
        num = s + 9;
    } else if (!strncmp(s, "pad:", 4)) {
        o->depth = EL_DEPTH_PAD;
        num = s + 4;
    } else {
        return -1;
    }
    char *end;
    errno = 0;
    long v = strtol(num, &end, 10);
    if (end == num || *end || errno || v < 2 || v > 100000) return -1;
    o->depth_n = (int)v;
    return 0;
}
