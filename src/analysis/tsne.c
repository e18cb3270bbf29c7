/* Exact t-SNE (van der Maaten & Hinton 2008), following scikit-learn's
 * method='exact': perplexity-calibrated Gaussian affinities, Student-t
 * similarities, gradient descent with momentum and per-parameter gains.
 * (scikit-learn floors q_ij at 2^-52 inside the gradient; here q_ij is used
 * as is, which differs only for pairs with q_ij < 2^-52.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

el_tsne_params el_tsne_default_params(void) {
    el_tsne_params p = {20.0, 1000, 250, 12.0, 200.0, 42};
    return p;
}

/* Row i of the conditional P: binary search on beta = 1 / (2 sigma^2) until the
 * entropy of p_j|i (natural log) is log(perplexity) within 1e-5 (100 steps,
 * as scikit-learn's _binary_search_perplexity). */
static void row_affinities(const double *D, int n, int i, double logU, double *P) {
    double beta = 1.0, bmin = -INFINITY, bmax = INFINITY;
    const double *d = D + (size_t)i * n;
    double *p = P + (size_t)i * n;
    for (int step = 0; step < 100; step++) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
            p[j] = j == i ? 0.0 : exp(-d[j] * beta);
            sum += p[j];
        }
        if (sum == 0.0) sum = 1e-8; /* EPSILON_DBL in scikit-learn */
        double H = 0;
        for (int j = 0; j < n; j++) {
            p[j] /= sum;
            H += p[j] * d[j];
        }
        H = log(sum) + beta * H;
        double diff = H - logU;
        if (fabs(diff) <= 1e-5) break;
        if (diff > 0) {
            bmin = beta;
            beta = bmax == INFINITY ? beta * 2.0 : (beta + bmax) / 2.0;
        } else {
            bmax = beta;
            beta = bmin == -INFINITY ? beta / 2.0 : (beta + bmin) / 2.0;
        }
    }
}

/* Joint affinities P [n][n]: squared Euclidean distances, per-row
 * perplexity calibration, symmetrised P = (P + P^T) / sum, floored at
 * machine epsilon. D is scratch [n][n]. */
static void joint_affinities(const double *X, int n, int dim, double perplexity, double *D, double *P) {
    size_t nn = (size_t)n * n;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < dim; k++) {
                double e = X[(size_t)i * dim + k] - X[(size_t)j * dim + k];
                s += e * e;
            }
            D[(size_t)i * n + j] = s;
        }
    double logU = log(perplexity);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) row_affinities(D, n, i, logU, P);
    double tot = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double s = P[(size_t)i * n + j] + P[(size_t)j * n + i];
            P[(size_t)i * n + j] = P[(size_t)j * n + i] = s;
            tot += 2 * s;
        }
    for (size_t q = 0; q < nn; q++) P[q] = fmax(P[q] / tot, 0x1.0p-52);
    for (int i = 0; i < n; i++) P[(size_t)i * n + i] = 0.0;
}

/* The gradient at Y with exaggeration ex. With num_ij = 1 / (1 + |y_i - y_j|^2),
 * Z = sum num, dC/dy_i = 4 sum_j (ex p_ij - num_ij / Z) num_ij (y_i - y_j)
 *                      = 4 (ex A_i - B_i / Z), A_i = sum p num (y_i - y_j),
 * B_i = sum num^2 (y_i - y_j). Row sums are added in order, so the result
 * does not depend on the number of threads. rowB [2n], rowsum [n] scratch. */
