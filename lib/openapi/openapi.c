/*
 * openapi.c -- paths and operations of the OpenAPI document, one per
 * route of the tables the router matches against.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/errors.h"
#include "userapi/dependencies.h"
#include "userapi/openapi.h"
#include "userapi/router.h"
#include "userapi/routers.h"
#include "userapi/validate.h"
#include "openapi-private.h"

const struct ua_router *const ua_all_routers[] = {
	&ua_router_health,
	&ua_router_users,
	&ua_router_user_orders,
	&ua_router_user_sessions,
	&ua_router_orders,
	&ua_router_auth,
	&ua_router_sessions,
	&ua_router_docs,
};
const size_t ua_nall_routers =
    sizeof(ua_all_routers) / sizeof(ua_all_routers[0]);

static struct json_object *
str(const char *s)
{
	return json_object_new_string(s);
}

/*
 * {"anyOf": [a, b]}: the 422 of a route that answers both the
 * validation list and a plain {"detail"} (an Idempotency-Key refused).
 */
static struct json_object *
any_of(struct json_object *a, struct json_object *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();

	json_object_array_add(list, a);
	json_object_array_add(list, b);
	json_object_object_add(o, "anyOf", list);
	return o;
}

/* "post_api_users_user_id": a stable, unique operationId. */
static void
operation_id(const struct ua_route *r, char *buf, size_t len)
{
	const char *p;
	size_t	    n;

	n = (size_t)snprintf(buf, len, "%s", ua_method_name(r->method));
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	for (p = r->path; *p != '\0' && n + 1 < len; p++) {
		if (isalnum((unsigned char)*p))
			buf[n++] = *p;
		else if (n > 0 && buf[n - 1] != '_')
			buf[n++] = '_';
	}
	while (n > 0 && buf[n - 1] == '_')
		n--;
	buf[n] = '\0';
}

/* The schema of query parameter "q": an integer or one of its choices. */
static struct json_object *
query_schema(const struct ua_query_param *q)
{
	struct json_object *s = json_object_new_object(), *e;
	const char *const  *c;

	if (q->choices != NULL) {
		e = json_object_new_array();
		for (c = q->choices; *c != NULL; c++)
			json_object_array_add(e, str(*c));
		json_object_object_add(s, "type", str("string"));
		json_object_object_add(s, "enum", e);
		return s;
	}
	json_object_object_add(s, "type", str("integer"));
	if (q->min != INT64_MIN)
		json_object_object_add(s, "minimum",
		    json_object_new_int64(q->min));
	if (q->max != INT64_MAX)
		json_object_object_add(s, "maximum",
		    json_object_new_int64(q->max));
	if (!q->optional)
		json_object_object_add(s, "default",
		    json_object_new_int64(q->def));
	return s;
}

/* Path parameters ({name}, integers) and the declared query ones. */
static struct json_object *
parameters(const struct ua_route *r)
{
	const struct ua_query_param *q;
	struct json_object	    *list = json_object_new_array();
	struct json_object	    *p, *s;
	const char		    *t, *end;
	char			     name[64];

	for (t = r->path; (t = strchr(t, '{')) != NULL; t = end) {
		if ((end = strchr(t, '}')) == NULL)
			break;
		snprintf(name, sizeof(name), "%.*s", (int)(end - t - 1), t + 1);
		p = json_object_new_object();
		s = json_object_new_object();
		json_object_object_add(s, "type",
		    str(r->text_id ? "string" : "integer"));
		json_object_object_add(p, "name", str(name));
		json_object_object_add(p, "in", str("path"));
		json_object_object_add(p, "required",
		    json_object_new_boolean(1));
		json_object_object_add(p, "schema", s);
		json_object_array_add(list, p);
	}
	for (q = r->query; q != NULL && q->name != NULL; q++) {
		p = json_object_new_object();
		s = query_schema(q);
		json_object_object_add(p, "name", str(q->name));
		json_object_object_add(p, "in", str("query"));
		json_object_object_add(p, "required",
		    json_object_new_boolean(0));
		json_object_object_add(p, "schema", s);
		if (q->description != NULL)
			json_object_object_add(p, "description",
			    str(q->description));
		json_object_array_add(list, p);
	}
	return list;
}

/* {"schema": schema}: one media type of a content map. */
static struct json_object *
media(struct json_object *schema)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "schema", schema);
	return m;
}

static struct json_object *
content(const char *type, struct json_object *schema)
{
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, type, media(schema));
	return c;
}

