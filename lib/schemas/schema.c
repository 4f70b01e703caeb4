/*
 * schema.c -- request bodies and forms checked against the field
 * tables of lib/schemas: every declared field read, every problem
 * listed, the values stored into the caller's struct.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/log.h"
#include "userapi/user.h"
#include "userapi/validate.h"
#include "schemas-private.h"

/* A field without a "has" flag. */
#define NO_HAS ((size_t)-1)

/* Room for an email-validator reason. */
#define REASON_MAX 512

/* Room for an enum's list of names, as Python writes it. */
#define EXPECTED_MAX 256

/* Where problems go: the list, and the location of the object read. */
struct where {
	struct ua_verrs	   *errs;
	struct json_object *loc; /* ["body"], ["body", "items", 3]; borrowed */
};

/* A new copy of "loc" with "name" appended; a new array. */
static struct json_object *
loc_with(const struct json_object *loc, const char *name)
{
	struct json_object *a;
	size_t		    i, n = json_object_array_length(loc);

	a = json_object_new_array_ext((int)n + 1);
	for (i = 0; i < n; i++)
		json_object_array_add(a,
		    json_object_get(json_object_array_get_idx(loc, i)));
	json_object_array_add(a, json_object_new_string(name));
	return a;
}

static void
add_field(const struct where *w, const char *type, const char *name,
    const char *msg, struct json_object *input, struct json_object *ctx)
{
	ua_verrs_add(w->errs, type, loc_with(w->loc, name), msg, input, ctx);
}

/* string_type; "input" borrowed (NULL: JSON null). */
static void
wrong_string(const struct ua_field *f, struct json_object *input,
    const struct where *w)
{
	add_field(w, "string_type", f->name, "Input should be a valid string",
	    json_object_get(input), NULL);
}

/*
 * Python's list of the names 0 .. n - 1 into "buf": "'a'", "'a' or
 * 'b'", "'a', 'b' or 'c'".
 */
static void
enum_expected(const char *(*name)(int), int n, char *buf, size_t len)
{
	const char *sep;
	size_t	    o = 0;
	int	    i;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++) {
		if (i == 0)
			sep = "";
		else if (i == n - 1)
			sep = " or ";
		else
			sep = ", ";
		o += (size_t)snprintf(buf + o, len - o, "%s'%s'", sep, name(i));
	}
}

/* enum: "Input should be 'a', 'b' or 'c'", from the names. */
static void
wrong_enum_of(const struct ua_field *f, struct json_object *input,
    const struct where *w, const char *(*name)(int), int n)
{
	char expected[EXPECTED_MAX], msg[EXPECTED_MAX + 32];

	enum_expected(name, n, expected, sizeof(expected));
	snprintf(msg, sizeof(msg), "Input should be %s", expected);
	add_field(w, "enum", f->name, msg, json_object_get(input),
	    ua_verrs_ctx_str("expected", expected));
}

static const char *
role_name(int r)
{
	return ua_role_name((enum ua_role)r);
}

/* enum: "Input should be 'admin' or 'user'", from the role names. */
static void
wrong_role(const struct ua_field *f, struct json_object *input,
    const struct where *w)
{
	wrong_enum_of(f, input, w, role_name, UA_ROLE__MAX);
}

static void
wrong_enum(const struct ua_field *f, struct json_object *input,
    const struct where *w)
{
	wrong_enum_of(f, input, w, f->enum_name, f->enum_max);
}

static void
wrong_list(const struct ua_field *f, struct json_object *input,
    const struct where *w)
{
	add_field(w, "list_type", f->name, "Input should be a valid list",
	    json_object_get(input), NULL);
}

