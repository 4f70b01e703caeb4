/*
 * test_order_repo_pg.c -- the order repository contract
 * (tests/unit/order_repo_contract.c, which test_order_repo_fake runs
 * against the in-memory fake) against ua_order_repo_pg and a real
 * PostgreSQL server, and what only PostgreSQL can show: the counters
 * kept by triggers, and lists that cost the same whatever the number
 * of orders.
 *
 * The run creates one scratch database (from the admin connection in
 * UA_TEST_PG_ADMIN_URL, dropped at the end), migrates it to head with
 * the built userapi-migrate, and gives every test empty tables and two
 * struct ua_db of its own (the second for calls made while the first is
 * inside a transaction).  Races run in child processes, each with its
 * own connection, released together, for many rounds.
 *
 * Environment: as test_repo_pg (UA_TEST_PG_ADMIN_URL required,
 * UA_TEST_MIGRATE, UA_TEST_MIGRATIONS_DIR, UA_TEST_THROUGH_PGBOUNCER:
 * then every case but those of DIRECT_TCASES goes through PgBouncer).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "pg_plans.h"
#include "pgtest.h"
#include "order_repo_contract.h"

#include "userapi/db.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/order.h"
#include "userapi/order_repo.h"
#include "userapi/settings.h"
#include "userapi/user.h"
#include "userapi/user_repo.h"

#ifndef UA_TEST_SRC_MIGRATIONS
#define UA_TEST_SRC_MIGRATIONS "db/migrations"
#endif

#define TEST_TIMEOUT_S 600
#define HASH "$2b$04$abcdefghijklmnopqrstuuKQ5Ow0tM4Ng3nGC3Zb2v5kqR8zvX1zy"
#define ROUNDS 50 /* of each race */

/* Set once by main() before any test runs; read-only afterwards. */
static struct pgt_scratch cfg;

/* Does the running test go directly to PostgreSQL (DIRECT_WHY)? */
static bool direct;

/* The running test's connections. */
static struct {
	struct ua_db *db, *db2;
	PGconn	     *raw;
} fx;

/* ---------------------------------------------------------------- */
/* Helpers. */

/*
 * Run "sql" with up to one text parameter on the plain connection; it
 * must succeed.  The first value (free it), "(null)", or "".
 */
