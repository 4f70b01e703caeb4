/*
 * orders.c -- /api/orders, and /api/users/{user_id}/orders.
 *
 * Single-order answers carry ETag: "<version>"; PATCH, the status
 * change and DELETE take If-Match.  POST takes an Idempotency-Key, whose
 * answer the repository keeps in the order's own transaction.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/dependencies.h"
#include "userapi/order.h"
#include "userapi/response.h"
#include "userapi/routers.h"
#include "userapi/schemas.h"
#include "userapi/services.h"
#include "userapi/validate.h"
#include "routers-private.h"

/* Answer a service error in the words of the order routes. */
static void
answer_error(struct ua_req *req, enum ua_err er)
{
	if (er == UA_ERR_NOT_FOUND)
		ua_resp_detail(req, 404, "Order not found");
	else
		ua_resp_error(req, er);
}

/* Answer "status" with order "o" and its ETag. */
static void
answer_order(struct ua_req *req, int status, const struct ua_order *o)
{
	struct ua_buf b;

	ua_buf_init(&b);
	ua_order_append_json(&b, o);
	ua_resp_header(req, "ETag", "\"%lld\"", (long long)o->version);
	ua_resp_json_text(req, status, &b);
	ua_buf_cleanup(&b);
}

/*
 * The version an If-Match names: 0 without one or for "*" (any), -1
 * for anything that cannot match (a weak tag, a list, junk): RFC 9110
 * then wants 412, and no version is -1.
 */
static int64_t
if_match_version(const struct ua_req *req)
{
	const char *h = ua_req_header(req, "If-Match");
	char	   *end;
	long long   v;

	if (h == NULL)
		return 0;
	while (*h == ' ')
		h++;
	if (strcmp(h, "*") == 0)
		return 0;
	if (*h != '"' || !isdigit((unsigned char)h[1]))
		return -1;
	v = strtoll(h + 1, &end, 10);
	if (*end != '"' || v <= 0)
		return -1;
	for (end++; *end == ' '; end++)
		continue;
	return *end == '\0' ? v : -1;
}

/* --- what the routes read with their caller ------------------------- */

struct one_order {
	struct ua_order order;
};

static enum ua_err
order_read(const struct ua_services *svc, int64_t caller_id, const char *sid,
    int64_t id, struct ua_user *caller, struct ua_credentials *cred,
    void *state, bool *found)
{
	struct one_order *s = state;

	return ua_order_fetch_with_caller(svc, caller_id, sid, id, caller, cred,
	    &s->order, found);
}

static bool
order_owner(const void *state, int64_t *owner)
{
	const struct one_order *s = state;

	*owner = s->order.user_id;
	return s->order.has_user;
}

static void
order_release(void *state)
{
	struct one_order *s = state;

	ua_order_cleanup(&s->order);
}

static const struct ua_fetch fetch_order = {
	.size = sizeof(struct one_order),
	.read = order_read,
	.owner = order_owner,
	.not_found = "Order not found",
	.release = order_release,
};

/* A page of orders and the query that chose it. */
struct order_page {
	struct ua_order_filter filter;
	int64_t		       page, limit, total;
	struct ua_order	      *items; /* room for "limit" */
	size_t		       n;
	bool		       user_route; /* /api/users/{user_id}/orders */
};

static const char *const status_choices[] = {
	"pending",
	"paid",
	"shipped",
	"delivered",
	"cancelled",
	NULL,
};

static bool
page_inputs(struct ua_req *req, void *state, struct ua_verrs *errs)
{
	struct order_page *p = state;
	bool		   ok, given;
	int		   status = 0;

	ok = ua_route_query_int(req, "page", &p->page, errs);
	ok = ua_route_query_int(req, "limit", &p->limit, errs) && ok;
	ok = ua_route_query_choice(req, "status", &status, &given, errs) && ok;
	p->filter.has_status = given;
	p->filter.status = (enum ua_order_status)status;
	p->filter.all_users = true; /* an admin's list is everyone's */
	if (ua_kvlist_get(&req->query, "user_id") != NULL) {
		p->filter.has_user_id = true;
		ok = ua_route_query_int(req, "user_id", &p->filter.user_id,
			 errs) &&
		    ok;
	}
	return ok;
}

static enum ua_err
page_read(const struct ua_services *svc, int64_t caller_id, const char *sid,
    int64_t id, struct ua_user *caller, struct ua_credentials *cred,
    void *state, bool *found)
{
	struct order_page *p = state;

	if (p->user_route) {
		p->filter.has_user_id = true;
		p->filter.user_id = id;
	}
	p->items = ua_xcalloc((size_t)p->limit, sizeof(*p->items));
	return ua_order_page_with_caller(svc, caller_id, sid, &p->filter,
	    p->page, p->limit, caller, cred, p->items, &p->n, &p->total, found);
}

