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
