/*
 * order_repo_contract.c -- the behaviour every struct ua_order_repo_ops
 * must have (order_repo.h), as one set of Check tests.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/alloc.h"
#include "userapi/buf.h"
#include "userapi/errors.h"
#include "userapi/order.h"
#include "userapi/order_repo.h"
#include "userapi/user.h"
#include "order_repo_contract.h"

/* The environment of the running suite; set once, before it runs. */
static const struct contract_env *env;

/* ---------------------------------------------------------------- */
/* Helpers. */

static struct ua_order_repo
R(void) {
	return env->repo();
}

/* An OrderCreate of "n" items (heap: it is large); free() it. */
static struct ua_order_create *
create_in(const char *currency, size_t n)
{
	struct ua_order_create *in = ua_xcalloc(1, sizeof(*in));
	size_t			i;

	snprintf(in->currency, sizeof(in->currency), "%s", currency);
	for (i = 0; i < n; i++) {
		snprintf(in->items[i].sku, sizeof(in->items[i].sku), "SKU-%zu",
		    i);
		snprintf(in->items[i].name, sizeof(in->items[i].name),
		    "Item %zu", i);
		in->items[i].unit_price_cents = 100 * (int64_t)(i + 1) + 99;
		in->items[i].quantity = (int64_t)i + 2;
	}
	in->nitems = n;
	return in;
}

/* An empty OrderUpdate (heap); free() it. */
static struct ua_order_update *
update_in(void)
{
	return ua_xcalloc(1, sizeof(struct ua_order_update));
}

/* A new order of "user" with "n" items, which must succeed. */
static struct ua_order
new_order(int64_t user, size_t n)
{
	struct ua_order_repo	r = R();
	struct ua_order_create *in = create_in("EUR", n);
	struct ua_order		o;
	struct ua_idem_answer	a;
	enum ua_err		er;

	er = r.ops->insert(r.arg, user, in, NULL, NULL, &o, &a);
	ck_assert_msg(er == UA_OK, "insert: %s", ua_strerror(er));
	ck_assert_ptr_null(a.body);
	free(in);
	return o;
}

static int64_t
new_order_id(int64_t user)
{
	struct ua_order o = new_order(user, 1);
	int64_t		id = o.id;

	ua_order_cleanup(&o);
	return id;
}

/* Order "id" as "caller" reads it; "*found" whether it exists. */
static struct ua_order
get_as(int64_t caller, int64_t id, bool *found)
{
	struct ua_order_repo  r = R();
	struct ua_user	      c;
	struct ua_credentials cred;
	struct ua_order	      o;
	enum ua_err	      er;

	er = r.ops->get_with_caller(r.arg, caller, NULL, &c, &cred, id, &o,
	    found);
	ck_assert_msg(er == UA_OK, "get_with_caller: %s", ua_strerror(er));
	ck_assert_int_eq(c.id, caller);
	return o;
}

static struct ua_order
get(int64_t caller, int64_t id)
{
	struct ua_order o;
	bool		found;

	o = get_as(caller, id, &found);
	ck_assert_msg(found, "order %lld not found", (long long)id);
	return o;
}

static bool
exists(int64_t caller, int64_t id)
{
	struct ua_order o;
	bool		found;

	o = get_as(caller, id, &found);
	ua_order_cleanup(&o);
	return found;
}

/* The list as "caller" with "f"; items into "items" (room for 20). */
static enum ua_err
list(int64_t caller, const struct ua_order_filter *f, int64_t offset,
    int64_t limit, struct ua_order *items, size_t *n, int64_t *total,
    bool *user_exists)
{
	struct ua_order_repo  r = R();
	struct ua_user	      c;
	struct ua_credentials cred;
	enum ua_err	      er;

	ck_assert_int_le(limit, 20);
	memset(items, 0, 20 * sizeof(*items));
	er = r.ops->list_with_caller(r.arg, caller, NULL, &c, &cred, f, offset,
	    limit, items, n, total, user_exists);
	if (er == UA_OK)
		ck_assert_int_eq(c.id, caller);
	return er;
}

static void
clean_items(struct ua_order *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ua_order_cleanup(&items[i]);
}

/* The ids of a list as "caller", "1,2,3", and its total. */
static char *
list_ids(int64_t caller, const struct ua_order_filter *f, int64_t offset,
    int64_t limit, int64_t *total)
{
	struct ua_order items[20];
	struct ua_buf	b;
	size_t		n, i;
	bool		ue;
	enum ua_err	er;

	er = list(caller, f, offset, limit, items, &n, total, &ue);
	ck_assert_msg(er == UA_OK, "list: %s", ua_strerror(er));
	ua_buf_init(&b);
	ua_buf_puts(&b, "");
	for (i = 0; i < n; i++)
		ua_buf_printf(&b, "%s%lld", i > 0 ? "," : "",
		    (long long)items[i].id);
	clean_items(items, 20);
	return b.data;
}

static void
list_is(int64_t caller, const struct ua_order_filter *f, int64_t offset,
    int64_t limit, const char *want, int64_t want_total)
{
	int64_t total;
	char   *got = list_ids(caller, f, offset, limit, &total);

	ck_assert_msg(strcmp(got, want) == 0, "list: got [%s], want [%s]", got,
	    want);
	ck_assert_int_eq(total, want_total);
	free(got);
}

static struct ua_order_filter
filter(bool all)
{
	struct ua_order_filter f;

	memset(&f, 0, sizeof(f));
	f.all_users = all;
	return f;
}

/* The renderer the tests give insert: status 201 and a small body. */
struct render_ctx {
	int	    status; /* to answer; 0: 201 */
	enum ua_err fail;   /* to return instead */
	int	    calls;
	/* A nested insert from inside the callback, when "nest" is set. */
	bool			      nest;
	int64_t			      nest_user;
	const struct ua_order_create *nest_in;
	const struct ua_idem	     *nest_idem;
	enum ua_err		      nest_er;
};

static enum ua_err
render(void *arg, const struct ua_order *o, int *status, struct ua_buf *body)
{
	struct render_ctx     *ctx = arg, inner;
	struct ua_order_repo   other;
	struct ua_order_render rd = { render, &inner };
	struct ua_order	       no;
	struct ua_idem_answer  na;

	ctx->calls++;
	if (ctx->nest) {
		memset(&inner, 0, sizeof(inner));
		other = env->other();
		ctx->nest_er = other.ops->insert(other.arg, ctx->nest_user,
		    ctx->nest_in, ctx->nest_idem, &rd, &no, &na);
		ua_order_cleanup(&no);
		ua_idem_answer_cleanup(&na);
	}
	if (ctx->fail != UA_OK)
		return ctx->fail;
	*status = ctx->status != 0 ? ctx->status : 201;
	ua_buf_printf(body, "{\"id\":%lld,\"total_cents\":%lld}",
	    (long long)o->id, (long long)o->total_cents);
	return UA_OK;
}