static bool
user_page_inputs(struct ua_req *req, void *state, struct ua_verrs *errs)
{
	struct order_page *p = state;

	p->user_route = true;
	return page_inputs(req, state, errs);
}

static void
page_release(void *state)
{
	struct order_page *p = state;
	size_t		   i;

	for (i = 0; p->items != NULL && i < p->n; i++)
		ua_order_cleanup(&p->items[i]);
	free(p->items);
}

static const struct ua_fetch fetch_page = {
	.size = sizeof(struct order_page),
	.inputs = page_inputs,
	.read = page_read,
	.release = page_release,
};

static const struct ua_fetch fetch_user_page = {
	.size = sizeof(struct order_page),
	.inputs = user_page_inputs,
	.read = page_read,
	.not_found = "User not found",
	.release = page_release,
};

/* --- handlers -------------------------------------------------------- */

/* Answer with the kept answer, byte for byte, marked as a replay. */
static void
answer_replay(struct ua_req *req, const struct ua_idem_answer *a)
{
	ua_resp_header(req, "Idempotent-Replayed", "true");
	ua_resp_raw(req, a->status, "application/json", a->body, a->len);
}

/*
 * A request with a key that failed validation is answered like any
 * other: its 422 is kept under the key (API.md: every answer below
 * 500), so the same request again is replayed and another under the
 * same key is refused.  If it cannot be kept, the 422 still stands: the
 * same request again gets the same 422 anyway.
 */
static void
keep_refusal(struct ua_req *req, const struct ua_call *call,
    const struct ua_idem *key)
{
	struct ua_idem_answer answer;
	enum ua_err	      er;

	memset(&answer, 0, sizeof(answer));
	if (req->resp.status >= 500 || req->resp.body.len == 0)
		return;
	er = ua_order_idem_keep(call->svc, call->caller, key, req->resp.status,
	    req->resp.body.data, req->resp.body.len, &answer);
	if (er == UA_ERR_IDEM_REPLAY || er == UA_ERR_IDEM_MISMATCH ||
	    er == UA_ERR_IDEM_BUSY) {
		ua_resp_cleanup(&req->resp);
		ua_resp_init(&req->resp);
		if (er == UA_ERR_IDEM_REPLAY)
			answer_replay(req, &answer);
		else
			ua_resp_error(req, er);
	}
	ua_idem_answer_cleanup(&answer);
}

/* The new order's answer, as the repository keeps it under its key. */
static enum ua_err
render_created(void *arg, const struct ua_order *o, int *status,
    struct ua_buf *body)
{
	(void)arg;
	*status = 201;
	ua_order_append_json(body, o);
	return UA_OK;
}

static void
create_order(struct ua_req *req, const struct ua_call *call)
{
	static const struct ua_order_render render = { render_created, NULL };
	struct ua_order_create		   *in = ua_xmalloc(sizeof(*in));
	struct ua_idem			    idem, *key = NULL;
	struct ua_idem_answer		    answer;
	struct ua_order			    o;
	const char *h = ua_req_header(req, "Idempotency-Key");
	enum ua_err er;

	memset(&o, 0, sizeof(o));
	memset(&answer, 0, sizeof(answer));
	if (h != NULL) {
		if (ua_order_idem_init(&idem, h, req->body, req->body_len) !=
		    UA_OK) {
			ua_resp_detail(req, 422, "Invalid Idempotency-Key");
			goto out;
		}
		key = &idem;
	}
	if (!ua_route_body(req, in, sizeof(*in))) {
		if (key != NULL)
			keep_refusal(req, call, key);
		goto out;
	}
	er = ua_order_create(call->svc, call->caller, in, key, &render, &o,
	    &answer);
	if (er == UA_ERR_IDEM_REPLAY) {
		/* The kept answer, byte for byte. */
		ua_resp_header(req, "Idempotent-Replayed", "true");
		ua_resp_raw(req, answer.status, "application/json", answer.body,
		    answer.len);
	} else if (er != UA_OK)
		answer_error(req, er);
	else {
		ua_resp_header(req, "Location", "%s/api/orders/%lld",
		    ua_root_path(req->settings), (long long)o.id);
		answer_order(req, 201, &o);
	}
out:
	ua_idem_answer_cleanup(&answer);
	ua_order_cleanup(&o);
	free(in);
}

