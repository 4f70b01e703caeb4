/*
 * test_openapi.c -- the OpenAPI document and the route tables agree:
 * every route is documented, nothing undocumented is served, and the
 * documented limits are the validator's.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "userapi/buf.h"
#include "userapi/model.h"
#include "userapi/openapi.h"
#include "userapi/order.h"
#include "userapi/router.h"
#include "userapi/routers.h"
#include "userapi/schemas.h"
#include "userapi/session.h"
#include "userapi/user.h"
#include "userapi/validate.h"
#include "userapi/settings.h"
#include "userapi/worker.h"

static struct json_object *doc;

static void
setup(void)
{
	doc = ua_openapi_document("Test API", "", ua_all_routers,
	    ua_nall_routers);
}

static void
teardown(void)
{
	json_object_put(doc);
}

/* doc at a path of keys, or NULL. */
static struct json_object *
at(struct json_object *o, const char *k1, const char *k2, const char *k3)
{
	const char *keys[3] = { k1, k2, k3 };
	int	    i;

	for (i = 0; i < 3 && keys[i] != NULL; i++)
		if (o == NULL || !json_object_object_get_ex(o, keys[i], &o))
			return NULL;
	return o;
}

static void
lower(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < len; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

START_TEST(document_header)
{
	ck_assert_str_eq(json_object_get_string(at(doc, "openapi", NULL, NULL)),
	    "3.1.0");
	ck_assert_str_eq(json_object_get_string(at(doc, "info", "title", NULL)),
	    "Test API");
	ck_assert_str_eq(json_object_get_string(
			     at(doc, "info", "version", NULL)),
	    PACKAGE_VERSION);
}
END_TEST

START_TEST(every_route_is_documented)
{
	const struct ua_route *r;
	struct json_object    *op;
	char		       m[16];
	size_t		       i, j, n = 0;

	for (i = 0; i < ua_nall_routers; i++)
		for (j = 0; j < ua_all_routers[i]->nroutes; j++) {
			r = &ua_all_routers[i]->routes[j];
			lower(m, ua_method_name(r->method), sizeof(m));
			op = at(doc, "paths", r->path, m);
			if (r->hidden) {
				ck_assert_msg(op == NULL, "%s %s documented", m,
				    r->path);
				continue;
			}
			ck_assert_msg(op != NULL, "%s %s missing", m, r->path);
			ck_assert_msg((json_object_object_get_ex(op, "security",
					  NULL)) ==
				(r->access != UA_ACCESS_NONE),
			    "%s %s security", m, r->path);
			n++;
		}
	/*
	 * API.md has 22 routes outside the docs: 10, 5 of sessions and 7
	 * of orders.
	 */
	ck_assert_uint_eq(n, 22);
}
END_TEST

START_TEST(nothing_undocumented_is_claimed)
{
	struct ua_req	       req;
	struct ua_buf	       allow;
	const struct ua_route *r;
	size_t		       n = 0;

	ua_req_init(&req);
	ua_buf_init(&allow);
	json_object_object_foreach(at(doc, "paths", NULL, NULL), path, item)
	{
		json_object_object_foreach(item, method, op)
		{
			char   up[16];
			size_t k;

			(void)op;
			for (k = 0; method[k] != '\0' && k < 15; k++)
				up[k] = (char)toupper((unsigned char)method[k]);
			up[k] = '\0';
			/* A concrete path for the template: {x} -> 1. */
			free(req.path);
			req.path = strdup(path);
			for (char *p = req.path, *q;
			     (p = strchr(p, '{')) != NULL;) {
				q = strchr(p, '}');
				*p = '1';
				memmove(p + 1, q + 1, strlen(q + 1) + 1);
			}
			req.method = ua_method_from_str(up);
			ua_buf_reset(&allow);
			ck_assert_msg(ua_router_match(ua_all_routers,
					  ua_nall_routers, &req, &r,
					  &allow) == UA_OK,
			    "%s %s is documented but not routed", up, path);
			n++;
		}
	}
	ck_assert_uint_eq(n, 22);
	ua_buf_cleanup(&allow);
	ua_req_cleanup(&req);
}
END_TEST

START_TEST(body_limits_are_the_validators)
{
	const struct ua_field *f;
	struct json_object    *props, *p, *v;
	size_t		       i;

	props = at(doc, "components", "schemas", "UserCreate");
	props = at(props, "properties", NULL, NULL);
	ck_assert_ptr_nonnull(props);
	for (i = 0; i < ua_schema_user_create.nfields; i++) {
		f = &ua_schema_user_create.fields[i];
		ck_assert(json_object_object_get_ex(props, f->name, &p));
		if (f->min_len > 0) {
			ck_assert(
			    json_object_object_get_ex(p, "minLength", &v));
			ck_assert_int_eq(json_object_get_int(v), f->min_len);
		}
		if (f->max_len > 0) {
			ck_assert(
			    json_object_object_get_ex(p, "maxLength", &v));
			ck_assert_int_eq(json_object_get_int(v), f->max_len);
		}
	}
	p = at(props, "email", "format", NULL);
	ck_assert_str_eq(json_object_get_string(p), "email");
	p = at(doc, "components", "schemas", "UserUpdate");
	p = at(p, "properties", "role", NULL);
	ck_assert_ptr_nonnull(
	    strstr(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
		"\"enum\":[\"admin\",\"user\"]"));
}
END_TEST

START_TEST(user_schema_keys_are_the_serializers)
{
	struct ua_user	    u;
	struct ua_buf	    b;
	struct json_object *o, *props;
	const char	   *want[6];
	size_t		    n = 0, i = 0;

	memset(&u, 0, sizeof(u));
	ua_buf_init(&b);
	ua_user_append_json(&b, &u);
	o = json_tokener_parse(b.data);
	ua_buf_cleanup(&b);
	ck_assert_ptr_nonnull(o);
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		ck_assert_uint_lt(n, 6);
		want[n++] = k;
	}
	props = at(doc, "components", "schemas", "User");
	props = at(props, "properties", NULL, NULL);
	json_object_object_foreach(props, pk, pv)
	{
		(void)pv;
		ck_assert_uint_lt(i, n);
		ck_assert_str_eq(pk, want[i]);
		i++;
	}
	ck_assert_uint_eq(i, n);
	json_object_put(o);
}
END_TEST