static char *
raw1(const char *sql, const char *p1)
{
	PGresult *res;
	char	 *v;

	res = PQexecParams(fx.raw, sql, p1 != NULL ? 1 : 0, NULL, &p1, NULL,
	    NULL, 0);
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK ||
		PQresultStatus(res) == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQresultErrorMessage(res));
	if (PQntuples(res) == 0 || PQnfields(res) == 0)
		v = pgt_fmt("%s", "");
	else if (PQgetisnull(res, 0, 0))
		v = pgt_fmt("%s", "(null)");
	else
		v = pgt_fmt("%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

static void
raw_is(const char *sql, const char *want)
{
	char *v = raw1(sql, NULL);

	ck_assert_msg(strcmp(v, want) == 0, "%s: got \"%s\", want \"%s\"", sql,
	    v, want);
	free(v);
}

/*
 * The scratch database: through PgBouncer when the run goes through it,
 * but for the cases of DIRECT_TCASES.
 */
static char *
conninfo(void)
{
	return cfg.pooled != NULL && !direct ? cfg.pooled : cfg.conninfo;
}

static struct ua_db *
db_new(void)
{
	struct ua_settings s;

	memset(&s, 0, sizeof(s));
	s.database_url = conninfo();
	s.db_statement_timeout_ms = 5000;
	/* Through PgBouncer as the README sets it up: no prepared statements. */
	s.db_prepared_statements = conninfo() == cfg.conninfo;
	return ua_db_new(&s);
}

/* ---------------------------------------------------------------- */
/* The environment of the contract. */

static void
setup(void)
{
	char *v;

	ck_assert_msg(cfg.conninfo != NULL, "no scratch database");
	memset(&fx, 0, sizeof(fx));
	fx.raw = PQconnectdb(conninfo());
	ck_assert_msg(PQstatus(fx.raw) == CONNECTION_OK,
	    "cannot connect to the scratch database: %s",
	    PQerrorMessage(fx.raw));
	v = raw1("TRUNCATE users, login_failures, orders, idempotency_keys"
		 " RESTART IDENTITY CASCADE",
	    NULL);
	free(v);
	fx.db = db_new();
	fx.db2 = db_new();
}

/* Nothing of the repository's may be left open on the server. */
static void
no_open_transaction(void)
{
	raw_is("SELECT count(*) FROM pg_stat_activity"
	       " WHERE datname = current_database()"
	       " AND application_name = 'userapi'"
	       " AND state LIKE 'idle in transaction%'",
	    "0");
	raw_is("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
	       " AND database = (SELECT oid FROM pg_database"
	       "  WHERE datname = current_database())",
	    "0");
}

/* Directly to PostgreSQL whatever the run: see DIRECT_WHY. */
static void
setup_direct(void)
{
	direct = true;
	setup();
}

static void
teardown(void)
{
	if (fx.raw != NULL && PQstatus(fx.raw) == CONNECTION_OK)
		no_open_transaction();
	ua_db_free(fx.db);
	ua_db_free(fx.db2);
	PQfinish(fx.raw);
	memset(&fx, 0, sizeof(fx));
	direct = false;
}

static struct ua_order_repo
repo(void)
{
	struct ua_order_repo r = { &ua_order_repo_pg, fx.db };

	return r;
}

static struct ua_order_repo
other(void)
{
	struct ua_order_repo r = { &ua_order_repo_pg, fx.db2 };

	return r;
}

static int64_t
add_user(const char *email, enum ua_role role)
{
	struct ua_user u;
	enum ua_err    er;

	er = ua_user_repo_pg.insert(fx.db, email, "Some Name", HASH, role, &u);
	ck_assert_msg(er == UA_OK, "insert %s: %s", email, ua_strerror(er));
	return u.id;
}

static void
remove_user(int64_t id)
{
	ck_assert_int_eq(ua_user_repo_pg.remove(fx.db, id), UA_OK);
}

static void
age_keys(int64_t s)
{
	char  buf[32];
	char *v;

	snprintf(buf, sizeof(buf), "%lld", (long long)s);
	v = raw1("UPDATE idempotency_keys SET created_at = created_at"
		 " - $1::bigint * interval '1 second'",
	    buf);
	free(v);
}

/*
 * Run "fn" in "n" processes, each with a connection of its own made
 * beforehand, and let them go at once; their results into "out".
 */
static void
race(int n, contract_racer_fn fn, const void *arg, enum ua_err *out)
{
	struct ua_order_repo r;
	pid_t		     pid[CONTRACT_RACERS_MAX];
	int		     go[2], ready[2], i, st;
	char		     c;

	ck_assert_int_le(n, CONTRACT_RACERS_MAX);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(ready), 0);
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] != 0)
			continue;
		/* The child: never touch the parent's connections. */
		close(go[1]);
		close(ready[0]);
		r.ops = &ua_order_repo_pg;
		r.arg = db_new();
		if (ua_db_ping(r.arg) != UA_OK)
			_exit(UA_ERR__MAX + 1);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 0)
			_exit(UA_ERR__MAX + 2);
		_exit((int)fn(&r, i, arg));
	}
	close(go[0]);
	close(ready[1]);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(read(ready[0], &c, 1), 1);
	close(go[1]); /* go */
	close(ready[0]);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) < UA_ERR__MAX,
		    "racer %d failed: status %d", i, st);
		out[i] = (enum ua_err)WEXITSTATUS(st);
	}
}

static const struct contract_env pg_env = {
	.setup = setup,
	.teardown = teardown,
	.repo = repo,
	.other = other,
	.add_user = add_user,
	.remove_user = remove_user,
	.age_keys = age_keys,
	.race = race,
	.rounds = ROUNDS,
	.timeout_s = TEST_TIMEOUT_S,
};

/* ---------------------------------------------------------------- */
/* What only PostgreSQL shows. */

/* The counters agree with a count of the table, status by status. */
static void
counters_agree(void)
{
	raw_is("SELECT count(*) FROM (SELECT status, sum(n) AS n"
	       " FROM order_count GROUP BY status) AS c"
	       " FULL JOIN (SELECT status, count(*) AS n FROM orders"
	       " GROUP BY status) AS o USING (status)"
	       " WHERE coalesce(c.n, 0) <> coalesce(o.n, 0)",
	    "0");
}

