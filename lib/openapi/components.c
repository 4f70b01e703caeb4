/*
 * components.c -- the schemas of the OpenAPI document: request bodies
 * from their field tables (lib/schemas), responses from the models.
 */
#include "config.h"

#include <stdio.h>

#include <json-c/json.h>

#include "userapi/model.h"
#include "userapi/order.h"
#include "userapi/schemas.h"
#include "userapi/session.h"
#include "userapi/user.h"
#include "userapi/validate.h"
#include "openapi-private.h"

static struct json_object *
str(const char *s)
{
	return json_object_new_string(s);
}

static struct json_object *
type_only(const char *type)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", str(type));
	return o;
}

/* {"$ref": "#/components/schemas/<name>"} */
struct json_object *
ua_openapi_ref(const char *name)
{
	struct json_object *o = json_object_new_object();
	char		    ref[128];

	snprintf(ref, sizeof(ref), "#/components/schemas/%s", name);
	json_object_object_add(o, "$ref", str(ref));
	return o;
}

static struct json_object *
role_schema(void)
{
	struct json_object *o = type_only("string"), *e;
	int		    r;

	e = json_object_new_array();
	for (r = 0; r < UA_ROLE__MAX; r++)
		json_object_array_add(e, str(ua_role_name((enum ua_role)r)));
	json_object_object_add(o, "enum", e);
	return o;
}

/* The JSON Schema of one request field, with the validator's limits. */
static struct json_object *
field_schema(const struct ua_field *f)
{
	struct json_object *o, *any;
	int		    i;

	switch (f->type) {
	case UA_F_ROLE:
		o = role_schema();
		break;
	case UA_F_ENUM:
		o = type_only("string");
		any = json_object_new_array();
		for (i = 0; i < f->enum_max; i++)
			json_object_array_add(any, str(f->enum_name(i)));
		json_object_object_add(o, "enum", any);
		break;
	case UA_F_INT:
		o = type_only("integer");
		json_object_object_add(o, "minimum",
		    json_object_new_int64(f->min));
		json_object_object_add(o, "maximum",
		    json_object_new_int64(f->max));
		break;
	case UA_F_LIST:
		o = type_only("array");
		json_object_object_add(o, "items",
		    ua_openapi_ref(f->items->name));
		json_object_object_add(o, "minItems",
		    json_object_new_int(f->min_len));
		json_object_object_add(o, "maxItems",
		    json_object_new_int(f->max_len));
		break;
	case UA_F_EMAIL:
		o = type_only("string");
		json_object_object_add(o, "format", str("email"));
		json_object_object_add(o, "maxLength",
		    json_object_new_int(UA_EMAIL_MAX));
		break;
	case UA_F_PASSWORD:
	case UA_F_STRING:
	default:
		o = type_only("string");
		if (f->type == UA_F_PASSWORD) {
			json_object_object_add(o, "format", str("password"));
			json_object_object_add(o, "writeOnly",
			    json_object_new_boolean(1));
		}
		if (f->min_len > 0)
			json_object_object_add(o, "minLength",
			    json_object_new_int(f->min_len));
		/* Bytes bound characters too: at most that many. */
		if (f->max_len > 0 || f->max_bytes > 0)
			json_object_object_add(o, "maxLength",
			    json_object_new_int(
				f->max_len > 0 ? f->max_len : f->max_bytes));
		if (f->pattern != NULL)
			json_object_object_add(o, "pattern", str(f->pattern));
		break;
	}
	if (f->description != NULL)
		json_object_object_add(o, "description", str(f->description));
	if (!f->nullable)
		return o;
	any = json_object_new_array();
	json_object_array_add(any, o);
	json_object_array_add(any, type_only("null"));
	o = json_object_new_object();
	json_object_object_add(o, "anyOf", any);
	if (f->description != NULL)
		json_object_object_add(o, "description", str(f->description));
	return o;
}

struct json_object *
ua_openapi_body_schema(const struct ua_schema *sc)
{
	struct json_object *o = type_only("object"), *props, *req;
	size_t		    i;

	props = json_object_new_object();
	req = json_object_new_array();
	for (i = 0; i < sc->nfields; i++) {
		json_object_object_add(props, sc->fields[i].name,
		    field_schema(&sc->fields[i]));
		if (sc->fields[i].required)
			json_object_array_add(req, str(sc->fields[i].name));
	}
	json_object_object_add(o, "title", str(sc->name));
	json_object_object_add(o, "properties", props);
	if (json_object_array_length(req) > 0)
		json_object_object_add(o, "required", req);
	else
		json_object_put(req);
	return o;
}

