/*
 * access.c -- the access check every route declares, run in one place.
 *
 * Order, as FastAPI's dependencies run: the token (401), then the
 * caller's row read together with what the route fetches (401 if the
 * user is gone or the token predates a password change, 503), then the
 * route's own inputs (422), then the route's rule (403, or 404 where a
 * non-owner must learn nothing).  Deny by default: an access value this
 * file does not know is refused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "userapi/alloc.h"
#include "userapi/dependencies.h"
#include "userapi/response.h"
#include "userapi/services.h"
#include "dependencies-private.h"

/* The token of "Authorization: Bearer <token>", or NULL. */
static const char *
bearer_token(const struct ua_req *req)
{
	const char *h = ua_req_header(req, "Authorization");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (h += 7; *h == ' '; h++)
		continue;
	return *h != '\0' ? h : NULL;
}

/* The name of the route's one {..._id} parameter into "name", if any. */
static bool
path_id_param(const struct ua_route *route, char *name, size_t len)
{
	const char *open = strchr(route->path, '{'), *close;

	if (open == NULL || (close = strchr(open, '}')) == NULL ||
	    (size_t)(close - open) > len)
		return false;
	memcpy(name, open + 1, (size_t)(close - open - 1));
	name[close - open - 1] = '\0';
	return true;
}

/*
 * Is "caller" allowed by the route's rule?  UA_ERR_FORBIDDEN, or
 * UA_ERR_NOT_FOUND for what a non-owner must not learn exists.
 */
static enum ua_err
check_rule(const struct ua_route *route, const struct ua_user *caller,
    int64_t id, const void *state)
{
	bool	admin = caller->role == UA_ROLE_ADMIN;
	int64_t owner;

	switch (route->access) {
	case UA_ACCESS_BEARER:
		return UA_OK;
	case UA_ACCESS_ADMIN:
		return admin ? UA_OK : UA_ERR_FORBIDDEN;
	case UA_ACCESS_SELF_OR_ADMIN:
		return admin || caller->id == id ? UA_OK : UA_ERR_FORBIDDEN;
	case UA_ACCESS_OWNER_OR_ADMIN:
		if (route->fetch == NULL || route->fetch->owner == NULL)
			return UA_ERR_INTERNAL; /* a route declared wrongly */
		if (admin ||
		    (route->fetch->owner(state, &owner) && owner == caller->id))
			return UA_OK;
		return UA_ERR_NOT_FOUND;
	case UA_ACCESS_NONE:
	case UA_ACCESS__MAX:
		break;
	}
	return UA_ERR_INTERNAL;
}

/* A 404 with the fetch's own detail ("Order not found"). */
static void
answer_not_found(struct ua_req *req, const struct ua_fetch *fetch)
{
	if (fetch != NULL && fetch->not_found != NULL)
		ua_resp_detail(req, 404, fetch->not_found);
	else
		ua_resp_error(req, UA_ERR_NOT_FOUND);
}

bool
ua_access_check(const struct ua_services *svc, struct ua_req *req,
    struct ua_call *call, struct ua_user *caller)
{
	const struct ua_route *route = req->route;
	const struct ua_fetch *fetch = route->fetch;
	struct ua_credentials  cred;
	struct ua_verrs	       errs;
	struct ua_user	       unused;
	const char	      *token;
	char		       param[64];
	enum ua_err	       er;
	bool		       ok = true, found = false, allowed = false;

	if (route->access == UA_ACCESS_NONE)
		return true;
	if ((token = bearer_token(req)) == NULL) {
		ua_resp_error(req, UA_ERR_UNAUTHENTICATED);
		return false;
	}
	if ((er = ua_auth_verify_token(svc, token, &call->claims)) != UA_OK) {
		ua_resp_error(req, er);
		return false;
	}

	ua_verrs_init(&errs);
	memset(&cred, 0, sizeof(cred));
	if (!route->text_id && path_id_param(route, param, sizeof(param)))
		ok = ua_param_int("path", param, ua_req_param(req, param), 0,
		    INT64_MIN, INT64_MAX, &call->id, &errs);
	if (fetch != NULL) {
		call->fetched = ua_xcalloc(1, fetch->size);
		if (fetch->inputs != NULL)
			ok = fetch->inputs(req, call->fetched, &errs) && ok;
	}
	/* With bad inputs the caller is still checked first, alone. */
	if (ok && fetch != NULL)
		er = fetch->read(svc, call->claims.sub, call->claims.sid,
		    call->id, caller, &cred, call->fetched, &found);
	else
		er = ua_user_read_with_caller(svc, call->claims.sub,
		    call->claims.sid, 0, caller, &cred, &unused, &found);

	if ((er = ua_auth_check_caller(er, &cred, call->claims.ver,
		 call->claims.sid)) == UA_OK &&
	    ok) {
		er = check_rule(route, caller, call->id, call->fetched);
		if (er == UA_OK && fetch != NULL && !found &&
		    fetch->not_found != NULL)
			er = UA_ERR_NOT_FOUND;
	}
	if (er == UA_OK && !ok)
		ua_resp_json(req, 422, ua_verrs_to_json(&errs));
	else if (er == UA_ERR_NOT_FOUND)
		answer_not_found(req, fetch);
	else if (er != UA_OK)
		ua_resp_error(req, er);
	else {
		call->caller = caller;
		call->sid = call->claims.sid;
		allowed = true;
	}
	ua_verrs_cleanup(&errs);
	return allowed;
}

void
ua_access_release(const struct ua_route *route, struct ua_call *call)
{
	if (call->fetched != NULL && route->fetch != NULL &&
	    route->fetch->release != NULL)
		route->fetch->release(call->fetched);
	free(call->fetched);
	call->fetched = NULL;
}
