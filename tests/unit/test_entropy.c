/* Shannon and Renyi entropies against closed forms, and the streamed
 * (chunked) reduction against the one-shot one. */
#include <math.h>
#include <stdlib.h>

#include "nn/entropy.h"
#include "entropy_lens.h"
#include "test_util.h"

/* Reference in long double straight from the definition. */
static void reference(const float *z, int n, const double *alpha, int na, double *h, double *r) {
    long double m = z[0], s = 0;
    for (int i = 1; i < n; i++) m = z[i] > m ? z[i] : m;
    for (int i = 0; i < n; i++) s += expl(z[i] - m);
    long double hs = 0, pmax = 0;
    for (int i = 0; i < n; i++) {
        long double p = expl(z[i] - m) / s;
        if (p > 0) hs -= p * logl(p);
        pmax = p > pmax ? p : pmax;
    }
    *h = (double)hs;
    for (int a = 0; a < na; a++) {
        if (alpha[a] == 0) r[a] = log((double)n);
        else if (isinf(alpha[a])) r[a] = (double)-logl(pmax);
        else {
            long double acc = 0;
            for (int i = 0; i < n; i++) acc += powl(expl(z[i] - m) / s, alpha[a]);
            r[a] = (double)(logl(acc) / (1 - alpha[a]));
        }
    }
}

/* The reduction uses a float exp (relative error < 1e-7 per term) with double
 * sums: results agree with the long-double definition to ~1e-8 nats. */
#define TOL 1e-6

int main(void) {
    const double alpha[] = {0.0, 0.5, 2.0, 3.0, INFINITY};
    const int na = 5;

    /* Uniform: every entropy is log K. */
    float z[5000];
    for (int i = 0; i < 1000; i++) z[i] = 3.25f;
    el_entropy_acc a;
    el_entropy_acc_init(&a, alpha, na);
    el_entropy_acc_update(&a, z, 1000, 0);
    CHECK_NEAR(el_entropy_acc_shannon(&a), log(1000.0), TOL);
    for (int i = 0; i < na; i++) CHECK_NEAR(el_entropy_acc_renyi(&a, i), log(1000.0), TOL);

    /* Two classes with p = sigmoid(d): H = -p log p - q log q. */
    for (double d = -8; d <= 8; d += 0.5) {
        float zz[2] = {0.0f, (float)d};
        double p = 1.0 / (1.0 + exp(-(double)(float)d)), q = 1.0 - p;
        double want = -(p * log(p) + q * log(q));
        CHECK_NEAR(el_entropy_of_logits(zz, 2), want, TOL);
    }

    /* Huge logits must not overflow: one dominant class -> entropy near 0. */
    float big[3] = {1000.0f, 0.0f, -1000.0f};
    CHECK(el_entropy_of_logits(big, 3) < 1e-300 + 1e-12);

    /* Random logits, streamed in uneven chunks whose maxima increase (forces
     * rescaling), against the long-double reference. */
    srand(7);
    for (int trial = 0; trial < 20; trial++) {
        int n = 50 + rand() % 4000;
        for (int i = 0; i < n; i++) z[i] = (float)((rand() / (double)RAND_MAX - 0.5) * 20.0 + i * 0.004);
        double h, r[5];
        reference(z, n, alpha, na, &h, r);
        el_entropy_acc_init(&a, alpha, na);
        int off = 0;
        while (off < n) {
            int c = 1 + rand() % 700;
            if (c > n - off) c = n - off;
            el_entropy_acc_update(&a, z + off, c, off);
            off += c;
        }
        CHECK_NEAR(el_entropy_acc_shannon(&a), h, TOL);
        for (int i = 0; i < na; i++) CHECK_NEAR(el_entropy_acc_renyi(&a, i), r[i], TOL);
        int am = 0;
        for (int i = 1; i < n; i++) am = z[i] > z[am] ? i : am;
        CHECK(a.argmax == am);
        double pmax = exp(-r[na - 1]);
        CHECK_NEAR(el_entropy_acc_maxprob(&a) / pmax, 1.0, TOL);
    }

    /* Units: bits and normalised. */
    CHECK_NEAR(el_entropy_units(log(8.0), EL_UNITS_BITS, 10), 3.0, 1e-12);
    CHECK_NEAR(el_entropy_units(log(10.0), EL_UNITS_NORMALIZED, 10), 1.0, 1e-12);
    CHECK_NEAR(el_entropy_units(1.5, EL_UNITS_NATS, 10), 1.5, 0);

    /* Parameter checks: alpha = 1 and negative orders are refused. */
    el_lens_params lp = el_lens_default_params();
    lp.n_alpha = 1;
    lp.alpha[0] = 1.0;
    CHECK(el_lens_params_check(&lp) == EL_ERR_ARG);
    lp.alpha[0] = -2.0;
    CHECK(el_lens_params_check(&lp) == EL_ERR_ARG);
    lp.alpha[0] = INFINITY;
    CHECK(el_lens_params_check(&lp) == EL_OK);
    return el_test_finish("test_entropy");
}