/* An object schema from (name, schema) pairs, all required. */
static struct json_object *
object_of(const char *title, const char *const *names,
    struct json_object **schemas, size_t n)
{
	struct json_object *o = type_only("object"), *props, *req;
	size_t		    i;

	props = json_object_new_object();
	req = json_object_new_array();
	for (i = 0; i < n; i++) {
		json_object_object_add(props, names[i], schemas[i]);
		json_object_array_add(req, str(names[i]));
	}
	json_object_object_add(o, "title", str(title));
	json_object_object_add(o, "properties", props);
	json_object_object_add(o, "required", req);
	return o;
}

static struct json_object *
nullable(struct json_object *s)
{
	struct json_object *any = json_object_new_array(), *o;

	json_object_array_add(any, s);
	json_object_array_add(any, type_only("null"));
	o = json_object_new_object();
	json_object_object_add(o, "anyOf", any);
	return o;
}

static struct json_object *
datetime(void)
{
	struct json_object *o = type_only("string");

	json_object_object_add(o, "format", str("date-time"));
	return o;
}

static struct json_object *
string_enum(const char *a, const char *b)
{
	struct json_object *o = type_only("string"), *e;

	e = json_object_new_array();
	json_object_array_add(e, str(a));
	if (b != NULL)
		json_object_array_add(e, str(b));
	json_object_object_add(o, "enum", e);
	return o;
}

/* The JSON Schema of one field of a model, as its declaration says. */
static struct json_object *
model_field_schema(const struct ua_mfield *f)
{
	struct json_object *o, *e;
	int		    i;

	switch (f->kind) {
	case UA_MK_INT:
		o = type_only("integer");
		if (f->has_range) {
			json_object_object_add(o, "minimum",
			    json_object_new_int64(f->minimum));
			json_object_object_add(o, "maximum",
			    json_object_new_int64(f->maximum));
		}
		break;
	case UA_MK_ENUM:
		o = type_only("string");
		e = json_object_new_array();
		for (i = 0; i < f->nnames; i++)
			json_object_array_add(e, str(f->names[i]));
		json_object_object_add(o, "enum", e);
		break;
	case UA_MK_TIME:
		o = datetime();
		break;
	case UA_MK_BOOL:
		o = type_only("boolean");
		break;
	case UA_MK_LIST:
		o = type_only("array");
		json_object_object_add(o, "items",
		    ua_openapi_ref(f->item->name));
		if (f->min_len > 0)
			json_object_object_add(o, "minItems",
			    json_object_new_int64(f->min_len));
		if (f->max_len > 0)
			json_object_object_add(o, "maxItems",
			    json_object_new_int64(f->max_len));
		break;
	case UA_MK_TEXT:
	case UA_MK_TEXT_PTR:
	case UA_MK__MAX:
	default:
		o = type_only("string");
		if (f->format != NULL)
			json_object_object_add(o, "format", str(f->format));
		if (f->min_len > 0)
			json_object_object_add(o, "minLength",
			    json_object_new_int64(f->min_len));
		if (f->max_len > 0)
			json_object_object_add(o, "maxLength",
			    json_object_new_int64(f->max_len));
		if (f->pattern != NULL)
			json_object_object_add(o, "pattern", str(f->pattern));
		break;
	}
	return f->nullable ? nullable(o) : o;
}

/*
 * A model's schema: exactly the keys ua_model_append_json() writes, in
 * its order, all required (a null is written, never left out).
 */
static struct json_object *
model_schema(const struct ua_model *m)
{
	const char	   *names[UA_MODEL_FIELDS_MAX];
	struct json_object *s[UA_MODEL_FIELDS_MAX];
	size_t		    i, n = 0;

	for (i = 0; i < m->nfields && n < UA_MODEL_FIELDS_MAX; i++) {
		if (m->fields[i].noexport)
			continue;
		names[n] = m->fields[i].key;
		s[n++] = model_field_schema(&m->fields[i]);
	}
	return object_of(m->name, names, s, n);
}

