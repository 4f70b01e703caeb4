/*
 * order_service.c -- the rules of orders: who may see and change one,
 * the status transitions, If-Match, and Idempotency-Key.
 *
 * Visibility: an order is its owner's and every admin's; to anyone
 * else it does not exist (UA_ERR_NOT_FOUND on every operation, so that
 * a non-owner learns nothing).  An order whose owner was deleted has
 * none: only admins see it.
 *
 * Money: the repository computes line and order totals from the items
 * (order.h's limits keep every sum below 1e16, far from INT64_MAX), so
 * nothing here adds money.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "userapi/alloc.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/order.h"
#include "userapi/order_repo.h"
#include "userapi/services.h"
#include "userapi/user.h"

/*
 * The transitions of API.md, and the least actor who may make each:
 * an admin-only one is refused to an owner (UA_ERR_FORBIDDEN); any
 * transition not listed is refused to everyone (UA_ERR_BAD_TRANSITION),
 * to the same status included.
 */
static const struct transition {
	enum ua_order_status from;
	enum ua_order_status to;
	enum ua_order_actor  who;
} transitions[] = {
	{ UA_ORDER_PENDING, UA_ORDER_PAID, UA_ORDER_ACTOR_ADMIN },
	{ UA_ORDER_PENDING, UA_ORDER_CANCELLED, UA_ORDER_ACTOR_OWNER },
	{ UA_ORDER_PAID, UA_ORDER_SHIPPED, UA_ORDER_ACTOR_ADMIN },
	{ UA_ORDER_PAID, UA_ORDER_CANCELLED, UA_ORDER_ACTOR_ADMIN },
	{ UA_ORDER_SHIPPED, UA_ORDER_DELIVERED, UA_ORDER_ACTOR_ADMIN },
};

enum ua_err
ua_order_transition_allowed(enum ua_order_status from, enum ua_order_status to,
    enum ua_order_actor who)
{
	size_t i;

	for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++) {
		if (transitions[i].from != from || transitions[i].to != to)
			continue;
		if (transitions[i].who == UA_ORDER_ACTOR_ADMIN &&
		    who != UA_ORDER_ACTOR_ADMIN)
			return UA_ERR_FORBIDDEN;
		return UA_OK;
	}
	return UA_ERR_BAD_TRANSITION;
}