static struct json_object *
request_body(const struct ua_route *r)
{
	struct json_object *b = json_object_new_object(), *c;

	c = content("application/json", ua_openapi_ref(r->schema->name));
	if (r->body == UA_BODY_JSON_OR_FORM && r->form_schema != NULL)
		json_object_object_add(c, "application/x-www-form-urlencoded",
		    media(ua_openapi_ref(r->form_schema->name)));
	json_object_object_add(b, "required", json_object_new_boolean(1));
	json_object_object_add(b, "content", c);
	return b;
}

static struct json_object *
header(const char *type, const char *description)
{
	struct json_object *h = json_object_new_object(), *s;

	s = json_object_new_object();
	json_object_object_add(s, "type", str(type));
	json_object_object_add(h, "schema", s);
	json_object_object_add(h, "description", str(description));
	return h;
}

/*
 * The error responses of "r": one per status its UA_ERRBITs map to,
 * described by the details the client may read there.
 */
static void
error_responses(const struct ua_route *r, struct json_object *responses)
{
	struct json_object *resp, *hdrs, *schema;
	char		    code[8], desc[512];
	unsigned	    bits = r->errors;
	int		    er, er2, status;

	/* A bearer route also refuses bad tokens, not only missing ones. */
	if (bits & UA_ERRBIT(UA_ERR_UNAUTHENTICATED))
		bits |= UA_ERRBIT(UA_ERR_BAD_TOKEN);
	for (er = 1; er < UA_ERR__MAX; er++) {
		if (!(bits & UA_ERRBIT(er)))
			continue;
		status = ua_err_http_status((enum ua_err)er);
		snprintf(code, sizeof(code), "%d", status);
		if (json_object_object_get_ex(responses, code, NULL))
			continue; /* this status is already described */
		snprintf(desc, sizeof(desc), "%s", ua_http_reason(status));
		for (er2 = er; r->error_response == NULL && er2 < UA_ERR__MAX;
		     er2++)
			if ((bits & UA_ERRBIT(er2)) && er2 != UA_ERR_INVALID &&
			    ua_err_http_status((enum ua_err)er2) == status)
				snprintf(desc + strlen(desc),
				    sizeof(desc) - strlen(desc), "%s\"%s\"",
				    er2 == er ? ": " : " or ",
				    er2 == UA_ERR_NOT_FOUND &&
					    r->fetch != NULL &&
					    r->fetch->not_found != NULL ?
					r->fetch->not_found :
					ua_err_detail((enum ua_err)er2));
		if (er == UA_ERR_INVALID &&
		    (bits & UA_ERRBIT(UA_ERR_IDEM_MISMATCH)))
			schema = any_of(ua_openapi_ref("HTTPValidationError"),
			    ua_openapi_ref("HTTPError"));
		else if (er == UA_ERR_INVALID)
			schema = ua_openapi_ref("HTTPValidationError");
		else if (status == 503 && r->error_response != NULL)
			schema = ua_openapi_ref(r->error_response);
		else
			schema = ua_openapi_ref("HTTPError");
		resp = json_object_new_object();
		json_object_object_add(resp, "description", str(desc));
		json_object_object_add(resp, "content",
		    content("application/json", schema));
		hdrs = json_object_new_object();
		if (status == 401)
			json_object_object_add(hdrs, "WWW-Authenticate",
			    header("string", "Bearer"));
		if (status == 429 || status == 503)
			json_object_object_add(hdrs, "Retry-After",
			    header("integer", "Seconds to wait"));
		if (json_object_object_length(hdrs) > 0)
			json_object_object_add(resp, "headers", hdrs);
		else
			json_object_put(hdrs);
		json_object_object_add(responses, code, resp);
	}
}

static struct json_object *
responses(const struct ua_route *r)
{
	struct json_object *all = json_object_new_object(), *ok, *hdrs;
	char		    code[8];
	int		    status = r->status != 0 ? r->status : 200;

	snprintf(code, sizeof(code), "%d", status);
	ok = json_object_new_object();
	json_object_object_add(ok, "description", str(ua_http_reason(status)));
	if (r->response != NULL)
		json_object_object_add(ok, "content",
		    content("application/json", ua_openapi_ref(r->response)));
	if (r->response != NULL && strcmp(r->response, "UserPage") == 0) {
		hdrs = json_object_new_object();
		json_object_object_add(hdrs, "X-Total-Count",
		    header("integer", "All users"));
		json_object_object_add(hdrs, "Link",
		    header("string",
			"RFC 8288 links to the first, last, prev and next pages"));
		json_object_object_add(ok, "headers", hdrs);
	}
	json_object_object_add(all, code, ok);
	error_responses(r, all);
	return all;
}

