/*
 * test_order_service.c -- order_service against the in-memory fakes:
 * the transitions table, ownership, If-Match, Idempotency-Key, and one
 * repository call for each of the bearer step's fetches.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/buf.h"
#include "userapi/order.h"
#include "userapi/order_repo.h"
#include "userapi/services.h"
#include "fake_order_repo.h"
#include "fake_repo.h"
#include "fake_session_repo.h"

#define HASH "$2b$04$abcdefghijklmnopqrstuuKQ5Ow0tM4Ng3nGC3Zb2v5kqR8zvX1zy"

static struct fake_repo		*fr;
static struct fake_order_repo	*fo;
static struct fake_session_repo *fs;
static struct ua_settings	 settings;
static struct ua_services	 svc;
static int64_t			 ann, bob, root; /* two users, an admin */

static int64_t
fake_now(void)
{
	return fake_repo_now(fr);
}

static void
setup(void)
{
	fr = fake_repo_new();
	fo = fake_order_repo_new(fr);
	fs = fake_session_repo_new(fr);
	memset(&settings, 0, sizeof(settings));
	memset(&svc, 0, sizeof(svc));
	svc.users = fake_repo_users(fr);
	svc.logins = fake_repo_logins(fr);
	svc.orders = fake_order_repo_orders(fo);
	svc.sessions = fake_session_repo_sessions(fs);
	svc.settings = &settings;
	svc.now = fake_now;
	ann = fake_repo_add(fr, "ann@example.com", "Ann", HASH, UA_ROLE_USER);
	bob = fake_repo_add(fr, "bob@example.com", "Bob", HASH, UA_ROLE_USER);
	root =
	    fake_repo_add(fr, "root@example.com", "Root", HASH, UA_ROLE_ADMIN);
}

static void
teardown(void)
{
	fake_session_repo_free(fs);
	fake_order_repo_free(fo);
	fake_repo_free(fr);
}

static struct ua_user
user(int64_t id)
{
	struct ua_user u;

	ck_assert(fake_repo_peek(fr, id, &u, NULL));
	return u;
}

/* An OrderCreate of "n" items (heap); free() it. */
static struct ua_order_create *
create_in(size_t n)
{
	struct ua_order_create *in = calloc(1, sizeof(*in));
	size_t			i;

	ck_assert_ptr_nonnull(in);
	snprintf(in->currency, sizeof(in->currency), "EUR");
	for (i = 0; i < n; i++) {
		snprintf(in->items[i].sku, sizeof(in->items[i].sku), "S%zu", i);
		snprintf(in->items[i].name, sizeof(in->items[i].name), "N%zu",
		    i);
		in->items[i].unit_price_cents = 1299;
		in->items[i].quantity = 2;
	}
	in->nitems = n;
	return in;
}

/* A new order of user "owner" through the service; returns its id. */
static int64_t
order_of(int64_t owner)
{
	struct ua_user		u = user(owner);
	struct ua_order_create *in = create_in(1);
	struct ua_order		o;
	struct ua_idem_answer	a;
	int64_t			id;

	ck_assert_int_eq(ua_order_create(&svc, &u, in, NULL, NULL, &o, &a),
	    UA_OK);
	id = o.id;
	ua_order_cleanup(&o);
	free(in);
	return id;
}

/* Move order "id" along as the admin; it must succeed. */
static void
admin_moves(int64_t id, enum ua_order_status to)
{
	struct ua_user	     r = user(root);
	struct ua_order	     o;
	enum ua_order_status cur;

	ck_assert_int_eq(ua_order_set_status(&svc, &r, id, 0, to, &o, &cur),
	    UA_OK);
	ua_order_cleanup(&o);
}

/* --- the transitions table ------------------------------------------ */

