/* Language models through the public API: loading and the generation loop
 * that records the lens at the last position after every block, every step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
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
    if (!m->is_text) return el_fail(EL_ERR_ARG, "%s is not a language model", m->name);
    if (!m->tok) return el_fail(EL_ERR_ARG, "%s", m->tmeta.no_tokenizer);
    EL_TRY(el_tokenizer_encode(m->tok, text, m->tmeta.add_bos, ids, n_ids));
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
    memset(r, 0, sizeof *r);
}

el_status el_text_generate_ids(el_model *m, const int *ids, int n_ids, const el_text_params *p, el_text_result *out) {
    memset(out, 0, sizeof *out);
    if (!m->is_text) return el_fail(EL_ERR_ARG, "%s is an image model: use el_model_profile", m->name);
    const el_text *t = &m->text;
    const int L = t->n_layers, D = t->dim, V = t->vocab, S = p->n_tokens;
    el_lens_params check = el_lens_default_params();
    check.n_alpha = p->n_alpha;
    memcpy(check.alpha, p->alpha, sizeof check.alpha);
    check.units = p->units;
    EL_TRY(el_lens_params_check(&check));
    if (S < 1) return el_fail(EL_ERR_ARG, "generate at least one token (got %d)", S);
    if (n_ids < 1) return el_fail(EL_ERR_ARG, "empty prompt");
    if ((long)n_ids + S - 1 > t->context)
        return el_fail(EL_ERR_ARG, "prompt of %d tokens + %d generated exceeds the model's context of %d tokens", n_ids, S,
                       t->context);
    if (t->sliding_window > 0 && n_ids + S - 1 > t->sliding_window)
        return el_fail(EL_ERR_UNSUPPORTED, "prompt of %d tokens + %d generated exceeds the sliding window of %d (not implemented)",
                       n_ids, S, t->sliding_window);
    for (int i = 0; i < n_ids; i++)
        if (ids[i] < 0 || ids[i] >= V) return el_fail(EL_ERR_ARG, "token id %d at position %d is outside the vocabulary (%d)", ids[i], i, V);
    out->n_prompt = n_ids;
    out->n_steps = S;
    out->n_layers = L;
    out->n_alpha = p->n_alpha;
    out->vocab = V;
    out->prompt_ids = malloc(sizeof(int) * (size_t)n_ids);
    out->ids = malloc(sizeof(int) * (size_t)S);
    out->entropy = malloc(sizeof(float) * (size_t)S * L);
    if (p->n_alpha) out->renyi = malloc(sizeof(float) * (size_t)p->n_alpha * S * L);
    if (p->keep_logits) out->logits0 = malloc(sizeof(float) * (size_t)V);
    el_kv_cache cache = {0};
    float *rows = el_buf_get(&m->trows, (size_t)L * D);
    float *logits = el_buf_get(&m->tlogits, (size_t)V);
    el_lens_out *lo = NULL;
    if (m->louts_cap < (size_t)L) {
        lo = realloc(m->louts, sizeof(*lo) * (size_t)L);
        if (lo) {
            m->louts = lo;
            m->louts_cap = (size_t)L;
        }
    }
    lo = m->louts_cap >= (size_t)L ? m->louts : NULL;
    if (!out->prompt_ids || !out->ids || !out->entropy || (p->n_alpha && !out->renyi) || (p->keep_logits && !out->logits0) ||
        !rows || !logits || !lo || el_kv_cache_init(&cache, t, n_ids + S)) {
        el_kv_cache_free(&cache);
        el_text_result_free(out);
        return el_fail(EL_ERR_NOMEM, "out of memory for %d + %d tokens", n_ids, S);
    }
    memcpy(out->prompt_ids, ids, sizeof(int) * (size_t)n_ids);
    uint64_t rng = p->seed;
    el_status st = EL_OK;
    if (el_text_forward(t, &cache, ids, n_ids, rows, &m->twork)) st = el_fail(EL_ERR_NOMEM, "out of memory in the forward pass");
    for (int s = 0; s < S && !st; s++) {
        /* One lens pass over all layers' last-position rows; the last row's
         * logits are the model's own prediction. */
        if (el_lens_apply(&m->lens, rows, NULL, L, D, p->alpha, p->n_alpha, lo, logits, L - 1, &m->lens_work)) {
            st = el_fail(EL_ERR_NOMEM, "out of memory in the lens");
            break;
        }
        for (int l = 0; l < L; l++) {
            out->entropy[(size_t)s * L + l] = (float)el_entropy_units(lo[l].entropy, p->units, V);
            for (int a = 0; a < p->n_alpha; a++)
                out->renyi[((size_t)a * S + s) * L + l] = (float)el_entropy_units(lo[l].renyi[a], p->units, V);
        }
        if (s == 0 && out->logits0) memcpy(out->logits0, logits, sizeof(float) * (size_t)V);
        int next = sample(logits, V, p->temperature, &rng);
        out->ids[s] = next;
        if (s + 1 < S && el_text_forward(t, &cache, &next, 1, rows, &m->twork))
            st = el_fail(EL_ERR_NOMEM, "out of memory in the forward pass");
    }
    el_kv_cache_free(&cache);
    if (!st && !m->tok) {
        out->text = strdup("");
        if (!out->text) st = el_fail(EL_ERR_NOMEM, "out of memory");
    } else if (!st) {
        /* Decode with the prompt's last token in front so tokenizers that
         * strip a space after BOS treat the continuation as a continuation. */
        int *ctx = malloc(sizeof(int) * (size_t)(S + 1));
        char *full = NULL, *head = NULL;
        if (!ctx) st = el_fail(EL_ERR_NOMEM, "out of memory");
        if (!st) {
            ctx[0] = ids[n_ids - 1];
            memcpy(ctx + 1, out->ids, sizeof(int) * (size_t)S);
            st = el_tokenizer_decode(m->tok, ctx, S + 1, &full);
            if (!st) st = el_tokenizer_decode(m->tok, ctx, 1, &head);
        }
        if (!st) {
            size_t hl = strlen(head);
            out->text = strdup(strncmp(full, head, hl) ? full : full + hl);
            if (!out->text) st = el_fail(EL_ERR_NOMEM, "out of memory");
        }
        free(ctx);
        free(full);
        free(head);
    }
    if (st) el_text_result_free(out);
    return st;
}

el_status el_text_generate(el_model *m, const char *prompt, const el_text_params *p, el_text_result *out) {
    memset(out, 0, sizeof *out);
    int *ids = NULL, n = 0;
    EL_TRY(el_text_tokenize(m, prompt, &ids, &n));
    el_status st = el_text_generate_ids(m, ids, n, p, out);
    free(ids);
    return st;
}