static void
value_error(const struct ua_field *f, struct json_object *input,
    const char *error, const struct where *w)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "Value error, %s", error);
	add_field(w, "value_error", f->name, msg, json_object_get(input),
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
 * Text (UA_F_STRING, UA_F_PASSWORD): length in code points, then the
 * pattern, then NUL, then length in bytes (never more than the buffer
 * holds).  The first failing check is the one reported, as Pydantic
 * stops at the first.  Returns true if stored, NUL-terminated, at
 * f->off.
 */
static bool
check_text(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, const struct where *w)
{
	char   msg[128];
	long   n = ua_utf8_length(s, len);
	size_t maxb;

	if (f->min_len > 0 && n < f->min_len) {
		snprintf(msg, sizeof(msg),
		    "String should have at least %d "
		    "character%s",
		    f->min_len, f->min_len == 1 ? "" : "s");
		add_field(w, "string_too_short", f->name, msg,
		    json_object_get(input),
		    ua_verrs_ctx_int("min_length", f->min_len));
		return false;
	}
	if (f->max_len > 0 && n > f->max_len) {
		snprintf(msg, sizeof(msg),
		    "String should have at most %d "
		    "character%s",
		    f->max_len, f->max_len == 1 ? "" : "s");
		add_field(w, "string_too_long", f->name, msg,
		    json_object_get(input),
		    ua_verrs_ctx_int("max_length", f->max_len));
		return false;
	}
	if (f->match != NULL && !f->match(s, len)) {
		snprintf(msg, sizeof(msg), "String should match pattern '%s'",
		    f->pattern);
		add_field(w, "string_pattern_mismatch", f->name, msg,
		    json_object_get(input),
		    ua_verrs_ctx_str("pattern", f->pattern));
		return false;
	}
	if (memchr(s, '\0', len) != NULL) {
		value_error(f, input, "must not contain NUL characters", w);
		return false;
	}
	maxb = f->size - 1;
	if (f->max_bytes > 0 && (size_t)f->max_bytes < maxb)
		maxb = (size_t)f->max_bytes;
	if (len > maxb) {
		snprintf(msg, sizeof(msg), "must be at most %zu bytes in UTF-8",
		    maxb);
		value_error(f, input, msg, w);
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
    struct json_object *input, char *base, const struct where *w)
{
	char reason[REASON_MAX], msg[REASON_MAX + 64];

	if (memchr(s, '\0', len) != NULL) {
		value_error(f, input, "must not contain NUL characters", w);
		return false;
	}
	if (ua_email_normalise(s, len, base + f->off, f->size, reason,
		sizeof(reason)) == UA_OK)
		return true;
	snprintf(msg, sizeof(msg), "value is not a valid email address: %s",
	    reason);
	add_field(w, "value_error", f->name, msg, json_object_get(input),
	    ua_verrs_ctx_str("reason", reason));
	return false;
}

/*
 * UA_F_ROLE: exactly an API role name; stores an enum ua_role.
 * Returns true if stored, else adds the enum problem.
 */
static bool
check_role(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, const struct where *w)
{
	enum ua_role r;

	if (f->size != sizeof(r))
		abort(); /* a broken field table */
	if (strlen(s) != len || ua_role_from_api(s, &r) != UA_OK) {
		wrong_role(f, input, w);
		return false;
	}
	memcpy(base + f->off, &r, sizeof(r));
	return true;
}

/*
 * UA_F_ENUM: exactly one of the names; stores its number as an int.
 * Returns true if stored, else adds the enum problem.
 */
static bool
check_enum(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, const struct where *w)
{
	int i;

	if (f->size != sizeof(i) || f->enum_name == NULL)
		abort(); /* a broken field table */
	for (i = 0; strlen(s) == len && i < f->enum_max; i++)
		if (strcmp(s, f->enum_name(i)) == 0) {
			memcpy(base + f->off, &i, sizeof(i));
			return true;
		}
	wrong_enum(f, input, w);
	return false;
}

/*
 * UA_F_INT, once read as "v": within [f->min, f->max], else the bound
 * it breaks.  Returns true if stored as an int64_t at f->off.
 */
static bool
int_in_bounds(const struct ua_field *f, int64_t v, struct json_object *input,
    char *base, const struct where *w)
{
	if (f->size != sizeof(v))
		abort(); /* a broken field table */
	if (v > f->max || v < f->min) {
		ua_verrs_add_bound(w->errs, loc_with(w->loc, f->name),
		    json_object_get(input), v > f->max,
		    v > f->max ? f->max : f->min);
		return false;
	}
	memcpy(base + f->off, &v, sizeof(v));
	return true;
}

/*
 * UA_F_INT from a string, as Pydantic's lax mode reads one: white
 * space, '_' and a ".0" allowed; too large for int64 is reported
 * against the bound it breaks.
 */
static bool
check_int_text(const struct ua_field *f, const char *s, size_t len,
    struct json_object *input, char *base, const struct where *w)
{
	int64_t v = 0;

	switch (ua_pyint_parse(s, len, &v)) {
	case UA_PYINT_OK:
		return int_in_bounds(f, v, input, base, w);
	case UA_PYINT_BIG: /* past every bound but none */
		if (f->max < INT64_MAX)
			return int_in_bounds(f, INT64_MAX, input, base, w);
		break;
	case UA_PYINT_SMALL:
		if (f->min > INT64_MIN)
			return int_in_bounds(f, INT64_MIN, input, base, w);
		break;
	case UA_PYINT_BAD:
		break;
	}
	add_field(w, "int_parsing", f->name,
	    "Input should be a valid integer, unable to parse string as an "
	    "integer",
	    json_object_get(input), NULL);
	return false;
}

/*
 * UA_F_INT from any other JSON value, as Pydantic's lax mode reads the
 * value json.loads() made: a bool is 0 or 1, a float must be whole and
 * within int64.  An integer past uint64 reaches us clamped by json-c,
 * still past the bound it breaks.
 */
static bool
check_int_value(const struct ua_field *f, struct json_object *v, char *base,
    const struct where *w)
{
	const char *type, *msg;
	double	    d;

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return int_in_bounds(f, json_object_get_boolean(v) ? 1 : 0, v,
		    base, w);
	case json_type_int:
		return int_in_bounds(f, json_object_get_int64(v), v, base, w);
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d)) {
			type = "finite_number";
			msg = "Input should be a finite number";
		} else if (!(d > (double)INT64_MIN && d < (double)INT64_MAX)) {
			/* Whole: a double this large has no fraction. */
			type = "int_parsing_size";
			msg = "Unable to parse input string as an integer, "
			      "exceeded maximum size";
		} else if ((double)(int64_t)d != d) {
			type = "int_from_float";
			msg = "Input should be a valid integer, got a number "
			      "with a fractional part";
		} else {
			return int_in_bounds(f, (int64_t)d, v, base, w);
		}
		break;
	default:
		type = "int_type";
		msg = "Input should be a valid integer";
		break;
	}
	add_field(w, type, f->name, msg, json_object_get(v), NULL);
	return false;
}

