/* el_attention's score modifiers (el_attn_scores: scale, soft-cap, ALiBi,
 * sliding window) against a plain double-precision loop written from the
 * Hugging Face definitions: the query row i is position p = i + n_kv - n_q
 * and sees keys j <= p with p - j < window; score = q.k * scale, then
 * c tanh(score / c), then + slope_h * j. Every path: one query (a decoding
 * step), a whole prompt (n_q = n_kv) and a chunk after cached rows
 * (1 < n_q < n_kv), in its own team and in a shared one. ALiBi slopes:
 * the values of BLOOM's build_alibi_tensor for 8 and 6 heads. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "nn/kernels.h"
#include "test_util.h"

enum { H = 6, KV = 2, HD = 8, NKV = 13 };

static float frand(unsigned *s) {
    *s = *s * 1103515245u + 12345u;
    return (float)((*s >> 8) & 0xFFFF) / 32768.0f - 1.0f;
}

/* out[n_q][H * HD] for queries q[n_q][H * HD], keys/values [NKV][KV * HD]. */
static void naive(double *out, const float *q, const float *k, const float *v, int n_q, const el_attn_scores *m) {
    const double scale = m->scale > 0 ? m->scale : 1.0 / sqrt((double)HD);
    for (int i = 0; i < n_q; i++)
        for (int h = 0; h < H; h++) {
            const int p = i + NKV - n_q, kh = h / (H / KV);
            double s[NKV], mx = -INFINITY, sum = 0.0;
            for (int j = 0; j < NKV; j++) {
                int keep = j <= p && (m->window <= 0 || p - j < m->window);
                double acc = 0.0;
                for (int d = 0; d < HD; d++) acc += (double)q[i * H * HD + h * HD + d] * k[j * KV * HD + kh * HD + d];
                acc *= scale;
                if (m->softcap > 0) acc = m->softcap * tanh(acc / m->softcap);
                if (m->alibi) acc += (double)el_alibi_slope(h, H) * j;
                s[j] = keep ? acc : -INFINITY;
                mx = s[j] > mx ? s[j] : mx;
            }
            for (int j = 0; j < NKV; j++) sum += s[j] = exp(s[j] - mx);
            for (int d = 0; d < HD; d++) {
                double o = 0.0;
                for (int j = 0; j < NKV; j++) o += s[j] / sum * v[j * KV * HD + kh * HD + d];
                out[i * H * HD + h * HD + d] = o;
            }
        }
}

static void run(const el_attn_scores *m, int n_q, el_team team, const char *what) {
    static float q[NKV * H * HD], k[NKV * KV * HD], v[NKV * KV * HD], out[NKV * H * HD];
    static double want[NKV * H * HD];
    unsigned seed = 7u + (unsigned)n_q;
    for (int i = 0; i < NKV * H * HD; i++) q[i] = 2.0f * frand(&seed);
    for (int i = 0; i < NKV * KV * HD; i++) k[i] = 2.0f * frand(&seed), v[i] = frand(&seed);
    float *scratch = malloc(sizeof(float) * el_attention_scratch_floats(n_q, NKV) * (size_t)omp_get_max_threads());
    if (team == EL_TEAM_SHARED) {
#pragma omp parallel num_threads(2)
        el_attention(out, H * HD, 0, q, H * HD, 0, k, v, KV * HD, 0, 1, n_q, NKV, H, KV, HD, 1, NULL, m, scratch, team);
    } else {
        el_attention(out, H * HD, 0, q, H * HD, 0, k, v, KV * HD, 0, 1, n_q, NKV, H, KV, HD, 1, NULL, m, scratch, team);
    }
    naive(want, q, k, v, n_q, m);
    double worst = 0.0;
    for (int i = 0; i < n_q * H * HD; i++) worst = fmax(worst, fabs(out[i] - want[i]));
    CHECK_MSG(worst < 2e-5, "%s, %d queries: max |d| = %g", what, n_q, worst);
    free(scratch);
}

int main(void) {
    /* build_alibi_tensor: 8 heads 2^-1 .. 2^-8; 6 heads 2^-2, 2^-4, 2^-6,
     * 2^-8 (the 4 of the power of two), then 2^-1, 2^-3 (every other of 8). */
    for (int h = 0; h < 8; h++) CHECK(el_alibi_slope(h, 8) == ldexpf(1.0f, -(h + 1)));
    const int six[6] = {-2, -4, -6, -8, -1, -3};
    for (int h = 0; h < 6; h++) CHECK(el_alibi_slope(h, 6) == ldexpf(1.0f, six[h]));
    CHECK_NEAR(el_alibi_slope(0, 12), pow(2.0, -8.0 / 8), 1e-7); /* 12 heads: p = 8 */
    CHECK_NEAR(el_alibi_slope(8, 12), pow(2.0, -4.0 / 8), 1e-7);

    el_set_par_min_work(0);
    const struct {
        el_attn_scores m;
        const char *what;
    } cases[] = {
        {{0}, "plain"},
        {{.scale = 0.2f}, "scale"},
        {{.softcap = 0.7f}, "soft-cap"},
        {{.window = 4}, "window 4"},
        {{.window = 1}, "window 1"},
        {{.alibi = 1}, "ALiBi"},
        {{.scale = 0.3f, .softcap = 1.5f, .window = 5, .alibi = 1}, "all"},
    };
    const int n_qs[] = {1, 4, NKV};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (size_t i = 0; i < sizeof n_qs / sizeof *n_qs; i++) {
            run(&cases[c].m, n_qs[i], EL_TEAM_OWN, cases[c].what);
            run(&cases[c].m, n_qs[i], EL_TEAM_SHARED, cases[c].what);
        }
    return el_test_finish("test_attention_scores");
}
