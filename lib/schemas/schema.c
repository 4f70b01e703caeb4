/*
 * schema.c -- request bodies and forms checked against the field
 * tables of lib/schemas: every declared field read, every problem
 * listed, the values stored into the caller's struct.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/user.h"
#include "userapi/validate.h"
#include "schemas-private.h"

/* A field without a "has" flag. */
#define NO_HAS ((size_t)-1)

/* Room for an email-validator reason. */
#define REASON_MAX 512

static void
add_field(struct ua_verrs *errs, const char *type, const char *name,
    const char *msg, struct json_object *input, struct json_object *ctx)
{
	ua_verrs_add(errs, type, ua_loc("body", name), msg, input, ctx);
}

/* string_type; "input" borrowed (NULL: JSON null). */
static void
wrong_string(const struct ua_field *f, struct json_object *input,
    struct ua_verrs *errs)
{
	add_field(errs, "string_type", f->name,
	    "Input should be a valid string", json_object_get(input), NULL);
}

/* enum: "Input should be 'admin' or 'user'", from the role names. */
static void
wrong_role(const struct ua_field *f, struct json_object *input,
    struct ua_verrs *errs)
{
	char	    expected[128], msg[160];
	const char *sep;
	size_t	    o = 0;
	int	    r;

	expected[0] = '\0';
	for (r = 0; r < UA_ROLE__MAX && o < sizeof(expected); r++) {
		/* Python's list: "'a'", "'a' or 'b'", "'a', 'b' or 'c'". */
		if (r == 0)
			sep = "";
		/* cppcheck-suppress knownConditionTrueFalse ; while two roles */
		else if (r == UA_ROLE__MAX - 1)
			sep = " or ";
		else
			sep = ", ";
		o += (size_t)snprintf(expected + o, sizeof(expected) - o,
		    "%s'%s'", sep, ua_role_name((enum ua_role)r));
	}
	snprintf(msg, sizeof(msg), "Input should be %s", expected);
	add_field(errs, "enum", f->name, msg, json_object_get(input),
	    ua_verrs_ctx_str("expected", expected));
}

static void
value_error(const struct ua_field *f, struct json_object *input,
    const char *error, struct ua_verrs *errs)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "Value error, %s", error);
	add_field(errs, "value_error", f->name, msg, json_object_get(input),
	    ua_verrs_ctx_str("error", error));
}

/* Mark field "f" present in the struct at "base", if it has a flag. */
static void
set_has(const struct ua_field *f, char *base)
{
	bool yes = true;

	if (f->has_off != NO_HAS)
		memcpy(base + f->has_off, &yes, sizeof(yes));
}

/*
 * Text (UA_F_STRING, UA_F_PASSWORD): length in code points, then NUL,
 * then length in bytes (never more than the buffer holds).  The first
 * failing check is the one reported, as Pydantic stops at the first.
 * Returns true if stored, NUL-terminated, at f->off.
 */
static bool
check_text(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, struct ua_verrs *errs)
{
	char   msg[128];
	long   n = ua_utf8_length(s, len);
	size_t maxb;

	if (f->min_len > 0 && n < f->min_len) {
		snprintf(msg, sizeof(msg),
		    "String should have at least %d "
		    "character%s",
		    f->min_len, f->min_len == 1 ? "" : "s");
		add_field(errs, "string_too_short", f->name, msg,
		    json_object_get(input),
		    ua_verrs_ctx_int("min_length", f->min_len));
		return false;
	}
	if (f->max_len > 0 && n > f->max_len) {
		snprintf(msg, sizeof(msg),
		    "String should have at most %d "
		    "character%s",
		    f->max_len, f->max_len == 1 ? "" : "s");
		add_field(errs, "string_too_long", f->name, msg,
		    json_object_get(input),
		    ua_verrs_ctx_int("max_length", f->max_len));
		return false;
	}
	if (memchr(s, '\0', len) != NULL) {
		value_error(f, input, "must not contain NUL characters", errs);
		return false;
	}
	maxb = f->size - 1;
	if (f->max_bytes > 0 && (size_t)f->max_bytes < maxb)
		maxb = (size_t)f->max_bytes;
	if (len > maxb) {
		snprintf(msg, sizeof(msg), "must be at most %zu bytes in UTF-8",
		    maxb);
		value_error(f, input, msg, errs);
		return false;
	}
	memcpy(base + f->off, s, len);
	base[f->off + len] = '\0';
	return true;
}

/*
 * UA_F_EMAIL: NUL, then email-validator's rules; stores the normal
 * form.  Returns true if stored, else adds the problem.
 */
static bool
check_email(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, struct ua_verrs *errs)
{
	char reason[REASON_MAX], msg[REASON_MAX + 64];

	if (memchr(s, '\0', len) != NULL) {
		value_error(f, input, "must not contain NUL characters", errs);
		return false;
	}
	if (ua_email_normalise(s, len, base + f->off, f->size, reason,
		sizeof(reason)) == UA_OK)
		return true;
	snprintf(msg, sizeof(msg), "value is not a valid email address: %s",
	    reason);
	add_field(errs, "value_error", f->name, msg, json_object_get(input),
	    ua_verrs_ctx_str("reason", reason));
	return false;
}