static struct ua_idem
idem(const char *key, const char *fp)
{
	struct ua_idem k;

	memset(&k, 0, sizeof(k));
	snprintf(k.key, sizeof(k.key), "%s", key);
	snprintf(k.fingerprint, sizeof(k.fingerprint), "%s", fp);
	return k;
}

#define FP_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FP_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Insert with a key; "*o" and "*a" are the caller's to clean. */
static enum ua_err
insert_idem(int64_t user, const struct ua_order_create *in,
    const struct ua_idem *k, struct render_ctx *ctx, struct ua_order *o,
    struct ua_idem_answer *a)
{
	struct ua_order_repo   r = R();
	struct ua_order_render rd = { render, ctx };

	return r.ops->insert(r.arg, user, in, k, &rd, o, a);
}

/* The number of orders an admin sees in all. */
static int64_t
count_all(int64_t admin)
{
	struct ua_order_filter f = filter(true);
	int64_t		       total;

	free(list_ids(admin, &f, 0, 0, &total));
	return total;
}

static int
count_er(const enum ua_err *v, int n, enum ua_err er)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		if (v[i] == er)
			c++;
	return c;
}

/* ---------------------------------------------------------------- */
/* get_with_caller */

START_TEST(get_reads_caller_and_order)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order	     made = new_order(u, 3), o;
	struct ua_user	     c;
	struct ua_credentials cred;
	bool		      found;
	size_t		      i;

	ck_assert_int_eq(r.ops->get_with_caller(r.arg, u, NULL, &c, &cred,
			     made.id, &o, &found),
	    UA_OK);
	ck_assert(found);
	ck_assert_int_eq(c.id, u);
	ck_assert_str_eq(c.email, "ann@example.com");
	ck_assert_int_eq(c.role, UA_ROLE_USER);
	ck_assert_str_ne(cred.hash, "");
	ck_assert_int_eq(o.id, made.id);
	ck_assert(o.has_user);
	ck_assert_int_eq(o.user_id, u);
	ck_assert_int_eq(o.status, UA_ORDER_PENDING);
	ck_assert_str_eq(o.currency, "EUR");
	ck_assert_int_eq(o.version, 1);
	ck_assert_ptr_null(o.note);
	ck_assert(!o.has_updated);
	ck_assert_int_gt(o.created_us, 0);
	ck_assert_int_eq(o.created_us, made.created_us);
	ck_assert_uint_eq(o.nitems, 3);
	/* Items in the order given, line totals computed. */
	for (i = 0; i < 3; i++) {
		char sku[16];

		snprintf(sku, sizeof(sku), "SKU-%zu", i);
		ck_assert_str_eq(o.items[i].sku, sku);
		ck_assert_int_eq(o.items[i].unit_price_cents,
		    100 * (int64_t)(i + 1) + 99);
		ck_assert_int_eq(o.items[i].quantity, (int64_t)i + 2);
		ck_assert_int_eq(o.items[i].line_total_cents,
		    o.items[i].unit_price_cents * o.items[i].quantity);
	}
	ck_assert_int_eq(o.total_cents, 199 * 2 + 299 * 3 + 399 * 4);
	ck_assert_int_eq(made.total_cents, o.total_cents);
	ua_order_cleanup(&o);
	ua_order_cleanup(&made);
}
END_TEST

START_TEST(get_missing_order_is_not_found_but_caller_is_read)
{
	int64_t		u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order o;
	bool		found = true;

	o = get_as(u, 999, &found);
	ck_assert(!found);
	ck_assert_int_eq(o.id, 0);
	ck_assert_ptr_null(o.items);
}
END_TEST

START_TEST(get_with_caller_gone_is_not_found)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t		     id = new_order_id(u);
	struct ua_order_repo r = R();
	struct ua_user	     c;
	struct ua_credentials cred;
	struct ua_order	      o;
	bool		      found = true;

	ck_assert_int_eq(r.ops->get_with_caller(r.arg, u + 100, NULL, &c, &cred,
			     id, &o, &found),
	    UA_ERR_NOT_FOUND);
	ck_assert(!found);
	ck_assert_int_eq(c.id, 0);
	ck_assert_int_eq(o.id, 0);
	ck_assert_ptr_null(o.items);
}
END_TEST

START_TEST(get_returns_anyones_order)
{
	int64_t		u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t		v = env->add_user("bob@example.com", UA_ROLE_USER);
	int64_t		id = new_order_id(u);
	struct ua_order o = get(v, id);

	/* Visibility is the service's: the repository reads it. */
	ck_assert_int_eq(o.user_id, u);
	ua_order_cleanup(&o);
}
END_TEST

START_TEST(deleting_the_owner_keeps_the_order_without_one)
{
	int64_t		u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t		a = env->add_user("root@example.com", UA_ROLE_ADMIN);
	int64_t		id = new_order_id(u);
	struct ua_order o;

	env->remove_user(u);
	o = get(a, id);
	ck_assert(!o.has_user);
	ck_assert_int_eq(o.version, 1);
	ck_assert_uint_eq(o.nitems, 1);
	ua_order_cleanup(&o);
}
END_TEST

/* ---------------------------------------------------------------- */
/* list_with_caller */

START_TEST(list_newest_first_with_items_and_total)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_filter f = filter(true);
	struct ua_order	       items[20];
	int64_t		       ids[5], total;
	size_t		       n, i;
	bool		       ue = false;
	char		       want[64];

	for (i = 0; i < 5; i++) {
		struct ua_order o = new_order(u, i + 1);

		ids[i] = o.id;
		ua_order_cleanup(&o);
	}
	ck_assert_int_eq(list(u, &f, 0, 3, items, &n, &total, &ue), UA_OK);
	ck_assert(ue);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(total, 5);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(items[i].id, ids[4 - i]);
		ck_assert_uint_eq(items[i].nitems, 5 - i);
		ck_assert_str_eq(items[i].items[0].sku, "SKU-0");
		ck_assert_int_eq(items[i].user_id, u);
	}
	clean_items(items, 20);
	snprintf(want, sizeof(want), "%lld,%lld", (long long)ids[1],
	    (long long)ids[0]);
	list_is(u, &f, 3, 3, want, 5);
	list_is(u, &f, 5, 3, "", 5); /* past the end */
	list_is(u, &f, 0, 0, "", 5);
}
END_TEST

