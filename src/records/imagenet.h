/* ImageNet-1k synset folders: an ImageFolder tree whose class folders are
 * WordNet ids (train/n01440764/...) labels its images with the standard
 * class indices, the position of the id in the sorted list of the 1000. */
#ifndef EL_RECORDS_IMAGENET_H
#define EL_RECORDS_IMAGENET_H

#define EL_IMAGENET_CLASSES 1000

extern const char el_imagenet_synsets[EL_IMAGENET_CLASSES][10];

/* The class index of a synset id ("n01440764" -> 0), or -1 when name is not
 * one of the 1000. */
int el_imagenet_synset_index(const char *name);

#endif
