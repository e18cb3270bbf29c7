/* Internal error reporting: set the thread's last error and return the status. */
#ifndef EL_STATUS_H
#define EL_STATUS_H

#include "entropy_lens.h"

#if defined(__GNUC__)
#define EL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define EL_PRINTF(a, b)
#endif

/* Records a printf-style message for el_last_error() and returns s. */
el_status el_fail(el_status s, const char *fmt, ...) EL_PRINTF(2, 3);
void el_clear_error(void);

/* Propagate a failure unchanged (the callee already set the message). */
#define EL_TRY(expr)                      \
    do {                                  \
        el_status el_try_s_ = (expr);     \
        if (el_try_s_ != EL_OK) return el_try_s_; \
    } while (0)

#endif
