/* Regularised incomplete beta, Student t p-values, paired t-test, mean/std. */
#include <math.h>

#include "analysis/analysis.h"

/* Continued fraction for I_x(a, b) by the modified Lentz method (Numerical
 * Recipes' betacf); converges fast for x < (a + 1) / (a + b + 2). */
static double betacf(double a, double b, double x) {
    const double tiny = 1e-300, eps = 1e-16;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < eps) break;
    }
    return h;
}

double el_betainc(double a, double b, double x) {
    if (isnan(a) || isnan(b) || isnan(x) || a <= 0 || b <= 0 || x < 0 || x > 1) return NAN;
    if (x == 0) return 0.0;
    if (x == 1) return 1.0;
    /* front = x^a (1-x)^b / B(a, b), in logs */
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1.0) / (a + b + 2.0)) return exp(lfront) * betacf(a, b, x) / a;
    return 1.0 - exp(lfront) * betacf(b, a, 1.0 - x) / b;
}

double el_t_two_sided_p(double t, double df) {
    if (isnan(t) || !(df > 0)) return NAN;
    if (isinf(t)) return 0.0;
    double x = df / (df + t * t);
    return el_betainc(0.5 * df, 0.5, x);
}

double el_mean(const double *v, int n) {
    if (n <= 0) return NAN;
    double s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return s / n;
}

double el_std(const double *v, int n, int ddof) {
    if (n - ddof <= 0) return NAN;
    double m = el_mean(v, n), s = 0;
    for (int i = 0; i < n; i++) s += (v[i] - m) * (v[i] - m);
    return sqrt(s / (n - ddof));
}

void el_paired_t(const double *a, const double *b, int n, double *t, double *p) {
    *t = *p = NAN;
    if (n < 2) return;
    double md = 0, ss = 0;
    for (int i = 0; i < n; i++) md += a[i] - b[i];
    md /= n;
    for (int i = 0; i < n; i++) {
        double e = a[i] - b[i] - md;
        ss += e * e;
    }
    double sd = sqrt(ss / (n - 1));
    if (sd == 0) {
        if (md != 0) {
            *t = md > 0 ? INFINITY : -INFINITY;
            *p = 0.0;
        }
        return;
    }
    *t = md / (sd / sqrt((double)n));
    *p = el_t_two_sided_p(*t, n - 1);
}

void el_standardize(double *fit, int n_fit, double *also, int n_also, int dim) {
    for (int j = 0; j < dim; j++) {
        double m = 0, s = 0;
        for (int i = 0; i < n_fit; i++) m += fit[(size_t)i * dim + j];
        m /= n_fit;
        for (int i = 0; i < n_fit; i++) {
            double e = fit[(size_t)i * dim + j] - m;
            s += e * e;
        }
        s = sqrt(s / n_fit);
        if (s == 0) s = 1;
        for (int i = 0; i < n_fit; i++) fit[(size_t)i * dim + j] = (fit[(size_t)i * dim + j] - m) / s;
        for (int i = 0; i < n_also; i++) also[(size_t)i * dim + j] = (also[(size_t)i * dim + j] - m) / s;
    }
}