/* "status=paid&user_id=7&": the filters a page's links keep. */
static void
page_filters(struct ua_buf *b, const struct order_page *p)
{
	if (p->filter.has_status)
		ua_buf_printf(b, "status=%s&",
		    ua_order_status_name(p->filter.status));
	if (p->filter.has_user_id && !p->user_route)
		ua_buf_printf(b, "user_id=%lld&", (long long)p->filter.user_id);
}

static void
list_orders(struct ua_req *req, const struct ua_call *call)
{
	const struct order_page *p = call->fetched;
	struct ua_buf		 b, filters;
	char			 base[64];
	size_t			 i;

	/* Only an admin may ask for someone's orders by user_id. */
	if (p->filter.has_user_id && !p->user_route &&
	    call->caller->role != UA_ROLE_ADMIN) {
		ua_resp_error(req, UA_ERR_FORBIDDEN);
		return;
	}
	ua_buf_init(&b);
	ua_buf_puts(&b, "{\"data\":[");
	for (i = 0; i < p->n; i++) {
		if (i > 0)
			ua_buf_append(&b, ",", 1);
		ua_order_append_json(&b, &p->items[i]);
	}
	ua_buf_init(&filters);
	ua_buf_puts(&filters, "");
	page_filters(&filters, p);
	if (p->user_route)
		snprintf(base, sizeof(base), "/api/users/%lld/orders",
		    (long long)call->id);
	else
		snprintf(base, sizeof(base), "/api/orders/");
	ua_route_answer_page(req, &b, base, filters.data, p->page, p->limit,
	    p->total);
	ua_buf_cleanup(&filters);
	ua_buf_cleanup(&b);
}

static void
get_order(struct ua_req *req, const struct ua_call *call)
{
	const struct one_order *s = call->fetched;

	answer_order(req, 200, &s->order);
}

static void
update_order(struct ua_req *req, const struct ua_call *call)
{
	struct ua_order_update *in = ua_xmalloc(sizeof(*in));
	struct ua_order		o;
	enum ua_err		er;

	memset(&o, 0, sizeof(o));
	if (!ua_route_body(req, in, sizeof(*in)))
		goto out;
	if ((er = ua_order_update(call->svc, call->caller, call->id,
		 if_match_version(req), in, &o)) != UA_OK)
		answer_error(req, er);
	else
		answer_order(req, 200, &o);
out:
	ua_order_cleanup(&o);
	free(in);
}

static void
change_status(struct ua_req *req, const struct ua_call *call)
{
	struct ua_order_status_change in;
	struct ua_order		      o;
	enum ua_order_status	      current = UA_ORDER_PENDING;
	enum ua_err		      er;
	char			      detail[80];

	memset(&o, 0, sizeof(o));
	if (!ua_route_body(req, &in, sizeof(in)))
		return;
	er = ua_order_set_status(call->svc, call->caller, call->id,
	    if_match_version(req), in.status, &o, &current);
	if (er == UA_ERR_BAD_TRANSITION) {
		snprintf(detail, sizeof(detail),
		    "Cannot change status from %s to %s",
		    ua_order_status_name(current),
		    ua_order_status_name(in.status));
		ua_resp_detail(req, 409, detail);
	} else if (er != UA_OK)
		answer_error(req, er);
	else
		answer_order(req, 200, &o);
	ua_order_cleanup(&o);
}

static void
delete_order(struct ua_req *req, const struct ua_call *call)
{
	enum ua_err er;

	if ((er = ua_order_delete(call->svc, call->caller, call->id,
		 if_match_version(req))) != UA_OK)
		answer_error(req, er);
	else
		ua_resp_empty(req, 204);
}

/* --- the route tables ------------------------------------------------- */

static const struct ua_query_param page_params[] = {
	{ "page", 1, INT64_MAX, 1, "Page number, from 1", false, NULL },
	{ "limit", 1, UA_PAGE_LIMIT_MAX, UA_PAGE_LIMIT_DEFAULT,
	    "Orders per page", false, NULL },
	{ "status", 0, 0, 0, "Only orders in this status", true,
	    status_choices },
	{ "user_id", INT64_MIN, INT64_MAX, 0,
	    "Only this user's orders (admins only)", true, NULL },
	{ NULL, 0, 0, 0, NULL, false, NULL },
};

static const struct ua_query_param user_page_params[] = {
	{ "page", 1, INT64_MAX, 1, "Page number, from 1", false, NULL },
	{ "limit", 1, UA_PAGE_LIMIT_MAX, UA_PAGE_LIMIT_DEFAULT,
	    "Orders per page", false, NULL },
	{ "status", 0, 0, 0, "Only orders in this status", true,
	    status_choices },
	{ NULL, 0, 0, 0, NULL, false, NULL },
};

