/* Growable byte string for building one output record before it is written
 * with a single write(): a killed run then leaves whole records only. */
#ifndef EL_STRBUF_H
#define EL_STRBUF_H

#include <stddef.h>

#include "base/status.h"

typedef struct {
    char *data;
    size_t len, cap;
    int oom; /* sticky: an allocation failed, contents are incomplete */
} el_strbuf;

void el_sb_reset(el_strbuf *s);
void el_sb_free(el_strbuf *s);
void el_sb_putc(el_strbuf *s, char c);
void el_sb_puts(el_strbuf *s, const char *str);
void el_sb_write(el_strbuf *s, const char *p, size_t n);
void el_sb_printf(el_strbuf *s, const char *fmt, ...) EL_PRINTF(2, 3);
/* JSON string literal with quotes. Invalid UTF-8 bytes become \udcXX, as
 * Python's surrogateescape: json.loads + os.fsencode recover the bytes. */
void el_sb_json_str(el_strbuf *s, const char *str);
/* A finite float as the shortest round-trippable-enough JSON number (%.7g);
 * NaN and infinities become null. */
void el_sb_json_float(el_strbuf *s, double v);
/* CSV field, quoted when it holds a comma, quote, CR or LF. */
void el_sb_csv_str(el_strbuf *s, const char *str);

#endif