static struct json_object *
security(void)
{
	struct json_object *list = json_object_new_array(), *o;

	o = json_object_new_object();
	json_object_object_add(o, "OAuth2PasswordBearer",
	    json_object_new_array());
	json_object_array_add(list, o);
	o = json_object_new_object();
	json_object_object_add(o, "HTTPBearer", json_object_new_array());
	json_object_array_add(list, o);
	return list;
}

static struct json_object *
operation(const struct ua_router *router, const struct ua_route *r)
{
	struct json_object *op = json_object_new_object(), *tags, *ps;
	char		    id[128];

	tags = json_object_new_array();
	json_object_array_add(tags, str(router->name));
	operation_id(r, id, sizeof(id));
	json_object_object_add(op, "tags", tags);
	json_object_object_add(op, "summary", str(r->summary));
	json_object_object_add(op, "operationId", str(id));
	ps = parameters(r);
	if (json_object_array_length(ps) > 0)
		json_object_object_add(op, "parameters", ps);
	else
		json_object_put(ps);
	if (r->body != UA_BODY_NONE && r->schema != NULL)
		json_object_object_add(op, "requestBody", request_body(r));
	json_object_object_add(op, "responses", responses(r));
	if (r->access != UA_ACCESS_NONE)
		json_object_object_add(op, "security", security());
	return op;
}

static struct json_object *
security_schemes(const char *root_path)
{
	struct json_object *s = json_object_new_object(), *o, *f, *pw;
	char		    url[512];

	snprintf(url, sizeof(url), "%s/api/auth/login", root_path);
	pw = json_object_new_object();
	json_object_object_add(pw, "scopes", json_object_new_object());
	json_object_object_add(pw, "tokenUrl", str(url));
	f = json_object_new_object();
	json_object_object_add(f, "password", pw);
	o = json_object_new_object();
	json_object_object_add(o, "type", str("oauth2"));
	json_object_object_add(o, "flows", f);
	json_object_object_add(s, "OAuth2PasswordBearer", o);
	o = json_object_new_object();
	json_object_object_add(o, "type", str("http"));
	json_object_object_add(o, "scheme", str("bearer"));
	json_object_object_add(o, "bearerFormat", str("JWT"));
	json_object_object_add(s, "HTTPBearer", o);
	return s;
}

struct json_object *
ua_openapi_document(const char *title, const char *root_path,
    const struct ua_router *const *routers, size_t nrouters)
{
	struct json_object    *doc = json_object_new_object(), *info, *paths;
	struct json_object    *item, *comp, *servers, *server;
	const struct ua_route *r;
	char		       method[16];
	size_t		       i, j, k;

	info = json_object_new_object();
	json_object_object_add(info, "title", str(title));
	json_object_object_add(info, "version", str(PACKAGE_VERSION));
	paths = json_object_new_object();
	for (i = 0; i < nrouters; i++)
		for (j = 0; j < routers[i]->nroutes; j++) {
			r = &routers[i]->routes[j];
			if (r->hidden)
				continue;
			if (!json_object_object_get_ex(paths, r->path, &item)) {
				item = json_object_new_object();
				json_object_object_add(paths, r->path, item);
			}
			snprintf(method, sizeof(method), "%s",
			    ua_method_name(r->method));
			for (k = 0; method[k] != '\0'; k++)
				method[k] =
				    (char)tolower((unsigned char)method[k]);
			json_object_object_add(item, method,
			    operation(routers[i], r));
		}
	comp = json_object_new_object();
	json_object_object_add(comp, "schemas", ua_openapi_components());
	json_object_object_add(comp, "securitySchemes",
	    security_schemes(root_path));

	json_object_object_add(doc, "openapi", str("3.1.0"));
	json_object_object_add(doc, "info", info);
	if (root_path[0] != '\0') {
		server = json_object_new_object();
		json_object_object_add(server, "url", str(root_path));
		servers = json_object_new_array();
		json_object_array_add(servers, server);
		json_object_object_add(doc, "servers", servers);
	}
	json_object_object_add(doc, "paths", paths);
	json_object_object_add(doc, "components", comp);
	return doc;
}
