/*
 * cors.c -- CORS against the CORS_ORIGINS allowlist.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "userapi/cors.h"
#include "userapi/response.h"
#include "userapi/settings.h"

/* What a preflight may ask for. */
static const char ALLOW_METHODS[] = "GET, HEAD, POST, PATCH, DELETE, OPTIONS";
static const char *const allow_methods[] = {
	"GET",
	"HEAD",
	"POST",
	"PATCH",
	"DELETE",
	"OPTIONS",
};
/* What a browser script may read besides the simple headers. */
static const char EXPOSE[] = "X-Request-ID, X-Total-Count, Link, Retry-After";
/* Seconds a browser may cache a preflight answer (API.md). */
#define MAX_AGE_S 600

/*
 * Walk the entries of "list": commas and spaces between, a trailing
 * slash dropped.  Returns the next entry's start and length in "*n",
 * or NULL at the end.
 */
static const char *
next_entry(const char **list, size_t *n)
{
	const char *p = *list, *end;

	while (*p == ' ' || *p == ',')
		p++;
	if (*p == '\0')
		return NULL;
	if ((end = strchr(p, ',')) == NULL)
		end = p + strlen(p);
	*n = (size_t)(end - p);
	while (*n > 0 && (p[*n - 1] == ' ' || p[*n - 1] == '/'))
		(*n)--;
	*list = end;
	return p;
}

bool
ua_cors_wildcard(const char *list)
{
	const char *e;
	size_t	    n;

	while (list != NULL && (e = next_entry(&list, &n)) != NULL)
		if (n == 1 && e[0] == '*')
			return true;
	return false;
}

bool
ua_cors_wildcard_mixed(const char *list)
{
	size_t n, entries = 0;

	if (!ua_cors_wildcard(list))
		return false;
	while (next_entry(&list, &n) != NULL)
		entries++;
	return entries > 1;
}

bool
ua_cors_origin_allowed(const char *list, const char *origin)
{
	const char *e;
	size_t	    n, olen;

	if (list == NULL || origin == NULL || *origin == '\0')
		return false;
	if (ua_cors_wildcard(list))
		return true;
	olen = strlen(origin);
	while ((e = next_entry(&list, &n)) != NULL)
		/* Scheme and host are case-insensitive. */
		if (n > 0 && n == olen && strncasecmp(e, origin, n) == 0)
			return true;
	return false;
}

static bool
cors_on(const struct ua_req *req)
{
	const char *list = req->settings->cors_origins;

	return list != NULL && list[strspn(list, " ,")] != '\0';
}

/* Header names as a browser lists them: tokens, commas and spaces. */
static bool
sane_header_list(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
			(*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
			*s == ',' || *s == ' '))
			return false;
	return true;
}

/* The Allow-Origin value (and Vary) for an allowed "origin". */
static void
allow_origin(struct ua_req *req, const char *origin)
{
	if (ua_cors_wildcard(req->settings->cors_origins)) {
		/* A wildcard never goes with credentials. */
		ua_resp_header(req, "Access-Control-Allow-Origin", "*");
		return;
	}
	ua_resp_header(req, "Access-Control-Allow-Origin", "%s", origin);
	ua_resp_header(req, "Access-Control-Allow-Credentials", "true");
	ua_resp_header(req, "Vary", "Origin");
}

bool
ua_cors_preflight(struct ua_req *req)
{
	const char *origin, *method, *headers;
	size_t	    i;
	bool	    known = false;

	if (req->method != UA_METHOD_OPTIONS || !cors_on(req) ||
	    (method = ua_req_header(req, "Access-Control-Request-Method")) ==
		NULL)
		return false;
	origin = ua_req_header(req, "Origin");
	if (!ua_cors_origin_allowed(req->settings->cors_origins, origin)) {
		ua_resp_detail(req, 400, "Disallowed CORS origin");
		return true;
	}
	for (i = 0; i < sizeof(allow_methods) / sizeof(allow_methods[0]); i++)
		if (strcmp(method, allow_methods[i]) == 0)
			known = true;
	headers = ua_req_header(req, "Access-Control-Request-Headers");
	if (!known || (headers != NULL && !sane_header_list(headers))) {
		ua_resp_detail(req, 400,
		    known ? "Disallowed CORS headers" :
			    "Disallowed CORS method");
		return true;
	}
	allow_origin(req, origin);
	ua_resp_header(req, "Access-Control-Allow-Methods", "%s",
	    ALLOW_METHODS);
	if (headers != NULL && *headers != '\0')
		ua_resp_header(req, "Access-Control-Allow-Headers", "%s",
		    headers);
	ua_resp_header(req, "Access-Control-Max-Age", "%d", MAX_AGE_S);
	ua_resp_detail(req, 200, "OK");
	return true;
}

void
ua_cors_headers(struct ua_req *req)
{
	const char *origin;

	if (!cors_on(req) || req->method == UA_METHOD_OPTIONS)
		return;
	origin = ua_req_header(req, "Origin");
	if (!ua_cors_origin_allowed(req->settings->cors_origins, origin))
		return;
	allow_origin(req, origin);
	ua_resp_header(req, "Access-Control-Expose-Headers", "%s", EXPOSE);
}