#define ONE_ORDER_ERRORS \
	(UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_NOT_FOUND) | \
	    UA_ERRBIT(UA_ERR_INVALID))

static const struct ua_route routes[] = {
	{
	    .method = UA_METHOD_POST,
	    .path = "/api/orders/",
	    .handler = create_order,
	    .access = UA_ACCESS_BEARER,
	    .summary = "Place an order (Idempotency-Key honoured)",
	    .body = UA_BODY_JSON,
	    .schema = &ua_schema_order_create,
	    .status = 201,
	    .response = "Order",
	    .errors = UA_BEARER_ERRORS | UA_BODY_ERRORS |
		UA_ERRBIT(UA_ERR_IDEM_BUSY) | UA_ERRBIT(UA_ERR_IDEM_MISMATCH),
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/orders/",
	    .handler = list_orders,
	    .access = UA_ACCESS_BEARER,
	    .fetch = &fetch_page,
	    .summary = "List orders, newest first (an admin sees everyone's)",
	    .status = 200,
	    .response = "OrderPage",
	    .query = page_params,
	    .errors = UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_FORBIDDEN) |
		UA_ERRBIT(UA_ERR_INVALID),
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/orders/{order_id}",
	    .handler = get_order,
	    .access = UA_ACCESS_OWNER_OR_ADMIN,
	    .fetch = &fetch_order,
	    .summary = "Read an order (owner or admin)",
	    .status = 200,
	    .response = "Order",
	    .errors = ONE_ORDER_ERRORS,
	},
	{
	    .method = UA_METHOD_PATCH,
	    .path = "/api/orders/{order_id}",
	    .handler = update_order,
	    .access = UA_ACCESS_OWNER_OR_ADMIN,
	    .fetch = &fetch_order,
	    .summary = "Change a pending order's note or items",
	    .body = UA_BODY_JSON,
	    .schema = &ua_schema_order_update,
	    .status = 200,
	    .response = "Order",
	    .errors = ONE_ORDER_ERRORS | UA_BODY_ERRORS |
		UA_ERRBIT(UA_ERR_ORDER_LOCKED) | UA_ERRBIT(UA_ERR_PRECONDITION),
	},
	{
	    .method = UA_METHOD_POST,
	    .path = "/api/orders/{order_id}/status",
	    .handler = change_status,
	    .access = UA_ACCESS_OWNER_OR_ADMIN,
	    .fetch = &fetch_order,
	    .summary = "Change an order's status",
	    .body = UA_BODY_JSON,
	    .schema = &ua_schema_order_status_change,
	    .status = 200,
	    .response = "Order",
	    .errors = ONE_ORDER_ERRORS | UA_BODY_ERRORS |
		UA_ERRBIT(UA_ERR_FORBIDDEN) | UA_ERRBIT(UA_ERR_BAD_TRANSITION) |
		UA_ERRBIT(UA_ERR_PRECONDITION),
	},
	{
	    .method = UA_METHOD_DELETE,
	    .path = "/api/orders/{order_id}",
	    .handler = delete_order,
	    .access = UA_ACCESS_OWNER_OR_ADMIN,
	    .fetch = &fetch_order,
	    .summary = "Delete a pending order",
	    .status = 204,
	    .errors = ONE_ORDER_ERRORS | UA_ERRBIT(UA_ERR_ORDER_LOCKED) |
		UA_ERRBIT(UA_ERR_PRECONDITION),
	},
};

static const struct ua_route user_routes[] = {
	{
	    .method = UA_METHOD_GET,
	    .path = "/api/users/{user_id}/orders",
	    .handler = list_orders,
	    .access = UA_ACCESS_SELF_OR_ADMIN,
	    .fetch = &fetch_user_page,
	    .summary = "List a user's orders (self or admin)",
	    .status = 200,
	    .response = "OrderPage",
	    .query = user_page_params,
	    .errors = UA_BEARER_ERRORS | UA_ERRBIT(UA_ERR_FORBIDDEN) |
		UA_ERRBIT(UA_ERR_NOT_FOUND) | UA_ERRBIT(UA_ERR_INVALID),
	},
};

const struct ua_router ua_router_orders = {
	.name = "orders",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
};

const struct ua_router ua_router_user_orders = {
	.name = "user_orders",
	.routes = user_routes,
	.nroutes = sizeof(user_routes) / sizeof(user_routes[0]),
};
