/*
 * dependencies.h -- what a route needs before its handler runs: the
 * caller, from the bearer token.
 */
#ifndef USERAPI_DEPENDENCIES_H
#define USERAPI_DEPENDENCIES_H
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/request.h"
#include "userapi/user.h"

struct ua_services;

/*
 * The router's check for bearer routes: an "Authorization: Bearer"
 * header (else UA_ERR_UNAUTHENTICATED) holding a token with a good
 * signature, algorithm and expiry (else UA_ERR_BAD_TOKEN).  Sets
 * req->authenticated, auth_sub and auth_ver.  No database.
 */
enum ua_err ua_bearer_authenticate(struct ua_req *req);

/*
 * The current user of an authenticated request, and user "target_id"
 * (0: none) in the same round trip.  UA_ERR_BAD_TOKEN if the user is
 * gone or the token predates a password change.
 */
enum ua_err ua_current_user(struct ua_req *req, const struct ua_services *svc,
    struct ua_user *caller, int64_t target_id, struct ua_user *target,
    bool *target_found);

#pragma GCC visibility pop
#endif