/* components.schemas.<name> as the document writes it. */
static const char *
schema_text(const char *name)
{
	return json_object_to_json_string_ext(at(doc, "components", "schemas",
						  name),
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* User and UserPage, byte for byte as before the model declarations. */
START_TEST(user_schema_unchanged)
{
	ck_assert_str_eq(schema_text("User"),
	    "{\"type\":\"object\",\"title\":\"User\",\"properties\":{"
	    "\"id\":{\"type\":\"integer\"},"
	    "\"email\":{\"type\":\"string\",\"format\":\"email\"},"
	    "\"name\":{\"type\":\"string\"},"
	    "\"role\":{\"type\":\"string\",\"enum\":[\"admin\",\"user\"]},"
	    "\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
	    "\"updated_at\":{\"anyOf\":[{\"type\":\"string\","
	    "\"format\":\"date-time\"},{\"type\":\"null\"}]}},"
	    "\"required\":[\"id\",\"email\",\"name\",\"role\",\"created_at\","
	    "\"updated_at\"]}");
	ck_assert_str_eq(schema_text("UserPage"),
	    "{\"type\":\"object\",\"title\":\"UserPage\",\"properties\":{"
	    "\"data\":{\"type\":\"array\",\"items\":{\"$ref\":"
	    "\"#/components/schemas/User\"}},"
	    "\"meta\":{\"type\":\"object\",\"title\":\"PageMeta\","
	    "\"properties\":{\"page\":{\"type\":\"integer\"},"
	    "\"limit\":{\"type\":\"integer\"},\"total\":{\"type\":\"integer\"},"
	    "\"total_pages\":{\"type\":\"integer\"}},"
	    "\"required\":[\"page\",\"limit\",\"total\",\"total_pages\"]}},"
	    "\"required\":[\"data\",\"meta\"]}");
}
END_TEST

/* The property names of schema "name", in order, joined by commas. */
static void
property_names(const char *name, char *out, size_t len)
{
	struct json_object *props;

	out[0] = '\0';
	props = at(doc, "components", "schemas", name);
	props = at(props, "properties", NULL, NULL);
	ck_assert_ptr_nonnull(props);
	json_object_object_foreach(props, k, v)
	{
		(void)v;
		if (out[0] != '\0')
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, k, len - strlen(out) - 1);
	}
}

/* The top-level keys of the JSON object "json", likewise. */
static void
object_keys(const char *json, char *out, size_t len)
{
	struct json_object *o = json_tokener_parse(json);

	ck_assert_ptr_nonnull(o);
	out[0] = '\0';
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		if (out[0] != '\0')
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, k, len - strlen(out) - 1);
	}
	json_object_put(o);
}

