/* Symmetric eigen-decomposition: Householder tridiagonalisation and the
 * implicit QL method with shifts (EISPACK tred2/tql2, as in JAMA). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

#define V(i, j) A[(size_t)(i) * n + (j)]

static void tred2(double *A, int n, double *d, double *e) {
    for (int j = 0; j < n; j++) d[j] = V(n - 1, j);
    for (int i = n - 1; i > 0; i--) {
        double scale = 0.0, h = 0.0;
        for (int k = 0; k < i; k++) scale += fabs(d[k]);
        if (scale == 0.0) {
            e[i] = d[i - 1];
            for (int j = 0; j < i; j++) {
                d[j] = V(i - 1, j);
                V(i, j) = 0.0;
                V(j, i) = 0.0;
            }
        } else {
            for (int k = 0; k < i; k++) {
                d[k] /= scale;
                h += d[k] * d[k];
            }
            double f = d[i - 1], g = sqrt(h);
            if (f > 0) g = -g;
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            for (int j = 0; j < i; j++) e[j] = 0.0;
            for (int j = 0; j < i; j++) {
                f = d[j];
                V(j, i) = f;
                g = e[j] + V(j, j) * f;
                for (int k = j + 1; k <= i - 1; k++) {
                    g += V(k, j) * d[k];
                    e[k] += V(k, j) * f;
                }
                e[j] = g;
            }
            f = 0.0;
            for (int j = 0; j < i; j++) {
                e[j] /= h;
                f += e[j] * d[j];
            }
            double hh = f / (h + h);
            for (int j = 0; j < i; j++) e[j] -= hh * d[j];
            for (int j = 0; j < i; j++) {
                f = d[j];
                g = e[j];
                for (int k = j; k <= i - 1; k++) V(k, j) -= (f * e[k] + g * d[k]);
                d[j] = V(i - 1, j);
                V(i, j) = 0.0;
            }
        }
        d[i] = h;
    }
    for (int i = 0; i < n - 1; i++) {
        V(n - 1, i) = V(i, i);
        V(i, i) = 1.0;
        double h = d[i + 1];
        if (h != 0.0) {
            for (int k = 0; k <= i; k++) d[k] = V(k, i + 1) / h;
            for (int j = 0; j <= i; j++) {
                double g = 0.0;
                for (int k = 0; k <= i; k++) g += V(k, i + 1) * V(k, j);
                for (int k = 0; k <= i; k++) V(k, j) -= g * d[k];
            }
        }
        for (int k = 0; k <= i; k++) V(k, i + 1) = 0.0;
    }
    for (int j = 0; j < n; j++) {
        d[j] = V(n - 1, j);
        V(n - 1, j) = 0.0;
    }
    V(n - 1, n - 1) = 1.0;
    e[0] = 0.0;
}

/* W holds the eigenvectors as rows (the transpose of V) so the rotations
 * touch contiguous memory. */
static int tql2(double *W, int n, double *d, double *e) {
    for (int i = 1; i < n; i++) e[i - 1] = e[i];
    e[n - 1] = 0.0;
    double f = 0.0, tst1 = 0.0;
    const double eps = 0x1.0p-52;
    for (int l = 0; l < n; l++) {
        tst1 = fmax(tst1, fabs(d[l]) + fabs(e[l]));
        int m = l;
        while (m < n - 1 && fabs(e[m]) > eps * tst1) m++;
        if (m > l) {
            int iter = 0;
            do {
                if (++iter > 100) return -1;
                double g = d[l];
                double p = (d[l + 1] - g) / (2.0 * e[l]);
                double r = hypot(p, 1.0);
                if (p < 0) r = -r;
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                double dl1 = d[l + 1];
                double h = g - d[l];
                for (int i = l + 2; i < n; i++) d[i] -= h;
                f += h;
                p = d[m];
                double c = 1.0, c2 = c, c3 = c, el1 = e[l + 1], s = 0.0, s2 = 0.0;
                for (int i = m - 1; i >= l; i--) {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = hypot(p, e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    double *wi = W + (size_t)i * n, *wi1 = W + (size_t)(i + 1) * n;
                    for (int k = 0; k < n; k++) {
                        h = wi1[k];
                        wi1[k] = s * wi[k] + c * h;
                        wi[k] = c * wi[k] - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
            } while (fabs(e[l]) > eps * tst1);
        }
        d[l] += f;
        e[l] = 0.0;
    }
    return 0;
}

el_status el_eigen_sym(double *A, int n, double *w) {
    if (n <= 0) return EL_OK;
    double *e = malloc(sizeof(double) * (size_t)n);
    double *W = malloc(sizeof(double) * (size_t)n * n);
    int *ord = malloc(sizeof(int) * (size_t)n);
    if (!e || !W || !ord) {
        free(e);
        free(W);
        free(ord);
        return el_fail(EL_ERR_NOMEM, "out of memory (eigen-decomposition of %d x %d)", n, n);
    }
    tred2(A, n, w, e);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) W[(size_t)j * n + i] = V(i, j);
    int rc = tql2(W, n, w, e);
    if (rc == 0) {
        /* Descending eigenvalues (stable selection sort on indices). */
        for (int i = 0; i < n; i++) ord[i] = i;
        for (int i = 0; i < n; i++) {
            int b = i;
            for (int j = i + 1; j < n; j++)
                if (w[ord[j]] > w[ord[b]]) b = j;
            int t = ord[i];
            ord[i] = ord[b];
            ord[b] = t;
        }
        memcpy(e, w, sizeof(double) * (size_t)n);
        for (int j = 0; j < n; j++) {
            w[j] = e[ord[j]];
            const double *v = W + (size_t)ord[j] * n;
            for (int i = 0; i < n; i++) V(i, j) = v[i];
        }
    }
    free(e);
    free(W);
    free(ord);
    if (rc) return el_fail(EL_ERR_LIMIT, "eigen-decomposition did not converge");
    return EL_OK;
}