START_TEST(transitions_table_is_api_md_exactly)
{
	/* [from][to]: 0 none, 1 owner or admin, 2 admin only. */
	static const int want[UA_ORDER_STATUS__MAX][UA_ORDER_STATUS__MAX] = {
		[UA_ORDER_PENDING] = { [UA_ORDER_PAID] = 2,
		    [UA_ORDER_CANCELLED] = 1 },
		[UA_ORDER_PAID] = { [UA_ORDER_SHIPPED] = 2,
		    [UA_ORDER_CANCELLED] = 2 },
		[UA_ORDER_SHIPPED] = { [UA_ORDER_DELIVERED] = 2 },
	};
	int	    from, to;
	enum ua_err owner, admin;

	for (from = 0; from < UA_ORDER_STATUS__MAX; from++)
		for (to = 0; to < UA_ORDER_STATUS__MAX; to++) {
			owner =
			    ua_order_transition_allowed((enum ua_order_status)
							    from,
				(enum ua_order_status)to, UA_ORDER_ACTOR_OWNER);
			admin =
			    ua_order_transition_allowed((enum ua_order_status)
							    from,
				(enum ua_order_status)to, UA_ORDER_ACTOR_ADMIN);
			switch (want[from][to]) {
			case 0:
				ck_assert_msg(owner == UA_ERR_BAD_TRANSITION &&
					admin == UA_ERR_BAD_TRANSITION,
				    "%d -> %d", from, to);
				break;
			case 1:
				ck_assert_msg(owner == UA_OK && admin == UA_OK,
				    "%d -> %d", from, to);
				break;
			default:
				ck_assert_msg(owner == UA_ERR_FORBIDDEN &&
					admin == UA_OK,
				    "%d -> %d", from, to);
				break;
			}
		}
}
END_TEST

/* Every from x to x who through the service, on real orders. */
START_TEST(set_status_follows_the_table_for_owner_and_admin)
{
	static const enum ua_order_status path[] = { UA_ORDER_PENDING,
		UA_ORDER_PAID, UA_ORDER_SHIPPED, UA_ORDER_DELIVERED };
	int				  from, to, who, k;
	struct ua_user			  actor;
	struct ua_order			  o;
	enum ua_order_status		  cur;
	enum ua_err			  er, want;
	int64_t				  id;

	for (from = 0; from < UA_ORDER_STATUS__MAX; from++)
		for (to = 0; to < UA_ORDER_STATUS__MAX; to++)
			for (who = 0; who < 2; who++) {
				/* An order of ann's in status "from". */
				id = order_of(ann);
				if (from == UA_ORDER_CANCELLED)
					admin_moves(id, UA_ORDER_CANCELLED);
				else
					for (k = 1; k <= from; k++)
						admin_moves(id, path[k]);
				actor = user(who == 0 ? ann : root);
				want = ua_order_transition_allowed(
				    (enum ua_order_status)from,
				    (enum ua_order_status)to,
				    who == 0 ? UA_ORDER_ACTOR_OWNER :
					       UA_ORDER_ACTOR_ADMIN);
				cur = UA_ORDER_STATUS__MAX;
				er = ua_order_set_status(&svc, &actor, id, 0,
				    (enum ua_order_status)to, &o, &cur);
				ck_assert_msg(er == want,
				    "%d -> %d by %d: %s, want %s", from, to,
				    who, ua_strerror(er), ua_strerror(want));
				if (er == UA_OK) {
					ck_assert_int_eq(o.status, to);
					ck_assert_int_eq(cur, to);
				} else {
					ck_assert_int_eq(o.id, 0);
					ck_assert_int_eq(cur, from);
				}
				ua_order_cleanup(&o);
			}
}
END_TEST

START_TEST(same_status_is_a_bad_transition_for_everyone)
{
	struct ua_user	     r = user(root), a = user(ann);
	struct ua_order	     o;
	enum ua_order_status cur;
	int64_t		     id = order_of(ann);

	ck_assert_int_eq(ua_order_set_status(&svc, &a, id, 0, UA_ORDER_PENDING,
			     &o, &cur),
	    UA_ERR_BAD_TRANSITION);
	ck_assert_int_eq(cur, UA_ORDER_PENDING);
	ck_assert_int_eq(ua_order_set_status(&svc, &r, id, 0, UA_ORDER_PENDING,
			     &o, &cur),
	    UA_ERR_BAD_TRANSITION);
}
END_TEST

/* A repository whose set_status first lets another request cancel. */
static enum ua_err
racing_set_status(void *arg, int64_t id, int64_t if_version,
    enum ua_order_status from, enum ua_order_status to, struct ua_order *out,
    enum ua_order_status *current)
{
	struct ua_order	     o;
	enum ua_order_status c;

