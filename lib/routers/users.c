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

#define PAGE_LIMIT_DEFAULT 20
#define PAGE_LIMIT_MAX 100

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
create_user(struct ua_req *req)
{
	struct ua_services    svc;
	struct ua_user_create in;
	struct ua_user	      u;
	enum ua_err	      er;

	if (!ua_route_body(req, &in, sizeof(in)))
		goto out;
	ua_services_init_pg(&svc, req->settings, req->db);
	if ((er = ua_user_register(&svc, &in, &u)) != UA_OK)
		answer_error(req, er);
	else
		ua_route_answer_user(req, 201, &u);
out:
	ua_secure_zero(&in, sizeof(in));
}

/* RFC 8288 links between pages, relative, as API.md shows them. */
static void
page_links(struct ua_req *req, int64_t page, int64_t limit, int64_t pages)
{
	struct ua_buf b;
	int64_t	      last = pages > 0 ? pages : 1;

	ua_buf_init(&b);
	ua_buf_printf(&b,
	    "</api/users/?page=1&limit=%lld>; rel=\"first\", "
	    "</api/users/?page=%lld&limit=%lld>; rel=\"last\"",
	    (long long)limit, (long long)last, (long long)limit);
	if (page > 1)
		ua_buf_printf(&b,
		    ", </api/users/?page=%lld&limit=%lld>; "
		    "rel=\"prev\"",
		    (long long)(page - 1 < last ? page - 1 : last),
		    (long long)limit);
	if (page < pages)
		ua_buf_printf(&b,
		    ", </api/users/?page=%lld&limit=%lld>; "
		    "rel=\"next\"",
		    (long long)page + 1, (long long)limit);
	ua_resp_header(req, "Link", "%s", b.data);
	ua_buf_cleanup(&b);
}

static void
list_users(struct ua_req *req)
{
	struct ua_services svc;
	struct ua_verrs	   errs;
	struct ua_user	   caller, unused, *items = NULL;
	struct ua_buf	   b;
	int64_t		   page, limit, total = 0, pages;
	size_t		   n = 0, i;
	enum ua_err	   er;
	bool		   found, ok;

	ua_verrs_init(&errs);
	ok = ua_route_query_int(req, "page", &page, &errs);
	ok = ua_route_query_int(req, "limit", &limit, &errs) && ok;
	ua_services_init_pg(&svc, req->settings, req->db);
	if (!ok || !req->authenticated) {
		/* The bearer is checked first, as FastAPI's dependencies run. */
		if ((er = ua_current_user(req, &svc, &caller, 0, &unused,
			 &found)) != UA_OK)
			ua_resp_error(req, er);
		else
			ua_route_invalid(req, &errs);
		goto out;
	}

	/* The caller and the page in one round trip. */
	items = ua_xcalloc((size_t)limit, sizeof(*items));
	if ((er = ua_user_list(&svc, req->auth_sub, req->auth_ver, page, limit,
		 &caller, items, &n, &total)) != UA_OK) {
		ua_resp_error(req, er);
		goto out;
	}
	pages = total / limit + (total % limit != 0);

	/* {"data":[<User>...],"meta":{...}}, as the UserPage schema says. */
	ua_buf_init(&b);
	ua_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			ua_buf_append(&b, ",", 1);
		ua_user_append_json(&b, &items[i]);
	}
	ua_buf_printf(&b,
	    "],\"meta\":{\"page\":%lld,\"limit\":%lld,"
	    "\"total\":%lld,\"total_pages\":%lld}}",
	    (long long)page, (long long)limit, (long long)total,
	    (long long)pages);

	ua_resp_header(req, "X-Total-Count", "%lld", (long long)total);
	page_links(req, page, limit, pages);
	ua_resp_json_text(req, 200, &b);
	ua_buf_cleanup(&b);
out:
	free(items);
	ua_verrs_cleanup(&errs);
}

static void
get_user(struct ua_req *req)
{
	struct ua_services svc;
	struct ua_verrs	   errs;
	struct ua_user	   caller, target;
	int64_t		   id = 0;
	enum ua_err	   er;
	bool		   found = false, ok;

	ua_verrs_init(&errs);
	ok = ua_route_path_id(req, "user_id", &id, &errs);
	ua_services_init_pg(&svc, req->settings, req->db);
	/* The caller and the user asked for, in one round trip. */
	if ((er = ua_current_user(req, &svc, &caller, ok ? id : 0, &target,
		 &found)) != UA_OK)
		ua_resp_error(req, er);
	else if (!ok)
		ua_route_invalid(req, &errs);
	else if (!found)
		answer_error(req, UA_ERR_NOT_FOUND);
	else
		ua_route_answer_user(req, 200, &target);
	ua_verrs_cleanup(&errs);
}

