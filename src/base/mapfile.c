#include "base/mapfile.h"

#include <sys/mman.h>

#include "base/file.h"
#include "base/status.h"

/* The regular-file check (without blocking on a FIFO) and the mapping itself
 * are base/file's; this adds the minimum size the readers need. */
el_status el_map_file(const char *path, size_t min_size, const char *what, int populate, uint8_t **map,
                      size_t *size) {
    el_file_map m;
    EL_TRY(el_file_map_open(path, populate, &m));
    if (m.size < min_size) {
        el_file_map_close(&m);
        return el_fail(EL_ERR_FORMAT, "%s: %zu bytes is too short for a %s", path, m.size, what);
    }
    *map = (uint8_t *)m.data;
    *size = m.size;
    return EL_OK;
}