START_TEST(list_shows_a_user_only_their_own)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t v = env->add_user("bob@example.com", UA_ROLE_USER);
	int64_t a = env->add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order_filter all = filter(true), own = filter(false);
	int64_t		       o1 = new_order_id(u), o2 = new_order_id(v);
	int64_t		       o3 = new_order_id(u), o4 = new_order_id(a);
	char		       want[64];

	snprintf(want, sizeof(want), "%lld,%lld", (long long)o3, (long long)o1);
	list_is(u, &all, 0, 10, want, 2);
	list_is(u, &own, 0, 10, want, 2);
	snprintf(want, sizeof(want), "%lld", (long long)o2);
	list_is(v, &all, 0, 10, want, 1);
	/* An admin: everyone's, or with all_users false their own. */
	snprintf(want, sizeof(want), "%lld,%lld,%lld,%lld", (long long)o4,
	    (long long)o3, (long long)o2, (long long)o1);
	list_is(a, &all, 0, 10, want, 4);
	snprintf(want, sizeof(want), "%lld", (long long)o4);
	list_is(a, &own, 0, 10, want, 1);
}
END_TEST

START_TEST(list_by_status)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t a = env->add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order_repo   r = R();
	struct ua_order_filter f = filter(true);
	struct ua_order	       o;
	enum ua_order_status   cur;
	int64_t		       o1 = new_order_id(u), o2 = new_order_id(a);
	int64_t		       o3 = new_order_id(u);
	char		       want[64];

	ck_assert_int_eq(r.ops->set_status(r.arg, o1, 0, UA_ORDER_PENDING,
			     UA_ORDER_PAID, &o, &cur),
	    UA_OK);
	ua_order_cleanup(&o);
	ck_assert_int_eq(r.ops->set_status(r.arg, o2, 0, UA_ORDER_PENDING,
			     UA_ORDER_PAID, &o, &cur),
	    UA_OK);
	ua_order_cleanup(&o);
	f.has_status = true;
	f.status = UA_ORDER_PAID;
	snprintf(want, sizeof(want), "%lld,%lld", (long long)o2, (long long)o1);
	list_is(a, &f, 0, 10, want, 2);
	snprintf(want, sizeof(want), "%lld", (long long)o1);
	list_is(u, &f, 0, 10, want, 1);
	f.status = UA_ORDER_PENDING;
	snprintf(want, sizeof(want), "%lld", (long long)o3);
	list_is(a, &f, 0, 10, want, 1);
	list_is(u, &f, 0, 10, want, 1);
	f.status = UA_ORDER_SHIPPED;
	list_is(a, &f, 0, 10, "", 0);
}
END_TEST

START_TEST(list_by_user)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t v = env->add_user("bob@example.com", UA_ROLE_USER);
	int64_t a = env->add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order_filter f = filter(true);
	struct ua_order	       items[20];
	int64_t		       o1 = new_order_id(u), total;
	size_t		       n;
	bool		       ue;
	char		       want[64];

	(void)new_order_id(v);
	f.has_user_id = true;
	f.user_id = u;
	snprintf(want, sizeof(want), "%lld", (long long)o1);
	list_is(a, &f, 0, 10, want, 1); /* an admin: that user's */
	list_is(u, &f, 0, 10, want, 1); /* the user themself */
	list_is(v, &f, 0, 10, "", 0);	/* someone else: nothing */
	f.has_status = true;
	f.status = UA_ORDER_PENDING;
	list_is(a, &f, 0, 10, want, 1);
	f.status = UA_ORDER_PAID;
	list_is(a, &f, 0, 10, "", 0);
	/* An unknown user. */
	f.has_status = false;
	f.user_id = v + 1000;
	ck_assert_int_eq(list(a, &f, 0, 10, items, &n, &total, &ue), UA_OK);
	ck_assert(!ue);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 0);
	f.user_id = v;
	ck_assert_int_eq(list(a, &f, 0, 10, items, &n, &total, &ue), UA_OK);
	ck_assert(ue);
	ck_assert_uint_eq(n, 1);
	clean_items(items, 20);
}
END_TEST

START_TEST(list_of_a_deleted_owner_is_admins_only)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t a = env->add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order_filter f = filter(true);
	struct ua_order	       items[20];
	int64_t		       id = new_order_id(u), total;
	size_t		       n;
	bool		       ue;
	char		       want[32];

	env->remove_user(u);
	snprintf(want, sizeof(want), "%lld", (long long)id);
	list_is(a, &f, 0, 10, want, 1);
	ck_assert_int_eq(list(a, &f, 0, 10, items, &n, &total, &ue), UA_OK);
	ck_assert(!items[0].has_user);
	clean_items(items, 20);
	f.has_status = true;
	f.status = UA_ORDER_PENDING;
	list_is(a, &f, 0, 10, want, 1);
}
END_TEST

START_TEST(list_refuses_a_gone_caller_and_bad_bounds)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_filter f = filter(true);
	struct ua_order	       items[20];
	int64_t		       total = 7;
	size_t		       n = 7;
	bool		       ue;

	(void)new_order_id(u);
	ck_assert_int_eq(list(u + 100, &f, 0, 10, items, &n, &total, &ue),
	    UA_ERR_NOT_FOUND);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 0);
	clean_items(items, 10);
	ck_assert_int_eq(list(u, &f, -1, 10, items, &n, &total, &ue),
	    UA_ERR_INVALID);
	ck_assert_int_eq(list(u, &f, 0, -1, items, &n, &total, &ue),
	    UA_ERR_INVALID);
}
END_TEST

/* ---------------------------------------------------------------- */
/* insert */

START_TEST(insert_stores_note_and_computes_totals)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order_create *in = create_in("USD", 2);
	struct ua_order		o, g;
	struct ua_idem_answer	a;

	in->has_note = true;
	snprintf(in->note, sizeof(in->note), "leave at the door \"please\"");
	ck_assert_int_eq(r.ops->insert(r.arg, u, in, NULL, NULL, &o, &a),
	    UA_OK);
	ck_assert_str_eq(o.note, "leave at the door \"please\"");
	ck_assert_str_eq(o.currency, "USD");
	ck_assert_int_eq(o.total_cents, 199 * 2 + 299 * 3);
	ck_assert_int_eq(o.items[1].line_total_cents, 299 * 3);
	g = get(u, o.id);
	ck_assert_str_eq(g.note, o.note);
	ck_assert_int_eq(g.total_cents, o.total_cents);
	ua_order_cleanup(&g);
	ua_order_cleanup(&o);
	/* "" is stored as no note. */
	snprintf(in->note, sizeof(in->note), "%s", "");
	ck_assert_int_eq(r.ops->insert(r.arg, u, in, NULL, NULL, &o, &a),
	    UA_OK);
	ck_assert_ptr_null(o.note);
	g = get(u, o.id);
	ck_assert_ptr_null(g.note);
	ua_order_cleanup(&g);
	ua_order_cleanup(&o);
	free(in);
}
END_TEST