/* A pending order of user "u" with one item, through the repository. */
static int64_t
add_order(int64_t u)
{
	struct ua_order_create *in = calloc(1, sizeof(*in));
	struct ua_order		o;
	struct ua_idem_answer	a;
	int64_t			id;

	ck_assert_ptr_nonnull(in);
	snprintf(in->currency, sizeof(in->currency), "EUR");
	snprintf(in->items[0].sku, sizeof(in->items[0].sku), "A");
	snprintf(in->items[0].name, sizeof(in->items[0].name), "A thing");
	in->items[0].unit_price_cents = 5;
	in->items[0].quantity = 2;
	in->nitems = 1;
	ck_assert_int_eq(ua_order_repo_pg.insert(fx.db, u, in, NULL, NULL, &o,
			     &a),
	    UA_OK);
	id = o.id;
	ua_order_cleanup(&o);
	free(in);
	return id;
}

START_TEST(counters_follow_every_change)
{
	int64_t		     u = add_user("ann@example.com", UA_ROLE_USER);
	int64_t		     ids[20];
	struct ua_order	     o;
	enum ua_order_status cur;
	char		    *v;
	int		     i;

	for (i = 0; i < 20; i++)
		ids[i] = add_order(u);
	counters_agree();
	for (i = 0; i < 20; i += 2) {
		ck_assert_int_eq(ua_order_repo_pg.set_status(fx.db, ids[i], 0,
				     UA_ORDER_PENDING, UA_ORDER_PAID, &o, &cur),
		    UA_OK);
		ua_order_cleanup(&o);
	}
	ck_assert_int_eq(ua_order_repo_pg.remove(fx.db, ids[1], 0), UA_OK);
	counters_agree();
	raw_is("SELECT sum(n) FROM order_count WHERE status = 'paid'", "10");
	raw_is("SELECT sum(n) FROM order_count WHERE status = 'pending'", "9");
	/* Writers other than the repository are counted too. */
	free(raw1("UPDATE orders SET status = 'shipped' WHERE status = 'paid'",
	    NULL));
	free(raw1("DELETE FROM orders WHERE status = 'pending'", NULL));
	counters_agree();
	remove_user(u);
	counters_agree();
	v = raw1("TRUNCATE orders CASCADE", NULL);
	free(v);
	raw_is("SELECT sum(n) FROM order_count", "0");
}
END_TEST

/*
 * The time of "reps" lists of user "caller", in microseconds: "all"
 * everyone's (an admin), else "user"'s own, on page "page" of 20.
 */
