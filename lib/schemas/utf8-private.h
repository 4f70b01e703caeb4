/*
 * utf8-private.h -- strict UTF-8, shared inside lib/schemas (the field
 * checks, the JSON reader and the email rules) and with the unit tests
 * (which link the convenience library); not installed.
 */
#ifndef USERAPI_UTF8_PRIVATE_H
#define USERAPI_UTF8_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode the code point at s[*i] ("len" bytes in all) as strict UTF-8:
 * no overlong forms, no surrogates, nothing past U+10FFFF.  Returns
 * true with "*cp" set and "*i" moved past it, or false with both
 * untouched.
 */
bool ua_utf8_next(const char *s, size_t len, size_t *i, uint32_t *cp);

/*
 * Where s[i] starts bytes that are not valid UTF-8: the length of the
 * maximal ill-formed subpart there (what Python's decoder reports and
 * replaces with one U+FFFD), at least 1.  "*truncated" says whether
 * the data ended inside an otherwise valid sequence ("unexpected end
 * of data") rather than at a bad byte.
 */
size_t ua_utf8_bad_span(const char *s, size_t len, size_t i, bool *truncated);

/* Can byte "c" begin a well-formed sequence? */
bool ua_utf8_starts(unsigned char c);

/* Write "cp" (at most U+10FFFF) as UTF-8 into "out"; returns 1..4. */
size_t ua_utf8_put(char out[4], uint32_t cp);

/*
 * "s" with every ill-formed UTF-8 sequence replaced by U+FFFD, as
 * Starlette's form decoding leaves it.  Returns a new string (caller
 * frees) and its length in "*outlen".
 */
char *ua_utf8_repair(const char *s, size_t len, size_t *outlen);

#endif
