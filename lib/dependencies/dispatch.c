/*
 * dispatch.c -- route a request, check its access, run its handler.
 */
#include "config.h"

#include "userapi/buf.h"
#include "userapi/dependencies.h"
#include "userapi/log.h"
#include "userapi/response.h"
#include "dependencies-private.h"

void
ua_dispatch(const struct ua_services *svc,
    const struct ua_router *const *routers, size_t nrouters, struct ua_req *req)
{
	const struct ua_route *route;
	struct ua_call	       call = { .svc = svc, .sid = "" };
	struct ua_user	       caller;
	struct ua_buf	       allow;
	enum ua_err	       er;

	ua_buf_init(&allow);
	er = ua_router_match(routers, nrouters, req, &route, &allow);
	if (er == UA_ERR_METHOD) {
		ua_resp_error(req, er);
		ua_resp_header(req, "Allow", "%s", allow.data);
	} else if (er != UA_OK)
		ua_resp_error(req, er);
	else if (route->body != UA_BODY_NONE && req->length_unknown)
		ua_resp_error(req, UA_ERR_LENGTH_REQUIRED);
	else {
		if (ua_access_check(svc, req, &call, &caller)) {
			route->handler(req, &call);
			if (req->resp.status == 0) {
				ua_log_err("handler for %s %s set no response",
				    ua_method_name(route->method), route->path);
				ua_resp_error(req, UA_ERR_INTERNAL);
			}
		}
		ua_access_release(route, &call);
	}
	ua_buf_cleanup(&allow);
}
