/* What the four tokenizer.json stage parsers share: walking a component or a
 * (nested) Sequence of them, and growing a list of parsed steps. */
#include <stdlib.h>
#include <string.h>

#include "base/status.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/tokenizer_pipeline.h"

#define MAX_DEPTH 8  /* nested Sequences */
#define MAX_STEPS 64 /* steps per stage */

static el_status walk(const char *path, const cJSON *j, const char *stage, const char *list_key, el_tok_step_fn one,
                      void *ctx, int depth) {
    if (strcmp(el_tj_type(j), "Sequence") != 0) return one(path, j, ctx);
    const cJSON *list = el_tj_get(j, list_key), *e;
    if (!cJSON_IsArray(list)) return el_fail(EL_ERR_FORMAT, "%s: %s Sequence without \"%s\"", path, stage, list_key);
    if (depth >= MAX_DEPTH) return el_fail(EL_ERR_LIMIT, "%s: %s Sequences nested too deep", path, stage);
    cJSON_ArrayForEach(e, list) EL_TRY(walk(path, e, stage, list_key, one, ctx, depth + 1));
    return EL_OK;
}

el_status el_tok_each_step(const char *path, const cJSON *j, const char *stage, const char *list_key,
                           el_tok_step_fn one, void *ctx) {
    if (el_tj_absent(j)) return EL_OK;
    return walk(path, j, stage, list_key, one, ctx, 0);
}

el_status el_tok_append_step(const char *path, const char *stage, void *list, int *n, size_t size, const void *item) {
    if (*n >= MAX_STEPS) return el_fail(EL_ERR_LIMIT, "%s: more than %d %s steps", path, MAX_STEPS, stage);
    void **arr = list;
    char *v = realloc(*arr, ((size_t)*n + 1) * size);
    if (!v) return el_fail(EL_ERR_NOMEM, "%s: out of memory", path);
    memcpy(v + (size_t)*n * size, item, size);
    *arr = v;
    (*n)++;
    return EL_OK;
}