START_TEST(order_schemas_follow_the_model)
{
	struct ua_order_item it;
	struct ua_order	     o;
	struct ua_buf	     b;
	char		     got[256], want[256];

	property_names("Order", got, sizeof(got));
	ck_assert_str_eq(got,
	    "id,user_id,status,currency,items,total_cents,note,version,"
	    "created_at,updated_at");
	property_names("OrderItemOut", got, sizeof(got));
	ck_assert_str_eq(got,
	    "sku,name,unit_price_cents,quantity,line_total_cents");
	property_names("OrderPage", got, sizeof(got));
	ck_assert_str_eq(got, "data,meta");

	/* The keys the writer puts out are the schema's. */
	memset(&it, 0, sizeof(it));
	memset(&o, 0, sizeof(o));
	o.items = &it;
	o.nitems = 1;
	ua_buf_init(&b);
	ua_order_append_json(&b, &o);
	object_keys(b.data, want, sizeof(want));
	property_names("Order", got, sizeof(got));
	ck_assert_str_eq(got, want);
	ua_buf_cleanup(&b);

	ck_assert_str_eq(json_object_get_string(
			     at(at(at(doc, "components", "schemas", "Order"),
				    "properties", "items", "items"),
				 "$ref", NULL, NULL)),
	    "#/components/schemas/OrderItemOut");
	ck_assert_str_eq(json_object_get_string(
			     at(at(at(doc, "components", "schemas",
				       "OrderPage"),
				    "properties", "data", "items"),
				 "$ref", NULL, NULL)),
	    "#/components/schemas/Order");
	ck_assert_ptr_nonnull(strstr(schema_text("Order"),
	    "\"user_id\":{\"anyOf\":[{\"type\":\"integer\"},"
	    "{\"type\":\"null\"}]}"));
	ck_assert_ptr_nonnull(strstr(schema_text("Order"),
	    "\"status\":{\"type\":\"string\",\"enum\":[\"pending\",\"paid\","
	    "\"shipped\",\"delivered\",\"cancelled\"]}"));
	ck_assert_ptr_nonnull(strstr(schema_text("Order"),
	    "\"required\":[\"id\",\"user_id\",\"status\",\"currency\","
	    "\"items\",\"total_cents\",\"note\",\"version\",\"created_at\","
	    "\"updated_at\"]"));
	ck_assert_ptr_nonnull(strstr(schema_text("OrderItemOut"),
	    "\"quantity\":{\"type\":\"integer\",\"minimum\":1,"
	    "\"maximum\":1000}"));
}
END_TEST

/* Token's new fields, and the schemas of API.md "Sessions". */
START_TEST(session_schemas_follow_the_model)
{
	struct ua_session   se;
	struct ua_buf	    b;
	struct json_object *p;
	char		    got[256], want[256];

	property_names("Token", got, sizeof(got));
	ck_assert_str_eq(got,
	    "access_token,token_type,expires_in,refresh_token,"
	    "refresh_expires_in");
	ck_assert_ptr_nonnull(strstr(schema_text("Token"),
	    "\"required\":[\"access_token\",\"token_type\",\"expires_in\","
	    "\"refresh_token\",\"refresh_expires_in\"]"));

	property_names("Session", got, sizeof(got));
	ck_assert_str_eq(got,
	    "id,created_at,last_used_at,expires_at,user_agent,ip,current");
	memset(&se, 0, sizeof(se));
	ua_buf_init(&b);
	ua_model_append_json(&b, &ua_session_model, &se);
	object_keys(b.data, want, sizeof(want));
	ck_assert_str_eq(got, want);
	ua_buf_cleanup(&b);
	ck_assert_ptr_nonnull(strstr(schema_text("Session"),
	    "\"id\":{\"type\":\"string\",\"format\":\"uuid\"}"));
	ck_assert_ptr_nonnull(strstr(schema_text("Session"),
	    "\"user_agent\":{\"anyOf\":[{\"type\":\"string\","
	    "\"maxLength\":256},{\"type\":\"null\"}]}"));
	ck_assert_ptr_nonnull(strstr(schema_text("Session"),
	    "\"current\":{\"type\":\"boolean\"}"));

	ck_assert_str_eq(schema_text("SessionList"),
	    "{\"type\":\"array\",\"items\":{\"$ref\":"
	    "\"#/components/schemas/Session\"},\"title\":\"SessionList\"}");
	p = at(doc, "paths", "/api/auth/sessions", "get");
	p = at(p, "responses", "200", "content");
	ck_assert_str_eq(json_object_get_string(
			     at(p, "application/json", "schema", "$ref")),
	    "#/components/schemas/SessionList");

	property_names("RefreshRequest", got, sizeof(got));
	ck_assert_str_eq(got, "refresh_token");
	property_names("RefreshForm", got, sizeof(got));
	ck_assert_str_eq(got, "grant_type,refresh_token");
	ck_assert_ptr_nonnull(strstr(schema_text("RefreshForm"),
	    "\"grant_type\":{\"type\":\"string\","
	    "\"enum\":[\"refresh_token\"]"));
	ck_assert_ptr_nonnull(strstr(schema_text("RefreshForm"),
	    "\"required\":[\"refresh_token\"]"));
}
END_TEST

