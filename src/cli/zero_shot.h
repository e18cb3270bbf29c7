#ifndef EL_CLI_ZERO_SHOT_H
#define EL_CLI_ZERO_SHOT_H

#include <stddef.h>

#include "entropy_lens.h"

#define EL_CLI_ZERO_SHOT_HELP                                                                  \
    "  --classes FILE         zero-shot models (CLIP, SigLIP): class names, one a line\n"     \
    "                         (default: the config's id2label names, if it has them)\n"       \
    "  --templates FILE       prompt templates with {} for the class name, one a line\n"      \
    "                         (default \"a photo of a {}.\"); the class embeddings are\n"     \
    "                         cached in OUTPUT.classes.json and rebuilt when stale\n"

/* The zero-shot fields of mp; the cache path (in cache[cap]) is
 * OUTPUT.classes.json for a file output, none for stdout. */
void el_cli_zero_shot_params(el_model_params *mp, const char *classes, const char *templates, const char *output,
                             char *cache, size_t cap);
/* One line on stderr for zero-shot models: classes and the cache used. */
void el_cli_zero_shot_note(const char *cmd, const el_model_info *info, const el_model_params *mp);

#endif
