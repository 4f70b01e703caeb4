/*
 * dependencies-private.h -- the access check, for dispatch and tests.
 */
#ifndef USERAPI_DEPENDENCIES_PRIVATE_H
#define USERAPI_DEPENDENCIES_PRIVATE_H

#include <stdbool.h>

#include "userapi/dependencies.h"

/*
 * Run the check req->route declares.  true: the handler may run with
 * "call" (call->caller points at "caller", call->fetched is set).
 * false: the answer (401, 403, 404, 422, 503) is set.  Either way
 * release with ua_access_release().
 */
bool ua_access_check(const struct ua_services *svc, struct ua_req *req,
    struct ua_call *call, struct ua_user *caller);

/* Release what the route's fetch read into "call". */
void ua_access_release(const struct ua_route *route, struct ua_call *call);

#endif
