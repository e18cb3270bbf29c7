/* Small cJSON accessors the tokenizer.json parsers share. */
#ifndef EL_TOKENIZER_JSON_H
#define EL_TOKENIZER_JSON_H

#include <string.h>

#include <cjson/cJSON.h>

static inline const cJSON *el_tj_get(const cJSON *o, const char *k) {
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The "type" of a component, "" when missing. */
static inline const char *el_tj_type(const cJSON *o) {
    const cJSON *ty = el_tj_get(o, "type");
    return cJSON_IsString(ty) ? ty->valuestring : "";
}

static inline int el_tj_is(const cJSON *o, const char *s) {
    return cJSON_IsString(o) && strcmp(o->valuestring, s) == 0;
}

/* Boolean field with a default when absent or null. */
static inline int el_tj_flag(const cJSON *o, const char *k, int dflt) {
    const cJSON *v = el_tj_get(o, k);
    if (cJSON_IsBool(v)) return cJSON_IsTrue(v);
    return dflt;
}

/* A "null" or missing stage. */
static inline int el_tj_absent(const cJSON *o) { return !o || cJSON_IsNull(o); }

#endif