START_TEST(insert_at_every_limit_sums_exactly)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order_create *in = create_in("JPY", UA_ORDER_ITEMS_MAX);
	struct ua_order		o, g;
	struct ua_idem_answer	a;
	size_t			i;

	for (i = 0; i < in->nitems; i++) {
		memset(in->items[i].sku, 'S', UA_SKU_MAX_CHARS);
		in->items[i].sku[UA_SKU_MAX_CHARS] = '\0';
		/* 200 code points of two bytes each. */
		for (size_t j = 0; j < UA_ITEM_NAME_MAX_CHARS; j++)
			memcpy(in->items[i].name + 2 * j, "\xc3\xa9", 2);
		in->items[i].unit_price_cents = UA_UNIT_PRICE_MAX;
		in->items[i].quantity = UA_QUANTITY_MAX;
	}
	in->has_note = true;
	for (i = 0; i < UA_NOTE_MAX_CHARS; i++)
		memcpy(in->note + 3 * i, "\xe2\x82\xac", 3);
	ck_assert_int_eq(r.ops->insert(r.arg, u, in, NULL, NULL, &o, &a),
	    UA_OK);
	ck_assert_int_eq(o.total_cents, INT64_C(10000000000000000));
	g = get(u, o.id);
	ck_assert_int_eq(g.total_cents, INT64_C(10000000000000000));
	ck_assert_uint_eq(g.nitems, UA_ORDER_ITEMS_MAX);
	ck_assert_int_eq(g.items[99].line_total_cents,
	    INT64_C(100000000000000));
	ck_assert_str_eq(g.items[99].name, in->items[99].name);
	ck_assert_str_eq(g.note, in->note);
	ua_order_cleanup(&g);
	ua_order_cleanup(&o);
	free(in);
}
END_TEST

START_TEST(insert_for_an_unknown_user_is_not_found)
{
	int64_t a = env->add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order_repo	r = R();
	struct ua_order_create *in = create_in("EUR", 1);
	struct ua_order		o;
	struct ua_idem_answer	ans;
	struct ua_idem		k = idem("k1", FP_A);
	struct render_ctx	ctx;

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(r.ops->insert(r.arg, a + 100, in, NULL, NULL, &o,
			     &ans),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(insert_idem(a + 100, in, &k, &ctx, &o, &ans),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(o.id, 0);
	ck_assert_ptr_null(ans.body);
	ck_assert_int_eq(count_all(a), 0);
	free(in);
}
END_TEST

START_TEST(insert_refuses_input_outside_the_limits)
{
	int64_t u = env->add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order_repo	r = R();
	struct ua_order_create *in;
	struct ua_order		o;
	struct ua_idem_answer	a;
	struct ua_idem		k;
	struct render_ctx	ctx;
	int			c;

	memset(&ctx, 0, sizeof(ctx));
	for (c = 0; c < 9; c++) {
		in = create_in("EUR", 2);
		k = idem("ok-key", FP_A);
		switch (c) {
		case 0:
			in->nitems = 0;
			break;
		case 1:
			in->nitems = UA_ORDER_ITEMS_MAX + 1;
			break;
		case 2:
			in->items[1].quantity = 0;
			break;
		case 3:
			in->items[1].quantity = UA_QUANTITY_MAX + 1;
			break;
		case 4:
			in->items[0].unit_price_cents = UA_UNIT_PRICE_MAX + 1;
			break;
		case 5:
			in->items[0].unit_price_cents = -1;
			break;
		case 6:
			in->items[0].sku[0] = '\0';
			break;
		case 7:
			snprintf(in->currency, sizeof(in->currency), "EU");
			break;
		default:
			k = idem("has space", FP_A);
			break;
		}
		ck_assert_msg(insert_idem(u, in, &k, &ctx, &o, &a) ==
			UA_ERR_INVALID,
		    "case %d", c);
		if (c < 8)
			ck_assert_msg(r.ops->insert(r.arg, u, in, NULL, NULL,
					  &o, &a) == UA_ERR_INVALID,
			    "case %d", c);
		free(in);
	}
	k = idem("", FP_A);
	in = create_in("EUR", 1);
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_ERR_INVALID);
	free(in);
	ck_assert_int_eq(ctx.calls, 0);
	ck_assert_int_eq(count_all(u), 0);
}
END_TEST

/* ---------------------------------------------------------------- */
/* insert with an Idempotency-Key */

START_TEST(idem_first_request_keeps_its_answer_and_replays_it)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_create *in = create_in("EUR", 2);
	struct ua_idem		k = idem("key-1", FP_A);
	struct render_ctx	ctx;
	struct ua_order		o, o2;
	struct ua_idem_answer	a, a2;
	char			want[128];

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_OK);
	ck_assert_int_eq(ctx.calls, 1);
	ck_assert_int_gt(o.id, 0);
	ck_assert_int_eq(a.status, 201);
	snprintf(want, sizeof(want), "{\"id\":%lld,\"total_cents\":%lld}",
	    (long long)o.id, (long long)o.total_cents);
	ck_assert_str_eq(a.body, want);
	ck_assert_uint_eq(a.len, strlen(want));

	/* The same request again: the same answer, nothing created. */
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o2, &a2),
	    UA_ERR_IDEM_REPLAY);
	ck_assert_int_eq(ctx.calls, 1);
	ck_assert_int_eq(o2.id, 0);
	ck_assert_int_eq(a2.status, 201);
	ck_assert_str_eq(a2.body, want);
	ck_assert_uint_eq(a2.len, a.len);
	ck_assert_int_eq(count_all(
			     env->add_user("root@example.com", UA_ROLE_ADMIN)),
	    1);
	ua_idem_answer_cleanup(&a2);
	ua_idem_answer_cleanup(&a);
	ua_order_cleanup(&o);
	free(in);
}
END_TEST

START_TEST(idem_same_key_other_request_is_a_mismatch)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_create *in = create_in("EUR", 1);
	struct ua_idem		k = idem("key-1", FP_A);
	struct ua_idem		k2 = idem("key-1", FP_B);
	struct render_ctx	ctx;
	struct ua_order		o;
	struct ua_idem_answer	a;

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_OK);
	ua_order_cleanup(&o);
	ua_idem_answer_cleanup(&a);
	ck_assert_int_eq(insert_idem(u, in, &k2, &ctx, &o, &a),
	    UA_ERR_IDEM_MISMATCH);
	ck_assert_int_eq(o.id, 0);
	ck_assert_ptr_null(a.body);
	ck_assert_int_eq(ctx.calls, 1);
	free(in);
}
END_TEST

START_TEST(idem_keys_of_different_users_never_meet)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t v = env->add_user("bob@example.com", UA_ROLE_USER);
	struct ua_order_create *in = create_in("EUR", 1);
	struct ua_idem		k = idem("shared", FP_A);
	struct ua_idem		kb = idem("shared", FP_B);
	struct render_ctx	ctx;
	struct ua_order		o, o2;
	struct ua_idem_answer	a, a2;

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_OK);
	ck_assert_int_eq(insert_idem(v, in, &kb, &ctx, &o2, &a2), UA_OK);
	ck_assert_int_ne(o.id, o2.id);
	ck_assert_int_eq(o2.user_id, v);
	ua_order_cleanup(&o);
	ua_order_cleanup(&o2);
	ua_idem_answer_cleanup(&a);
	ua_idem_answer_cleanup(&a2);
	free(in);
}
END_TEST