enum ua_err
ua_order_idem_init(struct ua_idem *idem, const char *key, const void *body,
    size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	  md[EVP_MAX_MD_SIZE];
	unsigned int	  mdlen = 0, i;
	size_t		  klen;

	memset(idem, 0, sizeof(*idem));
	if (key == NULL)
		return UA_ERR_INVALID;
	klen = strnlen(key, UA_IDEM_KEY_MAX + 1);
	if (klen == 0 || klen > UA_IDEM_KEY_MAX)
		return UA_ERR_INVALID;
	for (i = 0; i < klen; i++)
		if (key[i] < '!' || key[i] > '~')
			return UA_ERR_INVALID;
	if (EVP_Digest(body != NULL ? body : "", body != NULL ? len : 0, md,
		&mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 != UA_IDEM_FINGERPRINT_LEN) {
		ua_log_err("orders: SHA-256 failed");
		return UA_ERR_INTERNAL;
	}
	memcpy(idem->key, key, klen);
	for (i = 0; i < mdlen; i++) {
		idem->fingerprint[2 * i] = hex[md[i] >> 4];
		idem->fingerprint[2 * i + 1] = hex[md[i] & 0xf];
	}
	return UA_OK;
}

static bool
is_admin(const struct ua_user *u)
{
	return u->role == UA_ROLE_ADMIN;
}

/* May "caller" see "o": an admin, or its owner while it has one. */
static bool
may_see(const struct ua_user *caller, const struct ua_order *o)
{
	return is_admin(caller) || (o->has_user && o->user_id == caller->id);
}

enum ua_err
ua_order_read_with_caller(const struct ua_services *svc, int64_t sub,
    int64_t ver, struct ua_user *caller, int64_t order_id, struct ua_order *out)
{
	struct ua_credentials cred;
	enum ua_err	      er;
	bool		      found;

	er = svc->orders.ops->get_with_caller(svc->orders.arg, sub, caller,
	    &cred, order_id, out, &found);
	if ((er = ua_auth_check_caller(er, &cred, ver)) != UA_OK) {
		memset(caller, 0, sizeof(*caller));
		ua_order_cleanup(out);
		return er;
	}
	if (!found || !may_see(caller, out)) {
		ua_order_cleanup(out);
		return UA_ERR_NOT_FOUND;
	}
	return UA_OK;
}

enum ua_err
ua_order_list_with_caller(const struct ua_services *svc, int64_t sub,
    int64_t ver, const struct ua_order_query *q, int64_t page, int64_t limit,
    struct ua_user *caller, struct ua_order *items, size_t *n, int64_t *total)
{
	struct ua_credentials  cred;
	struct ua_order_filter f;
	int64_t		       offset, i;
	enum ua_err	       er;
	bool		       user_exists;

	memset(caller, 0, sizeof(*caller));
	*n = 0;
	*total = 0;
	if (page < 1 || limit < 1)
		return UA_ERR_INVALID;
	for (i = 0; i < limit; i++)
		memset(&items[i], 0, sizeof(items[i]));
	/* A page so far out that the offset overflows is just past the end. */
	if (page - 1 > INT64_MAX / limit)
		offset = INT64_MAX;
	else
		offset = (page - 1) * limit;

	memset(&f, 0, sizeof(f));
	f.all_users = true; /* an admin sees everyone's; others their own */
	f.has_user_id = q->has_user_id;
	f.user_id = q->user_id;
	f.has_status = q->has_status;
	f.status = q->status;
	er = svc->orders.ops->list_with_caller(svc->orders.arg, sub, caller,
	    &cred, &f, offset, limit, items, n, total, &user_exists);
	if ((er = ua_auth_check_caller(er, &cred, ver)) != UA_OK)
		goto fail;
	if (q->has_user_id && !is_admin(caller)) {
		/* ?user_id= is admins' only; the user route self or admin. */
		if (!q->user_route || q->user_id != caller->id) {
			er = UA_ERR_FORBIDDEN;
			goto fail;
		}
	}
	if (q->has_user_id && q->user_route && !user_exists) {
		er = UA_ERR_NOT_FOUND;
		goto fail;
	}
	return UA_OK;
fail:
	if (er != UA_ERR_FORBIDDEN)
		memset(caller, 0, sizeof(*caller));
	for (i = 0; i < limit; i++)
		ua_order_cleanup(&items[i]);
	*n = 0;
	*total = 0;
	return er;
}

enum ua_err
ua_order_create(const struct ua_services *svc, const struct ua_user *caller,
    const struct ua_order_create *in, const struct ua_idem *idem,
    const struct ua_order_render *render, struct ua_order *out,
    struct ua_idem_answer *answer)
{
	enum ua_err er;

	er = svc->orders.ops->insert(svc->orders.arg, caller->id, in, idem,
	    render, out, answer);
	/* The caller was deleted since the bearer check. */
	return er == UA_ERR_NOT_FOUND ? UA_ERR_BAD_TOKEN : er;
}

/*
 * Order "id" into "out" if "caller" may see it: UA_OK,
 * UA_ERR_NOT_FOUND (missing or not the caller's), UA_ERR_BAD_TOKEN (the
 * caller is gone), or a repository error.  "out" is cleaned on error.
 */
static enum ua_err
load_visible(const struct ua_services *svc, const struct ua_user *caller,
    int64_t id, struct ua_order *out)
{
	struct ua_user	      me;
	struct ua_credentials cred;
	enum ua_err	      er;
	bool		      found;

	er = svc->orders.ops->get_with_caller(svc->orders.arg, caller->id, &me,
	    &cred, id, out, &found);
	ua_secure_zero(&cred, sizeof(cred));
	if (er == UA_ERR_NOT_FOUND)
		return UA_ERR_BAD_TOKEN;
	if (er != UA_OK)
		return er;
	if (!found || !may_see(caller, out)) {
		ua_order_cleanup(out);
		return UA_ERR_NOT_FOUND;
	}
	return UA_OK;
}

enum ua_err
ua_order_get(const struct ua_services *svc, const struct ua_user *caller,
    int64_t id, struct ua_order *out)
{
	return load_visible(svc, caller, id, out);
}

enum ua_err
ua_order_update(const struct ua_services *svc, const struct ua_user *caller,
    int64_t id, int64_t if_version, const struct ua_order_update *in,
    struct ua_order *out)
{
	enum ua_err er;

	memset(out, 0, sizeof(*out));
	/* An admin sees every order: the repository tells a missing one. */
	if (!is_admin(caller)) {
		if ((er = load_visible(svc, caller, id, out)) != UA_OK)
			return er;
		ua_order_cleanup(out);
	}
	return svc->orders.ops->update(svc->orders.arg, id, if_version, in,
	    out);
}

enum ua_err
ua_order_set_status(const struct ua_services *svc, const struct ua_user *caller,
    int64_t id, int64_t if_version, enum ua_order_status to,
    struct ua_order *out, enum ua_order_status *current)
{
	struct ua_order	     now;
	enum ua_order_status from;
	enum ua_err	     er;

	memset(out, 0, sizeof(*out));
	if ((er = load_visible(svc, caller, id, &now)) != UA_OK)
		return er;
	from = now.status;
	*current = from;
	if (if_version != 0 && if_version != now.version)
		er = UA_ERR_PRECONDITION;
	else
		er = ua_order_transition_allowed(from, to,
		    is_admin(caller) ? UA_ORDER_ACTOR_ADMIN :
				       UA_ORDER_ACTOR_OWNER);
	ua_order_cleanup(&now);
	if (er != UA_OK)
		return er;
	/* Only if it is still in "from": a race lost is a bad transition. */
	return svc->orders.ops->set_status(svc->orders.arg, id, if_version,
	    from, to, out, current);
}

enum ua_err
ua_order_delete(const struct ua_services *svc, const struct ua_user *caller,
    int64_t id, int64_t if_version)
{
	struct ua_order o;
	enum ua_err	er;

	if (!is_admin(caller)) {
		if ((er = load_visible(svc, caller, id, &o)) != UA_OK)
			return er;
		ua_order_cleanup(&o);
	}
	return svc->orders.ops->remove(svc->orders.arg, id, if_version);
}