/* A page of "item": {"data": [item, ...], "meta": PageMeta}. */
static struct json_object *
page_schema(const char *title, const char *item)
{
	static const char *const meta_names[] = {
		"page",
		"limit",
		"total",
		"total_pages",
	};
	static const char *const names[] = { "data", "meta" };
	struct json_object	*ms[4], *s[2], *data;
	size_t			 i;

	for (i = 0; i < 4; i++)
		ms[i] = type_only("integer");
	data = type_only("array");
	json_object_object_add(data, "items", ua_openapi_ref(item));
	s[0] = data;
	s[1] = object_of("PageMeta", meta_names, ms, 4);
	return object_of(title, names, s, 2);
}

/* An array of "item", titled "title". */
static struct json_object *
array_of(const char *title, const char *item)
{
	struct json_object *o = type_only("array");

	json_object_object_add(o, "items", ua_openapi_ref(item));
	json_object_object_add(o, "title", str(title));
	return o;
}

static struct json_object *
token_schema(void)
{
	static const char *const names[] = {
		"access_token",
		"token_type",
		"expires_in",
		"refresh_token",
		"refresh_expires_in",
	};
	struct json_object *s[5];

	s[0] = type_only("string");
	s[1] = string_enum("bearer", NULL);
	s[2] = type_only("integer");
	s[3] = type_only("string");
	s[4] = type_only("integer");
	return object_of("Token", names, s, 5);
}

static struct json_object *
validation_error_schema(void)
{
	static const char *const names[] = { "loc", "msg", "type" };
	struct json_object	*s[3], *loc, *any, *o;

	any = json_object_new_array();
	json_object_array_add(any, type_only("string"));
	json_object_array_add(any, type_only("integer"));
	o = json_object_new_object();
	json_object_object_add(o, "anyOf", any);
	loc = type_only("array");
	json_object_object_add(loc, "items", o);
	s[0] = loc;
	s[1] = type_only("string");
	s[2] = type_only("string");
	o = object_of("ValidationError", names, s, 3);
	/* Pydantic v2 adds the offending input and, where it has one, ctx. */
	json_object_object_add(json_object_object_get(o, "properties"), "input",
	    json_object_new_object());
	json_object_object_add(json_object_object_get(o, "properties"), "ctx",
	    type_only("object"));
	return o;
}

static struct json_object *
validation_schema(void)
{
	static const char *const names[] = { "detail" };
	struct json_object	*s[1];

	s[0] = type_only("array");
	json_object_object_add(s[0], "items",
	    ua_openapi_ref("ValidationError"));
	return object_of("HTTPValidationError", names, s, 1);
}

static struct json_object *
simple_object(const char *title, const char *name, struct json_object *s)
{
	const char *names[1] = { name };

	return object_of(title, names, &s, 1);
}

static struct json_object *
readiness_schema(void)
{
	static const char *const names[] = { "status", "database" };
	struct json_object	*s[2];

	s[0] = string_enum("ready", "unavailable");
	s[1] = string_enum("ok", "unreachable");
	return object_of("Readiness", names, s, 2);
}

struct json_object *
ua_openapi_components(void)
{
	static const struct ua_schema *const bodies[] = {
		&ua_schema_user_create,
		&ua_schema_user_update,
		&ua_schema_login_json,
		&ua_schema_login_form,
		&ua_schema_password_change,
		&ua_schema_refresh_json,
		&ua_schema_refresh_form,
		&ua_schema_order_item,
		&ua_schema_order_create,
		&ua_schema_order_update,
		&ua_schema_order_status_change,
	};
	struct json_object *s = json_object_new_object();
	size_t		    i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		json_object_object_add(s, bodies[i]->name,
		    ua_openapi_body_schema(bodies[i]));
	json_object_object_add(s, "User", model_schema(&ua_user_model));
	json_object_object_add(s, "UserPage", page_schema("UserPage", "User"));
	json_object_object_add(s, "Token", token_schema());
	json_object_object_add(s, "Session", model_schema(&ua_session_model));
	json_object_object_add(s, "SessionList",
	    array_of("SessionList", "Session"));
	json_object_object_add(s, "HTTPError",
	    simple_object("HTTPError", "detail", type_only("string")));
	json_object_object_add(s, "ValidationError", validation_error_schema());
	json_object_object_add(s, "HTTPValidationError", validation_schema());
	json_object_object_add(s, "Health",
	    simple_object("Health", "status", string_enum("healthy", NULL)));
	json_object_object_add(s, "Readiness", readiness_schema());
	json_object_object_add(s, "Order", model_schema(&ua_order_model));
	json_object_object_add(s, "OrderItemOut",
	    model_schema(&ua_order_item_model));
	json_object_object_add(s, "OrderPage",
	    page_schema("OrderPage", "Order"));
	return s;
}
