/* Names in the loaders' family tables, by index (NULL past the end). */
#ifndef EL_FAMILIES_H
#define EL_FAMILIES_H

const char *el_hf_text_type(int i);
const char *el_vision_type(int i);

#endif
