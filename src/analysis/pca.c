/* PCA by the eigen-decomposition of the smaller of Xc^T Xc and Xc Xc^T. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

el_status el_pca(const double *X, int n, int dim, int n_comp, double *Y, double *var_ratio) {
    if (n < 1 || dim < 1 || n_comp < 1) return el_fail(EL_ERR_ARG, "PCA needs samples, features and components");
    int gram = dim > n; /* work in sample space when features outnumber samples */
    int m = gram ? n : dim;
    double *Xc = malloc(sizeof(double) * (size_t)n * dim);
    double *A = calloc((size_t)m * m, sizeof(double));
    double *w = malloc(sizeof(double) * (size_t)m);
    double *v = malloc(sizeof(double) * (size_t)dim);
    if (!Xc || !A || !w || !v) {
        free(Xc);
        free(A);
        free(w);
        free(v);
        return el_fail(EL_ERR_NOMEM, "out of memory (PCA of %d x %d)", n, dim);
    }
    for (int j = 0; j < dim; j++) {
        double mu = 0;
        for (int i = 0; i < n; i++) mu += X[(size_t)i * dim + j];
        mu /= n;
        for (int i = 0; i < n; i++) Xc[(size_t)i * dim + j] = X[(size_t)i * dim + j] - mu;
    }
    if (gram) cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, dim, 1.0, Xc, dim, 0.0, A, m);
    else cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, dim, n, 1.0, Xc, dim, 0.0, A, m);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < i; j++) A[(size_t)i * m + j] = A[(size_t)j * m + i];
    double total = 0;
    for (int i = 0; i < m; i++) total += A[(size_t)i * m + i];
    el_status s = el_eigen_sym(A, m, w);
    if (s == EL_OK) {
        for (int c = 0; c < n_comp; c++) {
            double lam = c < m ? w[c] : 0.0;
            if (!(lam > 0)) {
                for (int i = 0; i < n; i++) Y[(size_t)i * n_comp + c] = 0.0;
                if (var_ratio) var_ratio[c] = 0.0;
                continue;
            }
            /* Loading vector v (dim) of component c. */
            if (gram) {
                double sv = sqrt(lam);
                for (int j = 0; j < dim; j++) {
                    double acc = 0;
                    for (int i = 0; i < n; i++) acc += Xc[(size_t)i * dim + j] * A[(size_t)i * m + c];
                    v[j] = acc / sv;
                }
            } else {
                for (int j = 0; j < dim; j++) v[j] = A[(size_t)j * m + c];
            }
            int arg = 0;
            for (int j = 1; j < dim; j++)
                if (fabs(v[j]) > fabs(v[arg])) arg = j;
            double sign = v[arg] < 0 ? -1.0 : 1.0;
            for (int i = 0; i < n; i++) {
                double acc = 0;
                for (int j = 0; j < dim; j++) acc += Xc[(size_t)i * dim + j] * v[j];
                Y[(size_t)i * n_comp + c] = sign * acc;
            }
            if (var_ratio) var_ratio[c] = total > 0 ? lam / total : 0.0;
        }
    }
    free(Xc);
    free(A);
    free(w);
    free(v);
    return s;
}
