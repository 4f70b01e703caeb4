/*
 * router.c -- match method and path against the route tables.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/log.h"
#include "userapi/router.h"

/* Methods in the order an Allow header lists them. */
static const enum ua_method allow_order[] = {
	UA_METHOD_GET,
	UA_METHOD_HEAD,
	UA_METHOD_POST,
	UA_METHOD_PUT,
	UA_METHOD_PATCH,
	UA_METHOD_DELETE,
	UA_METHOD_OPTIONS,
};

/* Length of "path" without one trailing slash ("/" stays "/"). */
static size_t
trimmed_len(const char *path)
{
	size_t len = strlen(path);

	if (len > 1 && path[len - 1] == '/')
		len--;
	return len;
}

/*
 * Does "tmpl" match "path" (first "plen" bytes)?  If so and "req" is
 * not NULL, copy the {name} segments into req->params.
 */
static bool
path_matches(const char *tmpl, const char *path, size_t plen,
    struct ua_req *req)
{
	const char *t = tmpl, *tend = tmpl + trimmed_len(tmpl);
	const char *p = path, *pend = path + plen;
	const char *segs[UA_ROUTE_MAX_PARAMS];
	size_t	    lens[UA_ROUTE_MAX_PARAMS], n = 0, i, total = 0;
	char	   *store;

	while (t < tend && p < pend) {
		if (*t == '{') {
			const char *seg = p;

			if ((t = strchr(t, '}')) == NULL || t >= tend)
				return false;
			t++;
			while (p < pend && *p != '/')
				p++;
			if (p == seg || n == UA_ROUTE_MAX_PARAMS)
				return false;
			segs[n] = seg;
			lens[n++] = (size_t)(p - seg);
			continue;
		}
		if (*t != *p)
			return false;
		t++;
		p++;
	}
	if (t != tend || p != pend)
		return false;
	if (req == NULL)
		return true;

	for (i = 0; i < n; i++)
		total += lens[i] + 1;
	free(req->param_store);
	req->param_store = store = ua_xmalloc(total + 1);
	for (i = 0; i < n; i++) {
		memcpy(store, segs[i], lens[i]);
		store[lens[i]] = '\0';
		req->params[i] = store;
		store += lens[i] + 1;
	}
	req->nparams = n;
	return true;
}

enum ua_err
ua_router_match(const struct ua_router *const *routers, size_t nrouters,
    struct ua_req *req, const struct ua_route **route, struct ua_buf *allow)
{
	const struct ua_route *r;
	bool		       seen[UA_METHOD__MAX] = { false };
	bool		       any = false;
	enum ua_method	       want;
	size_t		       i, j, plen;

	*route = NULL;
	req->route = NULL;
	if (req->path == NULL || req->path[0] != '/')
		return UA_ERR_NOT_FOUND;
	plen = trimmed_len(req->path);
	want = req->method == UA_METHOD_HEAD ? UA_METHOD_GET : req->method;

	for (i = 0; i < nrouters; i++)
		for (j = 0; j < routers[i]->nroutes; j++) {
			r = &routers[i]->routes[j];
			if (!path_matches(r->path, req->path, plen, NULL))
				continue;
			any = true;
			seen[r->method] = true;
			if (r->method == UA_METHOD_GET)
				seen[UA_METHOD_HEAD] = true;
			if (r->method != want)
				continue;
			path_matches(r->path, req->path, plen, req);
			*route = req->route = r;
			return UA_OK;
		}
	if (!any)
		return UA_ERR_NOT_FOUND;

	for (i = 0; i < sizeof(allow_order) / sizeof(allow_order[0]); i++) {
		if (!seen[allow_order[i]])
			continue;
		if (allow->len > 0)
			ua_buf_puts(allow, ", ");
		ua_buf_puts(allow, ua_method_name(allow_order[i]));
	}
	return UA_ERR_METHOD;
}

const char *
ua_req_param(const struct ua_req *req, const char *name)
{
	const char *t, *end;
	size_t	    n = 0, len = strlen(name);

	if (req->route == NULL)
		return NULL;
	for (t = req->route->path; (t = strchr(t, '{')) != NULL; t = end) {
		if ((end = strchr(t, '}')) == NULL)
			return NULL;
		if ((size_t)(end - t - 1) == len &&
		    strncmp(t + 1, name, len) == 0)
			return n < req->nparams ? req->params[n] : NULL;
		n++;
	}
	return NULL;
}