static void apply_object(const struct ua_schema *, struct json_object *, char *,
    const struct where *);

/* too_short / too_long for a list of "n" items, Pydantic's words. */
static void
list_length(const struct ua_field *f, struct json_object *input, size_t n,
    bool too_long, const struct where *w)
{
	struct json_object *ctx = json_object_new_object();
	char		    msg[128];
	int		    bound = too_long ? f->max_len : f->min_len;

	snprintf(msg, sizeof(msg),
	    "List should have at %s %d item%s after validation, not %zu",
	    too_long ? "most" : "least", bound, bound == 1 ? "" : "s", n);
	json_object_object_add(ctx, "field_type",
	    json_object_new_string("List"));
	json_object_object_add(ctx, too_long ? "max_length" : "min_length",
	    json_object_new_int(bound));
	json_object_object_add(ctx, "actual_length",
	    json_object_new_int64((int64_t)n));
	add_field(w, too_long ? "too_long" : "too_short", f->name, msg,
	    json_object_get(input), ctx);
}

/*
 * UA_F_LIST: an array of f->min_len .. f->max_len objects, each read
 * against f->items into the array at f->off.  As Pydantic: too many is
 * reported alone, before any item is looked at (so a long list costs
 * nothing); then every item's problems, at ["body", name, i, ...];
 * too few only when every item was valid.  Returns true if stored,
 * with the count at f->count_off.
 */
