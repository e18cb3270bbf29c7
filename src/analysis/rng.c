/* SplitMix64: the one RNG behind folds, the baseline and t-SNE (see analysis.h). */
#include <math.h>

#include "analysis/analysis.h"

void el_rng_seed(el_rng *r, uint64_t seed) { r->s = seed; }

uint64_t el_rng_next(el_rng *r) {
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t el_rng_below(el_rng *r, uint64_t m) { return m ? el_rng_next(r) % m : 0; }

double el_rng_uniform(el_rng *r) { return (double)(el_rng_next(r) >> 11) * 0x1.0p-53; }

double el_rng_normal(el_rng *r) {
    double u1 = el_rng_uniform(r), u2 = el_rng_uniform(r);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}
