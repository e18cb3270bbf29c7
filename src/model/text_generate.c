/* The generation run behind el_text_generate*: n prompts (as ids) prefilled
 * together (each at its own length), then stepped together, with the lens
 * at the last position after every block, every step. Rows are [L][k][D]:
 * the lens runs over all layers of all prompts in one pass, and the final
 * layer's rows (the model's own predictions) come last, so their logits are
 * one block. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "model/model_internal.h"

/* splitmix64: tiny, seedable, and the same on every platform. */
static uint64_t next_u64(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int sample(const float *z, int n, double temperature, uint64_t *rng) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (z[i] > z[best]) best = i;
    if (temperature <= 0.0) return best;
    double m = z[best], sum = 0.0;
    for (int i = 0; i < n; i++) sum += exp((z[i] - m) / temperature);
    double u = (double)(next_u64(rng) >> 11) * 0x1.0p-53 * sum, acc = 0.0;
    for (int i = 0; i < n; i++) {
        acc += exp((z[i] - m) / temperature);
        if (u < acc) return i;
    }
    return best;
}

/* Checks one prompt's ids against the model; a message for out->error. */
static el_status check_ids(const el_text *t, const int *ids, int n_ids, int S) {
    if (n_ids < 1) return el_fail(EL_ERR_ARG, "empty prompt");
    if ((long)n_ids + S - 1 > t->context)
        return el_fail(EL_ERR_ARG, "prompt of %d tokens + %d generated exceeds the model's context of %d tokens", n_ids, S,
                       t->context);
    for (int i = 0; i < n_ids; i++)
        if (ids[i] < 0 || ids[i] >= t->vocab)
            return el_fail(EL_ERR_ARG, "token id %d at position %d is outside the vocabulary (%d)", ids[i], i, t->vocab);
    return EL_OK;
}

static el_status alloc_result(el_text_result *r, const int *ids, int n_ids, const el_text_params *p, int L, int V) {
    r->n_prompt = n_ids;
    r->n_steps = p->n_tokens;
    r->n_layers = L;
    r->n_alpha = p->n_alpha;
    r->vocab = V;
    const size_t S = (size_t)p->n_tokens;
    r->prompt_ids = malloc(sizeof(int) * (size_t)n_ids);
    r->ids = malloc(sizeof(int) * S);
    r->entropy = malloc(sizeof(float) * S * L);
    r->prob = malloc(sizeof(float) * S);
    if (p->n_alpha) r->renyi = malloc(sizeof(float) * (size_t)p->n_alpha * S * L);
    if (p->keep_logits) r->logits0 = malloc(sizeof(float) * (size_t)V);
    if (!r->prompt_ids || !r->ids || !r->entropy || !r->prob || (p->n_alpha && !r->renyi) || (p->keep_logits && !r->logits0))
        return el_fail(EL_ERR_NOMEM, "out of memory for a result");
    memcpy(r->prompt_ids, ids, sizeof(int) * (size_t)n_ids);
    return EL_OK;
}

/* Decode the generated ids with the prompt's last token in front, so
 * tokenizers that strip a space after BOS see a continuation, then drop the
 * text of that token. */
static el_status decode_continuation(const el_tokenizer *tok, el_text_result *r) {
    if (!tok) return (r->text = strdup("")) ? EL_OK : el_fail(EL_ERR_NOMEM, "out of memory");
    const int S = r->n_steps;
    int *ctx = malloc(sizeof(int) * (size_t)(S + 1));
    char *full = NULL, *head = NULL;
    if (!ctx) return el_fail(EL_ERR_NOMEM, "out of memory");
    ctx[0] = r->prompt_ids[r->n_prompt - 1];
    memcpy(ctx + 1, r->ids, sizeof(int) * (size_t)S);
    el_status st = el_tokenizer_decode(tok, ctx, S + 1, &full);
    if (!st) st = el_tokenizer_decode(tok, ctx, 1, &head);
    if (!st) {
        size_t hl = strlen(head);
        r->text = strdup(strncmp(full, head, hl) ? full : full + hl);
        if (!r->text) st = el_fail(EL_ERR_NOMEM, "out of memory");
    }
    free(ctx);
    free(full);
    free(head);
    return st;
}