START_TEST(refresh_takes_form_and_json)
{
	struct json_object *c = at(doc, "paths", "/api/auth/refresh", "post");

	ck_assert_ptr_null(at(c, "security", NULL, NULL));
	ck_assert_str_eq(json_object_get_string(
			     at(at(c, "responses", "200", "content"),
				 "application/json", "schema", "$ref")),
	    "#/components/schemas/Token");
	c = at(c, "requestBody", "content", NULL);
	ck_assert_str_eq(json_object_get_string(
			     at(at(c, "application/json", "schema", NULL),
				 "$ref", NULL, NULL)),
	    "#/components/schemas/RefreshRequest");
	ck_assert_str_eq(json_object_get_string(
			     at(at(c, "application/x-www-form-urlencoded",
				    "schema", NULL),
				 "$ref", NULL, NULL)),
	    "#/components/schemas/RefreshForm");
}
END_TEST

/* {session_id} is opaque text; {user_id} stays an integer beside it. */
START_TEST(session_id_is_a_string)
{
	struct json_object *p;

	p = at(doc, "paths", "/api/auth/sessions/{session_id}", "delete");
	p = json_object_array_get_idx(at(p, "parameters", NULL, NULL), 0);
	ck_assert_str_eq(json_object_get_string(at(p, "name", NULL, NULL)),
	    "session_id");
	ck_assert_str_eq(json_object_get_string(at(p, "schema", "type", NULL)),
	    "string");
	ck_assert_ptr_nonnull(
	    at(at(doc, "paths", "/api/auth/sessions/{session_id}", "delete"),
		"responses", "404", NULL));

	p = at(doc, "paths", "/api/users/{user_id}/sessions", "delete");
	p = json_object_array_get_idx(at(p, "parameters", NULL, NULL), 0);
	ck_assert_str_eq(json_object_get_string(at(p, "schema", "type", NULL)),
	    "integer");
	ck_assert_ptr_nonnull(at(doc, "paths", "/api/auth/logout", "post"));
}
END_TEST

START_TEST(security_schemes_and_token_url)
{
	struct json_object *s = at(doc, "components", "securitySchemes", NULL);

	ck_assert_str_eq(json_object_get_string(
			     at(s, "OAuth2PasswordBearer", "type", NULL)),
	    "oauth2");
	s = at(s, "OAuth2PasswordBearer", "flows", "password");
	ck_assert_str_eq(json_object_get_string(at(s, "tokenUrl", NULL, NULL)),
	    "/api/auth/login");
	s = at(doc, "components", "securitySchemes", "HTTPBearer");
	ck_assert_str_eq(json_object_get_string(at(s, "scheme", NULL, NULL)),
	    "bearer");
}
END_TEST

START_TEST(login_takes_form_and_json)
{
	struct json_object *c = at(doc, "paths", "/api/auth/login", "post");

	c = at(c, "requestBody", "content", NULL);
	ck_assert_ptr_nonnull(at(c, "application/json", NULL, NULL));
	ck_assert_ptr_nonnull(
	    at(c, "application/x-www-form-urlencoded", NULL, NULL));
}
END_TEST

