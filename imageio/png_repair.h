/* Second chance for PNGs whose image data Pillow accepts but libpng does not
 * (see png_repair.c). */
#ifndef EL_PNG_REPAIR_H
#define EL_PNG_REPAIR_H

#include <stddef.h>
#include <stdint.h>

/* 1 and a malloc'd well-formed PNG in *out if the IDAT data, read as Pillow
 * reads it, holds every row; else 0 and nothing allocated. */
int el_png_repair(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size);

#endif
