/*
 * validate.h -- validation errors in the Pydantic v2 shape of API.md,
 * and the field tables that drive validation (and, later, the OpenAPI
 * document): a field is declared once, with its type and limits.
 */
#ifndef USERAPI_VALIDATE_H
#define USERAPI_VALIDATE_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/errors.h"

struct json_object;

/*
 * The problems found in one request, in order; every problem is listed,
 * validation never stops at the first.
 */
struct ua_verrs {
	struct json_object *list; /* array; NULL while empty */
};

void ua_verrs_init(struct ua_verrs *);
void ua_verrs_cleanup(struct ua_verrs *);
bool ua_verrs_empty(const struct ua_verrs *);

/*
 * Add one problem.  "loc" is a JSON array ("body", "email"); "input"
 * the offending value (may be NULL for JSON null); "ctx" may be NULL.
 * Takes one reference to each of loc, input and ctx: pass
 * json_object_get(x) for a value you keep.
 */
void ua_verrs_add(struct ua_verrs *, const char *type, struct json_object *loc,
    const char *msg, struct json_object *input, struct json_object *ctx);

/* ["<where>", "<name>"], e.g. ua_loc("body", "email"). */
struct json_object *ua_loc(const char *where, const char *name);

/*
 * {"detail": [...]}: the body of the 422.  Empties "errs" (it may be
 * reused or cleaned up after).  Returns a new object the caller owns.
 */
struct json_object *ua_verrs_to_json(struct ua_verrs *errs);

/* What a field holds and how it is checked. */
enum ua_ftype {
	UA_F_STRING,   /* text, limits in code points */
	UA_F_EMAIL,    /* an address by email-validator's rules */
	UA_F_PASSWORD, /* text, min code points, max UTF-8 bytes */
	UA_F_ROLE,     /* "admin" or "user" */
	UA_F_INT,  /* an int64_t within [min, max], read as Pydantic's int */
	UA_F_ENUM, /* one of enum_name(0 .. enum_max - 1); stored as int */
	UA_F_LIST, /* an array of objects, each checked against "items" */
	UA_F__MAX
};

struct ua_schema;

struct ua_field {
	const char   *name;
	enum ua_ftype type;
	bool	      required;	   /* absent: "missing" */
	bool	      nullable;	   /* null or absent: leave unchanged */
	int	      min_len;	   /* code points; 0 for none */
	int	      max_len;	   /* code points; 0 for none */
	int	      max_bytes;   /* UTF-8 bytes; 0 for none */
	size_t	      off;	   /* of the value in the target struct */
	size_t	      size;	   /* of that char[] (or enum) */
	size_t	      has_off;	   /* of its "bool has_x", or (size_t)-1 */
	const char   *description; /* one line, for the docs */

	/* UA_F_INT: the value lies in [min, max]. */
	int64_t min;
	int64_t max;
	/* UA_F_STRING: a pattern the text must match, as the docs and the
	 * problem show it, and the check that implements it; NULL: none. */
	const char *pattern;
	bool (*match)(const char *s, size_t len);
	/* UA_F_ENUM: the name of each value, 0 .. enum_max - 1. */
	const char *(*enum_name)(int);
	int enum_max;
	/* UA_F_LIST: min_len .. max_len items of schema "items", stored as
	 * an array at "off" ("size" bytes in all), their number as a size_t
	 * at "count_off". */
	const struct ua_schema *items;
	size_t			count_off;
};

struct ua_schema {
	const char	      *name; /* "UserCreate" */
	const struct ua_field *fields;
	size_t		       nfields;
	size_t		       size; /* of the struct the table describes */
};

/*
 * Parse JSON "body" ("len" bytes; may be NULL/0) against "schema" into
 * "out" (a zeroed struct the table describes, "outlen" bytes: its
 * size).  Strict JSON, UTF-8 checked, nesting bounded; unknown fields
 * ignored.  Returns UA_OK, or UA_ERR_INVALID with every problem in
 * "errs" (loc starting "body"): json_invalid, model_attributes_type,
 * missing, string_type, string_too_short/long, string_pattern_mismatch,
 * value_error (email, NUL, password bytes), enum, int_type,
 * int_parsing, int_from_float, int_parsing_size, finite_number,
 * greater_than_equal, less_than_equal, list_type, too_short, too_long,
 * model_type (a list item that is not an object).  Strings are stored
 * NUL-terminated; an email with its domain lower-cased.  An "outlen"
 * other than schema->size is a caller's bug: UA_ERR_INTERNAL, logged,
 * "out" untouched.
 */
enum ua_err ua_schema_parse(const struct ua_schema *schema, const char *body,
    size_t len, void *out, size_t outlen, struct ua_verrs *errs);

/*
 * The same checks for fields that came from a form
 * (application/x-www-form-urlencoded); "get" returns the value of a
 * field or NULL, and its length in "*len" (a decoded %00 is kept, and
 * refused like a NUL in JSON).  Locations start "body".  A UA_F_LIST
 * field cannot come from a form: it is reported missing if required.
 * "outlen" as for ua_schema_parse().
 */
enum ua_err ua_schema_parse_form(const struct ua_schema *schema,
    const char *(*get)(void *arg, const char *name, size_t *len), void *arg,
    void *out, size_t outlen, struct ua_verrs *errs);

/*
 * Check "email" (NUL-terminated, "len" bytes) and write its normal form
 * (domain lower-cased) into "out" ("outlen" bytes).  On failure returns
 * UA_ERR_INVALID and a reason sentence in "reason" (e.g. "An email
 * address must have an @-sign.").
 */
enum ua_err ua_email_normalise(const char *email, size_t len, char *out,
    size_t outlen, char *reason, size_t reasonlen);

/* Code points in valid UTF-8 "s" ("len" bytes); -1 if not valid UTF-8. */
long ua_utf8_length(const char *s, size_t len);

/*
 * The first "max_chars" code points of "s" (NUL-terminated), each
 * ill-formed UTF-8 sequence replaced by U+FFFD, as a new string the
 * caller frees: text from a header made fit for a text column.
 */
char *ua_utf8_cut(const char *s, size_t max_chars);

/*
 * Query and path parameters: an integer within [min, max].  On failure
 * adds int_parsing / greater_than_equal / less_than_equal with loc
 * [where, name] and returns false; "raw" NULL means use "def".
 */
bool ua_param_int(const char *where, const char *name, const char *raw,
    int64_t def, int64_t min, int64_t max, int64_t *out, struct ua_verrs *errs);

#pragma GCC visibility pop
#endif