START_TEST(error_responses_follow_the_table)
{
	struct json_object *r =
	    at(doc, "paths", "/api/users/{user_id}", "patch");

	r = at(r, "responses", NULL, NULL);
	ck_assert_ptr_nonnull(at(r, "200", NULL, NULL));
	ck_assert_ptr_nonnull(at(r, "401", "headers", "WWW-Authenticate"));
	ck_assert_ptr_nonnull(at(r, "403", NULL, NULL));
	ck_assert_ptr_nonnull(at(r, "404", NULL, NULL));
	ck_assert_ptr_nonnull(at(r, "409", NULL, NULL));
	ck_assert_ptr_nonnull(at(r, "422", NULL, NULL));
	ck_assert_ptr_null(at(r, "429", NULL, NULL));
	ck_assert_str_eq(json_object_get_string(
			     at(at(r, "422", "content", "application/json"),
				 "schema", "$ref", NULL)),
	    "#/components/schemas/HTTPValidationError");
}
END_TEST

START_TEST(query_parameters_carry_bounds)
{
	struct json_object *ps = at(doc, "paths", "/api/users/", "get");
	struct json_object *p;
	bool		    seen = false;
	size_t		    i;

	ps = at(ps, "parameters", NULL, NULL);
	for (i = 0; i < json_object_array_length(ps); i++) {
		p = json_object_array_get_idx(ps, i);
		if (strcmp(json_object_get_string(at(p, "name", NULL, NULL)),
			"limit") != 0)
			continue;
		seen = true;
		ck_assert_int_eq(json_object_get_int(
				     at(p, "schema", "minimum", NULL)),
		    1);
		ck_assert_int_eq(json_object_get_int(
				     at(p, "schema", "maximum", NULL)),
		    100);
		ck_assert_int_eq(json_object_get_int(
				     at(p, "schema", "default", NULL)),
		    20);
	}
	ck_assert(seen);
}
END_TEST

/* Serve GET "path" with the docs router under "s"; the CGI output. */
static char *
serve_docs(struct ua_settings *s, const char *path)
{
	static const struct ua_router *const routers[] = { &ua_router_docs };
	struct ua_services		     svc;
	struct ua_app			     app;
	struct ua_input			     in = { NULL, NULL, true };
	struct ua_buf			     out;
	char				     uri[128], *env[3];

	snprintf(uri, sizeof(uri), "REQUEST_URI=%s", path);
	env[0] = (char *)(uintptr_t) "REQUEST_METHOD=GET";
	env[1] = uri;
	env[2] = NULL;
	memset(&svc, 0, sizeof(svc));
	ua_app_init(&app, s, &svc, routers, 1);
	ua_buf_init(&out);
	ua_app_handle(&app, env, &in, &out);
	ua_app_cleanup(&app);
	return out.data;
}

static struct ua_settings
docs_settings(bool enabled, const char *assets)
{
	struct ua_settings s;

	memset(&s, 0, sizeof(s));
	s.max_body_bytes = 1024;
	s.docs_enabled = enabled;
	s.app_name = (char *)(uintptr_t) "Ann's <API>";
	s.docs_assets_url = (char *)(uintptr_t)assets;
	return s;
}

START_TEST(docs_pages_load_assets_from_the_setting)
{
	struct ua_settings s = docs_settings(true, "/static/");
	char		  *o;

	o = serve_docs(&s, "/api/docs");
	ck_assert(strncmp(o, "Status: 200 ", 12) == 0);
	ck_assert_ptr_nonnull(strstr(o, "Content-Type: text/html"));
	ck_assert_ptr_nonnull(strstr(o,
	    "src=\"/static/swagger-ui-dist@5/swagger-ui-bundle.js\""));
	ck_assert_ptr_nonnull(strstr(o, "url: '/openapi.json'"));
	/* The title is escaped, never markup. */
	ck_assert_ptr_nonnull(strstr(o, "Ann&#39;s &lt;API&gt; - Swagger UI"));
	free(o);
	o = serve_docs(&s, "/api/redoc/");
	ck_assert_ptr_nonnull(
	    strstr(o, "src=\"/static/redoc@2/bundles/redoc.standalone.js\""));
	ck_assert_ptr_nonnull(strstr(o, "img-src 'self' data:"));
	free(o);
	s = docs_settings(true, "https://cdn.example/npm");
	o = serve_docs(&s, "/api/redoc");
	ck_assert_ptr_nonnull(strstr(o, "https://cdn.example/npm/redoc@2/"));
	ck_assert_ptr_null(strstr(o, "Content-Security-Policy"));
	free(o);
}
END_TEST

