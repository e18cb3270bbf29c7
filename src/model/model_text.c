/* Language models through the public API: loading and the generation loop
 * that records the lens at the last position after every block, every step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "model/model_internal.h"

el_text_params el_text_default_params(void) {
    el_text_params p;
    memset(&p, 0, sizeof p);
    p.n_tokens = 32;
    p.seed = 42;
    return p;
}

el_status el_model_load_text(el_model *m, const char *path, const el_model_params *params) {
    EL_TRY(el_text_load(path, params->tokenizer, &m->text, &m->tmeta, &m->tok));
    m->is_text = 1;
    const el_text *t = &m->text;
    el_model_info *I = &m->info;
    I->is_text = 1;
    I->name = m->name;
    I->arch = m->tmeta.arch;
    I->family = m->tmeta.family;
    I->layout = m->tmeta.layout;
    I->dtype = m->tmeta.dtype;
    I->n_layers = t->n_layers;
    I->hidden = t->dim;
    I->n_heads = t->n_heads;
    I->n_kv_heads = t->n_kv_heads;
    I->mlp_dim = t->mlp_dim;
    I->n_classes = t->vocab;
    I->context = t->context;
    I->ln_eps = t->eps;
    I->n_params = t->n_params;
    I->n_shards = m->tmeta.n_shards;
    I->norm = t->arch == EL_TEXT_GPT2 ? "LayerNorm" : "RMSNorm";
    I->softcap = t->softcap;
    m->lens = el_text_lens(t);
    return EL_OK;
}

void el_model_free_text(el_model *m) {
    if (!m->is_text) return;
    el_text_work_free(&m->twork);
    el_buf_free(&m->trows);
    el_buf_free(&m->tlogits);
    el_tokenizer_free(m->tok);
    el_text_free(&m->text);
}

const char *el_model_token_name(const el_model *m, int id) {
    const char *p = m->tok ? el_tokenizer_piece(m->tok, id) : NULL;
    return p ? p : "";
}

el_status el_text_tokenize(const el_model *m, const char *text, int **ids, int *n_ids) {
    return el_text_tokenize_bos(m, text, EL_TEXT_BOS_AUTO, ids, n_ids);
}

el_status el_text_tokenize_bos(const el_model *m, const char *text, el_text_bos bos, int **ids, int *n_ids) {
    if (!m->is_text) return el_fail(EL_ERR_ARG, "%s is not a language model", m->name);
    if (!m->tok) return el_fail(EL_ERR_ARG, "%s", m->tmeta.no_tokenizer);
    if (!text) return el_fail(EL_ERR_ARG, "NULL prompt");
    el_bos_mode mode = bos == EL_TEXT_BOS_ALWAYS ? EL_BOS_ALWAYS : bos == EL_TEXT_BOS_NEVER ? EL_BOS_NEVER : EL_BOS_AUTO;
    EL_TRY(el_tokenizer_encode_n(m->tok, text, strlen(text), mode, ids, n_ids));
    /* An empty prompt still needs one position to predict from. */
    if (*n_ids == 0) {
        int start = el_tokenizer_bos(m->tok) >= 0 ? el_tokenizer_bos(m->tok) : el_tokenizer_eos(m->tok);
        if (start < 0) return el_fail(EL_ERR_ARG, "empty prompt and the tokenizer has no BOS/EOS token to start from");
        free(*ids);
        *ids = malloc(sizeof(int));
        if (!*ids) return el_fail(EL_ERR_NOMEM, "out of memory");
        (*ids)[0] = start;
        *n_ids = 1;
    }
    return EL_OK;
}

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

void el_text_result_free(el_text_result *r) {
    free(r->prompt_ids);
    free(r->ids);
    free(r->text);
    free(r->entropy);
    free(r->renyi);
    free(r->logits0);
    free(r->error);
    memset(r, 0, sizeof *r);
}

/* Checks one prompt's ids against the model; a message for out->error. */
static el_status check_ids(const el_text *t, const int *ids, int n_ids, int S) {
    if (n_ids < 1) return el_fail(EL_ERR_ARG, "empty prompt");
    if ((long)n_ids + S - 1 > t->context)
        return el_fail(EL_ERR_ARG, "prompt of %d tokens + %d generated exceeds the model's context of %d tokens", n_ids, S,
                       t->context);
    if (t->sliding_window > 0 && n_ids + S - 1 > t->sliding_window)
        return el_fail(EL_ERR_UNSUPPORTED, "prompt of %d tokens + %d generated exceeds the sliding window of %d (not implemented)",
                       n_ids, S, t->sliding_window);
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
    if (p->n_alpha) r->renyi = malloc(sizeof(float) * (size_t)p->n_alpha * S * L);
    if (p->keep_logits) r->logits0 = malloc(sizeof(float) * (size_t)V);
    if (!r->prompt_ids || !r->ids || !r->entropy || (p->n_alpha && !r->renyi) || (p->keep_logits && !r->logits0))
        return el_fail(EL_ERR_NOMEM, "out of memory for a result");
    memcpy(r->prompt_ids, ids, sizeof(int) * (size_t)n_ids);
    return EL_OK;
}