static void gradient(const double *P, const double *Y, int n, double ex, double *grad, double *rowB,
                     double *rowsum) {
#pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        double s = 0, a0 = 0, a1 = 0, b0 = 0, b1 = 0, yi0 = Y[2 * i], yi1 = Y[2 * i + 1];
        const double *pi = P + (size_t)i * n;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            double d0 = yi0 - Y[2 * j], d1 = yi1 - Y[2 * j + 1];
            double num = 1.0 / (1.0 + d0 * d0 + d1 * d1);
            s += num;
            double pn = pi[j] * num, n2 = num * num;
            a0 += pn * d0;
            a1 += pn * d1;
            b0 += n2 * d0;
            b1 += n2 * d1;
        }
        rowsum[i] = s;
        grad[2 * i] = a0, grad[2 * i + 1] = a1;
        rowB[2 * i] = b0, rowB[2 * i + 1] = b1;
    }
    double Z = 0;
    for (int i = 0; i < n; i++) Z += rowsum[i];
    for (int q = 0; q < 2 * n; q++) grad[q] = 4.0 * (ex * grad[q] - rowB[q] / Z);
}

/* KL(P || Q) of the embedding Y, q floored as scikit-learn does. */
static double kl_divergence(const double *P, const double *Y, int n) {
    double s = 0, Z = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (j != i) {
                double a = Y[2 * i] - Y[2 * j], b = Y[2 * i + 1] - Y[2 * j + 1];
                Z += 1.0 / (1.0 + a * a + b * b);
            }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (j != i) {
                double a = Y[2 * i] - Y[2 * j], b = Y[2 * i + 1] - Y[2 * j + 1];
                double q = fmax(1.0 / (1.0 + a * a + b * b) / Z, 0x1.0p-52), pij = P[(size_t)i * n + j];
                s += pij * log(fmax(pij, 0x1.0p-52) / q);
            }
    return s;
}

el_status el_tsne(const double *X, int n, int dim, const el_tsne_params *prm, double *Y, double *kl) {
    if (n < 2) return el_fail(EL_ERR_ARG, "t-SNE needs at least 2 points");
    if (!(prm->perplexity > 0) || prm->perplexity >= n)
        return el_fail(EL_ERR_ARG, "t-SNE perplexity %g must be in (0, %d)", prm->perplexity, n);
    size_t nn = (size_t)n * n;
    double *D = malloc(sizeof(double) * nn), *P = malloc(sizeof(double) * nn), *rowB = malloc(sizeof(double) * 2 * (size_t)n);
    double *grad = malloc(sizeof(double) * (size_t)n * 2), *upd = calloc((size_t)n * 2, sizeof(double));
    double *gains = malloc(sizeof(double) * (size_t)n * 2), *rowsum = malloc(sizeof(double) * (size_t)n);
    if (!D || !P || !rowB || !grad || !upd || !gains || !rowsum) {
        free(D), free(P), free(rowB), free(grad), free(upd), free(gains), free(rowsum);
        return el_fail(EL_ERR_NOMEM, "out of memory (t-SNE of %d points)", n);
    }
    joint_affinities(X, n, dim, prm->perplexity, D, P);
    free(D);

    el_rng rng;
    el_rng_seed(&rng, prm->seed);
    for (int i = 0; i < 2 * n; i++) {
        Y[i] = 1e-4 * el_rng_normal(&rng);
        gains[i] = 1.0;
    }
    for (int it = 0; it < prm->iterations; it++) {
        int early = it < prm->exaggeration_iters;
        double mom = early ? 0.5 : 0.8, ex = early ? prm->exaggeration : 1.0;
        /* scikit-learn runs the two phases as two optimiser calls: the
         * update and the gains restart when the exaggeration ends. */
        if (it == prm->exaggeration_iters)
            for (int q = 0; q < 2 * n; q++) upd[q] = 0.0, gains[q] = 1.0;
        gradient(P, Y, n, ex, grad, rowB, rowsum);
        for (int q = 0; q < 2 * n; q++) {
            int inc = upd[q] * grad[q] < 0.0;
            gains[q] = inc ? gains[q] + 0.2 : gains[q] * 0.8;
            if (gains[q] < 0.01) gains[q] = 0.01;
            upd[q] = mom * upd[q] - prm->learning_rate * gains[q] * grad[q];
        }
        for (int q = 0; q < 2 * n; q++) Y[q] += upd[q];
    }
    if (kl) *kl = kl_divergence(P, Y, n);
    free(P), free(rowB), free(grad), free(upd), free(gains), free(rowsum);
    return EL_OK;
}