	ck_assert_int_eq(fake_order_repo_ops.set_status(arg, id, 0,
			     UA_ORDER_PENDING, UA_ORDER_CANCELLED, &o, &c),
	    UA_OK);
	ua_order_cleanup(&o);
	return fake_order_repo_ops.set_status(arg, id, if_version, from, to,
	    out, current);
}

START_TEST(a_lost_race_is_a_bad_transition_from_the_new_status)
{
	struct ua_order_repo_ops racing = fake_order_repo_ops;
	struct ua_user		 r = user(root);
	struct ua_order		 o;
	enum ua_order_status	 cur;
	int64_t			 id = order_of(ann);

	racing.set_status = racing_set_status;
	svc.orders.ops = &racing;
	ck_assert_int_eq(ua_order_set_status(&svc, &r, id, 0, UA_ORDER_PAID, &o,
			     &cur),
	    UA_ERR_BAD_TRANSITION);
	ck_assert_int_eq(cur, UA_ORDER_CANCELLED);
	ck_assert_int_eq(o.id, 0);
}
END_TEST

START_TEST(set_status_if_match)
{
	struct ua_user	     a = user(ann);
	struct ua_order	     o;
	enum ua_order_status cur;
	int64_t		     id = order_of(ann);

	ck_assert_int_eq(ua_order_set_status(&svc, &a, id, 2,
			     UA_ORDER_CANCELLED, &o, &cur),
	    UA_ERR_PRECONDITION);
	/* A mismatch is told before the transition is judged. */
	ck_assert_int_eq(ua_order_set_status(&svc, &a, id, 2, UA_ORDER_PAID, &o,
			     &cur),
	    UA_ERR_PRECONDITION);
	ck_assert_int_eq(ua_order_set_status(&svc, &a, id, 1,
			     UA_ORDER_CANCELLED, &o, &cur),
	    UA_OK);
	ck_assert_int_eq(o.version, 2);
	ua_order_cleanup(&o);
}
END_TEST

/* --- ownership -------------------------------------------------------- */

