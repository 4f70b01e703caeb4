/*
 * dependencies.h -- what runs between the router and a handler: the
 * declared access check, and dispatch.
 *
 * A route declares what it needs (router.h: enum ua_access) and, where
 * a hot path reads something together with its caller, what that is
 * (struct ua_fetch).  ua_dispatch() runs the whole check in one place
 * before the handler: the bearer token, then the caller's row (in the
 * same round trip as the fetch), then the route's rule.  The handler
 * receives the verified caller and what was fetched in struct ua_call.
 */
#ifndef USERAPI_DEPENDENCIES_H
#define USERAPI_DEPENDENCIES_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/jwt.h"
#include "userapi/request.h"
#include "userapi/router.h"
#include "userapi/user.h"
#include "userapi/validate.h"

struct ua_services;

/* What a handler is given besides the request. */
struct ua_call {
	const struct ua_services *svc;	   /* the worker's, built once */
	const struct ua_user	 *caller;  /* verified; NULL on open routes */
	const char		 *sid;	   /* the caller's session; "" for a
					      token without one */
	int64_t			  id;	   /* the path's {..._id}, parsed; 0 if
					     the route has none */
	void			 *fetched; /* the state of route->fetch */
	struct ua_jwt_claims	  claims;  /* the bearer token's */
};

/*
 * What a bearer route reads together with its caller's row, in one
 * round trip.  "state" is "size" zeroed bytes the dispatch owns; the
 * handler finds it in call->fetched.
 */
struct ua_fetch {
	size_t size;
	/*
	 * Read the route's query parameters into "state"; false: problems
	 * were added to "errs".  NULL: the route has none.
	 */
	bool (*inputs)(struct ua_req *, void *state, struct ua_verrs *errs);
	/*
	 * The caller's row and credentials ("caller_id", with whether its
	 * session "sid" is live), and the route's
	 * data (for the path's "id"), in one round trip.  UA_ERR_NOT_FOUND
	 * if the caller is gone; "*found" false if the data is.
	 */
	enum ua_err (*read)(const struct ua_services *, int64_t caller_id,
	    const char *sid, int64_t id, struct ua_user *caller,
	    struct ua_credentials *cred, void *state, bool *found);
	/* The owner of what was read, for UA_ACCESS_OWNER_OR_ADMIN. */
	bool (*owner)(const void *state, int64_t *owner_id);
	/* The 404 detail when nothing was found ("User not found"). */
	const char *not_found;
	/* Release what "read" or "inputs" allocated in "state"; or NULL. */
	void (*release)(void *state);
};

/*
 * Match req against "routers", check the route's access as it declares,
 * run its handler with "svc", or answer 404 / 405 (with Allow) / 401 /
 * 403 / 404 / 422 / 503.  A handler that set no response is a bug: 500.
 */
void ua_dispatch(const struct ua_services *svc,
    const struct ua_router *const *routers, size_t nrouters,
    struct ua_req *req);

#pragma GCC visibility pop
#endif