/* A refusal (a 422) is kept like an order's answer, and replayed. */
START_TEST(idem_refusal_is_kept_and_replayed)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order_create *in = create_in("EUR", 1);
	struct ua_idem		k = idem("key-1", FP_A);
	struct ua_idem		k2 = idem("key-1", FP_B);
	struct render_ctx	ctx;
	struct ua_order		o;
	struct ua_idem_answer	a;
	static const char	body[] = "{\"detail\":[]}";

	ck_assert_int_eq(r.ops->keep_answer(r.arg, u, &k, 422, body,
			     strlen(body), &a),
	    UA_OK);
	ck_assert_ptr_null(a.body);
	ck_assert_int_eq(r.ops->keep_answer(r.arg, u, &k, 422, body,
			     strlen(body), &a),
	    UA_ERR_IDEM_REPLAY);
	ck_assert_int_eq(a.status, 422);
	ck_assert_str_eq(a.body, body);
	ua_idem_answer_cleanup(&a);
	ck_assert_int_eq(r.ops->keep_answer(r.arg, u, &k2, 422, body,
			     strlen(body), &a),
	    UA_ERR_IDEM_MISMATCH);
	/* An order under the same key replays the refusal, creates nothing. */
	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a),
	    UA_ERR_IDEM_REPLAY);
	ck_assert_int_eq(a.status, 422);
	ck_assert_int_eq(o.id, 0);
	ck_assert_int_eq(ctx.calls, 0);
	ua_idem_answer_cleanup(&a);
	ck_assert_int_eq(r.ops->keep_answer(r.arg, u, &k, 99, body,
			     strlen(body), &a),
	    UA_ERR_INVALID);
	ua_idem_answer_cleanup(&a);
	free(in);
}
END_TEST

START_TEST(idem_in_progress_is_busy_at_once)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_create *in = create_in("EUR", 1);
	struct ua_idem		k = idem("key-1", FP_A);
	struct ua_idem		other = idem("key-2", FP_A);
	struct render_ctx	ctx;
	struct ua_order		o, o2;
	struct ua_idem_answer	a, a2;

	memset(&ctx, 0, sizeof(ctx));
	ctx.nest = true;
	ctx.nest_user = u;
	ctx.nest_in = in;
	ctx.nest_idem = &k;
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_OK);
	ck_assert_int_eq(ctx.nest_er, UA_ERR_IDEM_BUSY);
	/* Another key of the same user is not held up. */
	ctx.nest_idem = &other;
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o2, &a2),
	    UA_ERR_IDEM_REPLAY);
	ua_idem_answer_cleanup(&a2);
	ctx.calls = 0;
	k = idem("key-3", FP_A);
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o2, &a2), UA_OK);
	ck_assert_int_eq(ctx.nest_er, UA_OK);
	ua_order_cleanup(&o);
	ua_order_cleanup(&o2);
	ua_idem_answer_cleanup(&a);
	ua_idem_answer_cleanup(&a2);
	free(in);
}
END_TEST

START_TEST(idem_failed_request_keeps_nothing)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t adm = env->add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order_create *in = create_in("EUR", 1);
	struct ua_idem		k = idem("key-1", FP_A);
	struct render_ctx	ctx;
	struct ua_order		o;
	struct ua_idem_answer	a;

	memset(&ctx, 0, sizeof(ctx));
	ctx.fail = UA_ERR_INTERNAL;
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_ERR_INTERNAL);
	ck_assert_int_eq(o.id, 0);
	ck_assert_ptr_null(a.body);
	ck_assert_int_eq(count_all(adm), 0);
	/* A 5xx answer is not kept either. */
	ctx.fail = UA_OK;
	ctx.status = 503;
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_ERR_INTERNAL);
	ck_assert_int_eq(count_all(adm), 0);
	/* The retry runs anew. */
	ctx.status = 0;
	ctx.calls = 0;
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_OK);
	ck_assert_int_eq(ctx.calls, 1);
	ck_assert_int_eq(count_all(adm), 1);
	ua_order_cleanup(&o);
	ua_idem_answer_cleanup(&a);
	free(in);
}
END_TEST

START_TEST(idem_answer_expires_after_a_day)
{
	int64_t u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_create *in = create_in("EUR", 1);
	struct ua_idem		k = idem("key-1", FP_A);
	struct ua_idem		kb = idem("key-1", FP_B);
	struct render_ctx	ctx;
	struct ua_order		o, o2;
	struct ua_idem_answer	a;

	memset(&ctx, 0, sizeof(ctx));
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o, &a), UA_OK);
	ua_idem_answer_cleanup(&a);
	env->age_keys(UA_IDEM_TTL_S - 60);
	ck_assert_int_eq(insert_idem(u, in, &k, &ctx, &o2, &a),
	    UA_ERR_IDEM_REPLAY);
	ua_idem_answer_cleanup(&a);
	env->age_keys(61);
	/* Expired: the same key runs anew, with any request. */
	ck_assert_int_eq(insert_idem(u, in, &kb, &ctx, &o2, &a), UA_OK);
	ck_assert_int_ne(o2.id, o.id);
	ua_order_cleanup(&o2);
	ua_idem_answer_cleanup(&a);
	ck_assert_int_eq(insert_idem(u, in, &kb, &ctx, &o2, &a),
	    UA_ERR_IDEM_REPLAY);
	ua_idem_answer_cleanup(&a);
	ua_order_cleanup(&o);
	ua_order_cleanup(&o2);
	free(in);
}
END_TEST

/* ---------------------------------------------------------------- */
/* update */

