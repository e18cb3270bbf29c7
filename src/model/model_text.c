/* Language models through the public API: loading and the generation loop
 * that records the lens at the last position after every block, every step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "base/buffer.h"
#include "model/model_internal.h"

el_text_params el_text_default_params(void) {
    el_text_params p;
    memset(&p, 0, sizeof p);
    p.n_tokens = 32;
    p.seed = 42;
    return p;
}

el_status el_model_load_text(el_model *m, const char *path, const el_model_params *params) {
    el_text_front *f = calloc(1, sizeof *f);
    if (!f) return el_fail(EL_ERR_NOMEM, "out of memory");
    el_status st = el_text_load(path, params->tokenizer, &f->text, &f->meta, &f->tok);
    if (st) {
        free(f);
        return st;
    }
    m->text = f;
    m->tf = &f->text.tf;
    const el_text *t = &f->text;
    el_model_info *I = &m->info;
    const char *const names[4] = {f->meta.arch, f->meta.family, f->meta.layout, f->meta.dtype};
    el_info_set_common(I, names, f->meta.n_shards, t->n_params, &t->tf);
    I->is_text = 1;
    I->n_classes = t->vocab;
    I->context = t->context;
    I->softcap = t->tf.lens.softcap;
    I->lens_norm = t->tf.lens.norm_w != NULL;
    I->lens_project_out = t->tf.lens.proj.n_parts > 0;
    return EL_OK;
}

void el_model_free_text(el_model *m) {
    if (!m->text) return;
    el_tokenizer_free(m->text->tok);
    el_text_free(&m->text->text);
    free(m->text);
    m->text = NULL;
}

const char *el_model_token_name(const el_model *m, int id) {
    const char *p = m->text->tok ? el_tokenizer_piece(m->text->tok, id) : NULL;
    return p ? p : "";
}

el_status el_text_tokenize(const el_model *m, const char *text, int **ids, int *n_ids) {
    return el_text_tokenize_bos(m, text, EL_TEXT_BOS_AUTO, ids, n_ids);
}

el_status el_text_tokenize_bos(const el_model *m, const char *text, el_text_bos bos, int **ids, int *n_ids) {
    EL_TRY(el_model_expect(m, EL_FRONT_TEXT));
    const el_text_front *f = m->text;
    if (!f->tok) return el_fail(EL_ERR_ARG, "%s", f->meta.no_tokenizer);
    if (!text) return el_fail(EL_ERR_ARG, "NULL prompt");
    el_bos_mode mode = bos == EL_TEXT_BOS_ALWAYS ? EL_BOS_ALWAYS : bos == EL_TEXT_BOS_NEVER ? EL_BOS_NEVER : EL_BOS_AUTO;
    EL_TRY(el_tokenizer_encode_n(f->tok, text, strlen(text), mode, ids, n_ids));
    /* An empty prompt still needs one position to predict from. */
    if (*n_ids == 0) {
        int start = el_tokenizer_bos(f->tok) >= 0 ? el_tokenizer_bos(f->tok) : el_tokenizer_eos(f->tok);
        if (start < 0) return el_fail(EL_ERR_ARG, "empty prompt and the tokenizer has no BOS/EOS token to start from");
        free(*ids);
        *ids = malloc(sizeof(int));
        if (!*ids) return el_fail(EL_ERR_NOMEM, "out of memory");
        (*ids)[0] = start;
        *n_ids = 1;
    }
    return EL_OK;
}

void el_text_result_free(el_text_result *r) {
    EL_FREE_ALL(r->prompt_ids, r->ids, r->text, r->entropy, r->renyi, r->logits0, r->prob, r->error);
    memset(r, 0, sizeof *r);
}

el_status el_text_generate_ids(el_state *s, const int *ids, int n_ids, const el_text_params *p, el_text_result *out) {
    memset(out, 0, sizeof *out);
    EL_TRY(el_model_expect(s->model, EL_FRONT_TEXT));
    int *idp = (int *)ids;
    el_status st = el_text_run(s, &idp, &n_ids, 1, p, out);
    if (!st && out->error) st = el_fail(EL_ERR_ARG, "%s", out->error);
    if (st) el_text_result_free(out);
    return st;
}

el_status el_text_generate_ids_batch(el_state *s, const int *const *ids, const int *n_ids, int n,
                                     const el_text_params *p, el_text_result *out) {
    for (int i = 0; i < n; i++) memset(&out[i], 0, sizeof out[i]);
    EL_TRY(el_model_expect(s->model, EL_FRONT_TEXT));
    el_status st = el_text_run(s, (int *const *)ids, n_ids, n, p, out);
    if (st)
        for (int i = 0; i < n; i++) el_text_result_free(&out[i]);
    return st;
}

el_status el_text_generate_batch(el_state *s, const char *const *prompts, int n, const el_text_params *p,
                                 el_text_result *out) {
    for (int i = 0; i < n; i++) memset(&out[i], 0, sizeof out[i]);
    const el_model *m = s->model;
    EL_TRY(el_model_expect(m, EL_FRONT_TEXT));
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
    if (!st) st = el_text_run(s, ids, n_ids, n, p, out);
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids);
    free(n_ids);
    if (st)
        for (int i = 0; i < n; i++) el_text_result_free(&out[i]);
    return st;
}

el_status el_text_generate(el_state *s, const char *prompt, const el_text_params *p, el_text_result *out) {
    memset(out, 0, sizeof *out);
    int *ids = NULL, n = 0;
    EL_TRY(el_text_tokenize_bos(s->model, prompt, p->bos, &ids, &n));
    el_status st = el_text_generate_ids(s, ids, n, p, out);
    free(ids);
    return st;
}
