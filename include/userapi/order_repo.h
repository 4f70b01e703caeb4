/*
 * order_repo.h -- what services may ask of order storage.
 *
 * An interface: a const table of operations and the argument they take.
 * ua_order_repo_pg stores orders in PostgreSQL; the unit tests use an
 * in-memory fake with the same behaviour, and one contract test runs
 * against both.
 *
 * Every operation that fills a struct ua_order leaves heap memory in it
 * (items, note): the caller releases it with ua_order_cleanup(), on
 * success and on error alike (on error it is zeroed, and cleaning a
 * zeroed order is a no-op).  Money is computed here, never taken from
 * the client: line_total = unit_price * quantity, total = the sum of
 * the lines; order.h says why no sum can overflow within its limits.
 *
 * Optimistic concurrency: every change bumps "version" by one and sets
 * updated_at; "if_version" 0 means any version, anything else must equal
 * the stored one (UA_ERR_PRECONDITION).  The checks of a change and the
 * change itself are one atomic step: two changes racing on one order
 * behave as if they had run one after the other.
 *
 * Errors common to every operation: UA_ERR_DB_UNAVAILABLE (database
 * unreachable, timed out, or a COMMIT's outcome unknown), UA_ERR_DB
 * (anything unexpected, logged).
 */
#ifndef USERAPI_ORDER_REPO_H
#define USERAPI_ORDER_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "userapi/buf.h"
#include "userapi/errors.h"
#include "userapi/order.h"
#include "userapi/user.h"

#pragma GCC visibility push(default)

/* An Idempotency-Key: 1 to 255 visible ASCII characters. */
#define UA_IDEM_KEY_MAX 255
/* A request's fingerprint: the SHA-256 of its body, in lower-case hex. */
#define UA_IDEM_FINGERPRINT_LEN 64
/* How long a stored answer is replayed. */
#define UA_IDEM_TTL_S (24 * 60 * 60)

/* The key a request came with, and what identifies that request. */
struct ua_idem {
	char key[UA_IDEM_KEY_MAX + 1];
	char fingerprint[UA_IDEM_FINGERPRINT_LEN + 1];
};

/*
 * A stored answer: an HTTP status and the body's bytes (NUL-terminated
 * for convenience; "len" excludes the NUL).  "body" is heap memory that
 * ua_idem_answer_cleanup() releases; a zeroed struct is a valid empty
 * one.
 */
struct ua_idem_answer {
	int    status;
	char  *body;
	size_t len;
};

/* Release what "a" holds and zero it; NULL is a no-op. */
void ua_idem_answer_cleanup(struct ua_idem_answer *a);

/*
 * What the router supplies so that the answer to a new order is kept
 * under its Idempotency-Key in the order's own transaction, while the
 * repository stays free of JSON: turn "o" (the order as created) into
 * "*status" and append the body to "body" (initialised, empty).  The
 * body is what a client gets byte for byte, so it must hold no NUL
 * (JSON never does).  Anything but UA_OK, or a status of 500 or more,
 * makes the insert keep nothing and fail.
 */
struct ua_order_render {
	enum ua_err (*fn)(void *arg, const struct ua_order *o, int *status,
	    struct ua_buf *body);
	void *arg;
};

/* Which orders a list shows. */
struct ua_order_filter {
	/*
	 * An admin caller (as the caller's row says, read in the same
	 * statement) sees every user's orders when this is true; any
	 * other caller, or an admin with it false, sees only their own.
	 */
	bool		     all_users;
	bool		     has_user_id; /* only the orders of "user_id" */
	int64_t		     user_id;
	bool		     has_status; /* only the orders in "status" */
	enum ua_order_status status;
};

struct ua_order_repo_ops {
	/*
	 * The bearer check's fetch for GET /api/orders/{id}: the caller's
	 * row with its credentials, and order "order_id" with its items,
	 * in one round trip (one statement).  UA_OK: "*caller" and
	 * "*caller_cred" filled, "*found" says whether "*order" was (of
	 * any owner: visibility is the service's).  UA_ERR_NOT_FOUND if
	 * the caller is gone.  On error every out-parameter is zeroed.
	 */
	enum ua_err (*get_with_caller)(void *arg, int64_t caller_id,
	    const char *sid, struct ua_user *caller,
	    struct ua_credentials *caller_cred, int64_t order_id,
	    struct ua_order *order, bool *found);

	/*
	 * The bearer check's fetch for the lists: the caller's row with
	 * its credentials, and up to "limit" orders that "filter" lets the
	 * caller see (see struct ua_order_filter; applied in SQL from the
	 * caller's role as stored), newest first (id descending) after
	 * skipping "offset", each with its items, into "items" (room for
	 * "limit", caller storage, each cleaned by the caller with
	 * ua_order_cleanup() whatever the result); "*n" how many,
	 * "*total" how many the filter matches in all.  With
	 * "filter->has_user_id", "*user_exists" says whether that user
	 * exists (else it is true).  One round trip, one snapshot.
	 * UA_ERR_NOT_FOUND if the caller is gone; UA_ERR_INVALID for a
	 * negative "offset" or "limit".  The total of an admin's list
	 * comes from counters kept by triggers, never a count of the whole
	 * table; a single user's from an index.
	 */
	enum ua_err (*list_with_caller)(void *arg, int64_t caller_id,
	    const char *sid, struct ua_user *caller,
	    struct ua_credentials	 *caller_cred,
	    const struct ua_order_filter *filter, int64_t offset, int64_t limit,
	    struct ua_order *items, size_t *n, int64_t *total,
	    bool *user_exists);

