/*
 * order_fetch.c -- what the bearer step reads with the caller on the
 * order routes: one round trip each, checked by the step itself.
 */
#include "config.h"

#include <stdint.h>

#include "userapi/services.h"

enum ua_err
ua_order_fetch_with_caller(const struct ua_services *svc, int64_t caller_id,
    const char *sid, int64_t id, struct ua_user *caller,
    struct ua_credentials *cred, struct ua_order *out, bool *found)
{
	return svc->orders.ops->get_with_caller(svc->orders.arg, caller_id, sid,
	    caller, cred, id, out, found);
}

enum ua_err
ua_order_page_with_caller(const struct ua_services *svc, int64_t caller_id,
    const char *sid, const struct ua_order_filter *filter, int64_t page,
    int64_t limit, struct ua_user *caller, struct ua_credentials *cred,
    struct ua_order *items, size_t *n, int64_t *total, bool *found)
{
	int64_t offset;

	/* A page so far out that the offset overflows is just past the end. */
	if (page - 1 > INT64_MAX / limit)
		offset = INT64_MAX;
	else
		offset = (page - 1) * limit;
	return svc->orders.ops->list_with_caller(svc->orders.arg, caller_id,
	    sid, caller, cred, filter, offset, limit, items, n, total, found);
}