/*
 * UA_F_ROLE: exactly an API role name; stores an enum ua_role.
 * Returns true if stored, else adds the enum problem.
 */
static bool
check_role(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, struct ua_verrs *errs)
{
	enum ua_role r;

	if (f->size != sizeof(r))
		abort(); /* a broken field table */
	if (strlen(s) != len || ua_role_from_api(s, &r) != UA_OK) {
		wrong_role(f, input, errs);
		return false;
	}
	memcpy(base + f->off, &r, sizeof(r));
	return true;
}

/* Per field type: checking a string value, and refusing any other. */
static const struct ftype {
	/* cppcheck-suppress unusedStructMember ; read through ftype_of() */
	bool (*check)(const struct ua_field *, const char *, size_t,
	    struct json_object *, char *, struct ua_verrs *);
	/* cppcheck-suppress unusedStructMember ; read through ftype_of() */
	void (*wrong)(const struct ua_field *, struct json_object *,
	    struct ua_verrs *);
} ftypes[UA_F__MAX] = {
	[UA_F_STRING] = { check_text, wrong_string },
	[UA_F_EMAIL] = { check_email, wrong_string },
	[UA_F_PASSWORD] = { check_text, wrong_string },
	[UA_F_ROLE] = { check_role, wrong_role },
};

static const struct ftype *
ftype_of(const struct ua_field *f)
{
	if ((unsigned)f->type >= UA_F__MAX)
		abort(); /* a broken field table */
	return &ftypes[f->type];
}

/*
 * The fields of "schema" from the object "root" into "base": every
 * problem is appended to "errs", one per field at most.
 */
static void
apply_object(const struct ua_schema *schema, struct json_object *root,
    char *base, struct ua_verrs *errs)
{
	const struct ua_field *f;
	struct json_object    *v;
	size_t		       i;

	for (i = 0; i < schema->nfields; i++) {
		f = &schema->fields[i];
		if (!json_object_object_get_ex(root, f->name, &v)) {
			if (f->required)
				add_field(errs, "missing", f->name,
				    "Field required", json_object_get(root),
				    NULL);
			continue;
		}
		if (v == NULL && f->nullable)
			continue;
		if (!json_object_is_type(v, json_type_string)) {
			ftype_of(f)->wrong(f, v, errs);
			continue;
		}
		if (ftype_of(f)->check(f, json_object_get_string(v),
			(size_t)json_object_get_string_len(v), v, base, errs))
			set_has(f, base);
	}
}

/*
 * Parse JSON "body" against "schema" into "out" (see validate.h).  On
 * UA_ERR_INVALID "out" may be partly filled; the problems found are
 * appended to "errs" (which may already hold others).
 */
enum ua_err
ua_schema_parse(const struct ua_schema *schema, const char *body, size_t len,
    void *out, struct ua_verrs *errs)
{
	struct json_object *root;
	size_t		    before = ua_verrs_count(errs);

	if (body == NULL || len == 0) {
		ua_verrs_add(errs, "missing", ua_loc("body", NULL),
		    "Field required", NULL, NULL);
		return UA_ERR_INVALID;
	}
	if (!ua_json_parse_body(body, len, &root, errs))
		return UA_ERR_INVALID;
	if (root == NULL)
		ua_verrs_add(errs, "missing", ua_loc("body", NULL),
		    "Field required", NULL, NULL);
	else if (!json_object_is_type(root, json_type_object))
		ua_verrs_add(errs, "model_attributes_type",
		    ua_loc("body", NULL),
		    "Input should be a valid dictionary "
		    "or object to extract fields from",
		    json_object_get(root), NULL);
	else
		apply_object(schema, root, out, errs);
	json_object_put(root);
	return ua_verrs_count(errs) == before ? UA_OK : UA_ERR_INVALID;
}

/*
 * The same checks for a form (see validate.h).  An empty value counts
 * as absent, as FastAPI treats empty form fields, so a required one is
 * "missing" with input null.  Returns UA_OK or UA_ERR_INVALID.
 */
enum ua_err
ua_schema_parse_form(const struct ua_schema *schema,
    const char *(*get)(void *arg, const char *name, size_t *len), void *arg,
    void *out, struct ua_verrs *errs)
{
	const struct ua_field *f;
	struct json_object    *input;
	const char	      *v;
	char		      *text;
	size_t		       i, before = ua_verrs_count(errs), len, vlen;

	for (i = 0; i < schema->nfields; i++) {
		f = &schema->fields[i];
		if ((v = get(arg, f->name, &vlen)) == NULL || vlen == 0) {
			if (f->required)
				add_field(errs, "missing", f->name,
				    "Field required", NULL, NULL);
			continue;
		}
		text = ua_utf8_repair(v, vlen, &len);
		input = json_object_new_string_len(text, (int)len);
		if (ftype_of(f)->check(f, text, len, input, out, errs))
			set_has(f, out);
		json_object_put(input);
		free(text);
	}
	return ua_verrs_count(errs) == before ? UA_OK : UA_ERR_INVALID;
}
