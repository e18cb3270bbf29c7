/* The lens (final norm + head in vocabulary chunks, streamed into entropies)
 * against a naive computation: full logits in double, then softmax and
 * entropy, for vocabularies spanning many chunks, LayerNorm and RMSNorm, a
 * distilled two-head lens, soft-capping, and logits kept for the last rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/lens.h"
#include "test_util.h"

static float frand(unsigned *s) {
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffff) / 65536.0f - 0.5f;
}

/* Naive lens for one row: returns entropy, fills logits (double). */
static double naive(const el_lens *L, const float *x, const float *x2, double *z, double *h2) {
    const int D = L->dim, V = L->n_out;
    const float *head_w = el_mat_f32_data(&L->head), *head2_w = el_mat_f32_data(&L->head2);
    double *nx = malloc(sizeof(double) * D), *nx2 = malloc(sizeof(double) * D);
    for (int pass = 0; pass < 2; pass++) {
        const float *in = pass ? (x2 ? x2 : x) : x;
        double *out = pass ? nx2 : nx;
        double mean = 0, var = 0, ss = 0;
        for (int i = 0; i < D; i++) mean += in[i], ss += (double)in[i] * in[i];
        mean /= D;
        for (int i = 0; i < D; i++) var += (in[i] - mean) * (in[i] - mean);
        var /= D;
        for (int i = 0; i < D; i++)
            out[i] = L->norm.kind == EL_NORM_LAYER
                         ? (in[i] - mean) / sqrt(var + L->norm.eps) * L->norm_w[i] + L->norm_b[i]
                         : in[i] / sqrt(ss / D + L->norm.eps) * L->norm_w[i];
    }
    for (int v = 0; v < V; v++) {
        double a = L->head_b ? L->head_b[v] : 0;
        for (int i = 0; i < D; i++) a += nx[i] * head_w[(size_t)v * D + i];
        if (head2_w) {
            double b = L->head2_b ? L->head2_b[v] : 0;
            for (int i = 0; i < D; i++) b += nx2[i] * head2_w[(size_t)v * D + i];
            a = 0.5 * (a + b);
        }
        if (L->softcap > 0) a = L->softcap * tanh(a / L->softcap);
        z[v] = a;
    }
    double m = z[0], s = 0, h = 0, s2 = 0;
    for (int v = 1; v < V; v++) m = z[v] > m ? z[v] : m;
    for (int v = 0; v < V; v++) s += exp(z[v] - m);
    for (int v = 0; v < V; v++) {
        double p = exp(z[v] - m) / s;
        h -= p > 0 ? p * log(p) : 0;
        s2 += p * p;
    }
    *h2 = -log(s2);
    free(nx);
    free(nx2);
    return h;
}

static void run_case(int D, int V, int n, el_norm_kind norm, int two_heads, float softcap, unsigned seed) {
    unsigned s = seed;
    float *w = malloc(sizeof(float) * (size_t)V * D), *w2 = malloc(sizeof(float) * (size_t)V * D);
    float *b = malloc(sizeof(float) * V), *b2 = malloc(sizeof(float) * V);
    float *nw = malloc(sizeof(float) * D), *nb = malloc(sizeof(float) * D);
    float *rows = malloc(sizeof(float) * (size_t)n * (D + 3)), *rows2 = malloc(sizeof(float) * (size_t)n * (D + 3));
    for (size_t i = 0; i < (size_t)V * D; i++) w[i] = frand(&s) * 0.8f, w2[i] = frand(&s) * 0.8f;
    for (int i = 0; i < V; i++) b[i] = frand(&s), b2[i] = frand(&s);
    for (int i = 0; i < D; i++) nw[i] = 1.0f + frand(&s), nb[i] = frand(&s);
    const int ld = D + 3; /* strided rows, as the CLS rows of a batch are */
    for (size_t i = 0; i < (size_t)n * ld; i++) rows[i] = frand(&s) * 4 + 0.3f, rows2[i] = frand(&s) * 4;
    el_lens L = {.dim = D, .n_out = V, .norm = {.kind = norm, .eps = 1e-6f}, .norm_w = nw,
                 .norm_b = norm == EL_NORM_LAYER ? nb : NULL, .head = el_mat_f32(w, V, D), .head_b = b, .softcap = softcap};
    if (two_heads) L.head2 = el_mat_f32(w2, V, D), L.head2_b = b2;
    el_lens_out *out = malloc(sizeof *out * (size_t)n);
    const int keep = 2; /* logits of the last two rows */
    float *logits = malloc(sizeof(float) * (size_t)keep * V);
    el_lens_work work = {0};
    const double alpha[1] = {2.0};
    CHECK(el_lens_apply(&L, rows, two_heads ? rows2 : NULL, n, ld, alpha, 1, out, logits, n - keep, &work) == 0);
    double *z = malloc(sizeof(double) * V), worst_h = 0, worst_z = 0, worst_r = 0;
    for (int r = 0; r < n; r++) {
        double h2;
        double h = naive(&L, rows + (size_t)r * ld, two_heads ? rows2 + (size_t)r * ld : NULL, z, &h2);
        worst_h = fmax(worst_h, fabs(h - out[r].entropy));
        worst_r = fmax(worst_r, fabs(h2 - out[r].renyi[0]));
        int am = 0;
        for (int v = 1; v < V; v++) am = z[v] > z[am] ? v : am;
        CHECK(out[r].top1 == am);
        if (r >= n - keep)
            for (int v = 0; v < V; v++) worst_z = fmax(worst_z, fabs(z[v] - logits[(size_t)(r - (n - keep)) * V + v]));
    }
    CHECK_MSG(worst_h < 1e-4, "D=%d V=%d n=%d: entropy off by %g", D, V, n, worst_h);
    CHECK_MSG(worst_r < 1e-4, "D=%d V=%d n=%d: Renyi-2 off by %g", D, V, n, worst_r);
    CHECK_MSG(worst_z < 1e-4, "D=%d V=%d n=%d: logits off by %g", D, V, n, worst_z);
    el_lens_work_free(&work);
    free(w), free(w2), free(b), free(b2), free(nw), free(nb), free(rows), free(rows2), free(out), free(logits), free(z);
}

int main(void) {
    run_case(32, 1000, 7, EL_NORM_LAYER, 0, 0, 1);        /* one chunk */
    run_case(48, 20011, 5, EL_NORM_RMS, 0, 0, 2);         /* 3 chunks of 8192, ragged tail */
    run_case(24, 9000, 300, EL_NORM_LAYER, 0, 0, 3);      /* many rows: 1024-column chunks */
    run_case(32, 3001, 9, EL_NORM_LAYER, 1, 0, 4);        /* distilled: two heads */
    run_case(40, 17000, 4, EL_NORM_RMS, 0, 5.0f, 5);      /* soft-capped */
    return el_test_finish("test_lens");
}
