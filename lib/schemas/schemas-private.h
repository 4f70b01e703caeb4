/*
 * schemas-private.h -- what the files of lib/schemas share with each
 * other and with the unit tests (which link the convenience library);
 * not installed.
 */
#ifndef USERAPI_SCHEMAS_PRIVATE_H
#define USERAPI_SCHEMAS_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utf8-private.h"

struct json_object;
struct ua_verrs;

/* How many problems "errs" holds. */
size_t ua_verrs_count(const struct ua_verrs *errs);

/* {"key": v}: a new object, for the "ctx" of a problem. */
struct json_object *ua_verrs_ctx_int(const char *key, int64_t v);
struct json_object *ua_verrs_ctx_str(const char *key, const char *v);

/*
 * Parse the body "s" ("len" bytes) as FastAPI does into "*out" (NULL
 * for JSON null; the caller puts it), numbers spelt as Python prints
 * them.  false: the body is not JSON, json_invalid added to "errs".
 */
bool ua_json_parse_body(const char *s, size_t len, struct json_object **out,
    struct ua_verrs *errs);

#endif
