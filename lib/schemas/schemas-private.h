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

/* How a string reads as an integer, as pydantic-core's str_as_int. */
enum ua_pyint {
	UA_PYINT_OK,
	UA_PYINT_BAD,	/* not an integer */
	UA_PYINT_BIG,	/* an integer above INT64_MAX */
	UA_PYINT_SMALL, /* an integer below INT64_MIN */
};

/*
 * Read "s" ("len" bytes) as Python's int() and pydantic-core do: white
 * space trimmed, an optional sign, decimal digits with single '_'
 * between them, optionally '.' and one or more zeros ("5.0" is 5, "5."
 * is not an integer).  "*out" is set only with UA_PYINT_OK.
 */
enum ua_pyint ua_pyint_parse(const char *s, size_t len, int64_t *out);

/*
 * Add less_than_equal ("upper") or greater_than_equal "bound" at "loc"
 * for "input".  Takes the references to "loc" and "input".
 */
void ua_verrs_add_bound(struct ua_verrs *errs, struct json_object *loc,
    struct json_object *input, bool upper, int64_t bound);

#endif
