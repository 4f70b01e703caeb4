/*
 * order_service.c -- placing orders, and who may change them how.
 *
 * The bearer step has already applied each route's rule (owner or
 * admin) to the order it read; the service checks ownership again on
 * the order it changes, so that no caller of these functions can skip
 * it.  Every change is one atomic statement in the repository, so two
 * racing changes behave as if run one after the other: the loser sees
 * the winner's result (a 409), never both succeed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "userapi/services.h"

/* Who may make which status change: API.md's table, nothing else. */
static const struct transition {
	enum ua_order_status from, to;
	bool		     owner_may; /* else admins only */
} transitions[] = {
	{ UA_ORDER_PENDING, UA_ORDER_PAID, false },
	{ UA_ORDER_PENDING, UA_ORDER_CANCELLED, true },
	{ UA_ORDER_PAID, UA_ORDER_SHIPPED, false },
	{ UA_ORDER_PAID, UA_ORDER_CANCELLED, false },
	{ UA_ORDER_SHIPPED, UA_ORDER_DELIVERED, false },
};

enum ua_err
ua_order_transition_allowed(enum ua_order_status from, enum ua_order_status to,
    enum ua_order_actor who)
{
	size_t i;

	for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (transitions[i].from == from && transitions[i].to == to)
			return who == UA_ORDER_ACTOR_ADMIN ||
				transitions[i].owner_may ?
			    UA_OK :
			    UA_ERR_FORBIDDEN;
	return UA_ERR_BAD_TRANSITION;
}

enum ua_err
ua_order_idem_init(struct ua_idem *idem, const char *key, const void *body,
    size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  mdlen = 0;
	size_t	      n, i;

	memset(idem, 0, sizeof(*idem));
	if (key == NULL)
		return UA_ERR_INVALID;
	n = strnlen(key, UA_IDEM_KEY_MAX + 1);
	if (n == 0 || n > UA_IDEM_KEY_MAX)
		return UA_ERR_INVALID;
	for (i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e) /* visible ASCII */
			return UA_ERR_INVALID;
	if (EVP_Digest(body != NULL ? body : "", len, md, &mdlen, EVP_sha256(),
		NULL) != 1)
		return UA_ERR_INTERNAL;
	memcpy(idem->key, key, n + 1);
	for (i = 0; i < mdlen && 2 * i + 2 < sizeof(idem->fingerprint); i++)
		snprintf(idem->fingerprint + 2 * i, 3, "%02x", md[i]);
	return UA_OK;
}

static bool
is_admin(const struct ua_user *u)
{
	return u->role == UA_ROLE_ADMIN;
}

/*
 * Order "id" into "o" as "caller" may see it: its owner's or, for an
 * admin, anyone's (those whose owner was deleted included).
 */
static enum ua_err
load_visible(const struct ua_services *svc, const struct ua_user *caller,
    int64_t id, struct ua_order *o)
{
	struct ua_credentials cred;
	struct ua_user	      me;
	enum ua_err	      er;
	bool		      found = false;

	er = svc->orders.ops->get_with_caller(svc->orders.arg, caller->id, NULL,
	    &me, &cred, id, o, &found);
	memset(&cred, 0, sizeof(cred));
	if (er != UA_OK)
		return er == UA_ERR_NOT_FOUND ? UA_ERR_NOT_FOUND : er;
	if (!found ||
	    (!is_admin(caller) && (!o->has_user || o->user_id != caller->id))) {
		ua_order_cleanup(o); /* nothing of it reaches the caller */
		return UA_ERR_NOT_FOUND;
	}
	return UA_OK;
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
	/* The caller was deleted since the bearer step read it. */
	return er == UA_ERR_NOT_FOUND ? UA_ERR_BAD_TOKEN : er;
}

enum ua_err
ua_order_idem_keep(const struct ua_services *svc, const struct ua_user *caller,
    const struct ua_idem *idem, int status, const char *body, size_t len,
    struct ua_idem_answer *answer)
{
	return svc->orders.ops->keep_answer(svc->orders.arg, caller->id, idem,
	    status, body, len, answer);
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

	if ((er = load_visible(svc, caller, id, out)) != UA_OK)
		return er;
	ua_order_cleanup(out);
	return svc->orders.ops->update(svc->orders.arg, id, if_version, in,
	    out);
}

enum ua_err
ua_order_set_status(const struct ua_services *svc, const struct ua_user *caller,
    int64_t id, int64_t if_version, enum ua_order_status to,
    struct ua_order *out, enum ua_order_status *current)
{
	enum ua_order_status from;
	enum ua_err	     er;
	int64_t		     version;

	if ((er = load_visible(svc, caller, id, out)) != UA_OK)
		return er;
	from = *current = out->status;
	version = out->version;
	ua_order_cleanup(out); /* "out" holds only the changed order */
	if (if_version != 0 && if_version != version)
		return UA_ERR_PRECONDITION;
	if ((er = ua_order_transition_allowed(from, to,
		 is_admin(caller) ? UA_ORDER_ACTOR_ADMIN :
				    UA_ORDER_ACTOR_OWNER)) != UA_OK)
		return er;
	/* Only if still "from": a change lost to another is a 409. */
	return svc->orders.ops->set_status(svc->orders.arg, id, if_version,
	    from, to, out, current);
}

enum ua_err
ua_order_delete(const struct ua_services *svc, const struct ua_user *caller,
    int64_t id, int64_t if_version)
{
	struct ua_order o;
	enum ua_err	er;

	memset(&o, 0, sizeof(o));
	er = load_visible(svc, caller, id, &o);
	ua_order_cleanup(&o);
	if (er != UA_OK)
		return er;
	return svc->orders.ops->remove(svc->orders.arg, id, if_version);
}
