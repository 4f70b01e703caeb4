/*
 * sessions.c -- the routes of API.md "Sessions" that need a bearer:
 * logout, the caller's sessions, ending one of them (in the auth
 * worker), and ending every session of a user (in the users worker).
 * Login and refresh, which start and rotate sessions, are in auth.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/buf.h"
#include "userapi/dependencies.h"
#include "userapi/response.h"
#include "userapi/routers.h"
#include "userapi/services.h"
#include "userapi/session.h"
#include "routers-private.h"

/* ?scope= of a logout, in the order of enum ua_session_scope. */
static const char *const scope_choices[] = { "this", "others", "all", NULL };
_Static_assert(UA_SESSIONS_ONE == 0 && UA_SESSIONS_OTHERS == 1 &&
	UA_SESSIONS_ALL == 2,
    "scope_choices follows enum ua_session_scope");

struct logout_state {
	enum ua_session_scope scope;
	struct ua_user	      unused;
};

static bool
logout_inputs(struct ua_req *req, void *state, struct ua_verrs *errs)
{
	struct logout_state *st = state;
	int		     scope = UA_SESSIONS_ONE;
	bool		     given, ok;

	ok = ua_route_query_choice(req, "scope", &scope, &given, errs);
	st->scope = given ? (enum ua_session_scope)scope : UA_SESSIONS_ONE;
	return ok;
}

/* The caller alone: logout reads nothing else, but has a query. */
static enum ua_err
logout_read(const struct ua_services *svc, int64_t caller_id, const char *sid,
    int64_t id, struct ua_user *caller, struct ua_credentials *cred,
    void *state, bool *found)
{
	struct logout_state *st = state;

	(void)id;
	return ua_user_read_with_caller(svc, caller_id, sid, 0, caller, cred,
	    &st->unused, found);
}

static const struct ua_fetch fetch_logout = {
	.size = sizeof(struct logout_state),
	.inputs = logout_inputs,
	.read = logout_read,
};

static void
logout(struct ua_req *req, const struct ua_call *call)
{
	const struct logout_state *st = call->fetched;
	enum ua_err		   er;

	if ((er = ua_session_logout(call->svc, call->caller, call->sid,
		 st->scope)) != UA_OK)
		ua_resp_error(req, er);
	else
		ua_resp_empty(req, 204);
}

static void
list_sessions(struct ua_req *req, const struct ua_call *call)
{
	struct ua_session *items;
	struct ua_buf	   b;
	size_t		   i, n = 0;
	enum ua_err	   er;

	items = ua_xcalloc(UA_SESSIONS_PER_USER, sizeof(*items));
	if ((er = ua_session_list(call->svc, call->caller, call->sid, items,
		 &n)) != UA_OK) {
		ua_resp_error(req, er);
		goto out;
	}
	ua_buf_init(&b);
	ua_buf_append(&b, "[", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			ua_buf_append(&b, ",", 1);
		ua_model_append_json(&b, &ua_session_model, &items[i]);
	}
	ua_buf_append(&b, "]", 1);
	ua_resp_json_text(req, 200, &b);
	ua_buf_cleanup(&b);
out:
	for (i = 0; i < n; i++)
		ua_session_cleanup(&items[i]);
	free(items);
}

static void
end_session(struct ua_req *req, const struct ua_call *call)
{
	enum ua_err er;

	if ((er = ua_session_end(call->svc, call->caller,
		 ua_req_param(req, "session_id"))) != UA_OK)
		ua_resp_error(req, er);
	else
		ua_resp_empty(req, 204);
}

static const struct ua_query_param logout_params[] = {
	{ "scope", 0, 0, 0,
	    "this (the default): this session; others: every other one; "
	    "all: every one, and every access token issued before",
	    true, scope_choices },
	{ NULL, 0, 0, 0, NULL, false, NULL },
};

static const struct ua_route routes[] = {
	{
	    .method = UA_METHOD_POST,
	    .path = "/api/auth/logout",
	    .handler = logout,
	    .access = UA_ACCESS_BEARER,
	    .fetch = &fetch_logout,
	    .summary = "End this session, the others, or all of them",
	    .status = 204,
	    .query = logout_params,
	    .errors = UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_INVALID),
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/auth/sessions",
	    .handler = list_sessions,
	    .access = UA_ACCESS_BEARER,
	    .summary = "The current user's live sessions, newest first",
	    .status = 200,
	    .response = "SessionList",
	    .errors = UA_BEARER_ERRORS,
	},
	{
	    .method = UA_METHOD_DELETE,
	    .path = "/api/auth/sessions/{session_id}",
	    .handler = end_session,
	    .access = UA_ACCESS_BEARER,
	    .text_id = true,
	    .summary = "End one of the current user's sessions",
	    .status = 204,
	    /* 422 as FastAPI declares it for any path parameter; an id
	       of another shape is simply not found. */
	    .errors = UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_INVALID) |
		UA_ERRBIT(UA_ERR_SESSION_NOT_FOUND),
	},
};

const struct ua_router ua_router_sessions = {
	.name = "sessions",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
};

/* --- DELETE /api/users/{user_id}/sessions ------------------------------ */

static void
end_user_sessions(struct ua_req *req, const struct ua_call *call)
{
	enum ua_err er;

	if ((er = ua_session_end_user(call->svc, call->caller, call->id)) !=
	    UA_OK)
		ua_resp_error(req, er);
	else
		ua_resp_empty(req, 204);
}

static const struct ua_route user_routes[] = {
	{
	    .method = UA_METHOD_DELETE,
	    .path = "/api/users/{user_id}/sessions",
	    .handler = end_user_sessions,
	    .access = UA_ACCESS_SELF_OR_ADMIN,
	    .fetch = &ua_fetch_user,
	    .summary = "End every session of a user (self or admin)",
	    .status = 204,
	    .errors = UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_FORBIDDEN) |
		UA_ERRBIT(UA_ERR_NOT_FOUND) | UA_ERRBIT(UA_ERR_INVALID),
	},
};

const struct ua_router ua_router_user_sessions = {
	.name = "user_sessions",
	.routes = user_routes,
	.nroutes = sizeof(user_routes) / sizeof(user_routes[0]),
};