static bool
check_list(const struct ua_field *f, struct json_object *v, char *base,
    const struct where *w)
{
	const struct ua_schema *sc = f->items;
	struct json_object     *item;
	struct where		iw;
	char			msg[128];
	size_t			i, n, before = ua_verrs_count(w->errs);

	if (sc == NULL || sc->size == 0 || f->max_len < f->min_len ||
	    (size_t)f->max_len > f->size / sc->size)
		abort(); /* a broken field table */
	if (!json_object_is_type(v, json_type_array)) {
		wrong_list(f, v, w);
		return false;
	}
	if ((n = json_object_array_length(v)) > (size_t)f->max_len) {
		list_length(f, v, n, true, w);
		return false;
	}
	iw.errs = w->errs;
	for (i = 0; i < n; i++) {
		iw.loc = loc_with(w->loc, f->name);
		json_object_array_add(iw.loc,
		    json_object_new_int64((int64_t)i));
		item = json_object_array_get_idx(v, i);
		if (!json_object_is_type(item, json_type_object)) {
			snprintf(msg, sizeof(msg),
			    "Input should be a valid dictionary or instance "
			    "of %s",
			    sc->name);
			ua_verrs_add(w->errs, "model_type",
			    json_object_get(iw.loc), msg, json_object_get(item),
			    ua_verrs_ctx_str("class_name", sc->name));
		} else
			apply_object(sc, item, base + f->off + i * sc->size,
			    &iw);
		json_object_put(iw.loc);
	}
	if (ua_verrs_count(w->errs) != before)
		return false;
	if (n < (size_t)f->min_len) {
		list_length(f, v, n, false, w);
		return false;
	}
	memcpy(base + f->count_off, &n, sizeof(n));
	return true;
}

/*
 * Per field type: checking a string value; taking any other value,
 * when the type may take one (NULL: it may not); refusing what it
 * cannot take.
 */
static const struct ftype {
	/* cppcheck-suppress unusedStructMember ; read through ftype_of() */
	bool (*check)(const struct ua_field *, const char *, size_t,
	    struct json_object *, char *, const struct where *);
	/* cppcheck-suppress unusedStructMember ; read through ftype_of() */
	bool (*other)(const struct ua_field *, struct json_object *, char *,
	    const struct where *);
	/* cppcheck-suppress unusedStructMember ; read through ftype_of() */
	void (*wrong)(const struct ua_field *, struct json_object *,
	    const struct where *);
} ftypes[UA_F__MAX] = {
	[UA_F_STRING] = { check_text, NULL, wrong_string },
	[UA_F_EMAIL] = { check_email, NULL, wrong_string },
	[UA_F_PASSWORD] = { check_text, NULL, wrong_string },
	[UA_F_ROLE] = { check_role, NULL, wrong_role },
	[UA_F_INT] = { check_int_text, check_int_value, NULL },
	[UA_F_ENUM] = { check_enum, NULL, wrong_enum },
	[UA_F_LIST] = { NULL, check_list, wrong_list },
};

static const struct ftype *
ftype_of(const struct ua_field *f)
{
	if ((unsigned)f->type >= UA_F__MAX)
		abort(); /* a broken field table */
	return &ftypes[f->type];
}

/*
 * One field's value "v" (not a null it may take) into "base".  Returns
 * true if stored.
 */
