/* Shannon and Renyi entropies of softmax(z), streamed over chunks of z so a
 * large vocabulary never needs a full probability vector: we keep the running
 * max m, S = sum exp(z - m), T = sum exp(z - m) * z and, per Renyi order,
 * U_a = sum exp(a (z - m)); rescaling all of them when m grows. Then
 * log Z = m + log S, H = log Z - T / S, H_a = (a (m - log Z) + log U_a) / (1 - a). */
#ifndef EL_ENTROPY_H
#define EL_ENTROPY_H

#include <stddef.h>

#define EL_ENTROPY_MAX_ALPHA 16

typedef struct {
    double m, s, t;
    long count;     /* values seen: Renyi alpha = 0 is log(count) */
    int argmax;     /* index of the largest z seen */
    int n_alpha;
    double alpha[EL_ENTROPY_MAX_ALPHA];
    double u[EL_ENTROPY_MAX_ALPHA];
} el_entropy_acc;

void el_entropy_acc_init(el_entropy_acc *a, const double *alpha, int n_alpha);
/* Feed z[0..n) whose first element has global index offset. */
void el_entropy_acc_update(el_entropy_acc *a, const float *z, int n, int offset);
/* Adds what b saw to a, as if a had then been fed b's values (b's indices
 * after a's): chunk accumulators merged in chunk order. */
void el_entropy_acc_merge(el_entropy_acc *a, const el_entropy_acc *b);
/* Shannon entropy in nats; also log Z and max probability when asked. */
double el_entropy_acc_shannon(const el_entropy_acc *a);
double el_entropy_acc_logz(const el_entropy_acc *a);
double el_entropy_acc_maxprob(const el_entropy_acc *a);
/* Renyi entropy of order alpha[i] in nats. */
double el_entropy_acc_renyi(const el_entropy_acc *a, int i);

/* One-shot helper: Shannon entropy (nats) of softmax(z[0..n)). */
double el_entropy_of_logits(const float *z, int n);

#endif
