/* The prompts file of `entropy-lens text`: one prompt per JSONL line
 * ({"prompt": ..., "label": ..., other fields kept}) or a plain text line.
 * A bad line becomes an item with an error, so it gets its own error record
 * and the run goes on. */
#ifndef EL_CLI_PROMPTS_H
#define EL_CLI_PROMPTS_H

#include <stddef.h>

typedef struct {
    char *prompt, *label, *extra; /* extra: other JSON fields, "\"k\":v,..." */
    char *error;
} prompt_item;

/* Read path (a regular file within the prompts size limit, base/file.h):
 * 0, or -1 with a message on stderr (unreadable, empty). */
int el_prompts_read(const char *path, prompt_item **out, size_t *n_out);
void el_prompt_items_free(prompt_item *it, size_t n);

#endif