/* One run's sequences: the prompts that passed their checks, in order. */
typedef struct {
    el_state *s;
    const el_text_front *f;
    const el_text_params *p;
    int k;               /* running sequences */
    int *live;           /* [k] index of each one's prompt */
    el_kv_cache *caches; /* [k] */
    int *next;           /* [k] each one's latest token */
    const int **seq;     /* [k] tokens of a forward call */
    int *seq_n;
    uint64_t *rng;       /* [k] each prompt samples as if alone */
    float *rows;         /* [L][k][D] */
    float *one;          /* a prefill group's [L][g][D] */
    float *logits;       /* [k][V] */
} gen_run;

static el_status run_alloc(gen_run *g, int n) {
    const size_t m = (size_t)(n ? n : 1);
    g->live = malloc(sizeof(int) * m);
    g->caches = calloc(m, sizeof *g->caches);
    g->next = malloc(sizeof(int) * m);
    g->seq = malloc(sizeof(int *) * m);
    g->seq_n = malloc(sizeof(int) * m);
    g->rng = malloc(sizeof(uint64_t) * m);
    if (!g->live || !g->caches || !g->next || !g->seq || !g->seq_n || !g->rng)
        return el_fail(EL_ERR_NOMEM, "out of memory");
    return EL_OK;
}

static void run_free(gen_run *g) {
    for (int j = 0; j < g->k; j++) el_kv_cache_free(&g->caches[j]);
    free(g->live);
    free(g->caches);
    free(g->next);
    free(g->seq);
    free(g->seq_n);
    free(g->rng);
}

/* Prompts that cannot run are set aside with their message; the others get
 * their results and caches. */
static el_status admit(gen_run *g, int *const *ids, const int *n_ids, int n, el_text_result *out) {
    const el_text *t = &g->f->text;
    const int S = g->p->n_tokens;
    el_status st = EL_OK;
    for (int i = 0; i < n && !st; i++) {
        if (out[i].error) continue;
        el_status c = check_ids(t, ids[i], n_ids[i], S);
        if (c == EL_ERR_NOMEM) st = c;
        else if (c) out[i].error = strdup(el_last_error());
        else if ((st = alloc_result(&out[i], ids[i], n_ids[i], g->p, t->tf.cfg.n_layers, t->vocab)) == EL_OK) {
            if (el_kv_cache_init(&g->caches[g->k], &t->tf.cfg, n_ids[i] + S))
                st = el_fail(EL_ERR_NOMEM, "out of memory for a KV cache");
            g->rng[g->k] = g->p->seeds ? g->p->seeds[i] : g->p->seed;
            g->live[g->k++] = i;
        }
    }
    return st;
}

static el_status run_buffers(gen_run *g) {
    const el_text *t = &g->f->text;
    const size_t k = (size_t)(g->k ? g->k : 1), lkd = (size_t)t->tf.cfg.n_layers * k * t->tf.cfg.dim;
    g->rows = el_buf_get(&g->s->rows, lkd);
    g->one = el_buf_get(&g->s->rows2, lkd + k * t->vocab);
    g->logits = g->one ? g->one + lkd : NULL;
    if (!g->rows || !g->one || !el_state_lens_outs(g->s, (size_t)t->tf.cfg.n_layers * k))
        return el_fail(EL_ERR_NOMEM, "out of memory for %d prompts", g->k);
    return EL_OK;
}

/* Prompt tokens per batched prefill pass: bounds the activations
 * (rows x MLP width floats) whatever the prompts' lengths. */
static int prefill_rows = 2048;
void el_text_set_prefill_rows(int rows) { prefill_rows = rows < 1 ? 1 : rows; }

/* Consecutive prompts together, up to prefill_rows tokens per pass (a longer
 * prompt goes alone), their rows scattered into the [L][k][D] layout. */
static el_status prefill(gen_run *g, int *const *ids, const int *n_ids) {
    const el_text *t = &g->f->text;
    const int L = t->tf.cfg.n_layers, D = t->tf.cfg.dim, k = g->k;
    for (int j0 = 0; j0 < k;) {
        int j1 = j0, total = 0;
        while (j1 < k && (j1 == j0 || total + n_ids[g->live[j1]] <= prefill_rows)) {
            g->seq[j1 - j0] = ids[g->live[j1]];
            g->seq_n[j1 - j0] = n_ids[g->live[j1]];
            total += n_ids[g->live[j1++]];
        }
        const int n = j1 - j0;
        if (el_text_forward(t, g->caches + j0, g->seq, g->seq_n, n, g->one, &g->s->blocks))
            return el_fail(EL_ERR_NOMEM, "out of memory in the forward pass");
        for (int l = 0; l < L; l++)
            memcpy(g->rows + ((size_t)l * k + j0) * D, g->one + (size_t)l * n * D, sizeof(float) * (size_t)n * D);
        j0 = j1;
    }
    return EL_OK;
}

