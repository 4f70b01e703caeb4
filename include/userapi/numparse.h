/*
 * numparse.h -- strict number parsing: the whole string, digits only
 * (an optional leading '-'), no blanks, no junk, overflow checked.
 * "12abc", "", " 1", "+1" and "1e3" are all refused.
 */
#ifndef USERAPI_NUMPARSE_H
#define USERAPI_NUMPARSE_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse "s" into "*out"; false (and *out untouched) unless it is exact. */
bool ua_parse_int64(const char *s, int64_t *out);

/* As above, and also within [min, max]. */
bool ua_parse_int64_range(const char *s, int64_t min, int64_t max,
    int64_t *out);

/* Room for any int64 in decimal, sign and NUL included. */
#define UA_INT64_STRLEN 21

/* Write "v" in decimal into "buf" (at least UA_INT64_STRLEN bytes). */
void ua_fmt_int64(char *buf, size_t len, int64_t v);

#pragma GCC visibility pop
#endif
