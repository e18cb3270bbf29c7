#include "nn/entropy.h"

#include <math.h>

#include "base/fastmath.h"

void el_entropy_acc_init(el_entropy_acc *a, const double *alpha, int n_alpha) {
    a->m = -INFINITY;
    a->s = a->t = 0.0;
    a->count = 0;
    a->argmax = -1;
    a->n_alpha = n_alpha > EL_ENTROPY_MAX_ALPHA ? EL_ENTROPY_MAX_ALPHA : n_alpha;
    for (int i = 0; i < a->n_alpha; i++) {
        a->alpha[i] = alpha[i];
        a->u[i] = 0.0;
    }
}

static int renyi_needs_sum(double alpha) { return alpha > 0.0 && isfinite(alpha); }

void el_entropy_acc_update(el_entropy_acc *a, const float *z, int n, int offset) {
    if (n <= 0) return;
    /* Max as a SIMD reduction, then the first index holding it (an argmax
     * loop with its index does not vectorise). NaN never compares greater,
     * as before: an all-NaN chunk leaves argmax unset. */
    float cmf = z[0];
#pragma omp simd reduction(max : cmf)
    for (int j = 1; j < n; j++) cmf = z[j] > cmf ? z[j] : cmf;
    int ci = 0;
    while (ci < n && !(z[ci] == cmf)) ci++;
    const double cm = cmf;
    if (ci < n && cm > a->m) {
        /* Rescale what we have to the new maximum before adding. */
        if (a->count > 0) {
            double d = a->m - cm;
            double e = exp(d);
            a->s *= e;
            a->t *= e;
            for (int i = 0; i < a->n_alpha; i++)
                if (renyi_needs_sum(a->alpha[i])) a->u[i] *= exp(a->alpha[i] * d);
        }
        a->m = cm;
        a->argmax = offset + ci;
    }
    /* z - m <= 0 and float exp is accurate to ~1e-7 relative; the sums are
     * kept in double (SIMD reductions: this is the hot loop of the lens for
     * large vocabularies and per-patch entropies). */
    const float mf = (float)a->m;
    double s = 0.0, t = 0.0;
#pragma omp simd reduction(+ : s, t)
    for (int j = 0; j < n; j++) {
        float e = el_expf(z[j] - mf);
        s += (double)e;
        t += (double)e * (double)z[j];
    }
    a->s += s;
    a->t += t;
    for (int i = 0; i < a->n_alpha; i++) {
        const float al = (float)a->alpha[i];
        if (!renyi_needs_sum(a->alpha[i])) continue;
        double u = 0.0;
#pragma omp simd reduction(+ : u)
        for (int j = 0; j < n; j++) u += (double)el_expf(al * (z[j] - mf));
        a->u[i] += u;
    }
    a->count += n;
}

double el_entropy_acc_logz(const el_entropy_acc *a) { return a->m + log(a->s); }

double el_entropy_acc_shannon(const el_entropy_acc *a) {
    /* H = log Z - E[z]; computed relative to m to keep both terms small. */
    double h = log(a->s) - (a->t / a->s - a->m);
    return h < 0.0 ? 0.0 : h;
}

double el_entropy_acc_maxprob(const el_entropy_acc *a) { return 1.0 / a->s; }

double el_entropy_acc_renyi(const el_entropy_acc *a, int i) {
    double al = a->alpha[i];
    if (al == 0.0) return log((double)a->count);
    if (isinf(al)) return log(a->s); /* -log max p = log Z - m */
    /* log sum p^a = a (m - log Z) + log U_a = -a log S + log U_a */
    double h = (log(a->u[i]) - al * log(a->s)) / (1.0 - al);
    return h < 0.0 ? 0.0 : h;
}

double el_entropy_of_logits(const float *z, int n) {
    el_entropy_acc a;
    el_entropy_acc_init(&a, NULL, 0);
    el_entropy_acc_update(&a, z, n, 0);
    return el_entropy_acc_shannon(&a);
}

void el_entropy_acc_merge(el_entropy_acc *a, const el_entropy_acc *b) {
    if (b->count == 0) return;
    if (a->count == 0) {
        *a = *b;
        return;
    }
    const double m = b->m > a->m ? b->m : a->m;
    const double ea = exp(a->m - m), eb = exp(b->m - m);
    a->s = a->s * ea + b->s * eb;
    a->t = a->t * ea + b->t * eb;
    for (int i = 0; i < a->n_alpha; i++)
        if (renyi_needs_sum(a->alpha[i]))
            a->u[i] = a->u[i] * exp(a->alpha[i] * (a->m - m)) + b->u[i] * exp(a->alpha[i] * (b->m - m));
    if (b->m > a->m) a->argmax = b->argmax; /* the first index of the largest value, as a stream */
    a->m = m;
    a->count += b->count;
}