	/*
	 * A new pending order of "user_id" with the items of "in", version
	 * 1, totals computed, a "note" of "" stored as none, all in one
	 * transaction; "*out" is the order as stored.
	 *
	 * "idem" NULL: no Idempotency-Key ("render" is not used, may be
	 * NULL, and "*answer" stays empty).  Otherwise, atomically per
	 * (user_id, key):
	 *  - another request with that key in progress: UA_ERR_IDEM_BUSY
	 *    at once, never waiting;
	 *  - an answer kept within UA_IDEM_TTL_S with the same
	 *    fingerprint: UA_ERR_IDEM_REPLAY, nothing created, "*answer"
	 *    holds the kept status and body, "*out" stays empty;
	 *  - with another fingerprint: UA_ERR_IDEM_MISMATCH;
	 *  - else the order is created, "render" turns it into the answer,
	 *    and the answer is stored under the key in the same
	 *    transaction: UA_OK with "*answer" holding it (the exact bytes
	 *    to send).
	 * A failure, or a crash before the COMMIT, keeps nothing: a retry
	 * runs anew.  Expired keys are deleted opportunistically by the
	 * inserts that come with a key (that key's own, and a few of the
	 * oldest of anyone's).
	 *
	 * The caller releases "*out" with ua_order_cleanup() and "*answer"
	 * with ua_idem_answer_cleanup(), whatever the result.
	 * UA_ERR_NOT_FOUND if user "user_id" does not exist;
	 * UA_ERR_INVALID for input outside order.h's limits (the schema
	 * layer refuses it first) or a bad key; what "render" returned, or
	 * UA_ERR_INTERNAL for a status of 500 or more.
	 */
	enum ua_err (*insert)(void *arg, int64_t user_id,
	    const struct ua_order_create *in, const struct ua_idem *idem,
	    const struct ua_order_render *render, struct ua_order *out,
	    struct ua_idem_answer *answer);

	/*
	 * Keep an answer that created nothing ("status" 100..499, "body"
	 * "len" bytes without a NUL: a 422 of a body that failed
	 * validation) under ("user_id", "idem"), with the same atomic
	 * steps as insert: UA_ERR_IDEM_BUSY at once while another request
	 * holds the key; UA_ERR_IDEM_REPLAY with the answer kept earlier
	 * in "*answer"; UA_ERR_IDEM_MISMATCH for another fingerprint; else
	 * UA_OK once kept ("*answer" stays empty).  The caller releases
	 * "*answer" whatever the result.
	 */
	enum ua_err (*keep_answer)(void *arg, int64_t user_id,
	    const struct ua_idem *idem, int status, const char *body,
	    size_t len, struct ua_idem_answer *answer);

	/*
	 * Apply "patch" to order "id": "note" ("" clears it) and, when
	 * given, all of the items at once.  In this order:
	 * UA_ERR_NOT_FOUND; UA_ERR_PRECONDITION if "if_version" is neither
	 * 0 nor the stored version; UA_ERR_ORDER_LOCKED unless the order
	 * is pending.  A patch that changes nothing gives UA_OK with the
	 * order as it is, version and updated_at unchanged; a real change
	 * bumps the version and sets updated_at.  "*out" is the order as
	 * stored afterwards.
	 */
	enum ua_err (*update)(void *arg, int64_t id, int64_t if_version,
	    const struct ua_order_update *patch, struct ua_order *out);

	/*
	 * Move order "id" from status "from" to "to" (the service has
	 * checked that the transition is allowed), only if it is still in
	 * "from": bumps the version, sets updated_at, UA_OK with the order
	 * in "*out".  Otherwise, as the order is now: UA_ERR_NOT_FOUND;
	 * UA_ERR_PRECONDITION if "if_version" is neither 0 nor its
	 * version; UA_ERR_BAD_TRANSITION if its status is no longer
	 * "from", with that status in "*current" (so the caller can say
	 * "Cannot change status from <current> to <to>").  "*current" is
	 * the order's status after the call whenever it exists.
	 */
	enum ua_err (*set_status)(void *arg, int64_t id, int64_t if_version,
	    enum ua_order_status from, enum ua_order_status to,
	    struct ua_order *out, enum ua_order_status *current);

	/*
	 * Delete order "id" and its items.  In this order:
	 * UA_ERR_NOT_FOUND, UA_ERR_PRECONDITION, UA_ERR_ORDER_LOCKED
	 * unless pending; else UA_OK.
	 */
	enum ua_err (*remove)(void *arg, int64_t id, int64_t if_version);
};

struct ua_order_repo {
	const struct ua_order_repo_ops *ops;
	void			       *arg;
};

/* The PostgreSQL implementation; "arg" is the worker's struct ua_db. */
extern const struct ua_order_repo_ops ua_order_repo_pg;

#pragma GCC visibility pop
#endif
