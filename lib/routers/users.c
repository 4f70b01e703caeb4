/*
 * users.c -- /api/users: register, list, read, change, delete.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/dependencies.h"
#include "userapi/response.h"
#include "userapi/routers.h"
#include "userapi/schemas.h"
#include "userapi/services.h"
#include "userapi/validate.h"
#include "routers-private.h"

/* Answer a service error; 404 on a user route reads "User not found". */
static void
answer_error(struct ua_req *req, enum ua_err er)
{
	if (er == UA_ERR_NOT_FOUND)
		ua_resp_detail(req, 404, "User not found");
	else
		ua_resp_error(req, er);
}

static void
create_user(struct ua_req *req, const struct ua_call *call)
{
	struct ua_user_create in;
	struct ua_user	      u;
	enum ua_err	      er;

	if (!ua_route_body(req, &in, sizeof(in)))
		goto out;
	if ((er = ua_user_register(call->svc, &in, &u)) != UA_OK)
		answer_error(req, er);
	else
		ua_route_answer_user(req, 201, &u);
out:
	ua_secure_zero(&in, sizeof(in));
}

/* What the list reads with its caller: one page of users. */
struct user_page {
	int64_t		page, limit, total;
	struct ua_user *items; /* room for "limit" */
	size_t		n;
};

static bool
page_inputs(struct ua_req *req, void *state, struct ua_verrs *errs)
{
	struct user_page *p = state;
	bool		  ok;

	ok = ua_route_query_int(req, "page", &p->page, errs);
	ok = ua_route_query_int(req, "limit", &p->limit, errs) && ok;
	return ok;
}

static enum ua_err
page_read(const struct ua_services *svc, int64_t caller_id, const char *sid,
    int64_t id, struct ua_user *caller, struct ua_credentials *cred,
    void *state, bool *found)
{
	struct user_page *p = state;

	(void)id;
	*found = true;
	p->items = ua_xcalloc((size_t)p->limit, sizeof(*p->items));
	return ua_user_page_with_caller(svc, caller_id, sid, p->page, p->limit,
	    caller, cred, p->items, &p->n, &p->total);
}

static void
page_release(void *state)
{
	struct user_page *p = state;

	free(p->items);
}

static const struct ua_fetch fetch_page = {
	.size = sizeof(struct user_page),
	.inputs = page_inputs,
	.read = page_read,
	.release = page_release,
};

static void
list_users(struct ua_req *req, const struct ua_call *call)
{
	const struct user_page *p = call->fetched;
	struct ua_buf		b;
	size_t			i;

	/* {"data":[<User>...],"meta":{...}}, as the UserPage schema says. */
	ua_buf_init(&b);
	ua_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < p->n; i++) {
		if (i > 0)
			ua_buf_append(&b, ",", 1);
		ua_user_append_json(&b, &p->items[i]);
	}
	ua_route_answer_page(req, &b, "/api/users/", "", p->page, p->limit,
	    p->total);
	ua_buf_cleanup(&b);
}

/* What reading a user fetches with its caller: that user. */
static enum ua_err
user_read(const struct ua_services *svc, int64_t caller_id, const char *sid,
    int64_t id, struct ua_user *caller, struct ua_credentials *cred,
    void *state, bool *found)
{
	return ua_user_read_with_caller(svc, caller_id, sid, id, caller, cred,
	    state, found);
}

const struct ua_fetch ua_fetch_user = {
	.size = sizeof(struct ua_user),
	.read = user_read,
	.not_found = "User not found",
};

static void
get_user(struct ua_req *req, const struct ua_call *call)
{
	ua_route_answer_user(req, 200, call->fetched);
}

static void
update_user(struct ua_req *req, const struct ua_call *call)
{
	struct ua_user_update in;
	struct ua_user	      u;
	enum ua_err	      er;

	if (!ua_route_body(req, &in, sizeof(in)))
		return;
	if ((er = ua_user_update(call->svc, call->caller, call->id, &in, &u)) !=
	    UA_OK)
		answer_error(req, er);
	else
		ua_route_answer_user(req, 200, &u);
}

static void
delete_user(struct ua_req *req, const struct ua_call *call)
{
	enum ua_err er;

	if ((er = ua_user_delete(call->svc, call->caller, call->id)) != UA_OK)
		answer_error(req, er);
	else
		ua_resp_empty(req, 204);
}

static const struct ua_query_param page_params[] = {
	{ "page", 1, INT64_MAX, 1, "Page number, from 1", false, NULL },
	{ "limit", 1, UA_PAGE_LIMIT_MAX, UA_PAGE_LIMIT_DEFAULT,
	    "Users per page", false, NULL },
	{ NULL, 0, 0, 0, NULL, false, NULL },
};

static const struct ua_route routes[] = {
	{
	    .method = UA_METHOD_POST,
	    .path = "/api/users/",
	    .handler = create_user,
	    .access = UA_ACCESS_NONE,
	    .summary = "Register a user",
	    .body = UA_BODY_JSON,
	    .schema = &ua_schema_user_create,
	    .status = 201,
	    .response = "User",
	    .errors = UA_BODY_ERRORS | UA_ERRBIT(UA_ERR_CONFLICT) |
		UA_ERRBIT(UA_ERR_DB_UNAVAILABLE),
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/users/",
	    .handler = list_users,
	    .access = UA_ACCESS_BEARER,
	    .fetch = &fetch_page,
	    .summary = "List users by id, a page at a time",
	    .status = 200,
	    .response = "UserPage",
	    .query = page_params,
	    .errors = UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_INVALID),
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/users/{user_id}",
	    .handler = get_user,
	    .access = UA_ACCESS_BEARER,
	    .fetch = &ua_fetch_user,
	    .summary = "Read a user",
	    .status = 200,
	    .response = "User",
	    .errors = UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_NOT_FOUND) |
		UA_ERRBIT(UA_ERR_INVALID),
	},
	{
	    .method = UA_METHOD_PATCH,
	    .path = "/api/users/{user_id}",
	    .handler = update_user,
	    .access = UA_ACCESS_SELF_OR_ADMIN,
	    .summary = "Change a user (self or admin; role: admin only)",
	    .body = UA_BODY_JSON,
	    .schema = &ua_schema_user_update,
	    .status = 200,
	    .response = "User",
	    .errors = UA_BEARER_ERRORS | UA_BODY_ERRORS |
		UA_ERRBIT(UA_ERR_FORBIDDEN) | UA_ERRBIT(UA_ERR_NOT_FOUND) |
		UA_ERRBIT(UA_ERR_CONFLICT),
	},
	{
	    .method = UA_METHOD_DELETE,
	    .path = "/api/users/{user_id}",
	    .handler = delete_user,
	    .access = UA_ACCESS_SELF_OR_ADMIN,
	    .summary = "Delete a user (self or admin)",
	    .status = 204,
	    .errors = UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_FORBIDDEN) |
		UA_ERRBIT(UA_ERR_NOT_FOUND) | UA_ERRBIT(UA_ERR_CONFLICT) |
		UA_ERRBIT(UA_ERR_INVALID),
	},
};

const struct ua_router ua_router_users = {
	.name = "users",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
};
