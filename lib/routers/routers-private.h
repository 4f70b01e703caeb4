/*
 * routers-private.h -- what the route handlers share: reading the body
 * a route declares, path ids, and answering a service's error.
 */
#ifndef USERAPI_ROUTERS_PRIVATE_H
#define USERAPI_ROUTERS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "userapi/errors.h"
#include "userapi/request.h"
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
 * X-Total-Count and the RFC 8288 Link header of page "page" of "limit"
 * of "total" items at "base" ("/api/users/"); "filters" is "" or query
 * pairs each ending in "&" ("status=paid&"), kept in every link.
 */
void ua_route_page_headers(struct ua_req *req, const char *base,
    const char *filters, int64_t page, int64_t limit, int64_t total);

/* Answer the 422 of "errs". */
void ua_route_invalid(struct ua_req *req, struct ua_verrs *errs);

/* Answer "status" with the User object of "u". */
void ua_route_answer_user(struct ua_req *req, int status,
    const struct ua_user *u);

#endif
