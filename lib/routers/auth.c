/*
 * auth.c -- /api/auth: login, refresh, the current user, password
 * change.  Logout and the sessions are in sessions.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "userapi/alloc.h"
#include "userapi/dependencies.h"
#include "userapi/password.h"
#include "userapi/response.h"
#include "userapi/routers.h"
#include "userapi/schemas.h"
#include "userapi/services.h"
#include "userapi/settings.h"
#include "routers-private.h"

/* An error answer; past the failure limit, with Retry-After. */
static void
answer_error(struct ua_req *req, enum ua_err er, int retry_after)
{
	ua_resp_error(req, er);
	if (er == UA_ERR_TOO_MANY)
		ua_resp_header(req, "Retry-After", "%d", retry_after);
}

/* A Token: the pair of a login or a refresh. */
static void
answer_token(struct ua_req *req, const struct ua_token_pair *pair)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "access_token",
	    json_object_new_string(pair->access_token));
	json_object_object_add(o, "token_type",
	    json_object_new_string("bearer"));
	json_object_object_add(o, "expires_in",
	    json_object_new_int64(pair->expires_in));
	json_object_object_add(o, "refresh_token",
	    json_object_new_string(pair->refresh_token));
	json_object_object_add(o, "refresh_expires_in",
	    json_object_new_int64(pair->refresh_expires_in));
	ua_resp_json(req, 200, o);
}

static void
login(struct ua_req *req, const struct ua_call *call)
{
	struct ua_login	      in;
	struct ua_token_pair  pair;
	struct ua_client_info client = { req->client,
		ua_req_header(req, "User-Agent") };
	int		      retry_after = 0;
	enum ua_err	      er;

	memset(&pair, 0, sizeof(pair));
	if (!ua_route_body(req, &in, sizeof(in)))
		goto out;
	if ((er = ua_auth_login(call->svc, in.email, in.password, &client,
		 &pair, &retry_after)) != UA_OK)
		answer_error(req, er, retry_after);
	else
		answer_token(req, &pair);
out:
	ua_token_pair_cleanup(&pair);
	ua_secure_zero(&in, sizeof(in));
}

static void
refresh(struct ua_req *req, const struct ua_call *call)
{
	struct ua_refresh_request in;
	struct ua_token_pair	  pair;
	enum ua_err		  er;

	memset(&pair, 0, sizeof(pair));
	if (!ua_route_body(req, &in, sizeof(in)))
		goto out;
	if ((er = ua_session_refresh(call->svc, in.refresh_token,
		 strlen(in.refresh_token), &pair)) != UA_OK)
		ua_resp_error(req, er);
	else
		answer_token(req, &pair);
out:
	ua_token_pair_cleanup(&pair);
	ua_secure_zero(&in, sizeof(in));
}

static void
me(struct ua_req *req, const struct ua_call *call)
{
	ua_route_answer_user(req, 200, call->caller);
}

static void
change_password(struct ua_req *req, const struct ua_call *call)
{
	struct ua_password_change in;
	enum ua_err		  er;
	int			  retry_after = 0;

	if (!ua_route_body(req, &in, sizeof(in)))
		goto out;
	if ((er = ua_auth_change_password(call->svc, call->caller, &in,
		 req->client, &retry_after)) != UA_OK)
		answer_error(req, er, retry_after);
	else
		ua_resp_empty(req, 204);
out:
	ua_secure_zero(&in, sizeof(in));
}

#define BODY_ERRORS \
	(UA_ERRBIT(UA_ERR_TOO_LARGE) | UA_ERRBIT(UA_ERR_MEDIA_TYPE) | \
	    UA_ERRBIT(UA_ERR_INVALID) | UA_ERRBIT(UA_ERR_DB_UNAVAILABLE))

static const struct ua_route routes[] = {
	{
	    .method = UA_METHOD_POST,
	    .path = "/api/auth/login",
	    .handler = login,
	    .access = UA_ACCESS_NONE,
	    .summary = "Log in with email and password for a bearer token",
	    .body = UA_BODY_JSON_OR_FORM,
	    .schema = &ua_schema_login_json,
	    .form_schema = &ua_schema_login_form,
	    .status = 200,
	    .response = "Token",
	    .errors = BODY_ERRORS | UA_ERRBIT(UA_ERR_LOGIN_FAILED) |
		UA_ERRBIT(UA_ERR_TOO_MANY),
	},
	{
	    .method = UA_METHOD_POST,
	    .path = "/api/auth/refresh",
	    .handler = refresh,
	    .access = UA_ACCESS_NONE,
	    .summary = "Trade a refresh token for a new pair; the one used "
		       "is spent",
	    .body = UA_BODY_JSON_OR_FORM,
	    .schema = &ua_schema_refresh_json,
	    .form_schema = &ua_schema_refresh_form,
	    .status = 200,
	    .response = "Token",
	    .errors = BODY_ERRORS | UA_ERRBIT(UA_ERR_BAD_REFRESH),
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/auth/me",
	    .handler = me,
	    .access = UA_ACCESS_BEARER,
	    .summary = "The current user",
	    .status = 200,
	    .response = "User",
	    .errors = UA_ERRBIT(UA_ERR_UNAUTHENTICATED) |
		UA_ERRBIT(UA_ERR_DB_UNAVAILABLE),
	},
	{
	    .method = UA_METHOD_POST,
	    .path = "/api/auth/password",
	    .handler = change_password,
	    .access = UA_ACCESS_BEARER,
	    .summary = "Change the current user's password; every token "
		       "issued before is refused afterwards",
	    .body = UA_BODY_JSON,
	    .schema = &ua_schema_password_change,
	    .status = 204,
	    .errors = BODY_ERRORS | UA_ERRBIT(UA_ERR_UNAUTHENTICATED) |
		UA_ERRBIT(UA_ERR_BAD_PASSWORD) | UA_ERRBIT(UA_ERR_TOO_MANY),
	},
};

/*
 * Make the dummy hash that unknown emails are checked against now, so
 * the first such login costs no more than a wrong password does.
 */
static void
warm_up(const struct ua_settings *s)
{
	(void)ua_password_dummy_hash(s->password_hash, s->bcrypt_cost);
}

const struct ua_router ua_router_auth = {
	.name = "auth",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.warm_up = warm_up,
};