START_TEST(update_note_and_items_bumps_the_version)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order	     made = new_order(u, 3), o, g;
	struct ua_order_update *p = update_in();

	p->has_note = true;
	snprintf(p->note, sizeof(p->note), "ring twice");
	ck_assert_int_eq(r.ops->update(r.arg, made.id, 0, p, &o), UA_OK);
	ck_assert_str_eq(o.note, "ring twice");
	ck_assert_int_eq(o.version, 2);
	ck_assert(o.has_updated);
	ck_assert_int_ge(o.updated_us, o.created_us);
	ck_assert_uint_eq(o.nitems, 3);
	ck_assert_int_eq(o.total_cents, made.total_cents);
	ua_order_cleanup(&o);

	/* Fewer items, replaced as a whole. */
	memset(p, 0, sizeof(*p));
	p->has_items = true;
	p->nitems = 1;
	snprintf(p->items[0].sku, sizeof(p->items[0].sku), "NEW");
	snprintf(p->items[0].name, sizeof(p->items[0].name), "New thing");
	p->items[0].unit_price_cents = 250;
	p->items[0].quantity = 4;
	ck_assert_int_eq(r.ops->update(r.arg, made.id, 2, p, &o), UA_OK);
	ck_assert_int_eq(o.version, 3);
	ck_assert_str_eq(o.note, "ring twice");
	ck_assert_uint_eq(o.nitems, 1);
	ck_assert_int_eq(o.total_cents, 1000);
	ck_assert_int_eq(o.items[0].line_total_cents, 1000);
	ua_order_cleanup(&o);
	g = get(u, made.id);
	ck_assert_uint_eq(g.nitems, 1);
	ck_assert_str_eq(g.items[0].sku, "NEW");
	ck_assert_int_eq(g.total_cents, 1000);
	ck_assert_int_eq(g.version, 3);
	ua_order_cleanup(&g);

	/* More items than before, and the note cleared by "". */
	p->nitems = 4;
	for (size_t i = 1; i < 4; i++) {
		snprintf(p->items[i].sku, sizeof(p->items[i].sku), "N%zu", i);
		snprintf(p->items[i].name, sizeof(p->items[i].name), "N %zu",
		    i);
		p->items[i].unit_price_cents = 1;
		p->items[i].quantity = 1;
	}
	p->has_note = true;
	p->note[0] = '\0';
	ck_assert_int_eq(r.ops->update(r.arg, made.id, 0, p, &o), UA_OK);
	ck_assert_int_eq(o.version, 4);
	ck_assert_ptr_null(o.note);
	ck_assert_int_eq(o.total_cents, 1003);
	ua_order_cleanup(&o);
	g = get(u, made.id);
	ck_assert_uint_eq(g.nitems, 4);
	ck_assert_str_eq(g.items[3].sku, "N3");
	ck_assert_ptr_null(g.note);
	ck_assert_int_eq(g.total_cents, 1003);
	ua_order_cleanup(&g);
	ua_order_cleanup(&made);
	free(p);
}
END_TEST

START_TEST(update_that_changes_nothing_keeps_the_version)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order	     made = new_order(u, 2), o;
	struct ua_order_update *p = update_in();
	size_t			i;

	/* Empty; the same items; "" for a note that is none. */
	ck_assert_int_eq(r.ops->update(r.arg, made.id, 0, p, &o), UA_OK);
	ck_assert_int_eq(o.version, 1);
	ck_assert(!o.has_updated);
	ua_order_cleanup(&o);
	p->has_items = true;
	p->nitems = made.nitems;
	for (i = 0; i < made.nitems; i++) {
		memcpy(p->items[i].sku, made.items[i].sku,
		    sizeof(p->items[i].sku));
		memcpy(p->items[i].name, made.items[i].name,
		    sizeof(p->items[i].name));
		p->items[i].unit_price_cents = made.items[i].unit_price_cents;
		p->items[i].quantity = made.items[i].quantity;
	}
	p->has_note = true;
	ck_assert_int_eq(r.ops->update(r.arg, made.id, 1, p, &o), UA_OK);
	ck_assert_int_eq(o.version, 1);
	ck_assert(!o.has_updated);
	ck_assert_uint_eq(o.nitems, 2);
	ck_assert_int_eq(o.total_cents, made.total_cents);
	ua_order_cleanup(&o);
	/* Still refused on a version mismatch. */
	ck_assert_int_eq(r.ops->update(r.arg, made.id, 2, p, &o),
	    UA_ERR_PRECONDITION);
	ck_assert_int_eq(o.id, 0);
	ua_order_cleanup(&made);
	free(p);
}
END_TEST

START_TEST(update_refuses_missing_mismatched_and_locked)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order	     o;
	struct ua_order_update *p = update_in();
	enum ua_order_status	cur;
	int64_t			id = new_order_id(u);

	p->has_note = true;
	snprintf(p->note, sizeof(p->note), "x");
	ck_assert_int_eq(r.ops->update(r.arg, id + 100, 0, p, &o),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(r.ops->update(r.arg, id, 7, p, &o),
	    UA_ERR_PRECONDITION);
	ck_assert_int_eq(r.ops->set_status(r.arg, id, 0, UA_ORDER_PENDING,
			     UA_ORDER_PAID, &o, &cur),
	    UA_OK);
	ua_order_cleanup(&o);
	ck_assert_int_eq(r.ops->update(r.arg, id, 0, p, &o),
	    UA_ERR_ORDER_LOCKED);
	ck_assert_int_eq(r.ops->update(r.arg, id, 2, p, &o),
	    UA_ERR_ORDER_LOCKED);
	/* A mismatch is told first. */
	ck_assert_int_eq(r.ops->update(r.arg, id, 1, p, &o),
	    UA_ERR_PRECONDITION);
	/* A patch that changes nothing is still refused after pending. */
	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(r.ops->update(r.arg, id, 0, p, &o),
	    UA_ERR_ORDER_LOCKED);
	ck_assert_int_eq(o.id, 0);
	o = get(u, id);
	ck_assert_int_eq(o.version, 2);
	ck_assert_ptr_null(o.note);
	ua_order_cleanup(&o);
	free(p);
}
END_TEST

/* ---------------------------------------------------------------- */
/* set_status */

START_TEST(set_status_moves_and_bumps)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order	     made = new_order(u, 2), o;
	enum ua_order_status cur = UA_ORDER_STATUS__MAX;

	ck_assert_int_eq(r.ops->set_status(r.arg, made.id, 1, UA_ORDER_PENDING,
			     UA_ORDER_PAID, &o, &cur),
	    UA_OK);
	ck_assert_int_eq(cur, UA_ORDER_PAID);
	ck_assert_int_eq(o.status, UA_ORDER_PAID);
	ck_assert_int_eq(o.version, 2);
	ck_assert(o.has_updated);
	ck_assert_uint_eq(o.nitems, 2);
	ck_assert_int_eq(o.total_cents, made.total_cents);
	ua_order_cleanup(&o);
	ck_assert_int_eq(r.ops->set_status(r.arg, made.id, 0, UA_ORDER_PAID,
			     UA_ORDER_SHIPPED, &o, &cur),
	    UA_OK);
	ck_assert_int_eq(o.version, 3);
	ua_order_cleanup(&o);
	o = get(u, made.id);
	ck_assert_int_eq(o.status, UA_ORDER_SHIPPED);
	ua_order_cleanup(&o);
	ua_order_cleanup(&made);
}
END_TEST

