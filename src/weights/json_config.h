/* Typed, bounds-checked reads of JSON config files (config.json,
 * preprocessor_config.json, ...). Every failure names the file and field. */
#ifndef EL_JSON_CONFIG_H
#define EL_JSON_CONFIG_H

#include <cjson/cJSON.h>

#include "base/file.h"
#include "entropy_lens.h"

/* Parse a JSON config file (a regular file within the EL_FILE_CONFIG size
 * limit, base/file.h) strictly; the top level must be an object. *out must
 * be cJSON_Delete'd. */
el_status el_json_load(const char *path, cJSON **out);
/* Read a whole JSON file of the given kind (its size limit, base/file.h)
 * and parse it strictly (any JSON value at the top level). */
el_status el_json_read_file(const char *path, el_file_kind kind, cJSON **out);
/* Parse JSON text the way every JSON file we load is parsed: refused with a
 * message naming path if invalid, if anything but whitespace follows the
 * value, or if any object holds a key twice (cJSON keeps the first value,
 * Python's json the last: the model would silently differ). */
el_status el_json_parse_strict(const char *text, size_t len, const char *path, cJSON **out);

/* Integer field in [lo, hi]; if absent, *out = def (pass required = 1 to fail). */
el_status el_json_int(const cJSON *obj, const char *file, const char *key, int required, long def,
                      long lo, long hi, long *out);
el_status el_json_double(const cJSON *obj, const char *file, const char *key, int required,
                         double def, double lo, double hi, double *out);
el_status el_json_bool(const cJSON *obj, const char *file, const char *key, int def, int *out);
/* String field or NULL when absent (borrowed from obj). */
const char *el_json_str(const cJSON *obj, const char *key);
/* Array of n numbers in [lo, hi] (a single number is broadcast). */
el_status el_json_floats(const cJSON *obj, const char *file, const char *key, int n, double lo,
                         double hi, float *out);

#endif
