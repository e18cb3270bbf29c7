#include "base/mapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/status.h"

el_status el_map_file(const char *path, size_t min_size, const char *what, int populate, uint8_t **map,
                      size_t *size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return el_fail(EL_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return el_fail(EL_ERR_IO, "%s: not a regular file", path);
    }
    *size = (size_t)st.st_size;
    if (*size < min_size) {
        close(fd);
        return el_fail(EL_ERR_FORMAT, "%s: %zu bytes is too short for a %s", path, *size, what);
    }
    void *m = mmap(NULL, *size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
    close(fd);
    if (m == MAP_FAILED) return el_fail(EL_ERR_IO, "%s: mmap failed: %s", path, strerror(errno));
    *map = m;
    return EL_OK;
}
