/*
 * fake_order_repo.c -- an in-memory order repository with the
 * observable behaviour of the PostgreSQL one (see fake_order_repo.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userapi/alloc.h"
#include "userapi/buf.h"
#include "userapi/errors.h"
#include "userapi/order.h"
#include "userapi/order_repo.h"
#include "userapi/user.h"
#include "fake_order_repo.h"
#include "fake_repo.h"

/* One row of idempotency_keys. */
struct fkey {
	int64_t user_id;
	char	key[UA_IDEM_KEY_MAX + 1];
	char	fingerprint[UA_IDEM_FINGERPRINT_LEN + 1];
	int	status;
	char   *body;
	size_t	len;
	int64_t created_s;
};

/* A key whose insert is running its render callback. */
struct fbusy {
	int64_t user_id;
	char	key[UA_IDEM_KEY_MAX + 1];
};

#define BUSY_MAX 8 /* nested inserts a test may make */

struct fake_order_repo {
	struct fake_repo *users;
	struct ua_order	 *orders; /* by id, ascending */
	size_t		  norders;
	int64_t		  next_id;
	struct fkey	 *keys;
	size_t		  nkeys;
	struct fbusy	  busy[BUSY_MAX];
	size_t		  nbusy;
	enum ua_err	  fail_op[FAKE_ORDER__MAX];
	unsigned	  calls[FAKE_ORDER__MAX];
};

struct fake_order_repo *
fake_order_repo_new(struct fake_repo *users)
{
	struct fake_order_repo *fo = ua_xcalloc(1, sizeof(*fo));

	fo->users = users;
	fo->next_id = 1;
	return fo;
}

void
fake_order_repo_free(struct fake_order_repo *fo)
{
	size_t i;

	if (fo == NULL)
		return;
	for (i = 0; i < fo->norders; i++)
		ua_order_cleanup(&fo->orders[i]);
	for (i = 0; i < fo->nkeys; i++)
		free(fo->keys[i].body);
	free(fo->orders);
	free(fo->keys);
	free(fo);
}

struct ua_order_repo
fake_order_repo_orders(struct fake_order_repo *fo)
{
	struct ua_order_repo r = { &fake_order_repo_ops, fo };

	return r;
}

void
fake_order_repo_fail_op(struct fake_order_repo *fo, enum fake_order_op op,
    enum ua_err er)
{
	if ((unsigned)op < FAKE_ORDER__MAX)
		fo->fail_op[op] = er;
}

unsigned
fake_order_repo_calls(const struct fake_order_repo *fo, enum fake_order_op op)
{
	return (unsigned)op < FAKE_ORDER__MAX ? fo->calls[op] : 0;
}

size_t
fake_order_repo_norders(const struct fake_order_repo *fo)
{
	return fo->norders;
}

size_t
fake_order_repo_nkeys(const struct fake_order_repo *fo)
{
	return fo->nkeys;
}

/* ---------------------------------------------------------------- */
/* Helpers. */

/* Count a call of "op"; the error it must give, or UA_OK to go on. */
static enum ua_err
enter(struct fake_order_repo *fo, enum fake_order_op op)
{
	enum ua_err er;

	fo->calls[op]++;
	er = fo->fail_op[op];
	fo->fail_op[op] = UA_OK;
	return er;
}

static int64_t
now_s(const struct fake_order_repo *fo)
{
	return fake_repo_now(fo->users);
}

/* Is "s" a string of 1 to "max" bytes? */
static bool
fits(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	return n >= 1 && n <= max;
}

/* The stored order "id", or NULL. */
static struct ua_order *
find(const struct fake_order_repo *fo, int64_t id)
{
	size_t i;

	for (i = 0; i < fo->norders; i++)
		if (fo->orders[i].id == id)
			return &fo->orders[i];
	return NULL;
}

/* Does user "id" still exist? */
static bool
user_exists(const struct fake_order_repo *fo, int64_t id)
{
	return fake_repo_peek(fo->users, id, NULL, NULL);
}

/* The owner of "o", 0 if none or deleted (ON DELETE SET NULL). */
static int64_t
owner(const struct fake_order_repo *fo, const struct ua_order *o)
{
	return o->has_user && user_exists(fo, o->user_id) ? o->user_id : 0;
}