/* Step s of sequence j: entropies of every layer, the overflow check, the
 * next token. */
static el_status record(gen_run *g, int s, int j, const el_lens_out *lo, el_text_result *r) {
    const el_text_params *p = g->p;
    const int L = g->f->text.tf.cfg.n_layers, V = g->f->text.vocab, S = p->n_tokens, k = g->k;
    for (int l = 0; l < L; l++) {
        const el_lens_out *o = &lo[(size_t)l * k + j];
        r->entropy[(size_t)s * L + l] = (float)el_entropy_units(o->entropy, p->units, V);
        for (int a = 0; a < p->n_alpha; a++)
            r->renyi[((size_t)a * S + s) * L + l] = (float)el_entropy_units(o->renyi[a], p->units, V);
    }
    /* An overflowing forward pass (finite but huge weights) gives NaN rows
     * that never heal; the prompt fails instead of reporting them. */
    for (int l = 0; l < L && !r->error; l++) {
        const el_lens_out *o = &lo[(size_t)l * k + j];
        if (!isfinite(o->entropy) || o->top1 < 0) {
            el_fail(EL_ERR_FORMAT, "%s: the forward pass overflowed float32 at step %d, layer %d (NaN/Inf): weights out of range",
                    g->s->model->name, s + 1, l + 1);
            if (!(r->error = strdup(el_last_error()))) return el_fail(EL_ERR_NOMEM, "out of memory");
        }
    }
    r->prob[s] = (float)lo[(size_t)(L - 1) * k + j].prob;
    const float *z = g->logits + (size_t)j * V;
    if (s == 0 && r->logits0) memcpy(r->logits0, z, sizeof(float) * (size_t)V);
    g->next[j] = r->ids[s] = sample(z, V, p->temperature, &g->rng[j]);
    return EL_OK;
}

/* Every step: the lens over all layers of all sequences, then one token
 * each through the model. */
static el_status decode(gen_run *g, el_text_result *out) {
    const el_text *t = &g->f->text;
    const int k = g->k, S = g->p->n_tokens;
    const size_t nrows = (size_t)t->tf.cfg.n_layers * k;
    for (int j = 0; j < k; j++) {
        g->seq[j] = &g->next[j];
        g->seq_n[j] = 1;
    }
    for (int s = 0; s < S && k; s++) {
        el_lens_out *lo = g->s->louts;
        if (el_lens_apply(&t->tf.lens, g->rows, NULL, (int)nrows, t->tf.cfg.dim, g->p->alpha, g->p->n_alpha, lo,
                          g->logits, (int)nrows - k, &g->s->lens_work))
            return el_fail(EL_ERR_NOMEM, "out of memory in the lens");
        for (int j = 0; j < k; j++) EL_TRY(record(g, s, j, lo, &out[g->live[j]]));
        if (s + 1 < S && el_text_forward(t, g->caches, g->seq, g->seq_n, k, g->rows, &g->s->blocks))
            return el_fail(EL_ERR_NOMEM, "out of memory in the forward pass");
    }
    return EL_OK;
}

el_status el_text_run(el_state *s, int *const *ids, const int *n_ids, int n, const el_text_params *p,
                      el_text_result *out) {
    el_lens_params check = el_lens_default_params();
    check.n_alpha = p->n_alpha;
    memcpy(check.alpha, p->alpha, sizeof check.alpha);
    check.units = p->units;
    EL_TRY(el_lens_params_check(&check));
    if (p->n_tokens < 1) return el_fail(EL_ERR_ARG, "generate at least one token (got %d)", p->n_tokens);
    el_state_enter(s);
    gen_run g = {.s = s, .f = s->model->text, .p = p};
    el_status st = run_alloc(&g, n);
    if (!st) st = admit(&g, ids, n_ids, n, out);
    if (!st) st = run_buffers(&g);
    if (!st) st = prefill(&g, ids, n_ids);
    if (!st) st = decode(&g, out);
    for (int j = 0; j < g.k && !st; j++) st = decode_continuation(g.f->tok, &out[g.live[j]]);
    run_free(&g);
    return st;
}
