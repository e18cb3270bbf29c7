/* Read-only mapping of a whole regular file, for the checkpoint readers. */
#ifndef EL_MAPFILE_H
#define EL_MAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "entropy_lens.h"

/* Map path read-only. A file shorter than min_size is EL_ERR_FORMAT ("too
 * short for a <what>"); populate = 1 faults every page in at once (for files
 * read whole at load). Release with munmap(*map, *size). */
el_status el_map_file(const char *path, size_t min_size, const char *what, int populate, uint8_t **map,
                      size_t *size);

#endif
