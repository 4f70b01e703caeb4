/*
 * docs.c -- /openapi.json, Swagger UI at /api/docs, ReDoc at /api/redoc.
 * DOCS_ENABLED=false turns all three into 404.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/alloc.h"
#include "userapi/buf.h"
#include "userapi/openapi.h"
#include "userapi/response.h"
#include "userapi/routers.h"
#include "userapi/settings.h"

/* Append "s" with HTML's five special characters escaped. */
static void
html_escape(struct ua_buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			ua_buf_puts(b, "&amp;");
			break;
		case '<':
			ua_buf_puts(b, "&lt;");
			break;
		case '>':
			ua_buf_puts(b, "&gt;");
			break;
		case '"':
			ua_buf_puts(b, "&quot;");
			break;
		case '\'':
			ua_buf_puts(b, "&#39;");
			break;
		default:
			ua_buf_append(b, s, 1);
			break;
		}
}

/* The assets base without a trailing slash, escaped for an attribute. */
static void
assets(struct ua_buf *b, const struct ua_settings *s)
{
	char  *base = ua_xstrdup(s->docs_assets_url);
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	html_escape(b, base);
	free(base);
}

static bool
docs_off(struct ua_req *req)
{
	if (req->settings->docs_enabled)
		return false;
	ua_resp_error(req, UA_ERR_NOT_FOUND);
	return true;
}

static void
openapi_json(struct ua_req *req, const struct ua_call *call)
{
	/* The same document for the worker's life: made once. */
	static char	   *doc;
	static size_t	    len;
	struct json_object *o;

	(void)call;
	if (docs_off(req))
		return;
	if (doc == NULL) {
		o = ua_openapi_document(req->settings->app_name,
		    ua_root_path(req->settings), ua_all_routers,
		    ua_nall_routers);
		doc = ua_xstrdup(json_object_to_json_string_length(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &len));
		json_object_put(o);
	}
	ua_resp_raw(req, 200, "application/json", doc, len);
}

static void
swagger_ui(struct ua_req *req, const struct ua_call *call)
{
	const struct ua_settings *s = req->settings;
	struct ua_buf		  b;

	(void)call;
	if (docs_off(req))
		return;
	ua_buf_init(&b);
	ua_buf_puts(&b,
	    "<!DOCTYPE html>\n<html>\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<link type=\"text/css\" rel=\"stylesheet\" href=\"");
	assets(&b, s);
	ua_buf_puts(&b, "/swagger-ui-dist@5/swagger-ui.css\">\n<title>");
	html_escape(&b, s->app_name);
	ua_buf_puts(&b,
	    " - Swagger UI</title>\n</head>\n<body>\n"
	    "<div id=\"swagger-ui\"></div>\n<script src=\"");
	assets(&b, s);
	ua_buf_puts(&b,
	    "/swagger-ui-dist@5/swagger-ui-bundle.js\"></script>\n"
	    "<script>\n"
	    "const ui = SwaggerUIBundle({\n"
	    "    url: '");
	/* ROOT_PATH's characters need no escaping in a JS string. */
	ua_buf_puts(&b, ua_root_path(s));
	ua_buf_puts(&b,
	    "/openapi.json',\n"
	    "    dom_id: '#swagger-ui',\n"
	    "    layout: 'BaseLayout',\n"
	    "    deepLinking: true,\n"
	    "    showExtensions: true,\n"
	    "    showCommonExtensions: true,\n"
	    "    presets: [\n"
	    "        SwaggerUIBundle.presets.apis,\n"
	    "        SwaggerUIBundle.SwaggerUIStandalonePreset\n"
	    "    ],\n"
	    "})\n"
	    "</script>\n</body>\n</html>\n");
	ua_resp_raw(req, 200, "text/html; charset=utf-8", b.data, b.len);
	ua_buf_cleanup(&b);
}

static void
redoc(struct ua_req *req, const struct ua_call *call)
{
	const struct ua_settings *s = req->settings;
	struct ua_buf		  b;

	(void)call;
	if (docs_off(req))
		return;
	ua_buf_init(&b);
	ua_buf_puts(&b, "<!DOCTYPE html>\n<html>\n<head>\n<title>");
	html_escape(&b, s->app_name);
	ua_buf_puts(&b, " - ReDoc</title>\n<meta charset=\"utf-8\"/>\n");
	/*
	 * Assets on the site itself mean an install that must not reach
	 * out: ReDoc's bundle still fetches its footer logo from its
	 * vendor, so images are held to this site.
	 */
	if (s->docs_assets_url[0] == '/')
		ua_buf_puts(&b,
		    "<meta http-equiv=\"Content-Security-Policy\" "
		    "content=\"img-src 'self' data:\">\n");
	ua_buf_puts(&b,
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<style>body { margin: 0; padding: 0; }</style>\n"
	    "</head>\n<body>\n"
	    "<noscript>ReDoc needs JavaScript to show the documentation."
	    "</noscript>\n"
	    "<redoc spec-url=\"");
	html_escape(&b, ua_root_path(s));
	ua_buf_puts(&b, "/openapi.json\"></redoc>\n<script src=\"");
	assets(&b, s);
	ua_buf_puts(&b,
	    "/redoc@2/bundles/redoc.standalone.js\"></script>\n"
	    "</body>\n</html>\n");
	ua_resp_raw(req, 200, "text/html; charset=utf-8", b.data, b.len);
	ua_buf_cleanup(&b);
}

/* The documentation does not document itself (as FastAPI). */
static const struct ua_route routes[] = {
	{
	    .method = UA_METHOD_GET,
	    .path = "/openapi.json",
	    .handler = openapi_json,
	    .summary = "The OpenAPI document",
	    .status = 200,
	    .hidden = true,
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/docs",
	    .handler = swagger_ui,
	    .summary = "Swagger UI",
	    .status = 200,
	    .hidden = true,
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/redoc",
	    .handler = redoc,
	    .summary = "ReDoc",
	    .status = 200,
	    .hidden = true,
	},
};

const struct ua_router ua_router_docs = {
	.name = "docs",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
};
