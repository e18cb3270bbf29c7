/* Zero-shot classifiers for CLIP-style models: the class names and prompt
 * templates a user gives (--classes FILE, --templates FILE), the prompts
 * made from them, and the class embeddings cached beside the output so a
 * second run skips the text tower. */
#ifndef EL_ZEROSHOT_H
#define EL_ZEROSHOT_H

#include "entropy_lens.h"

#define EL_ZS_DEFAULT_TEMPLATE "a photo of a {}."

typedef struct {
    int n_classes, n_templates;
    char **classes;   /* one per non-empty line */
    char **templates; /* each holds "{}" where the class name goes */
} el_zs_spec;

/* Reads the class file (required) and the template file (NULL: the one
 * default template). Lines are taken as written (a trailing \r dropped,
 * empty lines and lines starting with '#' skipped); a template without "{}"
 * fails naming file and line. */
el_status el_zs_spec_load(const char *classes_path, const char *templates_path, el_zs_spec *out);
/* The same with the classes given (a config's id2label). */
el_status el_zs_spec_names(char *const *names, int n, const char *templates_path, el_zs_spec *out);
void el_zs_spec_free(el_zs_spec *s);

/* Prompt for class c and template t (class-major order, as the goldens
 * list them): every "{}" replaced by the class name (Python's str.format
 * with one positional field). malloc'd; NULL when out of memory. */
char *el_zs_prompt(const el_zs_spec *s, int c, int t);

/* The cache: model identity (any string, e.g. its path and file sizes),
 * classes, templates and the n_classes x dim embeddings, as JSON with
 * float-exact numbers. el_zs_cache_read returns EL_OK only when the file
 * exists and matches model, classes, templates and dim (emb filled);
 * otherwise EL_ERR_IO (absent or unreadable) or EL_ERR_FORMAT (stale or
 * malformed), and the caller recomputes. */
el_status el_zs_cache_write(const char *path, const char *model, const el_zs_spec *s, int dim, const float *emb);
el_status el_zs_cache_read(const char *path, const char *model, const el_zs_spec *s, int dim, float *emb);

#endif
