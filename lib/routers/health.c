/*
 * health.c -- liveness (no database) and readiness (one round trip).
 */
#include "config.h"

#include <json-c/json.h>

#include "userapi/dependencies.h"
#include "userapi/response.h"
#include "userapi/routers.h"
#include "userapi/services.h"

static void
health(struct ua_req *req, const struct ua_call *call)
{
	struct json_object *o = json_object_new_object();

	(void)call;
	json_object_object_add(o, "status", json_object_new_string("healthy"));
	ua_resp_json(req, 200, o);
}

/*
 * Ready means the database answers.  The 503 keeps this route's own
 * body shape (API.md), not the generic {"detail"}.
 */
static void
ready(struct ua_req *req, const struct ua_call *call)
{
	struct json_object *o = json_object_new_object();
	int		    up = ua_services_ping(call->svc) == UA_OK;

	json_object_object_add(o, "status",
	    json_object_new_string(up ? "ready" : "unavailable"));
	json_object_object_add(o, "database",
	    json_object_new_string(up ? "ok" : "unreachable"));
	if (!up)
		ua_resp_header(req, "Retry-After", "%d", 5);
	ua_resp_json(req, up ? 200 : 503, o);
}

static const struct ua_route routes[] = {
	{
	    .method = UA_METHOD_GET,
	    .path = "/health",
	    .handler = health,
	    .access = UA_ACCESS_NONE,
	    .summary = "Liveness: the worker answers; no database",
	    .status = 200,
	    .response = "Health",
	},
	{
	    .method = UA_METHOD_GET,
	    .path = "/health/ready",
	    .handler = ready,
	    .access = UA_ACCESS_NONE,
	    .summary = "Readiness: the database answers",
	    .status = 200,
	    .response = "Readiness",
	    .errors = UA_ERRBIT(UA_ERR_DB_UNAVAILABLE),
	    .error_response = "Readiness",
	},
};

const struct ua_router ua_router_health = {
	.name = "health",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
};