/* The OAuth2 password flow's tokenUrl of document "d". */
static struct json_object *
token_url(struct json_object *d)
{
	struct json_object *o =
	    at(d, "components", "securitySchemes", "OAuth2PasswordBearer");

	return at(o, "flows", "password", "tokenUrl");
}

/*
 * ROOT_PATH: the document's "servers" and token URL, and the URL the
 * docs pages load it from, carry it; without one there is no "servers".
 */
START_TEST(root_path_in_the_document_and_the_pages)
{
	struct ua_settings  s = docs_settings(true, "/static/");
	struct json_object *d, *v;
	char		   *o;

	d = ua_openapi_document("T", "", ua_all_routers, ua_nall_routers);
	ck_assert_ptr_null(at(d, "servers", NULL, NULL));
	ck_assert_str_eq(json_object_get_string(token_url(d)),
	    "/api/auth/login");
	json_object_put(d);
	d = ua_openapi_document("T", "/~ann", ua_all_routers, ua_nall_routers);
	ck_assert_ptr_nonnull(v = json_object_object_get(d, "servers"));
	ck_assert_str_eq(json_object_to_json_string_ext(v,
			     JSON_C_TO_STRING_PLAIN |
				 JSON_C_TO_STRING_NOSLASHESCAPE),
	    "[{\"url\":\"/~ann\"}]");
	ck_assert_str_eq(json_object_get_string(token_url(d)),
	    "/~ann/api/auth/login");
	json_object_put(d);

	s.root_path = (char *)(uintptr_t) "/~ann";
	o = serve_docs(&s, "/~ann/api/docs");
	ck_assert(strncmp(o, "Status: 200 ", 12) == 0);
	ck_assert_ptr_nonnull(strstr(o, "url: '/~ann/openapi.json'"));
	free(o);
	o = serve_docs(&s, "/~ann/api/redoc");
	ck_assert_ptr_nonnull(strstr(o, "spec-url=\"/~ann/openapi.json\""));
	free(o);
}
END_TEST

START_TEST(docs_disabled_are_404)
{
	static const char *const paths[] = {
		"/openapi.json",
		"/api/docs",
		"/api/redoc",
	};
	struct ua_settings s = docs_settings(false, "/x");
	char		  *o;
	size_t		   i;

	for (i = 0; i < 3; i++) {
		o = serve_docs(&s, paths[i]);
		ck_assert_msg(strncmp(o, "Status: 404 ", 12) == 0, "%s",
		    paths[i]);
		ck_assert_ptr_nonnull(strstr(o, "{\"detail\":\"Not Found\"}"));
		free(o);
	}
	s = docs_settings(true, "/x");
	o = serve_docs(&s, "/openapi.json");
	ck_assert(strncmp(o, "Status: 200 ", 12) == 0);
	ck_assert_ptr_nonnull(strstr(o, "\"openapi\":\"3.1.0\""));
	free(o);
}
END_TEST

static Suite *
openapi_suite(void)
{
	Suite *s = suite_create("openapi");
	TCase *tc = tcase_create("ua_openapi_document");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, document_header);
	tcase_add_test(tc, every_route_is_documented);
	tcase_add_test(tc, nothing_undocumented_is_claimed);
	tcase_add_test(tc, body_limits_are_the_validators);
	tcase_add_test(tc, user_schema_keys_are_the_serializers);
	tcase_add_test(tc, user_schema_unchanged);
	tcase_add_test(tc, order_schemas_follow_the_model);
	tcase_add_test(tc, security_schemes_and_token_url);
	tcase_add_test(tc, login_takes_form_and_json);
	tcase_add_test(tc, session_schemas_follow_the_model);
	tcase_add_test(tc, refresh_takes_form_and_json);
	tcase_add_test(tc, session_id_is_a_string);
	tcase_add_test(tc, error_responses_follow_the_table);
	tcase_add_test(tc, query_parameters_carry_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("docs_pages");
	tcase_add_test(tc, docs_pages_load_assets_from_the_setting);
	tcase_add_test(tc, docs_disabled_are_404);
	tcase_add_test(tc, root_path_in_the_document_and_the_pages);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(openapi_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
