/* The sgemm bound for the speed benchmark (tools/bench).
 *
 * Measures this machine's cblas_sgemm GFLOP/s on the GEMM shapes of a ViT
 * forward pass at batch B (the same OpenBLAS entropy-lens links: Debian's
 * OpenMP build, found through the rpath), then times entropy-lens's own
 * forward pass + CLS lens (el_model_profile, no image decoding) on the same
 * batch, and reports it as a fraction of that bound:
 *
 *   bound time  = sum over the forward's GEMMs of flops_i / rate(shape_i)
 *   fraction    = bound time / measured forward time
 *               = (forward FLOPs / time) / (forward FLOPs / bound time)
 *
 * Shapes at batch B, R = B * T rows (T tokens, D hidden, M MLP, H heads,
 * hd = D / H, K classes), all row-major A[m,k] x B^T[k,n] like the engine:
 *   patch embedding [B*Np, C*p*p] x [C*p*p, D]
 *   per block       [R, D] x [D, 3D]   qkv
 *                   [R, D] x [D, D]    attention output
 *                   [R, D] x [D, M]    MLP up
 *                   [R, M] x [M, D]    MLP down
 *                   per (image, head) [T, hd] x [hd, T] and [T, T] x [T, hd],
 *                   B*H of them run concurrently, one thread each (as any
 *                   engine runs them: one small GEMM per head)
 *                   lens [B, D] x [D, K]
 *
 * Usage: bench_sgemm --model DIR [--batch B] [--threads T] [--iters N] [--min-time S]
 *        bench_sgemm --dims D,M,H,L,K [--tokens T] ...   (shapes only, no model)
 * Prints a human summary on stderr and one JSON object on stdout.
 *
 * Build (tools/bench does this):
 *   cc -O2 -fopenmp -Iinclude -I/usr/include/x86_64-linux-gnu/openblas-openmp tools/benchmarks/bench_sgemm.c \
 *      build/libentropylens.a -L/usr/lib/x86_64-linux-gnu/openblas-openmp \
 *      -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp -lopenblas -lcjson -lpng -ljpeg -lm
 */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "entropy_lens.h"

void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
char *openblas_get_config(void);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static float *rand_buf(size_t n, unsigned seed) {
    float *p = malloc(n * sizeof(float));
    if (!p) {
        fprintf(stderr, "bench_sgemm: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (float)((seed >> 9) & 0xffff) / 32768.0f - 1.0f;
    }
    return p;
}

typedef struct {
    const char *name;
    int m, n, k, trans_b; /* C[m,n] = A[m,k] x (B^T if trans_b) */
    int units;            /* > 1: that many independent single-thread GEMMs run concurrently */
    double count;         /* how many times the forward does this (per batch) */
    double gflops_rate;   /* measured */
    double seconds;       /* median time of one call (or one round of units) */
} shape;

static double min_time = 0.3;

/* Median time of one call (or one round of `units` concurrent single-thread
 * calls). Repeats until min_time has passed, at least 5 times. */
static void measure(shape *s, int threads) {
    const int units = s->units > 1 ? s->units : 1;
    const int cur = units > 1 ? (units < threads ? units : threads) : 1;
    float **A = calloc((size_t)units, sizeof(float *)), **B = calloc((size_t)units, sizeof(float *)),
          **C = calloc((size_t)units, sizeof(float *));
    /* Concurrent units: one buffer set per thread is enough (each thread
     * walks its share of units with its own buffers). */
    const int nbuf = units > 1 ? cur : 1;
    for (int i = 0; i < nbuf; i++) {
        A[i] = rand_buf((size_t)s->m * s->k, 1 + i);
        B[i] = rand_buf((size_t)s->k * s->n, 7 + i);
        C[i] = rand_buf((size_t)s->m * s->n, 13 + i);
    }
    double times[4096];
    int reps = 0;
    double t_all = now();
    for (;;) {
        double t = now();
        if (units > 1) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(cur)
            for (int u = 0; u < units; u++) {
                int b = omp_get_thread_num();
                cblas_sgemm(CblasRowMajor, CblasNoTrans, s->trans_b ? CblasTrans : CblasNoTrans, s->m, s->n, s->k, 0.125f,
                            A[b], s->k, B[b], s->trans_b ? s->k : s->n, 0.0f, C[b], s->n);
            }
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, s->trans_b ? CblasTrans : CblasNoTrans, s->m, s->n, s->k, 1.0f, A[0],
                        s->k, B[0], s->trans_b ? s->k : s->n, 1.0f, C[0], s->n);
        }
        times[reps++] = now() - t;
        if (reps >= 4096 || (reps >= 5 && now() - t_all >= min_time)) break;
    }
    qsort(times, (size_t)reps, sizeof(double), cmp_double);
    s->seconds = times[reps / 2];
    s->gflops_rate = 2.0 * s->m * s->n * s->k * units / s->seconds / 1e9;
    for (int i = 0; i < nbuf; i++) {
        free(A[i]);
        free(B[i]);
        free(C[i]);
    }
    free(A);
    free(B);
    free(C);
}

