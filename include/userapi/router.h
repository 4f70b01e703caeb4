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

/*
 * What a route needs of its caller.  Dispatch checks it, whole, before
 * the handler runs (dependencies.h): the token, the caller's row, and
 * this rule; a handler never sees an unverified caller.
 */
enum ua_access {
	UA_ACCESS_NONE,		 /* open */
	UA_ACCESS_BEARER,	 /* any valid bearer */
	UA_ACCESS_ADMIN,	 /* an admin */
	UA_ACCESS_SELF_OR_ADMIN, /* the user the path's id names, or an admin */
	UA_ACCESS_OWNER_OR_ADMIN, /* the owner of what the route fetched, or
				     an admin; anyone else reads "not found" */
	UA_ACCESS__MAX
};

struct ua_call;	 /* what dispatch hands a handler: see dependencies.h */
struct ua_fetch; /* what a route reads with its caller: dependencies.h */

typedef void (*ua_handler)(struct ua_req *, const struct ua_call *);

/* The request bodies a route takes. */
enum ua_body {
	UA_BODY_NONE,
	UA_BODY_JSON,	      /* application/json */
	UA_BODY_JSON_OR_FORM, /* or application/x-www-form-urlencoded */
	UA_BODY__MAX
};

struct ua_schema;

/*
 * A query parameter: an integer within [min, max] (absent: "def"), or
 * with "choices" one of those strings.  "optional": absent means not
 * given, rather than the default.
 */
struct ua_query_param {
	const char	  *name;
	int64_t		   min;
	int64_t		   max;
	int64_t		   def;
	const char	  *description;
	bool		   optional;
	const char *const *choices; /* NULL-terminated, or NULL */
};

/* A bit for each error a route may answer, e.g. UA_ERRBIT(UA_ERR_CONFLICT). */
#define UA_ERRBIT(er) (1u << (er))
_Static_assert(UA_ERR__MAX <= 32, "enum ua_err outgrew the route's bits");

struct ua_route {
	enum ua_method		     method;
	const char		    *path; /* "/api/users/{user_id}"; a trailing
					   slash is as the docs show it */
	ua_handler		     handler;
	enum ua_access		     access;
	const struct ua_fetch	    *fetch; /* read with the caller, or NULL */
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
	/* The path's {..._id} is an opaque string the handler reads
	   itself (ua_req_param), not an integer the dispatch parses. */
	bool text_id;
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

/* Value of path parameter "name" of the matched route, or NULL. */
const char *ua_req_param(const struct ua_req *req, const char *name);

#pragma GCC visibility pop
#endif
