/*
 * routers-private.h -- what the route handlers share: reading the body
 * a route declares, path ids, and answering a service's error.
 */
#ifndef USERAPI_ROUTERS_PRIVATE_H
#define USERAPI_ROUTERS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "userapi/buf.h"
#include "userapi/errors.h"
#include "userapi/request.h"
#include "userapi/dependencies.h"
#include "userapi/router.h"
#include "userapi/user.h"
#include "userapi/validate.h"

/*
 * Read the body the matched route declares into "out" (zeroed here).
 * false: the answer (415 or 422) is already set.
 */
bool ua_route_body(struct ua_req *req, void *out, size_t outlen);

/*
 * Query parameter "name" as the matched route declares it (bounds,
 * default).  false: a 422 problem was added to "errs".
 */
bool ua_route_query_int(struct ua_req *req, const char *name, int64_t *out,
    struct ua_verrs *errs);

/*
 * Query parameter "name" declared with choices: its index among them
 * in "*out", "*given" false if absent.  false: a 422 problem ("enum")
 * was added to "errs".
 */
bool ua_route_query_choice(struct ua_req *req, const char *name, int *out,
    bool *given, struct ua_verrs *errs);

/*
 * Answer 200 with the page whose items "b" holds, after its opening
 * {"data":[ : close it with the "meta" object (page, limit, total,
 * total_pages), and add X-Total-Count and the RFC 8288 Link header of
 * page "page" of "limit" of "total" items at "base" ("/api/users/");
 * "filters" is "" or query pairs each ending in "&" ("status=paid&"),
 * kept in every link.
 */
void ua_route_answer_page(struct ua_req *req, struct ua_buf *b,
    const char *base, const char *filters, int64_t page, int64_t limit,
    int64_t total);

/* Rows per page: the default and the most of the list routes. */
#define UA_PAGE_LIMIT_DEFAULT 20
#define UA_PAGE_LIMIT_MAX 100

/* What every bearer route may answer besides its own errors. */
#define UA_BEARER_ERRORS \
	(UA_ERRBIT(UA_ERR_UNAUTHENTICATED) | UA_ERRBIT(UA_ERR_DB_UNAVAILABLE))
/* What a route with a JSON body may answer for it. */
#define UA_BODY_ERRORS \
	(UA_ERRBIT(UA_ERR_TOO_LARGE) | UA_ERRBIT(UA_ERR_MEDIA_TYPE) | \
	    UA_ERRBIT(UA_ERR_INVALID))

/* Answer the 422 of "errs". */
void ua_route_invalid(struct ua_req *req, struct ua_verrs *errs);

/* Answer "status" with the User object of "u". */
void ua_route_answer_user(struct ua_req *req, int status,
    const struct ua_user *u);

/*
 * The bearer step's fetch of the path's user with the caller (404 "User
 * not found"), for the routes on /api/users/{user_id}.
 */
extern const struct ua_fetch ua_fetch_user;

#endif