START_TEST(set_status_reports_why_not)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order	     o;
	enum ua_order_status cur = UA_ORDER_STATUS__MAX;
	int64_t		     id = new_order_id(u);

	ck_assert_int_eq(r.ops->set_status(r.arg, id + 100, 0, UA_ORDER_PENDING,
			     UA_ORDER_PAID, &o, &cur),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(r.ops->set_status(r.arg, id, 5, UA_ORDER_PENDING,
			     UA_ORDER_PAID, &o, &cur),
	    UA_ERR_PRECONDITION);
	ck_assert_int_eq(cur, UA_ORDER_PENDING);
	ck_assert_int_eq(o.id, 0);
	ck_assert_int_eq(r.ops->set_status(r.arg, id, 0, UA_ORDER_PAID,
			     UA_ORDER_SHIPPED, &o, &cur),
	    UA_ERR_BAD_TRANSITION);
	ck_assert_int_eq(cur, UA_ORDER_PENDING);
	ck_assert_int_eq(r.ops->set_status(r.arg, id, 0, UA_ORDER_PENDING,
			     UA_ORDER_CANCELLED, &o, &cur),
	    UA_OK);
	ua_order_cleanup(&o);
	ck_assert_int_eq(r.ops->set_status(r.arg, id, 0, UA_ORDER_PENDING,
			     UA_ORDER_PAID, &o, &cur),
	    UA_ERR_BAD_TRANSITION);
	ck_assert_int_eq(cur, UA_ORDER_CANCELLED);
	o = get(u, id);
	ck_assert_int_eq(o.version, 2);
	ua_order_cleanup(&o);
}
END_TEST

/* ---------------------------------------------------------------- */
/* remove */

START_TEST(remove_deletes_a_pending_order)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	int64_t		     id = new_order_id(u), id2 = new_order_id(u);

	ck_assert_int_eq(r.ops->remove(r.arg, id, 1), UA_OK);
	ck_assert(!exists(u, id));
	ck_assert(exists(u, id2));
	ck_assert_int_eq(r.ops->remove(r.arg, id, 0), UA_ERR_NOT_FOUND);
	ck_assert_int_eq(r.ops->remove(r.arg, id2, 0), UA_OK);
	ck_assert_int_eq(count_all(
			     env->add_user("root@example.com", UA_ROLE_ADMIN)),
	    0);
}
END_TEST

START_TEST(remove_refuses_mismatched_and_locked)
{
	int64_t		     u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct ua_order_repo r = R();
	struct ua_order	     o;
	enum ua_order_status cur;
	int64_t		     id = new_order_id(u);

	ck_assert_int_eq(r.ops->remove(r.arg, id, 2), UA_ERR_PRECONDITION);
	ck_assert_int_eq(r.ops->set_status(r.arg, id, 0, UA_ORDER_PENDING,
			     UA_ORDER_CANCELLED, &o, &cur),
	    UA_OK);
	ua_order_cleanup(&o);
	ck_assert_int_eq(r.ops->remove(r.arg, id, 0), UA_ERR_ORDER_LOCKED);
	ck_assert_int_eq(r.ops->remove(r.arg, id, 2), UA_ERR_ORDER_LOCKED);
	ck_assert_int_eq(r.ops->remove(r.arg, id, 1), UA_ERR_PRECONDITION);
	ck_assert(exists(u, id));
}
END_TEST

/* ---------------------------------------------------------------- */
/* Races: each round on a fresh order, racers on their own handles. */

struct race_arg {
	int64_t user;
	int64_t id;
	int	nracers;
};

/* Racer 0 pays, racer 1 cancels. */
static enum ua_err
pay_or_cancel(const struct ua_order_repo *r, int i, const void *arg)
{
	const struct race_arg *ra = arg;
	struct ua_order	       o;
	enum ua_order_status   cur;
	enum ua_err	       er;

	er = r->ops->set_status(r->arg, ra->id, 0, UA_ORDER_PENDING,
	    i == 0 ? UA_ORDER_PAID : UA_ORDER_CANCELLED, &o, &cur);
	if (er == UA_ERR_BAD_TRANSITION &&
	    cur != (i == 0 ? UA_ORDER_CANCELLED : UA_ORDER_PAID))
		er = UA_ERR_INTERNAL; /* the loser must see the winner */
	ua_order_cleanup(&o);
	return er;
}

START_TEST(race_pay_and_cancel_one_wins)
{
	int64_t		u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct race_arg ra;
	struct ua_order o;
	enum ua_err	res[2];
	int		round;

	for (round = 0; round < env->rounds; round++) {
		ra.id = new_order_id(u);
		env->race(2, pay_or_cancel, &ra, res);
		ck_assert_msg(count_er(res, 2, UA_OK) == 1 &&
			count_er(res, 2, UA_ERR_BAD_TRANSITION) == 1,
		    "round %d: %s, %s", round, ua_strerror(res[0]),
		    ua_strerror(res[1]));
		o = get(u, ra.id);
		ck_assert_int_eq(o.version, 2);
		ck_assert_int_eq(o.status,
		    res[0] == UA_OK ? UA_ORDER_PAID : UA_ORDER_CANCELLED);
		ua_order_cleanup(&o);
	}
}
END_TEST

/* Racer 0 deletes, racer 1 pays. */
static enum ua_err
delete_or_pay(const struct ua_order_repo *r, int i, const void *arg)
{
	const struct race_arg *ra = arg;
	struct ua_order	       o;
	enum ua_order_status   cur;
	enum ua_err	       er;

	if (i == 0)
		return r->ops->remove(r->arg, ra->id, 1);
	er = r->ops->set_status(r->arg, ra->id, 1, UA_ORDER_PENDING,
	    UA_ORDER_PAID, &o, &cur);
	ua_order_cleanup(&o);
	return er;
}

START_TEST(race_delete_and_pay_one_wins)
{
	int64_t		u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct race_arg ra;
	enum ua_err	res[2];
	int		round;

	for (round = 0; round < env->rounds; round++) {
		ra.id = new_order_id(u);
		env->race(2, delete_or_pay, &ra, res);
		/* Deleted first: the payment finds nothing; paid first: the
		 * deletion is refused, by state or by version. */
		ck_assert_msg((res[0] == UA_OK && res[1] == UA_ERR_NOT_FOUND) ||
			(res[1] == UA_OK &&
			    (res[0] == UA_ERR_ORDER_LOCKED ||
				res[0] == UA_ERR_PRECONDITION)),
		    "round %d: %s, %s", round, ua_strerror(res[0]),
		    ua_strerror(res[1]));
		ck_assert(exists(u, ra.id) == (res[1] == UA_OK));
	}
}
END_TEST

/* Racer 0 changes the note, racer 1 cancels. */
static enum ua_err
patch_or_cancel(const struct ua_order_repo *r, int i, const void *arg)
{
	const struct race_arg  *ra = arg;
	struct ua_order		o;
	struct ua_order_update *p;
	enum ua_order_status	cur;
	enum ua_err		er;

	if (i == 0) {
		p = update_in();
		p->has_note = true;
		snprintf(p->note, sizeof(p->note), "changed");
		er = r->ops->update(r->arg, ra->id, 0, p, &o);
		free(p);
	} else
		er = r->ops->set_status(r->arg, ra->id, 0, UA_ORDER_PENDING,
		    UA_ORDER_CANCELLED, &o, &cur);
	ua_order_cleanup(&o);
	return er;
}

