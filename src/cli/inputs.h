/* Turning PATH arguments into the ordered list of images to profile:
 * folders walked in sorted order (ImageFolder labels from the class folder),
 * a labels CSV joined on file name, symlink loops and broken links caught. */
#ifndef EL_CLI_INPUTS_H
#define EL_CLI_INPUTS_H

#include <stddef.h>

typedef struct {
    char *path;
    char *label;       /* NULL: none */
    int label_index;   /* from a class_index column, else -1 */
    char *error;       /* set when the entry itself is bad (broken link, unreadable) */
} el_input;

typedef struct {
    el_input *items;
    size_t n, cap;
    size_t skipped;    /* non-image files passed over with a warning */
} el_input_list;

/* Walk paths; recursive: any depth below a folder, else its own files and
 * its immediate class subfolders (torchvision ImageFolder depth). Warnings go
 * to stderr. Returns 0, or -1 when out of memory. */
int el_inputs_collect(el_input_list *list, char **paths, int n_paths, int recursive);
/* Join a CSV with a `file` column and a `class_index`, `label` or
 * `class_name` column; a leading UTF-8 BOM is skipped. class_index must be
 * an integer in [0, n_classes). Returns 0 or -1 with a message in err. */
int el_inputs_apply_labels(el_input_list *list, const char *csv_path, int n_classes, char *err, size_t errlen);
/* Drop the first n entries (those a resumed run has done). */
void el_inputs_drop_front(el_input_list *list, size_t n);
/* Class indices for labelled inputs that have none yet: the label as one of
 * the model's class names (class_index(ctx, label), -1 if none), else, for a
 * model of 1000 classes, an ImageNet-1k synset id (n01440764 -> 0). Returns
 * how many distinct labels matched no class; the first few, quoted and comma
 * separated, go to unmatched[cap]. */
size_t el_inputs_resolve_labels(el_input_list *list, int n_classes, int (*class_index)(void *ctx, const char *label),
                                void *ctx, char *unmatched, size_t cap);
void el_inputs_free(el_input_list *list);
/* 1 if the name has an image extension we decode. */
int el_is_image_name(const char *name);

#endif