static void
update_user(struct ua_req *req)
{
	struct ua_services    svc;
	struct ua_verrs	      errs;
	struct ua_user_update in;
	struct ua_user	      caller, unused, u;
	int64_t		      id = 0;
	enum ua_err	      er;
	bool		      found;

	ua_verrs_init(&errs);
	ua_services_init_pg(&svc, req->settings, req->db);
	if ((er = ua_current_user(req, &svc, &caller, 0, &unused, &found)) !=
	    UA_OK) {
		ua_resp_error(req, er);
		goto out;
	}
	if (!ua_route_path_id(req, "user_id", &id, &errs)) {
		ua_route_invalid(req, &errs);
		goto out;
	}
	if (!ua_route_body(req, &in, sizeof(in)))
		goto out;
	if ((er = ua_user_update(&svc, &caller, id, &in, &u)) != UA_OK)
		answer_error(req, er);
	else
		ua_route_answer_user(req, 200, &u);
out:
	ua_verrs_cleanup(&errs);
}

static void
delete_user(struct ua_req *req)
{
	struct ua_services svc;
	struct ua_verrs	   errs;
	struct ua_user	   caller, unused;
	int64_t		   id = 0;
	enum ua_err	   er;
	bool		   found;

	ua_verrs_init(&errs);
	ua_services_init_pg(&svc, req->settings, req->db);
	if ((er = ua_current_user(req, &svc, &caller, 0, &unused, &found)) !=
	    UA_OK)
		ua_resp_error(req, er);
	else if (!ua_route_path_id(req, "user_id", &id, &errs))
		ua_route_invalid(req, &errs);
	else if ((er = ua_user_delete(&svc, &caller, id)) != UA_OK)
		answer_error(req, er);
	else
		ua_resp_empty(req, 204);
	ua_verrs_cleanup(&errs);
}

static const struct ua_query_param page_params[] = {
	{ "page", 1, INT64_MAX, 1, "Page number, from 1" },
	{ "limit", 1, PAGE_LIMIT_MAX, PAGE_LIMIT_DEFAULT, "Users per page" },
	{ NULL, 0, 0, 0, NULL },
};

/* What every bearer route may answer besides its own errors. */
#define BEARER_ERRORS \
	(UA_ERRBIT(UA_ERR_UNAUTHENTICATED) | UA_ERRBIT(UA_ERR_DB_UNAVAILABLE))
#define BODY_ERRORS \
	(UA_ERRBIT(UA_ERR_TOO_LARGE) | UA_ERRBIT(UA_ERR_MEDIA_TYPE) | \
	    UA_ERRBIT(UA_ERR_INVALID))

static const struct ua_route routes[] = {
	{
	    .method = UA_METHOD_POST,
	    .path = "/api/users/",
	    .handler = create_user,
	    .auth = UA_AUTH_NONE,
	    .summary = "Register a user",
	    .body = UA_BODY_JSON,
	    .schema = &ua_schema_user_create,
	    .status = 201,
	    .response = "User",
	    .errors = BODY_ERRORS | UA_ERRBIT(UA_ERR_CONFLICT) |
		UA_ERRBIT(UA_ERR_DB_UNAVAILABLE),
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/users/",
	    .handler = list_users,
	    .auth = UA_AUTH_BEARER,
	    .summary = "List users by id, a page at a time",
	    .status = 200,
	    .response = "UserPage",
	    .query = page_params,
	    .errors = BEARER_ERRORS | UA_ERRBIT(UA_ERR_INVALID),
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/users/{user_id}",
	    .handler = get_user,
	    .auth = UA_AUTH_BEARER,
	    .summary = "Read a user",
	    .status = 200,
	    .response = "User",
	    .errors = BEARER_ERRORS | UA_ERRBIT(UA_ERR_NOT_FOUND) |
		UA_ERRBIT(UA_ERR_INVALID),
	},
	{
	    .method = UA_METHOD_PATCH,
	    .path = "/api/users/{user_id}",
	    .handler = update_user,
	    .auth = UA_AUTH_BEARER,
	    .summary = "Change a user (self or admin; role: admin only)",
	    .body = UA_BODY_JSON,
	    .schema = &ua_schema_user_update,
	    .status = 200,
	    .response = "User",
	    .errors = BEARER_ERRORS | BODY_ERRORS |
		UA_ERRBIT(UA_ERR_FORBIDDEN) | UA_ERRBIT(UA_ERR_NOT_FOUND) |
		UA_ERRBIT(UA_ERR_CONFLICT),
	},
	{
	    .method = UA_METHOD_DELETE,
	    .path = "/api/users/{user_id}",
	    .handler = delete_user,
	    .auth = UA_AUTH_BEARER,
	    .summary = "Delete a user (self or admin)",
	    .status = 204,
	    .errors = BEARER_ERRORS | UA_ERRBIT(UA_ERR_FORBIDDEN) |
		UA_ERRBIT(UA_ERR_NOT_FOUND) | UA_ERRBIT(UA_ERR_CONFLICT) |
		UA_ERRBIT(UA_ERR_INVALID),
	},
};

const struct ua_router ua_router_users = {
	.name = "users",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
};
