/* config.json's rope_scaling (HF modeling_rope_utils) into el_rope_scaling:
 * one parser for every Hugging Face family that rotates. */
#include <math.h>
#include <string.h>

#include "base/status.h"
#include "weights/hf_text_internal.h"
#include "weights/json_config.h"

static const char *const kind_names[] = {"default", "linear", "llama3", "longrope"};

static el_status parse_llama3(const cJSON *rs, const char *file, el_rope_scaling *sc) {
    double f, lo, hi;
    long orig;
    EL_TRY(el_json_double(rs, file, "factor", 1, 0, 1e-6, 1e9, &f));
    EL_TRY(el_json_double(rs, file, "low_freq_factor", 1, 0, 1e-9, 1e9, &lo));
    EL_TRY(el_json_double(rs, file, "high_freq_factor", 1, 0, 1e-9, 1e9, &hi));
    EL_TRY(el_json_int(rs, file, "original_max_position_embeddings", 1, 0, 1, 1L << 30, &orig));
    if (!(hi > lo)) return el_fail(EL_ERR_CONFIG, "%s: rope_scaling high_freq_factor %g must exceed low_freq_factor %g", file, hi, lo);
    sc->factor = (float)f, sc->low_freq_factor = lo, sc->high_freq_factor = hi, sc->original_max_pos = (int)orig;
    return EL_OK;
}

/* Phi-3's long-context RoPE in its short regime: the short factors and the
 * cos/sin amplitude sqrt(1 + ln(factor) / ln(original)), while the sequence
 * fits original_max_position_embeddings. HF switches to the long factors
 * beyond it; here the context is capped there (*context), so a longer
 * sequence is refused by the context limit instead of computed differently. */
static el_status parse_longrope(const cJSON *cfg, const cJSON *rs, const char *file, int rope_dims,
                                el_rope_scaling *sc, int *context) {
    long orig;
    double f, att;
    const int half = rope_dims / 2;
    if (half > EL_ROPE_MAX_FACTORS) return el_fail(EL_ERR_UNSUPPORTED, "%s: longrope over %d rotary dims", file, rope_dims);
    EL_TRY(el_json_int(cfg, file, "original_max_position_embeddings", 0, 0, 0, 1L << 30, &orig));
    if (!orig) EL_TRY(el_json_int(rs, file, "original_max_position_embeddings", 1, 0, 1, 1L << 30, &orig));
    EL_TRY(el_json_double(rs, file, "factor", 0, (double)*context / (double)orig, 1e-9, 1e9, &f));
    EL_TRY(el_json_double(rs, file, "attention_factor", 0, f <= 1.0 ? 1.0 : sqrt(1.0 + log(f) / log((double)orig)),
                          1e-9, 1e9, &att));
    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(rs, "short_factor");
    if (!cJSON_IsArray(ext) || cJSON_GetArraySize(ext) != half)
        return el_fail(EL_ERR_CONFIG, "%s: rope_scaling short_factor must hold %d numbers (rotary dims / 2)", file, half);
    EL_TRY(el_json_floats(rs, file, "short_factor", half, 1e-9, 1e9, sc->ext));
    sc->attn_factor = (float)att;
    if (*context > orig) *context = (int)orig;
    return EL_OK;
}

el_status el_hf_rope_scaling(const cJSON *cfg, const char *file, const char *type, unsigned allowed,
                             el_block_config *c, int *context) {
    memset(&c->rope_scaling, 0, sizeof c->rope_scaling);
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(cfg, "rope_scaling");
    if (!rs || cJSON_IsNull(rs)) return EL_OK;
    if (!cJSON_IsObject(rs)) return el_fail(EL_ERR_CONFIG, "%s: rope_scaling is not an object", file);
    const char *kind = el_json_str(rs, "rope_type");
    if (!kind) kind = el_json_str(rs, "type");
    if (kind && !strcmp(kind, "su")) kind = "longrope"; /* Phi-3's first name for it */
    el_rope_scale_kind k = EL_ROPE_SCALE_NONE;
    int found = 0;
    for (int i = 0; kind && i < 4; i++)
        if (!strcmp(kind, kind_names[i])) k = (el_rope_scale_kind)i, found = 1;
    if (!found || !(allowed & (1u << k))) {
        char list[64] = "";
        for (int i = 0; i < 4; i++)
            if (allowed & (1u << i)) strcat(strcat(list, *list ? ", " : ""), kind_names[i]);
        return el_fail(EL_ERR_UNSUPPORTED, "%s: rope_scaling type \"%s\" is not supported for %s (%s)", file,
                       kind ? kind : "?", type, list);
    }
    c->rope_scaling.kind = k;
    if (k == EL_ROPE_SCALE_LINEAR) {
        double f;
        EL_TRY(el_json_double(rs, file, "factor", 1, 0, 1e-6, 1e9, &f));
        c->rope_scaling.factor = (float)f;
    }
    if (k == EL_ROPE_SCALE_LLAMA3) return parse_llama3(rs, file, &c->rope_scaling);
    if (k == EL_ROPE_SCALE_LONGROPE) return parse_longrope(cfg, rs, file, c->rope_dims, &c->rope_scaling, context);
    return EL_OK;
}
