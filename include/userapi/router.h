/*
 * router.h -- route tables: method + path template -> handler.
 *
 * A route is declared once, in a const table; the router matches it,
 * and later the validator and the OpenAPI document read the same table.
 * Paths match with or without a trailing slash.  HEAD is served by the
 * GET route.  A path that exists under other methods gets 405 with Allow.
 */
#ifndef USERAPI_ROUTER_H
#define USERAPI_ROUTER_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/buf.h"
#include "userapi/errors.h"
#include "userapi/request.h"

enum ua_auth { UA_AUTH_NONE, UA_AUTH_BEARER, UA_AUTH__MAX };

typedef void (*ua_handler)(struct ua_req *);

/* What a bearer route's credentials are checked by, before its handler. */
typedef enum ua_err (*ua_authenticator)(struct ua_req *);

/* The request bodies a route takes. */
enum ua_body {
	UA_BODY_NONE,
	UA_BODY_JSON,	      /* application/json */
	UA_BODY_JSON_OR_FORM, /* or application/x-www-form-urlencoded */
	UA_BODY__MAX
};

struct ua_schema;

/* An integer query parameter: its bounds and default drive the parser. */
struct ua_query_param {
	const char *name;
	int64_t	    min;
	int64_t	    max;
	int64_t	    def;
	const char *description;
};

/* A bit for each error a route may answer, e.g. UA_ERRBIT(UA_ERR_CONFLICT). */
#define UA_ERRBIT(er) (1u << (er))

struct ua_route {
	enum ua_method		     method;
	const char		    *path; /* "/api/users/{user_id}"; a trailing
					   slash is as the docs show it */
	ua_handler		     handler;
	enum ua_auth		     auth;
	const char		    *summary; /* one line, for the docs */
	enum ua_body		     body;
	const struct ua_schema	    *schema;	  /* the JSON body */
	const struct ua_schema	    *form_schema; /* the form body */
	int			     status;	  /* on success; 0 means 200 */
	const char		    *response;	  /* schema of the success body,
						   a component name, or NULL */
	unsigned		     errors;	  /* UA_ERRBITs it may answer */
	const struct ua_query_param *query;	  /* NULL-name terminated */
	const char		    *error_response; /* a body other than
						   {"detail"} for its 503 */
	bool			     hidden; /* not in the OpenAPI document */
};

struct ua_settings;

struct ua_router {
	const char	      *name;
	const struct ua_route *routes;
	size_t		       nroutes;
	/* Run once when a worker starts, before the first request; or NULL. */
	void (*warm_up)(const struct ua_settings *);
};

/*
 * Find the route for req->method and req->path among "routers".
 * UA_OK: "*route" and req->route are set, req->params hold the {name}
 * values.
 * UA_ERR_METHOD: the path exists under other methods, listed in "allow"
 * ("GET, HEAD, PATCH").  UA_ERR_NOT_FOUND otherwise.
 */
enum ua_err ua_router_match(const struct ua_router *const *routers,
    size_t nrouters, struct ua_req *req, const struct ua_route **route,
    struct ua_buf *allow);

/*
 * Match and run the handler, or answer 404 / 405 with Allow.  Routes
 * that need a bearer token go through "auth" first (deny by default: no
 * authenticator means 401); its error is the answer.  A handler that
 * set no response is a bug: 500.
 */
void ua_router_dispatch(const struct ua_router *const *routers, size_t nrouters,
    struct ua_req *req, ua_authenticator auth);

/* Value of path parameter "name" of the matched route, or NULL. */
const char *ua_req_param(const struct ua_req *req, const char *name);

#pragma GCC visibility pop
#endif
