#include "status.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[1024];

el_status el_fail(el_status s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

void el_clear_error(void) { last_error[0] = '\0'; }

const char *el_last_error(void) { return last_error; }

const char *el_status_name(el_status s) {
    switch (s) {
    case EL_OK: return "ok";
    case EL_ERR_IO: return "i/o error";
    case EL_ERR_FORMAT: return "malformed input";
    case EL_ERR_CONFIG: return "bad config";
    case EL_ERR_UNSUPPORTED: return "unsupported";
    case EL_ERR_LIMIT: return "over a safety limit";
    case EL_ERR_NOMEM: return "out of memory";
    case EL_ERR_ARG: return "invalid argument";
    }
    return "unknown status";
}

const char *el_version(void) { return EL_VERSION_STRING; }
