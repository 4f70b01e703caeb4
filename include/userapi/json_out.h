/*
 * json_out.h -- JSON written straight into a buffer.
 *
 * For the responses on the hot path (users and pages of users), where
 * building a json-c object per field and serialising it cost more than
 * the database round trip.  The output is byte for byte what json-c
 * writes with JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
 * which every other response uses; tests/unit/test_json_out.c holds
 * the two to that.
 */
#ifndef USERAPI_JSON_OUT_H
#define USERAPI_JSON_OUT_H
#pragma GCC visibility push(default)

#include <stdint.h>

#include "userapi/buf.h"

/* "s" as a JSON string, quotes included. */
void ua_json_append_str(struct ua_buf *, const char *s);

/* "v" as a JSON number. */
void ua_json_append_int64(struct ua_buf *, int64_t v);

#pragma GCC visibility pop
#endif
