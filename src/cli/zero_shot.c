/* --classes / --templates for zero-shot models (CLIP, SigLIP): the model
 * parameters, the class-embedding cache beside the output, and the note
 * that says whether it was reused. */
#include <stdio.h>
#include <string.h>

#include "cli/zero_shot.h"

void el_cli_zero_shot_params(el_model_params *mp, const char *classes, const char *templates, const char *output,
                             char *cache, size_t cap) {
    mp->classes = classes;
    mp->templates = templates;
    mp->class_cache = NULL;
    /* Beside a real output file only: stdout has nowhere to keep it. */
    if (output && strcmp(output, "-") && (size_t)snprintf(cache, cap, "%s.classes.json", output) < cap)
        mp->class_cache = cache;
}

void el_cli_zero_shot_note(const char *cmd, const el_model_info *info, const el_model_params *mp) {
    if (!info->zero_shot) return;
    if (mp->class_cache)
        fprintf(stderr, "entropy-lens %s: %d zero-shot classes, class embeddings %s %s\n", cmd, info->n_classes,
                info->zs_from_cache ? "read from" : "written to", mp->class_cache);
    else
        fprintf(stderr, "entropy-lens %s: %d zero-shot classes (class embeddings not cached: no -o FILE)\n", cmd,
                info->n_classes);
}
