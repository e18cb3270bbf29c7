/* Synset id -> ImageNet-1k class index (see imagenet.h). */
#include "records/imagenet.h"

#include <stdlib.h>
#include <string.h>

static int cmp(const void *key, const void *item) { return strcmp(key, (const char *)item); }

int el_imagenet_synset_index(const char *name) {
    if (!name || strlen(name) != 9 || name[0] != 'n') return -1;
    const char(*hit)[10] = bsearch(name, el_imagenet_synsets, EL_IMAGENET_CLASSES, sizeof el_imagenet_synsets[0], cmp);
    return hit ? (int)(hit - el_imagenet_synsets) : -1;
}