static int parse_dims(const char *s, int *d) {
    return sscanf(s, "%d,%d,%d,%d,%d", &d[0], &d[1], &d[2], &d[3], &d[4]) == 5 ? 0 : -1;
}

int main(int argc, char **argv) {
    const char *model = NULL;
    int batch = 8, threads = 2, iters = 5, dims[5] = {0}, have_dims = 0, tokens = 197, npatch = 196, pk = 768;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--model") && v) model = argv[++i];
        else if (!strcmp(a, "--batch") && v) batch = atoi(argv[++i]);
        else if (!strcmp(a, "--threads") && v) threads = atoi(argv[++i]);
        else if (!strcmp(a, "--iters") && v) iters = atoi(argv[++i]);
        else if (!strcmp(a, "--min-time") && v) min_time = atof(argv[++i]);
        else if (!strcmp(a, "--tokens") && v) tokens = atoi(argv[++i]), npatch = tokens - 1;
        else if (!strcmp(a, "--dims") && v) {
            if (parse_dims(argv[++i], dims)) {
                fprintf(stderr, "bench_sgemm: --dims D,M,H,L,K\n");
                return 2;
            }
            have_dims = 1;
        } else {
            fprintf(stderr, "usage: bench_sgemm --model DIR | --dims D,M,H,L,K  [--batch B] [--threads T] [--iters N] [--min-time S]\n");
            return 2;
        }
    }
    if ((!model && !have_dims) || batch < 1 || threads < 1 || iters < 1) {
        fprintf(stderr, "bench_sgemm: need --model DIR or --dims D,M,H,L,K\n");
        return 2;
    }
    omp_set_num_threads(threads);
    openblas_set_num_threads(threads);

    el_model *m = NULL;
    el_model_info info;
    if (model) {
        if (el_model_load(model, NULL, &m) != EL_OK) {
            fprintf(stderr, "bench_sgemm: %s\n", el_last_error());
            return 3;
        }
        el_model_get_info(m, &info);
        if (info.is_text) {
            fprintf(stderr, "bench_sgemm: %s is a text model (ViT only)\n", model);
            return 2;
        }
        dims[0] = info.hidden, dims[1] = info.mlp_dim, dims[2] = info.n_heads, dims[3] = info.n_layers, dims[4] = info.n_classes;
        npatch = info.n_patches;
        tokens = info.n_patches + info.n_prefix;
        pk = info.channels * info.patch_size * info.patch_size;
    }
    const int D = dims[0], M = dims[1], H = dims[2], L = dims[3], K = dims[4], T = tokens, hd = D / H, R = batch * T;
    shape shapes[] = {
        {"patch_embed", batch * npatch, D, pk, 1, 1, 1, 0, 0},
        {"qkv", R, 3 * D, D, 1, 1, L, 0, 0},
        {"attn_out", R, D, D, 1, 1, L, 0, 0},
        {"mlp_up", R, M, D, 1, 1, L, 0, 0},
        {"mlp_down", R, D, M, 1, 1, L, 0, 0},
        {"attn_scores", T, T, hd, 1, batch * H, L, 0, 0},
        {"attn_values", T, hd, T, 0, batch * H, L, 0, 0},
        {"lens_cls", batch, K, D, 1, 1, L, 0, 0},
    };
    const int ns = (int)(sizeof shapes / sizeof shapes[0]);
    double total_flops = 0.0, bound_s = 0.0;
    fprintf(stderr, "OpenBLAS %s, core %s, %d thread(s); D=%d M=%d H=%d L=%d K=%d T=%d batch=%d\n", openblas_get_config(),
            openblas_get_corename(), threads, D, M, H, L, K, T, batch);
    for (int i = 0; i < ns; i++) {
        shape *s = &shapes[i];
        measure(s, threads);
        total_flops += 2.0 * s->m * s->n * s->k * (s->units > 1 ? s->units : 1) * s->count;
        bound_s += s->seconds * s->count;
    }
    for (int i = 0; i < ns; i++) {
        const shape *s = &shapes[i];
        double f = 2.0 * s->m * s->n * s->k * (s->units > 1 ? s->units : 1) * s->count;
        fprintf(stderr, "  %-12s [%5d x %4d] x [%4d x %4d] x %-4d %7.1f GFLOP/s  (%4.1f%% of the GEMM FLOPs)\n", s->name,
                s->m, s->k, s->k, s->n, s->units > 1 ? s->units : 1, s->gflops_rate, 100.0 * f / total_flops);
    }
    /* The other work of the forward (layer norms, GELU, softmax, im2col,
     * entropies) is not GEMM: the bound counts only GEMM FLOPs and time. */
    const double bound_rate = total_flops / bound_s / 1e9;
    fprintf(stderr, "  forward GEMM FLOPs %.2f GFLOP per batch of %d (%.2f per image); sgemm bound %.3f s per batch, %.1f GFLOP/s, %.1f images/s\n",
            total_flops / 1e9, batch, total_flops / 1e9 / batch, bound_s, bound_rate, batch / bound_s);

    double fwd_med = 0.0, fwd_best = 0.0;
    el_state *st = NULL;
    el_state_params sp = el_state_default_params();
    sp.n_threads = threads;
    if (m && el_state_new(m, &sp, &st) != EL_OK) {
        fprintf(stderr, "bench_sgemm: %s\n", el_last_error());
        return 3;
    }
    if (m) {
        el_lens_params lp = el_lens_default_params();
        el_profile *prof = calloc((size_t)batch, sizeof *prof);
        for (int i = 0; i < batch; i++)
            if (el_profile_init(&prof[i], m, &lp) != EL_OK) {
                fprintf(stderr, "bench_sgemm: %s\n", el_last_error());
                return 3;
            }
        const size_t n_px = (size_t)batch * info.channels * info.image_size * info.image_size;
        float *px = rand_buf(n_px, 99);
        double *tt = calloc((size_t)iters, sizeof(double));
        if (el_model_profile(st, px, batch, &lp, prof) != EL_OK) { /* warm-up */
            fprintf(stderr, "bench_sgemm: %s\n", el_last_error());
            return 3;
        }
        for (int it = 0; it < iters; it++) {
            double t = now();
            el_model_profile(st, px, batch, &lp, prof);
            tt[it] = now() - t;
        }
        qsort(tt, (size_t)iters, sizeof(double), cmp_double);
        fwd_med = tt[iters / 2];
        fwd_best = tt[0];
        fprintf(stderr, "  entropy-lens forward + CLS lens: %.3f s per batch (median of %d, best %.3f), %.1f images/s, %.1f GFLOP/s = %.1f%% of the sgemm bound\n",
                fwd_med, iters, fwd_best, batch / fwd_med, total_flops / fwd_med / 1e9, 100.0 * bound_s / fwd_med);
        for (int i = 0; i < batch; i++) el_profile_free(&prof[i]);
        free(prof);
        free(px);
        free(tt);
        el_state_free(st);
        el_model_free(m);
    }
    printf("{\"corename\":\"%s\",\"config\":\"%s\",\"threads\":%d,\"batch\":%d,\"D\":%d,\"M\":%d,\"H\":%d,\"L\":%d,\"K\":%d,\"T\":%d,"
           "\"gemm_flops\":%.6g,\"bound_s\":%.6g,\"bound_gflops\":%.4g,\"shapes\":[",
           openblas_get_corename(), openblas_get_config(), threads, batch, D, M, H, L, K, T, total_flops, bound_s, bound_rate);
    for (int i = 0; i < ns; i++)
        printf("%s{\"name\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"units\":%d,\"count\":%g,\"gflops\":%.4g,\"seconds\":%.6g}", i ? "," : "",
               shapes[i].name, shapes[i].m, shapes[i].n, shapes[i].k, shapes[i].units, shapes[i].count, shapes[i].gflops_rate,
               shapes[i].seconds);
    printf("]");
    if (model)
        printf(",\"forward_s\":%.6g,\"forward_best_s\":%.6g,\"forward_gflops\":%.4g,\"fraction\":%.4f,\"images_per_s\":%.4g", fwd_med,
               fwd_best, total_flops / fwd_med / 1e9, bound_s / fwd_med, batch / fwd_med);
    printf("}\n");
    return 0;
}