/* A deep copy of stored order "o" into "out", as a read returns it. */
static void
copy_out(const struct fake_order_repo *fo, const struct ua_order *o,
    struct ua_order *out)
{
	*out = *o;
	out->user_id = owner(fo, o);
	out->has_user = out->user_id != 0;
	out->items = ua_xcalloc(o->nitems, sizeof(*o->items));
	memcpy(out->items, o->items, o->nitems * sizeof(*o->items));
	out->note = o->note != NULL ? ua_xstrdup(o->note) : NULL;
}

/*
 * Are "n" items within order.h's limits?  Their total into "*total".
 * No sum can overflow (order.h): at most 100 lines of 1e14.
 */
static bool
items_valid(const struct ua_order_item_in *items, size_t n, int64_t *total)
{
	size_t i;

	*total = 0;
	if (n < UA_ORDER_ITEMS_MIN || n > UA_ORDER_ITEMS_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (!fits(items[i].sku, UA_SKU_MAX_BYTES) ||
		    !fits(items[i].name, UA_ITEM_NAME_MAX_BYTES) ||
		    items[i].unit_price_cents < 0 ||
		    items[i].unit_price_cents > UA_UNIT_PRICE_MAX ||
		    items[i].quantity < UA_QUANTITY_MIN ||
		    items[i].quantity > UA_QUANTITY_MAX)
			return false;
		*total += items[i].unit_price_cents * items[i].quantity;
	}
	return true;
}

/* The items "in" as stored, line totals computed. */
static struct ua_order_item *
items_stored(const struct ua_order_item_in *in, size_t n)
{
	struct ua_order_item *it = ua_xcalloc(n, sizeof(*it));
	size_t		      i;

	for (i = 0; i < n; i++) {
		memcpy(it[i].sku, in[i].sku, sizeof(it[i].sku));
		memcpy(it[i].name, in[i].name, sizeof(it[i].name));
		it[i].unit_price_cents = in[i].unit_price_cents;
		it[i].quantity = in[i].quantity;
		it[i].line_total_cents =
		    in[i].unit_price_cents * in[i].quantity;
	}
	return it;
}

static bool
same_items(const struct ua_order_item *have, size_t nhave,
    const struct ua_order_item_in *want, size_t nwant)
{
	size_t i;

	if (nhave != nwant)
		return false;
	for (i = 0; i < nhave; i++)
		if (strcmp(have[i].sku, want[i].sku) != 0 ||
		    strcmp(have[i].name, want[i].name) != 0 ||
		    have[i].unit_price_cents != want[i].unit_price_cents ||
		    have[i].quantity != want[i].quantity)
			return false;
	return true;
}