static int64_t
time_lists(int64_t caller, bool all, bool status, int reps, int64_t page)
{
	struct ua_order_filter f;
	struct ua_order	       items[20];
	struct ua_user	       c;
	struct ua_credentials  cred;
	struct timespec	       a, b;
	int64_t		       total;
	size_t		       n, i;
	bool		       ue;
	int		       k;

	memset(&f, 0, sizeof(f));
	f.all_users = all;
	f.has_status = status;
	f.status = UA_ORDER_PENDING;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (k = 0; k < reps; k++) {
		ck_assert_int_eq(ua_order_repo_pg.list_with_caller(fx.db,
				     caller, NULL, &c, &cred, &f, page * 20, 20,
				     items, &n, &total, &ue),
		    UA_OK);
		ck_assert_uint_eq(n, 20);
		for (i = 0; i < n; i++)
			ua_order_cleanup(&items[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (int64_t)(b.tv_sec - a.tv_sec) * 1000000 +
	    (b.tv_nsec - a.tv_nsec) / 1000;
}

/* "n" more orders of 2 items each, half of them "u"'s. */
static void
bulk_orders(int64_t u, int64_t v, int n)
{
	char buf[32], *sql, *r;

	snprintf(buf, sizeof(buf), "%d", n);
	sql = pgt_fmt("WITH o AS (INSERT INTO orders (user_id, currency,"
		      " total_cents) SELECT CASE WHEN g %% 2 = 0 THEN %lld"
		      " ELSE %lld END, 'EUR', 30 FROM generate_series(1,"
		      " $1::integer) AS g RETURNING id)"
		      " INSERT INTO order_items SELECT o.id, p, 'S', 'N',"
		      " 5, 3, 15 FROM o, generate_series(0, 1) AS p",
	    (long long)u, (long long)v);
	r = raw1(sql, buf);
	free(r);
	free(sql);
	free(raw1("ANALYZE orders", NULL));
	free(raw1("ANALYZE order_items", NULL));
}

START_TEST(lists_stay_flat_from_a_thousand_to_a_hundred_thousand_orders)
{
	int64_t u = add_user("ann@example.com", UA_ROLE_USER);
	int64_t v = add_user("bob@example.com", UA_ROLE_USER);
	int64_t a = add_user("root@example.com", UA_ROLE_ADMIN);
	int64_t small[4], big[4];
	int	i;

	bulk_orders(u, v, 1000);
	/* Warm up: statements prepared, plans settled (generic ones). */
	for (i = 0; i < 4; i++) {
		(void)time_lists(a, true, i % 2, 8, 0);
		(void)time_lists(u, false, i % 2, 8, 0);
	}
	small[0] = time_lists(a, true, false, 40, 2);
	small[1] = time_lists(u, false, false, 40, 2);
	small[2] = time_lists(a, true, true, 40, 2);
	small[3] = time_lists(u, false, true, 40, 2);
	bulk_orders(u, v, 99000);
	for (i = 0; i < 4; i++) {
		(void)time_lists(a, true, i % 2, 8, 0);
		(void)time_lists(u, false, i % 2, 8, 0);
	}
	big[0] = time_lists(a, true, false, 40, 2);
	big[1] = time_lists(u, false, false, 40, 2);
	big[2] = time_lists(a, true, true, 40, 2);
	big[3] = time_lists(u, false, true, 40, 2);
	counters_agree();
	for (i = 0; i < 4; i++) {
		fprintf(stderr,
		    "list %d: 40 pages in %lld us at 1,000 orders,"
		    " %lld us at 100,000\n",
		    i, (long long)small[i], (long long)big[i]);
		/*
		 * The admin's lists read a few counter rows and one page;
		 * a single user's count reads that user's index entries
		 * (half of the table here, by design of the test, so it is
		 * allowed to grow with them).
		 */
		if (i % 2 == 0)
			ck_assert_msg(big[i] < 4 * small[i] + 40000,
			    "list %d: %lld us at 100,000 orders against %lld"
			    " at 1,000",
			    i, (long long)big[i], (long long)small[i]);
	}
}
END_TEST

/*
 * The text of item "k" of the awkward order: every character the array
 * text of PostgreSQL quotes or escapes, and a "NULL" that is a name.
 */
static void
awkward_text(int k, char *sku, size_t slen, char *name, size_t nlen)
{
	snprintf(sku, slen, "S-%03d", k);
	switch (k % 5) {
	case 0:
		snprintf(name, nlen, "NULL");
		break;
	case 1:
		snprintf(name, nlen, "a \"quoted\", {braced} \\ name %d", k);
		break;
	case 2:
		snprintf(name, nlen, " %d\t \xc3\xa9t\xc3\xa9 ", k);
		break;
	case 3:
		snprintf(name, nlen, "\\\"}{,%d", k);
		break;
	default:
		snprintf(name, nlen, "plain%d", k);
		break;
	}
}

/* A new order of user "u" without items, its id as text (free it). */
static char *
bare_order(int64_t u)
{
	char *ubuf = pgt_fmt("%lld", (long long)u), *id;

	id = raw1("INSERT INTO orders (user_id, currency, total_cents)"
		  " VALUES ($1::bigint, 'EUR', 0) RETURNING id",
	    ubuf);
	free(ubuf);
	return id;
}

/* Order "id" as the owner "u" and as admin "a" reads it (in a list). */
static void
read_both_ways(int64_t u, int64_t a, int64_t id, struct ua_order *got,
    struct ua_order *listed)
{
	struct ua_order_filter f;
	struct ua_user	       c;
	struct ua_credentials  cred;
	int64_t		       total;
	size_t		       n;
	bool		       found, ue;

	ck_assert_int_eq(ua_order_repo_pg.get_with_caller(fx.db, u, NULL, &c,
			     &cred, id, got, &found),
	    UA_OK);
	ck_assert(found);
	ck_assert_int_eq(c.id, u);
	memset(&f, 0, sizeof(f));
	f.all_users = true;
	ck_assert_int_eq(ua_order_repo_pg.list_with_caller(fx.db, a, NULL, &c,
			     &cred, &f, 0, 1, listed, &n, &total, &ue),
	    UA_OK);
	ck_assert_int_eq(c.id, a);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(listed->id, id);
}

/*
 * The most items an order may have come back whole, in position order
 * (not the order the rows were written in), whatever their text holds.
 */
START_TEST(every_item_comes_back_whole_in_position_order)
{
	int64_t		u = add_user("ann@example.com", UA_ROLE_USER);
	int64_t		a = add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order got, listed, *o;
	char		sku[UA_SKU_MAX_BYTES + 1];
	char		name[UA_ITEM_NAME_MAX_BYTES + 1];
	char	       *id, *sql;
	int		k, pass;

	id = bare_order(u);
	/* Written last position first. */
	for (k = UA_ORDER_ITEMS_MAX - 1; k >= 0; k--) {
		awkward_text(k, sku, sizeof(sku), name, sizeof(name));
		sql = pgt_fmt("INSERT INTO order_items VALUES (%s, %d, '%s',"
			      " $1::text, %d, %d, %d)",
		    id, k, sku, 1000 + k, 1 + k % 7, (1000 + k) * (1 + k % 7));
		free(raw1(sql, name));
		free(sql);
	}
	read_both_ways(u, a, strtoll(id, NULL, 10), &got, &listed);
	for (pass = 0; pass < 2; pass++) {
		o = pass == 0 ? &got : &listed;
		ck_assert_uint_eq(o->nitems, UA_ORDER_ITEMS_MAX);
		for (k = 0; k < UA_ORDER_ITEMS_MAX; k++) {
			awkward_text(k, sku, sizeof(sku), name, sizeof(name));
			ck_assert_str_eq(o->items[k].sku, sku);
			ck_assert_str_eq(o->items[k].name, name);
			ck_assert_int_eq(o->items[k].unit_price_cents,
			    1000 + k);
			ck_assert_int_eq(o->items[k].quantity, 1 + k % 7);
			ck_assert_int_eq(o->items[k].line_total_cents,
			    (1000 + k) * (1 + k % 7));
		}
	}
	ua_order_cleanup(&got);
	ua_order_cleanup(&listed);
	free(id);
}
END_TEST

/* An order without items (the API makes none; the table allows one). */
START_TEST(an_order_without_items_has_an_empty_list)
{
	int64_t		u = add_user("ann@example.com", UA_ROLE_USER);
	int64_t		a = add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order got, listed;
	char	       *id;

	id = bare_order(u);
	read_both_ways(u, a, strtoll(id, NULL, 10), &got, &listed);
	ck_assert_uint_eq(got.nitems, 0);
	ck_assert_ptr_null(got.items);
	ck_assert_uint_eq(listed.nitems, 0);
	ck_assert_ptr_null(listed.items);
	ua_order_cleanup(&got);
	ua_order_cleanup(&listed);
	free(id);
}
END_TEST

/* Times come back to the microsecond, before 1970 as after. */
START_TEST(times_keep_every_microsecond)
{
	int64_t		u = add_user("ann@example.com", UA_ROLE_USER);
	int64_t		a = add_user("root@example.com", UA_ROLE_ADMIN);
	struct ua_order got, listed, *o;
	char	       *id, *sql;
	int		pass;

	id = bare_order(u);
	sql = pgt_fmt("UPDATE orders SET"
		      " created_at = '2026-12-06 10:00:00.000001+00',"
		      " updated_at = '1969-12-31 23:59:59.999999+00'"
		      " WHERE id = %s",
	    id);
	free(raw1(sql, NULL));
	free(sql);
	read_both_ways(u, a, strtoll(id, NULL, 10), &got, &listed);
	for (pass = 0; pass < 2; pass++) {
		o = pass == 0 ? &got : &listed;
		ck_assert_int_eq(o->created_us, INT64_C(1796551200000001));
		ck_assert(o->has_updated);
		ck_assert_int_eq(o->updated_us, -1);
	}
	ua_order_cleanup(&got);
	ua_order_cleanup(&listed);
	free(id);
}
END_TEST

/* ---------------------------------------------------------------- */
/* What the statements cost PostgreSQL. */

/* One page of 20 orders read by "caller" with session "sid". */
static void
list_page(int64_t caller, const char *sid, bool all, bool status)
{
	struct ua_order_filter f;
	struct ua_order	       items[20];
	struct ua_user	       c;
	struct ua_credentials  cred;
	int64_t		       total;
	size_t		       n, i;
	bool		       ue;

	memset(&f, 0, sizeof(f));
	f.all_users = all;
	f.has_status = status;
	f.status = UA_ORDER_PENDING;
	ck_assert_int_eq(ua_order_repo_pg.list_with_caller(fx.db, caller, sid,
			     &c, &cred, &f, 0, 20, items, &n, &total, &ue),
	    UA_OK);
	ck_assert_int_eq(c.id, caller);
	ck_assert(cred.session_live == (sid != NULL));
	ck_assert_uint_gt(n, 0);
	for (i = 0; i < n; i++)
		ua_order_cleanup(&items[i]);
}

/*
 * No statement of the reads is planned anew on every call, whether the
 * token names a session or not (the template's tokens name none):
 * after five custom plans PostgreSQL keeps the generic one, when that
 * one is estimated no dearer.  Planning the list costs more than
 * running it.
 */
START_TEST(reads_keep_their_generic_plans)
{
	int64_t		      u = add_user("ann@example.com", UA_ROLE_USER);
	int64_t		      a = add_user("root@example.com", UA_ROLE_ADMIN);
	char		     *sid = pgt_add_session(fx.raw, u), *id, *v;
	struct ua_order	      o;
	struct ua_user	      c;
	struct ua_credentials cred;
	bool		      found;
	int		      pass, i;

	ck_assert_ptr_nonnull(sid);
	bulk_orders(u, a, 80);
	id = bare_order(u);
	for (pass = 0; pass < 2; pass++) {
		const char *s = pass == 0 ? NULL : sid;

		for (i = 0; i < 12; i++) {
			list_page(a, NULL, true, i % 2);
			list_page(u, s, false, i % 2);
			ck_assert_int_eq(ua_order_repo_pg.get_with_caller(fx.db,
					     u, s, &c, &cred,
					     strtoll(id, NULL, 10), &o, &found),
			    UA_OK);
			ck_assert(found);
			ua_order_cleanup(&o);
		}
	}
	v = pgp_count_run(fx.db, 24, "sessions");
	ck_assert_str_eq(v, "3");
	free(v);
	v = pgp_replanned(fx.db);
	ck_assert_msg(v[0] == '\0', "planned on every call: %s", v);
	free(v);
	free(id);
	free(sid);
}
END_TEST

/* ---------------------------------------------------------------- */
/* The scratch database. */

/*
 * The cases that go directly to PostgreSQL even when the run goes
 * through PgBouncer, and why.
 */
#define DIRECT_TCASES "statements"
#define DIRECT_WHY \
	"they read the prepared statements of the repositories' own " \
	"server session, which a transaction pooler does not keep"

static Suite *
pg_suite(void)
{
	Suite *s = order_repo_contract_suite("order_repo_pg", &pg_env);
	TCase *tc;

	tc = tcase_create("postgresql");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, counters_follow_every_change);
	tcase_add_test(tc, every_item_comes_back_whole_in_position_order);
	tcase_add_test(tc, an_order_without_items_has_an_empty_list);
	tcase_add_test(tc, times_keep_every_microsecond);
	tcase_add_test(tc,
	    lists_stay_flat_from_a_thousand_to_a_hundred_thousand_orders);
	suite_add_tcase(s, tc);

	tc = tcase_create("statements");
	tcase_add_checked_fixture(tc, setup_direct, teardown);
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	tcase_add_test(tc, reads_keep_their_generic_plans);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int	 failed;

	ua_log_init("test_order_repo_pg", false);
	if (!pgt_scratch_open(&cfg, "test_order_repo_pg",
		UA_TEST_SRC_MIGRATIONS))
		return EXIT_FAILURE;
	pgt_direct("test_order_repo_pg", "cases " DIRECT_TCASES, DIRECT_WHY);
	sr = srunner_create(pg_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	pgt_scratch_close(&cfg);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