START_TEST(race_patch_and_cancel_serialise)
{
	int64_t		u = env->add_user("ann@example.com", UA_ROLE_USER);
	struct race_arg ra;
	struct ua_order o;
	enum ua_err	res[2];
	int		round;

	for (round = 0; round < env->rounds; round++) {
		ra.id = new_order_id(u);
		env->race(2, patch_or_cancel, &ra, res);
		ck_assert_msg(res[1] == UA_OK &&
			(res[0] == UA_OK || res[0] == UA_ERR_ORDER_LOCKED),
		    "round %d: %s, %s", round, ua_strerror(res[0]),
		    ua_strerror(res[1]));
		o = get(u, ra.id);
		ck_assert_int_eq(o.status, UA_ORDER_CANCELLED);
		ck_assert_int_eq(o.version, res[0] == UA_OK ? 3 : 2);
		if (res[0] == UA_OK)
			ck_assert_str_eq(o.note, "changed");
		else
			ck_assert_ptr_null(o.note);
		ua_order_cleanup(&o);
	}
}
END_TEST

/* Every racer sends the same request under the same key. */
static enum ua_err
same_key(const struct ua_order_repo *r, int i, const void *arg)
{
	const struct race_arg  *ra = arg;
	struct ua_order_create *in = create_in("EUR", 1);
	struct ua_order_render	rd;
	struct render_ctx	ctx;
	struct ua_idem		k;
	struct ua_order		o;
	struct ua_idem_answer	a;
	enum ua_err		er;
	char			key[32];

	(void)i;
	memset(&ctx, 0, sizeof(ctx));
	rd.fn = render;
	rd.arg = &ctx;
	snprintf(key, sizeof(key), "race-%lld", (long long)ra->id);
	k = idem(key, FP_A);
	er = r->ops->insert(r->arg, ra->user, in, &k, &rd, &o, &a);
	if (er == UA_ERR_IDEM_REPLAY && (a.status != 201 || a.body == NULL))
		er = UA_ERR_INTERNAL;
	ua_order_cleanup(&o);
	ua_idem_answer_cleanup(&a);
	free(in);
	return er;
}

START_TEST(race_same_key_creates_one_order)
{
	int64_t		u = env->add_user("ann@example.com", UA_ROLE_USER);
	int64_t		adm = env->add_user("root@example.com", UA_ROLE_ADMIN);
	struct race_arg ra;
	enum ua_err	res[CONTRACT_RACERS_MAX];
	int		round, n = 4;

	ra.user = u;
	for (round = 0; round < env->rounds; round++) {
		ra.id = round; /* the key */
		env->race(n, same_key, &ra, res);
		ck_assert_msg(count_er(res, n, UA_OK) == 1 &&
			count_er(res, n, UA_OK) +
				count_er(res, n, UA_ERR_IDEM_BUSY) +
				count_er(res, n, UA_ERR_IDEM_REPLAY) ==
			    n,
		    "round %d: %s, %s, %s, %s", round, ua_strerror(res[0]),
		    ua_strerror(res[1]), ua_strerror(res[2]),
		    ua_strerror(res[3]));
		ck_assert_int_eq(count_all(adm), round + 1);
	}
}
END_TEST

/* ---------------------------------------------------------------- */

static void
setup(void)
{
	env->setup();
}

static void
teardown(void)
{
	env->teardown();
}

static TCase *
tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, env->timeout_s);
	return tc;
}

Suite *
order_repo_contract_suite(const char *name, const struct contract_env *e)
{
	Suite *s = suite_create(name);
	TCase *tc;

	env = e;

	tc = tcase("get_with_caller");
	tcase_add_test(tc, get_reads_caller_and_order);
	tcase_add_test(tc, get_missing_order_is_not_found_but_caller_is_read);
	tcase_add_test(tc, get_with_caller_gone_is_not_found);
	tcase_add_test(tc, get_returns_anyones_order);
	tcase_add_test(tc, deleting_the_owner_keeps_the_order_without_one);
	suite_add_tcase(s, tc);

	tc = tcase("list_with_caller");
	tcase_add_test(tc, list_newest_first_with_items_and_total);
	tcase_add_test(tc, list_shows_a_user_only_their_own);
	tcase_add_test(tc, list_by_status);
	tcase_add_test(tc, list_by_user);
	tcase_add_test(tc, list_of_a_deleted_owner_is_admins_only);
	tcase_add_test(tc, list_refuses_a_gone_caller_and_bad_bounds);
	suite_add_tcase(s, tc);

	tc = tcase("insert");
	tcase_add_test(tc, insert_stores_note_and_computes_totals);
	tcase_add_test(tc, insert_at_every_limit_sums_exactly);
	tcase_add_test(tc, insert_for_an_unknown_user_is_not_found);
	tcase_add_test(tc, insert_refuses_input_outside_the_limits);
	suite_add_tcase(s, tc);

	tc = tcase("idempotency");
	tcase_add_test(tc, idem_first_request_keeps_its_answer_and_replays_it);
	tcase_add_test(tc, idem_same_key_other_request_is_a_mismatch);
	tcase_add_test(tc, idem_keys_of_different_users_never_meet);
	tcase_add_test(tc, idem_refusal_is_kept_and_replayed);
	tcase_add_test(tc, idem_in_progress_is_busy_at_once);
	tcase_add_test(tc, idem_failed_request_keeps_nothing);
	tcase_add_test(tc, idem_answer_expires_after_a_day);
	suite_add_tcase(s, tc);

	tc = tcase("update");
	tcase_add_test(tc, update_note_and_items_bumps_the_version);
	tcase_add_test(tc, update_that_changes_nothing_keeps_the_version);
	tcase_add_test(tc, update_refuses_missing_mismatched_and_locked);
	suite_add_tcase(s, tc);

	tc = tcase("set_status");
	tcase_add_test(tc, set_status_moves_and_bumps);
	tcase_add_test(tc, set_status_reports_why_not);
	suite_add_tcase(s, tc);

	tc = tcase("remove");
	tcase_add_test(tc, remove_deletes_a_pending_order);
	tcase_add_test(tc, remove_refuses_mismatched_and_locked);
	suite_add_tcase(s, tc);

	tc = tcase("races");
	tcase_add_test(tc, race_pay_and_cancel_one_wins);
	tcase_add_test(tc, race_delete_and_pay_one_wins);
	tcase_add_test(tc, race_patch_and_cancel_serialise);
	tcase_add_test(tc, race_same_key_creates_one_order);
	suite_add_tcase(s, tc);

	return s;
}
