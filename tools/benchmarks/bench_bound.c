/* The two rates a decoding step's bound is made of (bench_precision.py):
 *
 *   read bandwidth  GB/s of summing a buffer much larger than the caches
 *                   (--mb, default 1024 MB), T threads, best of --iters runs
 *   lens sgemm rate GFLOP/s of cblas_sgemm on the lens shape: --rows R
 *                   residual rows (layers x prompts) times the [V][D] head,
 *                   in vocabulary chunks of --chunk columns as the lens runs
 *                   it, best of --iters runs, done two ways: OpenBLAS's own
 *                   T threads on each chunk ("blas"), and T threads each
 *                   taking whole chunks with one-thread sgemm ("split"). The
 *                   bound uses the faster: a rate some implementation reaches
 *                   on this machine, so no correct run can beat the bound.
 *
 * Usage: bench_bound --rows R --dim D --vocab V [--threads T] [--mb MB] [--iters N] [--chunk C]
 * Prints one JSON object. Build (bench_precision.py does this):
 *   cc -O2 -march=native -fopenmp -I/usr/include/x86_64-linux-gnu/openblas-openmp tools/benchmarks/bench_bound.c \
 *      -L/usr/lib/x86_64-linux-gnu/openblas-openmp -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp -lopenblas -o bench_bound
 */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int num_threads);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double read_bandwidth(size_t mb, int iters) {
    const size_t n = mb * (1u << 20) / sizeof(float);
    float *buf = malloc(n * sizeof(float));
    if (!buf) return 0;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) buf[i] = (float)(i & 7);
    double best = 1e30, sink = 0;
    for (int it = 0; it < iters; it++) {
        double t0 = now();
        float s = 0;
        /* simd: a plain reduction is one dependent add per float (latency-
         * bound, about half the memory's speed); vector lanes keep up with it. */
#pragma omp parallel for simd schedule(static) reduction(+ : s)
        for (size_t i = 0; i < n; i++) s += buf[i];
        double t = now() - t0;
        sink += s;
        if (t < best) best = t;
    }
    free(buf);
    return sink == -1 ? 0 : (double)n * sizeof(float) / best / 1e9;
}

static double lens_rate(int rows, int dim, int vocab, int chunk, int iters, int split, int threads) {
    float *a = malloc(sizeof(float) * rows * dim), *w = malloc(sizeof(float) * (size_t)vocab * dim);
    float *c = malloc(sizeof(float) * rows * chunk * (size_t)threads);
    if (!a || !w || !c) return 0;
    for (size_t i = 0; i < (size_t)rows * dim; i++) a[i] = (float)(i % 13) * 0.01f;
    for (size_t i = 0; i < (size_t)vocab * dim; i++) w[i] = (float)(i % 7) * 0.01f;
    double best = 1e30;
    openblas_set_num_threads(split ? 1 : threads);
    const int n_chunks = (vocab + chunk - 1) / chunk;
    for (int it = 0; it < iters; it++) {
        double t0 = now();
#pragma omp parallel for schedule(dynamic, 1) num_threads(split ? threads : 1)
        for (int k = 0; k < n_chunks; k++) {
            const int c0 = k * chunk, nc = vocab - c0 < chunk ? vocab - c0 : chunk;
            float *ck = c + (size_t)rows * chunk * (size_t)omp_get_thread_num();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, nc, dim, 1.0f, a, dim, w + (size_t)c0 * dim, dim,
                        0.0f, ck, nc);
        }
        double t = now() - t0;
        if (t < best) best = t;
    }
    free(a), free(w), free(c);
    return 2.0 * rows * (double)dim * vocab / best / 1e9;
}

int main(int argc, char **argv) {
    int rows = 12, dim = 768, vocab = 50257, threads = omp_get_max_threads(), iters = 5, chunk = 8192;
    size_t mb = 1024;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i];
        long v = atol(argv[i + 1]);
        if (!strcmp(k, "--rows")) rows = (int)v;
        else if (!strcmp(k, "--dim")) dim = (int)v;
        else if (!strcmp(k, "--vocab")) vocab = (int)v;
        else if (!strcmp(k, "--threads")) threads = (int)v;
        else if (!strcmp(k, "--mb")) mb = (size_t)v;
        else if (!strcmp(k, "--iters")) iters = (int)v;
        else if (!strcmp(k, "--chunk")) chunk = (int)v;
        else return fprintf(stderr, "bench_bound: unknown option %s\n", k), 2;
    }
    omp_set_num_threads(threads);
    openblas_set_num_threads(threads);
    double bw = read_bandwidth(mb, iters);
    double blas = lens_rate(rows, dim, vocab, chunk, iters, 0, threads);
    double split = lens_rate(rows, dim, vocab, chunk, iters, 1, threads);
    printf("{\"threads\": %d, \"read_gb_s\": %.3f, \"lens_rows\": %d, \"dim\": %d, \"vocab\": %d, "
           "\"lens_gflop_s\": %.3f, \"lens_gflop_s_blas\": %.3f, \"lens_gflop_s_split\": %.3f}\n",
           threads, bw, rows, dim, vocab, blas > split ? blas : split, blas, split);
    return 0;
}