/* Decode the generated ids with the prompt's last token in front, so
 * tokenizers that strip a space after BOS see a continuation, then drop the
 * text of that token. */
static el_status decode_continuation(const el_model *m, el_text_result *r) {
    if (!m->tok) return (r->text = strdup("")) ? EL_OK : el_fail(EL_ERR_NOMEM, "out of memory");
    const int S = r->n_steps;
    int *ctx = malloc(sizeof(int) * (size_t)(S + 1));
    char *full = NULL, *head = NULL;
    if (!ctx) return el_fail(EL_ERR_NOMEM, "out of memory");
    ctx[0] = r->prompt_ids[r->n_prompt - 1];
    memcpy(ctx + 1, r->ids, sizeof(int) * (size_t)S);
    el_status st = el_tokenizer_decode(m->tok, ctx, S + 1, &full);
    if (!st) st = el_tokenizer_decode(m->tok, ctx, 1, &head);
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

/* Prompt tokens per batched prefill pass: bounds the activations
 * (rows x MLP width floats) whatever the prompts' lengths. */
static int prefill_rows = 2048;
void el_text_set_prefill_rows(int rows) { prefill_rows = rows < 1 ? 1 : rows; }

/* The generation loop for n prompts given as ids: prefill them together
 * (each at its own length), then step all together. rows is [L][n][D]: the lens runs
 * over all layers of all prompts in one pass, and the final layer's rows (the
 * model's own predictions) come last, so their logits are one block. */
static el_status generate_ids_batch(el_model *m, int *const *ids, const int *n_ids, int n, const el_text_params *p,
                                    el_text_result *out) {
    const el_text *t = &m->text;
    const int L = t->n_layers, D = t->dim, V = t->vocab, S = p->n_tokens;
    el_lens_params check = el_lens_default_params();
    check.n_alpha = p->n_alpha;
    memcpy(check.alpha, p->alpha, sizeof check.alpha);
    check.units = p->units;
    EL_TRY(el_lens_params_check(&check));
    if (S < 1) return el_fail(EL_ERR_ARG, "generate at least one token (got %d)", S);
    /* Prompts that cannot run are set aside with their message. */
    int *live = malloc(sizeof(int) * (size_t)(n ? n : 1));
    el_kv_cache *caches = calloc((size_t)(n ? n : 1), sizeof *caches);
    int *next = malloc(sizeof(int) * (size_t)(n ? n : 1));
    if (!live || !caches || !next) {
        free(live);
        free(caches);
        free(next);
        return el_fail(EL_ERR_NOMEM, "out of memory");
    }
    int k = 0;
    el_status st = EL_OK;
    for (int i = 0; i < n && !st; i++) {
        if (out[i].error) continue;
        el_status c = check_ids(t, ids[i], n_ids[i], S);
        if (c == EL_ERR_NOMEM) st = c;
        else if (c) out[i].error = strdup(el_last_error());
        else if ((st = alloc_result(&out[i], ids[i], n_ids[i], p, L, V)) == EL_OK) {
            if (el_kv_cache_init(&caches[k], t, n_ids[i] + S)) st = el_fail(EL_ERR_NOMEM, "out of memory for a KV cache");
            live[k++] = i;
        }
    }
    float *rows = st ? NULL : el_buf_get(&m->trows, (size_t)L * (k ? k : 1) * D);
    float *one = st ? NULL : el_buf_get(&m->tlogits, (size_t)L * (k ? k : 1) * D + (size_t)(k ? k : 1) * V);
    float *logits = one ? one + (size_t)L * (k ? k : 1) * D : NULL;
    const int **seq = st ? NULL : malloc(sizeof(int *) * (size_t)(k ? k : 1));
    int *seq_n = st ? NULL : malloc(sizeof(int) * (size_t)(k ? k : 1));
    const size_t nrows = (size_t)L * (k ? k : 1);
    if (!st && m->louts_cap < nrows) {
        el_lens_out *lo = realloc(m->louts, sizeof(*lo) * nrows);
        if (lo) {
            m->louts = lo;
            m->louts_cap = nrows;
        }
    }
    if (!st && (!rows || !one || !seq || !seq_n || m->louts_cap < nrows))
        st = el_fail(EL_ERR_NOMEM, "out of memory for %d prompts", k);
    /* Prefill: consecutive prompts together, up to prefill_rows tokens
     * per pass (a longer prompt goes alone), their rows scattered into the
     * [L][k][D] layout. */
    for (int j0 = 0; j0 < k && !st;) {
        int j1 = j0, total = 0;
        while (j1 < k && (j1 == j0 || total + n_ids[live[j1]] <= prefill_rows)) {
            seq[j1 - j0] = ids[live[j1]];
            seq_n[j1 - j0] = n_ids[live[j1]];
            total += n_ids[live[j1++]];
        }
        const int g = j1 - j0;
        if (el_text_forward(t, caches + j0, seq, seq_n, g, one, &m->twork))
            st = el_fail(EL_ERR_NOMEM, "out of memory in the forward pass");
        for (int l = 0; l < L && !st; l++)
            memcpy(rows + ((size_t)l * k + j0) * D, one + (size_t)l * g * D, sizeof(float) * (size_t)g * D);
        j0 = j1;
    }
    for (int j = 0; j < k && seq; j++) {
        seq[j] = &next[j];
        seq_n[j] = 1;
    }
    uint64_t *rng = malloc(sizeof(uint64_t) * (size_t)(k ? k : 1));
    if (!rng && !st) st = el_fail(EL_ERR_NOMEM, "out of memory");
    for (int j = 0; j < k && rng; j++) rng[j] = p->seed; /* each prompt samples as if alone */
    for (int s = 0; s < S && !st && k; s++) {
        el_lens_out *lo = m->louts;
        if (el_lens_apply(&m->lens, rows, NULL, (int)nrows, D, p->alpha, p->n_alpha, lo, logits, (int)nrows - k,
                          &m->lens_work)) {
            st = el_fail(EL_ERR_NOMEM, "out of memory in the lens");
            break;
        }
        for (int j = 0; j < k; j++) {
            el_text_result *r = &out[live[j]];
            for (int l = 0; l < L; l++) {
                const el_lens_out *o = &lo[(size_t)l * k + j];
                r->entropy[(size_t)s * L + l] = (float)el_entropy_units(o->entropy, p->units, V);
                for (int a = 0; a < p->n_alpha; a++)
                    r->renyi[((size_t)a * S + s) * L + l] = (float)el_entropy_units(o->renyi[a], p->units, V);
            }
            /* An overflowing forward pass (finite but huge weights) gives NaN
             * rows that never heal; the prompt fails instead of reporting them. */
            for (int l = 0; l < L && !r->error; l++) {
                const el_lens_out *o = &lo[(size_t)l * k + j];
                if (!isfinite(o->entropy) || o->top1 < 0) {
                    el_fail(EL_ERR_FORMAT, "%s: the forward pass overflowed float32 at step %d, layer %d (NaN/Inf): weights out of range",
                            m->name, s + 1, l + 1);
                    if (!(r->error = strdup(el_last_error()))) st = el_fail(EL_ERR_NOMEM, "out of memory");
                }
            }
            const float *z = logits + (size_t)j * V;
            if (s == 0 && r->logits0) memcpy(r->logits0, z, sizeof(float) * (size_t)V);
            next[j] = r->ids[s] = sample(z, V, p->temperature, &rng[j]);
        }
        if (s + 1 < S && el_text_forward(t, caches, seq, seq_n, k, rows, &m->twork))
            st = el_fail(EL_ERR_NOMEM, "out of memory in the forward pass");
    }
    for (int j = 0; j < k && !st; j++) st = decode_continuation(m, &out[live[j]]);
    for (int j = 0; j < k; j++) el_kv_cache_free(&caches[j]);
    free(rng);
    free(seq);
    free(seq_n);
    free(caches);
    free(live);
    free(next);
    return st;
}

el_status el_text_generate_ids(el_model *m, const int *ids, int n_ids, const el_text_params *p, el_text_result *out) {
    memset(out, 0, sizeof *out);
    if (!m->is_text) return el_fail(EL_ERR_ARG, "%s is an image model: use el_model_profile", m->name);
    int *idp = (int *)ids;
    el_status st = generate_ids_batch(m, &idp, &n_ids, 1, p, out);
    if (!st && out->error) st = el_fail(EL_ERR_ARG, "%s", out->error);
    if (st) el_text_result_free(out);
    return st;
}

el_status el_text_generate_batch(el_model *m, const char *const *prompts, int n, const el_text_params *p,
                                 el_text_result *out) {
    for (int i = 0; i < n; i++) memset(&out[i], 0, sizeof out[i]);
    if (!m->is_text) return el_fail(EL_ERR_ARG, "%s is an image model: use el_model_profile", m->name);
    int **ids = calloc((size_t)(n ? n : 1), sizeof *ids);
    int *n_ids = calloc((size_t)(n ? n : 1), sizeof *n_ids);
    if (!ids || !n_ids) {
        free(ids);
        free(n_ids);
        return el_fail(EL_ERR_NOMEM, "out of memory");
    }
    el_status st = EL_OK;
    for (int i = 0; i < n && !st; i++) {
        el_status c = el_text_tokenize_bos(m, prompts[i], p->bos, &ids[i], &n_ids[i]);
        if (c == EL_ERR_NOMEM) st = c;
        else if (c && !(out[i].error = strdup(el_last_error()))) st = el_fail(EL_ERR_NOMEM, "out of memory");
    }
    if (!st) st = generate_ids_batch(m, ids, n_ids, n, p, out);
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids);
    free(n_ids);
    if (st)
        for (int i = 0; i < n; i++) el_text_result_free(&out[i]);
    return st;
}

el_status el_text_generate(el_model *m, const char *prompt, const el_text_params *p, el_text_result *out) {
    memset(out, 0, sizeof *out);
    int *ids = NULL, n = 0;
    EL_TRY(el_text_tokenize_bos(m, prompt, p->bos, &ids, &n));
    el_status st = el_text_generate_ids(m, ids, n, p, out);
    free(ids);
    return st;
}