START_TEST(someone_elses_order_does_not_exist)
{
	struct ua_user		b = user(bob);
	struct ua_order		o;
	struct ua_order_update *p = calloc(1, sizeof(*p));
	enum ua_order_status	cur;
	int64_t			id = order_of(ann);

	p->has_note = true;
	snprintf(p->note, sizeof(p->note), "mine now");
	ck_assert_int_eq(ua_order_get(&svc, &b, id, &o), UA_ERR_NOT_FOUND);
	ck_assert_int_eq(o.id, 0);
	ck_assert_int_eq(ua_order_update(&svc, &b, id, 0, p, &o),
	    UA_ERR_NOT_FOUND);
	/* Even a forbidden or impossible change, or a stale If-Match. */
	ck_assert_int_eq(ua_order_set_status(&svc, &b, id, 0, UA_ORDER_PAID, &o,
			     &cur),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(ua_order_set_status(&svc, &b, id, 9, UA_ORDER_PENDING,
			     &o, &cur),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(ua_order_delete(&svc, &b, id, 0), UA_ERR_NOT_FOUND);
	ck_assert_int_eq(ua_order_delete(&svc, &b, id + 100, 0),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(fake_order_repo_calls(fo, FAKE_ORDER_UPDATE), 0);
	ck_assert_int_eq(fake_order_repo_calls(fo, FAKE_ORDER_REMOVE), 0);
	ck_assert_int_eq(fake_order_repo_calls(fo, FAKE_ORDER_SET_STATUS), 0);
	free(p);
}
END_TEST

START_TEST(owner_and_admin_see_and_change_it)
{
	struct ua_user		a = user(ann), r = user(root);
	struct ua_order		o;
	struct ua_order_update *p = calloc(1, sizeof(*p));
	int64_t			id = order_of(ann);

	ck_assert_int_eq(ua_order_get(&svc, &a, id, &o), UA_OK);
	ck_assert_int_eq(o.user_id, ann);
	ua_order_cleanup(&o);
	ck_assert_int_eq(ua_order_get(&svc, &r, id, &o), UA_OK);
	ua_order_cleanup(&o);
	p->has_note = true;
	snprintf(p->note, sizeof(p->note), "by the owner");
	ck_assert_int_eq(ua_order_update(&svc, &a, id, 1, p, &o), UA_OK);
	ck_assert_int_eq(o.version, 2);
	ua_order_cleanup(&o);
	snprintf(p->note, sizeof(p->note), "by the admin");
	ck_assert_int_eq(ua_order_update(&svc, &r, id, 2, p, &o), UA_OK);
	ck_assert_str_eq(o.note, "by the admin");
	ck_assert_int_eq(o.version, 3);
	ua_order_cleanup(&o);
	ck_assert_int_eq(ua_order_delete(&svc, &a, id, 3), UA_OK);
	ck_assert_int_eq(ua_order_get(&svc, &r, id, &o), UA_ERR_NOT_FOUND);
	id = order_of(bob);
	ck_assert_int_eq(ua_order_delete(&svc, &r, id, 0), UA_OK);
	free(p);
}
END_TEST

START_TEST(a_deleted_owners_order_is_admins_only)
{
	struct ua_user	    r = user(root), b = user(bob);
	struct ua_user_repo ur = fake_repo_users(fr);
	struct ua_order	    o;
	int64_t		    id = order_of(ann);

	ck_assert_int_eq(ur.ops->remove(ur.arg, ann), UA_OK);
	ck_assert_int_eq(ua_order_get(&svc, &r, id, &o), UA_OK);
	ck_assert(!o.has_user);
	ua_order_cleanup(&o);
	ck_assert_int_eq(ua_order_get(&svc, &b, id, &o), UA_ERR_NOT_FOUND);
}
END_TEST

/* --- update and delete ------------------------------------------------ */

START_TEST(update_rules)
{
	struct ua_user		a = user(ann);
	struct ua_order		o;
	struct ua_order_update *p = calloc(1, sizeof(*p));
	int64_t			id = order_of(ann);

	/* Nothing changes: as it is, version unchanged. */
	ck_assert_int_eq(ua_order_update(&svc, &a, id, 1, p, &o), UA_OK);
	ck_assert_int_eq(o.version, 1);
	ck_assert(!o.has_updated);
	ua_order_cleanup(&o);
	ck_assert_int_eq(ua_order_update(&svc, &a, id, 5, p, &o),
	    UA_ERR_PRECONDITION);
	/* Items replaced: totals recomputed. */
	p->has_items = true;
	p->nitems = 2;
	snprintf(p->items[0].sku, sizeof(p->items[0].sku), "X");
	snprintf(p->items[0].name, sizeof(p->items[0].name), "X");
	p->items[0].unit_price_cents = 1000;
	p->items[0].quantity = 3;
	snprintf(p->items[1].sku, sizeof(p->items[1].sku), "Y");
	snprintf(p->items[1].name, sizeof(p->items[1].name), "Y");
	p->items[1].unit_price_cents = 1;
	p->items[1].quantity = 1000;
	ck_assert_int_eq(ua_order_update(&svc, &a, id, 0, p, &o), UA_OK);
	ck_assert_int_eq(o.total_cents, 4000);
	ck_assert_int_eq(o.items[1].line_total_cents, 1000);
	ck_assert_int_eq(o.version, 2);
	ua_order_cleanup(&o);
	/* Locked after pending, even for a patch that changes nothing. */
	admin_moves(id, UA_ORDER_PAID);
	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(ua_order_update(&svc, &a, id, 0, p, &o),
	    UA_ERR_ORDER_LOCKED);
	ck_assert_int_eq(ua_order_delete(&svc, &a, id, 0), UA_ERR_ORDER_LOCKED);
	ck_assert_int_eq(ua_order_delete(&svc, &a, id, 1), UA_ERR_PRECONDITION);
	free(p);
}
END_TEST

/* --- create and Idempotency-Key ---------------------------------------- */

START_TEST(create_computes_totals_for_the_caller)
{
	struct ua_user		a = user(ann);
	struct ua_order_create *in = create_in(3);
	struct ua_order		o;
	struct ua_idem_answer	ans;

	in->has_note = true; /* "" is no note */
	ck_assert_int_eq(ua_order_create(&svc, &a, in, NULL, NULL, &o, &ans),
	    UA_OK);
	ck_assert_int_eq(o.user_id, ann);
	ck_assert_int_eq(o.status, UA_ORDER_PENDING);
	ck_assert_int_eq(o.version, 1);
	ck_assert_int_eq(o.total_cents, 3 * 1299 * 2);
	ck_assert_int_eq(o.items[2].line_total_cents, 2598);
	ck_assert_ptr_null(o.note);
	ck_assert_ptr_null(ans.body);
	ua_order_cleanup(&o);
	free(in);
}
END_TEST

START_TEST(idem_key_rules)
{
	struct ua_idem k;
	char	       key[300];

	ck_assert_int_eq(ua_order_idem_init(&k, "abc", "", 0), UA_OK);
	ck_assert_str_eq(k.key, "abc");
	ck_assert_str_eq(k.fingerprint,
	    "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	ck_assert_int_eq(ua_order_idem_init(&k, "k", "abc", 3), UA_OK);
	ck_assert_str_eq(k.fingerprint,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	memset(key, 'x', 255);
	key[255] = '\0';
	ck_assert_int_eq(ua_order_idem_init(&k, key, "{}", 2), UA_OK);
	ck_assert_uint_eq(strlen(k.key), 255);
	key[255] = 'x';
	key[256] = '\0';
	ck_assert_int_eq(ua_order_idem_init(&k, key, "{}", 2), UA_ERR_INVALID);
	ck_assert_int_eq(ua_order_idem_init(&k, "", "{}", 2), UA_ERR_INVALID);
	ck_assert_int_eq(ua_order_idem_init(&k, "a b", "{}", 2),
	    UA_ERR_INVALID);
	ck_assert_int_eq(ua_order_idem_init(&k, "a\x7f", "{}", 2),
	    UA_ERR_INVALID);
	ck_assert_int_eq(ua_order_idem_init(&k, "caf\xc3\xa9", "{}", 2),
	    UA_ERR_INVALID);
	ck_assert_int_eq(ua_order_idem_init(&k, NULL, "{}", 2), UA_ERR_INVALID);
	ck_assert_str_eq(k.key, "");
}
END_TEST

static enum ua_err
render(void *arg, const struct ua_order *o, int *status, struct ua_buf *body)
{
	int *calls = arg;

	(*calls)++;
	*status = 201;
	ua_buf_printf(body, "{\"id\":%lld}", (long long)o->id);
	return UA_OK;
}

START_TEST(idem_replays_mismatches_and_keeps_users_apart)
{
	struct ua_user		a = user(ann), b = user(bob);
	struct ua_order_create *in = create_in(1);
	struct ua_order		o;
	struct ua_idem_answer	ans;
	struct ua_idem		k1, k2;
	int			calls = 0;
	struct ua_order_render	rd = { render, &calls };

	ck_assert_int_eq(ua_order_idem_init(&k1, "K", "{\"a\":1}", 7), UA_OK);
	ck_assert_int_eq(ua_order_idem_init(&k2, "K", "{\"a\":2}", 7), UA_OK);
	ck_assert_int_eq(ua_order_create(&svc, &a, in, &k1, &rd, &o, &ans),
	    UA_OK);
	ck_assert_int_eq(ans.status, 201);
	ck_assert_str_eq(ans.body, "{\"id\":1}");
	ua_order_cleanup(&o);
	ua_idem_answer_cleanup(&ans);
	ck_assert_int_eq(ua_order_create(&svc, &a, in, &k1, &rd, &o, &ans),
	    UA_ERR_IDEM_REPLAY);
	ck_assert_str_eq(ans.body, "{\"id\":1}");
	ck_assert_int_eq(o.id, 0);
	ua_idem_answer_cleanup(&ans);
	ck_assert_int_eq(ua_order_create(&svc, &a, in, &k2, &rd, &o, &ans),
	    UA_ERR_IDEM_MISMATCH);
	ck_assert_int_eq(ua_order_create(&svc, &b, in, &k2, &rd, &o, &ans),
	    UA_OK);
	ck_assert_str_eq(ans.body, "{\"id\":2}");
	ck_assert_int_eq(calls, 2);
	ck_assert_uint_eq(fake_order_repo_norders(fo), 2);
	ua_order_cleanup(&o);
	ua_idem_answer_cleanup(&ans);
	free(in);
}
END_TEST

/* A renderer that sends the same request again while the first runs. */
struct nested {
	const struct ua_order_create *in;
	const struct ua_idem	     *k;
	enum ua_err		      er;
};

static enum ua_err
render_nested(void *arg, const struct ua_order *o, int *status,
    struct ua_buf *body)
{
	struct nested	     *n = arg;
	struct ua_user	      a = user(ann);
	struct ua_order	      o2;
	struct ua_idem_answer ans;

	n->er = ua_order_create(&svc, &a, n->in, n->k, NULL, &o2, &ans);
	ua_order_cleanup(&o2);
	ua_idem_answer_cleanup(&ans);
	*status = 201;
	ua_buf_printf(body, "{\"id\":%lld}", (long long)o->id);
	return UA_OK;
}

START_TEST(idem_in_progress_is_busy)
{
	struct ua_user		a = user(ann);
	struct ua_order_create *in = create_in(1);
	struct ua_order		o;
	struct ua_idem_answer	ans;
	struct ua_idem		k;
	struct nested		n = { in, &k, UA_OK };
	struct ua_order_render	rd = { render_nested, &n };

	ck_assert_int_eq(ua_order_idem_init(&k, "K", "{}", 2), UA_OK);
	ck_assert_int_eq(ua_order_create(&svc, &a, in, &k, &rd, &o, &ans),
	    UA_OK);
	ck_assert_int_eq(n.er, UA_ERR_IDEM_BUSY);
	ck_assert_uint_eq(fake_order_repo_norders(fo), 1);
	ua_order_cleanup(&o);
	ua_idem_answer_cleanup(&ans);
	free(in);
}
END_TEST

START_TEST(create_by_a_deleted_caller_is_a_bad_token)
{
	struct ua_user		a = user(ann);
	struct ua_user_repo	ur = fake_repo_users(fr);
	struct ua_order_create *in = create_in(1);
	struct ua_order		o;
	struct ua_idem_answer	ans;

	ck_assert_int_eq(ur.ops->remove(ur.arg, ann), UA_OK);
	ck_assert_int_eq(ua_order_create(&svc, &a, in, NULL, NULL, &o, &ans),
	    UA_ERR_BAD_TOKEN);
	free(in);
}
END_TEST

/* --- the bearer step's fetches ---------------------------------------- */

START_TEST(fetch_with_caller_is_one_call_unchecked)
{
	struct ua_user	      c;
	struct ua_credentials cred;
	struct ua_order	      o;
	bool		      found = false;
	int64_t		      id = order_of(ann);

	/* Anyone's order: the bearer step applies the route's rule. */
	ck_assert_int_eq(ua_order_fetch_with_caller(&svc, bob, NULL, id, &c,
			     &cred, &o, &found),
	    UA_OK);
	ck_assert(found);
	ck_assert_int_eq(c.id, bob);
	ck_assert_str_ne(cred.hash, "");
	ck_assert_int_eq(o.user_id, ann);
	ua_order_cleanup(&o);
	ck_assert_int_eq(fake_order_repo_calls(fo, FAKE_ORDER_GET_WITH_CALLER),
	    1);
	ck_assert_int_eq(ua_order_fetch_with_caller(&svc, bob, NULL, id + 1, &c,
			     &cred, &o, &found),
	    UA_OK);
	ck_assert(!found);
	ck_assert_int_eq(ua_order_fetch_with_caller(&svc, 999, NULL, id, &c,
			     &cred, &o, &found),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(o.id, 0);
}
END_TEST

/* Page "page" of "limit" as "sub" with "f"; ids into "buf". */
static enum ua_err
page_as(int64_t sub, const struct ua_order_filter *f, int64_t page,
    int64_t limit, char *buf, size_t len, int64_t *total, bool *found)
{
	struct ua_credentials cred;
	struct ua_user	      c;
	struct ua_order	      items[10];
	size_t		      n, i, off = 0;
	enum ua_err	      er;

	buf[0] = '\0';
	memset(items, 0, sizeof(items));
	er = ua_order_page_with_caller(&svc, sub, NULL, f, page, limit, &c,
	    &cred, items, &n, total, found);
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%lld",
		    i > 0 ? "," : "", (long long)items[i].id);
	for (i = 0; i < 10; i++)
		ua_order_cleanup(&items[i]);
	return er;
}

START_TEST(page_with_caller_pages_what_the_caller_may_see)
{
	struct ua_order_filter f;
	char		       ids[128];
	int64_t		       total;
	bool		       found;

	(void)order_of(ann);  /* 1 */
	(void)order_of(bob);  /* 2 */
	(void)order_of(ann);  /* 3 */
	(void)order_of(root); /* 4 */
	memset(&f, 0, sizeof(f));
	f.all_users = true;
	ck_assert_int_eq(page_as(ann, &f, 1, 10, ids, sizeof(ids), &total,
			     &found),
	    UA_OK);
	ck_assert_str_eq(ids, "3,1");
	ck_assert_int_eq(total, 2);
	ck_assert_int_eq(page_as(root, &f, 1, 10, ids, sizeof(ids), &total,
			     &found),
	    UA_OK);
	ck_assert_str_eq(ids, "4,3,2,1");
	ck_assert_int_eq(page_as(root, &f, 2, 3, ids, sizeof(ids), &total,
			     &found),
	    UA_OK);
	ck_assert_str_eq(ids, "1");
	ck_assert_int_eq(total, 4);
	/* A page so far out that its offset overflows: past the end. */
	ck_assert_int_eq(page_as(root, &f, INT64_MAX, 3, ids, sizeof(ids),
			     &total, &found),
	    UA_OK);
	ck_assert_str_eq(ids, "");
	ck_assert_int_eq(total, 4);
	ck_assert_int_eq(fake_order_repo_calls(fo, FAKE_ORDER_LIST_WITH_CALLER),
	    4);
	f.has_user_id = true;
	f.user_id = 999;
	ck_assert_int_eq(page_as(root, &f, 1, 10, ids, sizeof(ids), &total,
			     &found),
	    UA_OK);
	ck_assert(!found);
	ck_assert_int_eq(page_as(999, &f, 1, 10, ids, sizeof(ids), &total,
			     &found),
	    UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(repository_errors_pass_through)
{
	struct ua_user	     a = user(ann);
	struct ua_order	     o;
	enum ua_order_status cur;
	int64_t		     id = order_of(ann);

	fake_order_repo_fail_op(fo, FAKE_ORDER_GET_WITH_CALLER,
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(ua_order_get(&svc, &a, id, &o), UA_ERR_DB_UNAVAILABLE);
	fake_order_repo_fail_op(fo, FAKE_ORDER_SET_STATUS, UA_ERR_DB);
	ck_assert_int_eq(ua_order_set_status(&svc, &a, id, 0,
			     UA_ORDER_CANCELLED, &o, &cur),
	    UA_ERR_DB);
	ck_assert_int_eq(o.id, 0);
}
END_TEST

static Suite *
order_service_suite(void)
{
	Suite *s = suite_create("order_service");
	TCase *tc;

	tc = tcase_create("transitions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, transitions_table_is_api_md_exactly);
	tcase_add_test(tc, set_status_follows_the_table_for_owner_and_admin);
	tcase_add_test(tc, same_status_is_a_bad_transition_for_everyone);
	tcase_add_test(tc, a_lost_race_is_a_bad_transition_from_the_new_status);
	tcase_add_test(tc, set_status_if_match);
	suite_add_tcase(s, tc);

	tc = tcase_create("ownership");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, someone_elses_order_does_not_exist);
	tcase_add_test(tc, owner_and_admin_see_and_change_it);
	tcase_add_test(tc, a_deleted_owners_order_is_admins_only);
	tcase_add_test(tc, update_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("create");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_computes_totals_for_the_caller);
	tcase_add_test(tc, idem_key_rules);
	tcase_add_test(tc, idem_replays_mismatches_and_keeps_users_apart);
	tcase_add_test(tc, idem_in_progress_is_busy);
	tcase_add_test(tc, create_by_a_deleted_caller_is_a_bad_token);
	suite_add_tcase(s, tc);

	tc = tcase_create("bearer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fetch_with_caller_is_one_call_unchecked);
	tcase_add_test(tc, page_with_caller_pages_what_the_caller_may_see);
	tcase_add_test(tc, repository_errors_pass_through);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int	 failed;

	sr = srunner_create(order_service_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