static bool
idem_valid(const struct ua_idem *idem)
{
	size_t i, len = strnlen(idem->key, sizeof(idem->key));

	if (len == 0 || len > UA_IDEM_KEY_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (idem->key[i] < '!' || idem->key[i] > '~')
			return false;
	return strnlen(idem->fingerprint, sizeof(idem->fingerprint)) <=
	    UA_IDEM_FINGERPRINT_LEN;
}

/* Drop kept answers that expired, or whose user is gone. */
static void
sweep_keys(struct fake_order_repo *fo)
{
	size_t i, j;

	for (i = j = 0; i < fo->nkeys; i++) {
		if (now_s(fo) - fo->keys[i].created_s < UA_IDEM_TTL_S &&
		    user_exists(fo, fo->keys[i].user_id))
			fo->keys[j++] = fo->keys[i];
		else
			free(fo->keys[i].body);
	}
	fo->nkeys = j;
}

/* The live answer kept under ("user_id", "key"), or NULL. */
static struct fkey *
find_key(struct fake_order_repo *fo, int64_t user_id, const char *key)
{
	size_t i;

	sweep_keys(fo);
	for (i = 0; i < fo->nkeys; i++)
		if (fo->keys[i].user_id == user_id &&
		    strcmp(fo->keys[i].key, key) == 0)
			return &fo->keys[i];
	return NULL;
}

static bool
is_busy(const struct fake_order_repo *fo, int64_t user_id, const char *key)
{
	size_t i;

	for (i = 0; i < fo->nbusy; i++)
		if (fo->busy[i].user_id == user_id &&
		    strcmp(fo->busy[i].key, key) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------- */
/*
 * struct ua_order_repo_ops.  Each operation counts its call, gives a
 * pending failure instead of doing anything, and otherwise returns what
 * order_repo_pg.c's does for the same data, checking in the same order;
 * out-parameters are zeroed (cleaned) on every error.
 */

static enum ua_err
fake_get_with_caller(void *arg, int64_t caller_id, const char *sid,
    struct ua_user *caller, struct ua_credentials *caller_cred,
    int64_t order_id, struct ua_order *order, bool *found)
{
	struct fake_order_repo *fo = arg;
	const struct ua_order  *o;
	enum ua_err		er;

	memset(caller, 0, sizeof(*caller));
	memset(caller_cred, 0, sizeof(*caller_cred));
	memset(order, 0, sizeof(*order));
	*found = false;
	if ((er = enter(fo, FAKE_ORDER_GET_WITH_CALLER)) != UA_OK)
		return er;
	if (!fake_repo_peek(fo->users, caller_id, caller, caller_cred))
		return UA_ERR_NOT_FOUND;
	caller_cred->session_live =
	    fake_repo_session_live(fo->users, caller_id, sid);
	if ((o = find(fo, order_id)) != NULL) {
		copy_out(fo, o, order);
		*found = true;
	}
	return UA_OK;
}

static enum ua_err
fake_list_with_caller(void *arg, int64_t caller_id, const char *sid,
    struct ua_user *caller, struct ua_credentials *caller_cred,
    const struct ua_order_filter *filter, int64_t offset, int64_t limit,
    struct ua_order *items, size_t *n, int64_t *total, bool *exists)
{
	struct fake_order_repo *fo = arg;
	const struct ua_order  *o;
	enum ua_err		er;
	bool			everyone, visible;
	int64_t			seen = 0;
	size_t			i;

	memset(caller, 0, sizeof(*caller));
	memset(caller_cred, 0, sizeof(*caller_cred));
	*n = 0;
	*total = 0;
	*exists = true;
	if ((er = enter(fo, FAKE_ORDER_LIST_WITH_CALLER)) != UA_OK)
		return er;
	if (offset < 0 || limit < 0)
		return UA_ERR_INVALID;
	for (i = 0; i < (size_t)limit; i++)
		memset(&items[i], 0, sizeof(items[i]));
	if (filter->has_status &&
	    (unsigned)filter->status >= UA_ORDER_STATUS__MAX)
		return UA_ERR_INVALID;
	if (!fake_repo_peek(fo->users, caller_id, caller, caller_cred))
		return UA_ERR_NOT_FOUND;
	caller_cred->session_live =
	    fake_repo_session_live(fo->users, caller_id, sid);
	everyone = caller->role == UA_ROLE_ADMIN && filter->all_users;
	if (filter->has_user_id) {
		*exists = user_exists(fo, filter->user_id);
		visible = everyone || filter->user_id == caller_id;
	} else
		visible = true;
	/* Newest first. */
	for (i = fo->norders; visible && i-- > 0;) {
		o = &fo->orders[i];
		if (filter->has_user_id && owner(fo, o) != filter->user_id)
			continue;
		if (!everyone && owner(fo, o) != caller_id)
			continue;
		if (filter->has_status && o->status != filter->status)
			continue;
		(*total)++;
		if (seen++ < offset || (int64_t)*n >= limit)
			continue;
		copy_out(fo, o, &items[(*n)++]);
	}
	return UA_OK;
}

static enum ua_err
fake_insert(void *arg, int64_t user_id, const struct ua_order_create *in,
    const struct ua_idem *idem, const struct ua_order_render *render,
    struct ua_order *out, struct ua_idem_answer *answer)
{
	struct fake_order_repo *fo = arg;
	struct ua_order		o;
	struct fkey		k, *kept;
	struct ua_buf		body;
	enum ua_err		er;
	int64_t			total;
	int			status = 0;

	memset(out, 0, sizeof(*out));
	memset(answer, 0, sizeof(*answer));
	if ((er = enter(fo, FAKE_ORDER_INSERT)) != UA_OK)
		return er;
	if (!items_valid(in->items, in->nitems, &total) ||
	    strnlen(in->currency, sizeof(in->currency)) != UA_CURRENCY_LEN ||
	    (in->has_note &&
		strnlen(in->note, sizeof(in->note)) > UA_NOTE_MAX_BYTES) ||
	    (idem != NULL && !idem_valid(idem)))
		return UA_ERR_INVALID;
	if (idem != NULL) {
		if (is_busy(fo, user_id, idem->key))
			return UA_ERR_IDEM_BUSY;
		if ((kept = find_key(fo, user_id, idem->key)) != NULL) {
			if (strcmp(kept->fingerprint, idem->fingerprint) != 0)
				return UA_ERR_IDEM_MISMATCH;
			answer->status = kept->status;
			answer->len = kept->len;
			answer->body = ua_xstrndup(kept->body, kept->len);
			return UA_ERR_IDEM_REPLAY;
		}
	}
	if (!user_exists(fo, user_id))
		return UA_ERR_NOT_FOUND;

	memset(&o, 0, sizeof(o));
	o.id = fo->next_id++; /* as a sequence: used even if rolled back */
	o.has_user = true;
	o.user_id = user_id;
	o.status = UA_ORDER_PENDING;
	memcpy(o.currency, in->currency, sizeof(o.currency));
	o.items = items_stored(in->items, in->nitems);
	o.nitems = in->nitems;
	o.total_cents = total;
	if (in->has_note && in->note[0] != '\0')
		o.note = ua_xstrdup(in->note);
	o.version = 1;
	o.created_us = now_s(fo) * 1000000;

	if (idem != NULL) {
		if (render == NULL || render->fn == NULL ||
		    fo->nbusy >= BUSY_MAX) {
			ua_order_cleanup(&o);
			return UA_ERR_INTERNAL;
		}
		fo->busy[fo->nbusy].user_id = user_id;
		memcpy(fo->busy[fo->nbusy].key, idem->key, sizeof(idem->key));
		fo->nbusy++;
		ua_buf_init(&body);
		er = render->fn(render->arg, &o, &status, &body);
		fo->nbusy--;
		ua_buf_puts(&body, "");
		if (er == UA_OK &&
		    (status < 100 || status > 499 ||
			strlen(body.data) != body.len))
			er = UA_ERR_INTERNAL;
		if (er != UA_OK) {
			ua_buf_cleanup(&body);
			ua_order_cleanup(&o);
			return er;
		}
		memset(&k, 0, sizeof(k));
		k.user_id = user_id;
		memcpy(k.key, idem->key, sizeof(k.key));
		memcpy(k.fingerprint, idem->fingerprint, sizeof(k.fingerprint));
		k.status = status;
		k.body = ua_xstrndup(body.data, body.len);
		k.len = body.len;
		k.created_s = now_s(fo);
		sweep_keys(fo); /* an expired answer of this key goes too */
		fo->keys =
		    ua_xrealloc(fo->keys, (fo->nkeys + 1) * sizeof(*fo->keys));
		fo->keys[fo->nkeys++] = k;
		answer->status = status;
		answer->body = body.data;
		answer->len = body.len;
	}
	fo->orders =
	    ua_xrealloc(fo->orders, (fo->norders + 1) * sizeof(*fo->orders));
	fo->orders[fo->norders++] = o;
	copy_out(fo, &o, out);
	return UA_OK;
}

static enum ua_err
fake_keep_answer(void *arg, int64_t user_id, const struct ua_idem *idem,
    int status, const char *body, size_t len, struct ua_idem_answer *answer)
{
	struct fake_order_repo *fo = arg;
	struct fkey		k, *kept;
	enum ua_err		er;

	memset(answer, 0, sizeof(*answer));
	if ((er = enter(fo, FAKE_ORDER_KEEP_ANSWER)) != UA_OK)
		return er;
	if (!idem_valid(idem) || status < 100 || status > 499 ||
	    strlen(body) != len)
		return UA_ERR_INVALID;
	if (is_busy(fo, user_id, idem->key))
		return UA_ERR_IDEM_BUSY;
	if ((kept = find_key(fo, user_id, idem->key)) != NULL) {
		if (strcmp(kept->fingerprint, idem->fingerprint) != 0)
			return UA_ERR_IDEM_MISMATCH;
		answer->status = kept->status;
		answer->len = kept->len;
		answer->body = ua_xstrndup(kept->body, kept->len);
		return UA_ERR_IDEM_REPLAY;
	}
	memset(&k, 0, sizeof(k));
	k.user_id = user_id;
	memcpy(k.key, idem->key, sizeof(k.key));
	memcpy(k.fingerprint, idem->fingerprint, sizeof(k.fingerprint));
	k.status = status;
	k.body = ua_xstrndup(body, len);
	k.len = len;
	k.created_s = now_s(fo);
	sweep_keys(fo);
	fo->keys = ua_xrealloc(fo->keys, (fo->nkeys + 1) * sizeof(*fo->keys));
	fo->keys[fo->nkeys++] = k;
	return UA_OK;
}

static enum ua_err
fake_update(void *arg, int64_t id, int64_t if_version,
    const struct ua_order_update *patch, struct ua_order *out)
{
	struct fake_order_repo *fo = arg;
	struct ua_order	       *o;
	enum ua_err		er;
	int64_t			total = 0;
	const char	       *note;
	bool			note_same;

	memset(out, 0, sizeof(*out));
	if ((er = enter(fo, FAKE_ORDER_UPDATE)) != UA_OK)
		return er;
	if ((patch->has_items &&
		!items_valid(patch->items, patch->nitems, &total)) ||
	    (patch->has_note &&
		strnlen(patch->note, sizeof(patch->note)) > UA_NOTE_MAX_BYTES))
		return UA_ERR_INVALID;
	if ((o = find(fo, id)) == NULL)
		return UA_ERR_NOT_FOUND;
	if (if_version != 0 && if_version != o->version)
		return UA_ERR_PRECONDITION;
	if (o->status != UA_ORDER_PENDING)
		return UA_ERR_ORDER_LOCKED;
	note = o->note;
	if (patch->has_note)
		note = patch->note[0] != '\0' ? patch->note : NULL;
	note_same = (note == NULL || o->note == NULL) ?
	    note == o->note :
	    strcmp(note, o->note) == 0;
	if (note_same &&
	    (!patch->has_items ||
		same_items(o->items, o->nitems, patch->items, patch->nitems))) {
		copy_out(fo, o, out);
		return UA_OK;
	}
	if (!note_same) {
		char *n = note != NULL ? ua_xstrdup(note) : NULL;

		free(o->note);
		o->note = n;
	}
	if (patch->has_items) {
		free(o->items);
		o->items = items_stored(patch->items, patch->nitems);
		o->nitems = patch->nitems;
		o->total_cents = total;
	}
	o->version++;
	o->has_updated = true;
	o->updated_us = now_s(fo) * 1000000;
	copy_out(fo, o, out);
	return UA_OK;
}

static enum ua_err
fake_set_status(void *arg, int64_t id, int64_t if_version,
    enum ua_order_status from, enum ua_order_status to, struct ua_order *out,
    enum ua_order_status *current)
{
	struct fake_order_repo *fo = arg;
	struct ua_order	       *o;
	enum ua_err		er;

	memset(out, 0, sizeof(*out));
	if ((er = enter(fo, FAKE_ORDER_SET_STATUS)) != UA_OK)
		return er;
	if ((unsigned)from >= UA_ORDER_STATUS__MAX ||
	    (unsigned)to >= UA_ORDER_STATUS__MAX)
		return UA_ERR_INVALID;
	if ((o = find(fo, id)) == NULL)
		return UA_ERR_NOT_FOUND;
	*current = o->status;
	if (if_version != 0 && if_version != o->version)
		return UA_ERR_PRECONDITION;
	if (o->status != from)
		return UA_ERR_BAD_TRANSITION;
	o->status = to;
	o->version++;
	o->has_updated = true;
	o->updated_us = now_s(fo) * 1000000;
	*current = to;
	copy_out(fo, o, out);
	return UA_OK;
}

static enum ua_err
fake_remove(void *arg, int64_t id, int64_t if_version)
{
	struct fake_order_repo *fo = arg;
	struct ua_order	       *o;
	enum ua_err		er;
	size_t			i;

	if ((er = enter(fo, FAKE_ORDER_REMOVE)) != UA_OK)
		return er;
	if ((o = find(fo, id)) == NULL)
		return UA_ERR_NOT_FOUND;
	if (if_version != 0 && if_version != o->version)
		return UA_ERR_PRECONDITION;
	if (o->status != UA_ORDER_PENDING)
		return UA_ERR_ORDER_LOCKED;
	i = (size_t)(o - fo->orders);
	ua_order_cleanup(o);
	memmove(&fo->orders[i], &fo->orders[i + 1],
	    (fo->norders - i - 1) * sizeof(*fo->orders));
	fo->norders--;
	return UA_OK;
}

const struct ua_order_repo_ops fake_order_repo_ops = {
	.get_with_caller = fake_get_with_caller,
	.list_with_caller = fake_list_with_caller,
	.insert = fake_insert,
	.keep_answer = fake_keep_answer,
	.update = fake_update,
	.set_status = fake_set_status,
	.remove = fake_remove,
};