static bool
apply_value(const struct ua_field *f, struct json_object *v, char *base,
    const struct where *w)
{
	const struct ftype *t = ftype_of(f);

	if (t->check != NULL && json_object_is_type(v, json_type_string))
		return t->check(f, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v), v, base, w);
	if (t->other != NULL)
		return t->other(f, v, base, w);
	t->wrong(f, v, w);
	return false;
}

/*
 * The fields of "schema" from the object "root" into "base": every
 * problem is appended to "w", one per field at most (a list's items
 * may add one each).
 */
static void
apply_object(const struct ua_schema *schema, struct json_object *root,
    char *base, const struct where *w)
{
	const struct ua_field *f;
	struct json_object    *v;
	size_t		       i;

	for (i = 0; i < schema->nfields; i++) {
		f = &schema->fields[i];
		if (!json_object_object_get_ex(root, f->name, &v)) {
			if (f->required)
				add_field(w, "missing", f->name,
				    "Field required", json_object_get(root),
				    NULL);
			continue;
		}
		if (v == NULL && f->nullable)
			continue;
		if (apply_value(f, v, base, w))
			set_has(f, base);
	}
}

/* Is "outlen" the size of the struct "schema" describes? Logged if not. */
static bool
target_fits(const struct ua_schema *schema, size_t outlen)
{
	if (outlen == schema->size)
		return true;
	ua_log_err("schema %s: a %zu-byte target for its %zu-byte struct",
	    schema->name, outlen, schema->size);
	return false;
}

/*
 * Parse JSON "body" against "schema" into "out" (see validate.h).  On
 * UA_ERR_INVALID "out" may be partly filled; the problems found are
 * appended to "errs" (which may already hold others).
 */
enum ua_err
ua_schema_parse(const struct ua_schema *schema, const char *body, size_t len,
    void *out, size_t outlen, struct ua_verrs *errs)
{
	struct json_object *root;
	struct where	    w;
	size_t		    before = ua_verrs_count(errs);

	if (!target_fits(schema, outlen))
		return UA_ERR_INTERNAL;
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
	else {
		w.errs = errs;
		w.loc = ua_loc("body", NULL);
		apply_object(schema, root, out, &w);
		json_object_put(w.loc);
	}
	json_object_put(root);
	return ua_verrs_count(errs) == before ? UA_OK : UA_ERR_INVALID;
}

/*
 * The same checks for a form (see validate.h).  An empty value counts
 * as absent, as FastAPI treats empty form fields, so a required one is
 * "missing" with input null.  A value is text, so a field that takes
 * no text (a list) refuses it.  Returns UA_OK or UA_ERR_INVALID.
 */
enum ua_err
ua_schema_parse_form(const struct ua_schema *schema,
    const char *(*get)(void *arg, const char *name, size_t *len), void *arg,
    void *out, size_t outlen, struct ua_verrs *errs)
{
	const struct ua_field *f;
	struct json_object    *input;
	struct where	       w;
	const char	      *v;
	char		      *text;
	size_t		       i, before = ua_verrs_count(errs), len, vlen;

	if (!target_fits(schema, outlen))
		return UA_ERR_INTERNAL;
	w.errs = errs;
	w.loc = ua_loc("body", NULL);
	for (i = 0; i < schema->nfields; i++) {
		f = &schema->fields[i];
		if ((v = get(arg, f->name, &vlen)) == NULL || vlen == 0) {
			if (f->required)
				add_field(&w, "missing", f->name,
				    "Field required", NULL, NULL);
			continue;
		}
		text = ua_utf8_repair(v, vlen, &len);
		input = json_object_new_string_len(text, (int)len);
		if (apply_value(f, input, out, &w))
			set_has(f, out);
		json_object_put(input);
		free(text);
	}
	json_object_put(w.loc);
	return ua_verrs_count(errs) == before ? UA_OK : UA_ERR_INVALID;
}
