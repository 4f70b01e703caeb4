/*
 * test_repo_pg.c -- ua_user_repo_pg and ua_login_repo_pg against a real
 * PostgreSQL server.
 *
 * The run creates one scratch database (from the admin connection in
 * UA_TEST_PG_ADMIN_URL, dropped at the end), migrates it to head with
 * the built userapi-migrate, and gives every test empty tables, a
 * struct ua_db of its own and a plain libpq connection to look behind
 * the repositories' back.  Races run in child processes, each with its
 * own connection, released together.
 *
 * Environment:
 *	UA_TEST_PG_ADMIN_URL	libpq conninfo of a role that may CREATE
 *				DATABASE; required: without it, or without
 *				a reachable server, the run fails
 *	UA_TEST_MIGRATE		the program (default ./userapi-migrate)
 *	UA_TEST_MIGRATIONS_DIR	the migrations (default: the source tree's
 *				db/migrations)
 *	UA_TEST_THROUGH_PGBOUNCER  1: the cases reach the scratch database
 *				through UA_TEST_PGBOUNCER_URL, but those
 *				about one server session (DIRECT_TCASES)
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <libpq-fe.h>

#include "pg_plans.h"
#include "pgtest.h"

#include "userapi/db.h"
#include "db/db-pg.h"
#include "userapi/errors.h"
#include "userapi/log.h"
#include "userapi/settings.h"
#include "userapi/user.h"
#include "userapi/user_repo.h"

#ifndef UA_TEST_SRC_MIGRATIONS
#define UA_TEST_SRC_MIGRATIONS "db/migrations"
#endif

#define TEST_TIMEOUT_S 120
#define HASH "$2b$04$abcdefghijklmnopqrstuuKQ5Ow0tM4Ng3nGC3Zb2v5kqR8zvX1zy"
#define RACERS 8  /* processes inserting one email at once */
#define ROUNDS 20 /* of each two-admin race */
#define WINDOW_S 60

/* Set once by main() before any test runs; read-only afterwards. */
static struct pgt_scratch cfg;

/* The running test's connections. */
static struct {
	char		    *conninfo; /* cfg's direct or pooled one */
	struct ua_db	    *db;
	struct ua_user_repo  users;
	struct ua_login_repo logins;
	PGconn		    *raw;
} fx;

/* ---------------------------------------------------------------- */
/* Helpers. */

/*
 * Run "sql" with up to two text parameters on the test's plain
 * connection; it must succeed.  Returns the first value (a copy, free
 * it), "(null)" for SQL NULL, or "" when there are no rows.
 */
static char *
raw2(const char *sql, const char *p1, const char *p2)
{
	const char *params[2] = { p1, p2 };
	PGresult   *res;
	char	   *v;
	int	    n = p2 != NULL ? 2 : p1 != NULL ? 1 : 0;

	res = PQexecParams(fx.raw, sql, n, NULL, params, NULL, NULL, 0);
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

static char *
raw(const char *sql)
{
	return raw2(sql, NULL, NULL);
}

/* Assert that "sql" yields "want". */
static void
raw_is(const char *sql, const char *want)
{
	char *v = raw(sql);

	ck_assert_msg(strcmp(v, want) == 0, "%s: got \"%s\", want \"%s\"", sql,
	    v, want);
	free(v);
}

/* The integer "sql" yields. */
static long long
raw_int(const char *sql)
{
	char	 *v = raw(sql), *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	ck_assert_msg(errno == 0 && end != v && *end == '\0',
	    "%s: \"%s\" is not an integer", sql, v);
	free(v);
	return n;
}

/* Nothing of the repositories' may be left open on the server. */
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

/* Insert through the repository, which must succeed; returns the id. */
static int64_t
add(const char *email, enum ua_role role)
{
	struct ua_user u;
	enum ua_err    er;

	er = fx.users.ops->insert(fx.users.arg, email, "Some Name", HASH, role,
	    &u);
	ck_assert_msg(er == UA_OK, "insert %s: %s", email, ua_strerror(er));
	return u.id;
}

/*
 * The list as user "caller_id"; when it is found, the caller's own row
 * and credentials come back with the page.
 */
static enum ua_err
list_as(int64_t caller_id, int64_t offset, int64_t limit, struct ua_user *items,
    size_t *n, int64_t *total)
{
	struct ua_user	      c;
	struct ua_credentials cred;
	enum ua_err	      er;

	er = fx.users.ops->list(fx.users.arg, caller_id, NULL, &c, &cred,
	    offset, limit, items, n, total);
	if (er == UA_OK) {
		ck_assert_int_eq(c.id, caller_id);
		ck_assert_str_ne(cred.hash, "");
	} else
		ck_assert_int_eq(c.id, 0);
	return er;
}

static struct ua_user_patch
patch_role(enum ua_role role)
{
	struct ua_user_patch p;

	memset(&p, 0, sizeof(p));
	p.has_role = true;
	p.role = role;
	return p;
}

static struct ua_user_patch
patch_email(const char *email)
{
	struct ua_user_patch p;

	memset(&p, 0, sizeof(p));
	p.has_email = true;
	snprintf(p.email, sizeof(p.email), "%s", email);
	return p;
}

static struct ua_user_patch
patch_name(const char *name)
{
	struct ua_user_patch p;

	memset(&p, 0, sizeof(p));
	p.has_name = true;
	snprintf(p.name, sizeof(p.name), "%s", name);
	return p;
}

/*
 * A fresh struct ua_db on the scratch database, preparing its
 * statements or not (DB_PREPARED_STATEMENTS); ua_db_free() it.
 */
static struct ua_db *
db_new_prepared(bool prepare)
{
	struct ua_settings s;

	memset(&s, 0, sizeof(s));
	s.database_url = fx.conninfo;
	s.db_statement_timeout_ms = 5000;
	s.db_prepared_statements = prepare;
	return ua_db_new(&s);
}

/*
 * The same with the settings' default, prepared statements, or without
 * them through PgBouncer, as the README says to set it up.
 */
static struct ua_db *
db_new(void)
{
	return db_new_prepared(fx.conninfo != cfg.pooled);
}

/* ---------------------------------------------------------------- */
/* Races. */

/* What each racer does: "i" is its number; returns its enum ua_err. */
typedef enum ua_err (
    *racer_fn)(const struct ua_user_repo *, int i, const void *arg);

/*
 * Run "fn" in "n" processes, each with a connection of its own made
 * beforehand, and let them go at once; their results into "out".
 */
static void
race(int n, racer_fn fn, const void *arg, enum ua_err *out)
{
	struct ua_user_repo r;
	pid_t		    pid[RACERS];
	int		    go[2], ready[2], i, st;
	char		    c;

	ck_assert_int_le(n, RACERS);
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
		r.ops = &ua_user_repo_pg;
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
/* The fixture. */

/* Connect to "conninfo" and empty the tables. */
static void
setup_on(char *conninfo)
{
	ck_assert_msg(conninfo != NULL, "no scratch database");
	memset(&fx, 0, sizeof(fx));
	fx.conninfo = conninfo;
	fx.raw = PQconnectdb(fx.conninfo);
	ck_assert_msg(PQstatus(fx.raw) == CONNECTION_OK,
	    "cannot connect to the scratch database: %s",
	    PQerrorMessage(fx.raw));
	free(raw("TRUNCATE users, login_failures RESTART IDENTITY CASCADE"));
	fx.db = db_new();
	fx.users.ops = &ua_user_repo_pg;
	fx.users.arg = fx.db;
	fx.logins.ops = &ua_login_repo_pg;
	fx.logins.arg = fx.db;
}

/* Through PgBouncer when the run goes through it. */
static void
setup(void)
{
	setup_on(cfg.pooled != NULL ? cfg.pooled : cfg.conninfo);
}

/*
 * Directly to PostgreSQL whatever the run: see DIRECT_WHY.  The server
 * connections PgBouncer kept from the cases before are ended first:
 * these cases count the scratch database's sessions.
 */
static void
setup_direct(void)
{
	int i;

	setup_on(cfg.conninfo);
	if (cfg.pooled == NULL)
		return;
	free(raw("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
		 " WHERE datname = current_database()"
		 " AND pid <> pg_backend_pid()"));
	for (i = 0; i < 100 &&
	     raw_int("SELECT count(*) FROM pg_stat_activity"
		     " WHERE datname = current_database()"
		     " AND pid <> pg_backend_pid()") != 0;
	     i++)
		usleep(50000);
}

static void
teardown(void)
{
	ua_db_free(fx.db);
	PQfinish(fx.raw);
	memset(&fx, 0, sizeof(fx));
}

/* ---------------------------------------------------------------- */
/* insert */

START_TEST(insert_returns_the_stored_row)
{
	struct ua_user u;
	int64_t	       now_us = (int64_t)time(NULL) * 1000000;

	ck_assert_int_eq(fx.users.ops->insert(fx.users.arg, "Ann@example.com",
			     "Ann Lee", HASH, UA_ROLE_USER, &u),
	    UA_OK);
	ck_assert_int_eq(u.id, 1);
	ck_assert_str_eq(u.email, "Ann@example.com");
	ck_assert_str_eq(u.name, "Ann Lee");
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	ck_assert(!u.has_updated);
	ck_assert_msg(u.created_us > now_us - 60 * 1000000 &&
		u.created_us < now_us + 60 * 1000000,
	    "created_us %lld", (long long)u.created_us);
	ck_assert_int_eq(add("bob@example.com", UA_ROLE_ADMIN), 2);
}
END_TEST

START_TEST(insert_stores_role_hash_and_version)
{
	add("a@example.com", UA_ROLE_ADMIN);
	add("b@example.com", UA_ROLE_USER);
	raw_is("SELECT string_agg(role::text || ' ' || hashed_password"
	       " || ' ' || token_version, ',' ORDER BY id) FROM users",
	    "ADMIN " HASH " 0,USER " HASH " 0");
}
END_TEST

START_TEST(insert_conflicts_in_any_case)
{
	struct ua_user u;

	add("ann@example.com", UA_ROLE_USER);
	ck_assert_int_eq(fx.users.ops->insert(fx.users.arg, "ann@example.com",
			     "Ann", HASH, UA_ROLE_USER, &u),
	    UA_ERR_CONFLICT);
	ck_assert_int_eq(u.id, 0);
	ck_assert_int_eq(fx.users.ops->insert(fx.users.arg, "ANN@Example.COM",
			     "Ann", HASH, UA_ROLE_USER, &u),
	    UA_ERR_CONFLICT);
	raw_is("SELECT count(*) FROM users", "1");
}
END_TEST

START_TEST(insert_refuses_what_the_model_cannot_hold)
{
	struct ua_user u;
	char	       big[UA_NAME_MAX_BYTES + 2];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(fx.users.ops->insert(fx.users.arg, "a@example.com",
			     big, HASH, UA_ROLE_USER, &u),
	    UA_ERR_INVALID);
	ck_assert_int_eq(fx.users.ops->insert(fx.users.arg, "a@example.com",
			     "Ann", HASH, UA_ROLE__MAX, &u),
	    UA_ERR_INTERNAL);
	raw_is("SELECT count(*) FROM users", "0");
}
END_TEST

/* Each racer inserts the same address, spelt its own way. */
static enum ua_err
insert_one(const struct ua_user_repo *r, int i, const void *arg)
{
	struct ua_user u;
	char	       email[64];
	size_t	       k;

	(void)arg;
	snprintf(email, sizeof(email), "race@example.com");
	for (k = 0; email[k] != '\0'; k++)
		if ((i >> (k % 4)) & 1)
			email[k] = (char)(email[k] >= 'a' && email[k] <= 'z' ?
				email[k] - 'a' + 'A' :
				email[k]);
	return r->ops->insert(r->arg, email, "Racer", HASH, UA_ROLE_USER, &u);
}

START_TEST(concurrent_inserts_of_one_email_one_wins)
{
	enum ua_err res[RACERS];
	int	    round;

	for (round = 0; round < 5; round++) {
		free(raw("TRUNCATE users RESTART IDENTITY CASCADE"));
		race(RACERS, insert_one, NULL, res);
		ck_assert_int_eq(count_er(res, RACERS, UA_OK), 1);
		ck_assert_int_eq(count_er(res, RACERS, UA_ERR_CONFLICT),
		    RACERS - 1);
		raw_is("SELECT count(*) FROM users", "1");
		raw_is("SELECT n FROM user_count", "1");
	}
}
END_TEST

/* Each racer inserts an address of its own. */
static enum ua_err
insert_own(const struct ua_user_repo *r, int i, const void *arg)
{
	struct ua_user u;
	char	       email[64];

	(void)arg;
	snprintf(email, sizeof(email), "racer%d@example.com", i);
	return r->ops->insert(r->arg, email, "Racer", HASH, UA_ROLE_USER, &u);
}

START_TEST(concurrent_inserts_are_all_counted)
{
	enum ua_err res[RACERS];

	add("first@example.com", UA_ROLE_USER);
	race(RACERS, insert_own, NULL, res);
	ck_assert_int_eq(count_er(res, RACERS, UA_OK), RACERS);
	raw_is("SELECT n = count(*) AND n = 9 FROM user_count, users"
	       " GROUP BY n",
	    "t");
}
END_TEST

/* ---------------------------------------------------------------- */
/* get_by_id, get_by_email, get_caller_and_target */

START_TEST(get_by_id_found_and_not)
{
	struct ua_user u;
	int64_t	       id = add("a@example.com", UA_ROLE_ADMIN);

	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, id, &u), UA_OK);
	ck_assert_int_eq(u.id, id);
	ck_assert_str_eq(u.email, "a@example.com");
	ck_assert_int_eq(u.role, UA_ROLE_ADMIN);
	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, id + 1, &u),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(u.id, 0);
	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, INT64_MAX, &u),
	    UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(times_are_read_to_the_microsecond)
{
	struct ua_user u;
	int64_t	       id = add("a@example.com", UA_ROLE_USER);

	free(raw("UPDATE users SET created_at ="
		 " '2026-11-26T10:00:00.123456Z'"));
	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, id, &u), UA_OK);
	ck_assert(u.created_us == INT64_C(1795687200123456));
	ck_assert(u.has_updated); /* the trigger saw a change */
	ck_assert(u.updated_us ==
	    raw_int("SELECT (extract(epoch FROM"
		    " updated_at) * 1000000)::bigint FROM users"));
}
END_TEST

START_TEST(get_by_email_in_any_case_with_credentials)
{
	struct ua_user	      u;
	struct ua_credentials c;
	int64_t		      id = add("Ann@Example.com", UA_ROLE_USER);

	ck_assert_int_eq(fx.users.ops->get_by_email(fx.users.arg,
			     "ann@example.com", &u, &c),
	    UA_OK);
	ck_assert_int_eq(u.id, id);
	ck_assert_str_eq(u.email, "Ann@Example.com");
	ck_assert_str_eq(c.hash, HASH);
	ck_assert_int_eq(c.token_version, 0);
	ck_assert_int_eq(fx.users.ops->get_by_email(fx.users.arg,
			     "ANN@EXAMPLE.COM", &u, &c),
	    UA_OK);
	ck_assert_int_eq(u.id, id);
	ck_assert_int_eq(fx.users.ops->get_by_email(fx.users.arg,
			     "ann@example.org", &u, &c),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(u.id, 0);
	ck_assert_str_eq(c.hash, "");
}
END_TEST

START_TEST(caller_and_target_in_one_call)
{
	struct ua_user	      c, t;
	struct ua_credentials cc;
	bool		      found;
	int64_t		      a, b;

	a = add("a@example.com", UA_ROLE_USER);
	b = add("b@example.com", UA_ROLE_ADMIN);
	free(raw("UPDATE users SET token_version = 3 WHERE id = 1"));

	ck_assert_int_eq(fx.users.ops->get_caller_and_target(fx.users.arg, a,
			     NULL, &c, &cc, b, &t, &found),
	    UA_OK);
	ck_assert_int_eq(c.id, a);
	ck_assert_str_eq(c.email, "a@example.com");
	ck_assert_str_eq(cc.hash, HASH);
	ck_assert_int_eq(cc.token_version, 3);
	ck_assert(found);
	ck_assert_int_eq(t.id, b);
	ck_assert_int_eq(t.role, UA_ROLE_ADMIN);

	/* The target is the caller. */
	ck_assert_int_eq(fx.users.ops->get_caller_and_target(fx.users.arg, b,
			     NULL, &c, &cc, b, &t, &found),
	    UA_OK);
	ck_assert(found);
	ck_assert_int_eq(c.id, b);
	ck_assert_int_eq(t.id, b);
	ck_assert_int_eq(cc.token_version, 0);

	/* No target asked for, and a missing one. */
	ck_assert_int_eq(fx.users.ops->get_caller_and_target(fx.users.arg, a,
			     NULL, &c, &cc, 0, &t, &found),
	    UA_OK);
	ck_assert(!found);
	ck_assert_int_eq(t.id, 0);
	ck_assert_int_eq(fx.users.ops->get_caller_and_target(fx.users.arg, a,
			     NULL, &c, &cc, 99, &t, &found),
	    UA_OK);
	ck_assert(!found);
	ck_assert_int_eq(c.id, a);

	/* The caller is gone. */
	ck_assert_int_eq(fx.users.ops->get_caller_and_target(fx.users.arg, 99,
			     NULL, &c, &cc, a, &t, &found),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(c.id, 0);
	ck_assert_int_eq(t.id, 0);
	ck_assert(!found);
	ck_assert_str_eq(cc.hash, "");
}
END_TEST

/* ---------------------------------------------------------------- */
/* list */

START_TEST(list_pages_in_id_order_with_total)
{
	struct ua_user	     items[10];
	struct ua_user_patch p = patch_name("Changed");
	struct ua_user	     u;
	size_t		     n;
	int64_t		     total;
	char		     email[32];
	int		     i;

	for (i = 0; i < 25; i++) {
		snprintf(email, sizeof(email), "u%02d@example.com", i);
		add(email, UA_ROLE_USER);
	}
	/* An update must not move a row in the order. */
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, 1, &p, &u), UA_OK);

	ck_assert_int_eq(list_as(1, 0, 10, items, &n, &total), UA_OK);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(total, 25);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(items[i].id, i + 1);
	ck_assert_str_eq(items[0].name, "Changed");
	ck_assert(items[0].has_updated);
	ck_assert_str_eq(items[1].email, "u01@example.com");

	ck_assert_int_eq(list_as(1, 20, 10, items, &n, &total), UA_OK);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(total, 25);
	ck_assert_int_eq(items[0].id, 21);
	ck_assert_int_eq(items[4].id, 25);

	ck_assert_int_eq(list_as(1, 30, 10, items, &n, &total), UA_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 25);

	ck_assert_int_eq(list_as(1, -1, 10, items, &n, &total), UA_ERR_INVALID);
}
END_TEST

/*
 * The total is the row migration 0004's triggers keep: right after
 * every kind of write, by the repository or anyone else.
 */
START_TEST(list_total_follows_every_writer)
{
	struct ua_user items[4];
	size_t	       n;
	int64_t	       total, me, id;

	me = add("a@example.com", UA_ROLE_ADMIN);
	id = add("b@example.com", UA_ROLE_USER);
	add("c@example.com", UA_ROLE_USER);
	ck_assert_int_eq(list_as(me, 0, 4, items, &n, &total), UA_OK);
	ck_assert_int_eq(total, 3);

	ck_assert_int_eq(fx.users.ops->remove(fx.users.arg, id), UA_OK);
	free(raw(
	    "INSERT INTO users (email, hashed_password, name)"
	    " VALUES ('d@example.com', 'x', 'D'), ('e@example.com', 'x', 'E'),"
	    " ('f@example.com', 'x', 'F')"));
	ck_assert_int_eq(list_as(me, 0, 4, items, &n, &total), UA_OK);
	ck_assert_int_eq(total, 5);
	ck_assert_uint_eq(n, 4);

	free(raw("DELETE FROM users WHERE email IN ('d@example.com',"
		 " 'e@example.com')"));
	free(raw("BEGIN"));
	free(raw("INSERT INTO users (email, hashed_password, name)"
		 " VALUES ('g@example.com', 'x', 'G')"));
	free(raw("ROLLBACK"));
	ck_assert_int_eq(list_as(me, 0, 4, items, &n, &total), UA_OK);
	ck_assert_int_eq(total, 3);
	raw_is("SELECT count(*) FROM users", "3");

	free(raw("TRUNCATE users CASCADE"));
	raw_is("SELECT n FROM user_count", "0");
	me = add("h@example.com", UA_ROLE_USER);
	ck_assert_int_eq(list_as(me, 0, 4, items, &n, &total), UA_OK);
	ck_assert_int_eq(total, 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(items[0].id, me);
}
END_TEST

/* A caller who is gone gets no page, whether or not there are users. */
START_TEST(list_for_a_caller_who_is_gone)
{
	struct ua_user items[5];
	size_t	       n = 9;
	int64_t	       total = 9;

	ck_assert_int_eq(list_as(1, 0, 5, items, &n, &total), UA_ERR_NOT_FOUND);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 0);
	add("a@example.com", UA_ROLE_USER);
	ck_assert_int_eq(list_as(2, 0, 5, items, &n, &total), UA_ERR_NOT_FOUND);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 0);
}
END_TEST

/* Past the end: the caller, no rows, and the total. */
START_TEST(list_past_the_end)
{
	struct ua_user items[5];
	size_t	       n = 9;
	int64_t	       total = 9, me = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(list_as(me, 5, 5, items, &n, &total), UA_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 1);
	ck_assert_int_eq(list_as(me, INT64_MAX, 5, items, &n, &total), UA_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 1);
}
END_TEST

/* ---------------------------------------------------------------- */
/* update */

START_TEST(update_name_only)
{
	struct ua_user_patch p = patch_name("Zoë Ångström");
	struct ua_user	     u;
	int64_t		     id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, id, &p, &u), UA_OK);
	ck_assert_str_eq(u.name, "Zoë Ångström");
	ck_assert_str_eq(u.email, "a@example.com");
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	ck_assert(u.has_updated);
	ck_assert(u.updated_us >= u.created_us);
	raw_is("SELECT name FROM users", "Zoë Ångström");
}
END_TEST

START_TEST(update_email_only)
{
	struct ua_user_patch p = patch_email("new@example.com");
	struct ua_user	     u;
	int64_t		     id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, id, &p, &u), UA_OK);
	ck_assert_str_eq(u.email, "new@example.com");
	ck_assert_str_eq(u.name, "Some Name");
	ck_assert(u.has_updated);
	/* A change of case of one's own address is no conflict. */
	p = patch_email("NEW@example.com");
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, id, &p, &u), UA_OK);
	ck_assert_str_eq(u.email, "NEW@example.com");
}
END_TEST

START_TEST(update_role_only)
{
	struct ua_user_patch p = patch_role(UA_ROLE_ADMIN);
	struct ua_user	     u;
	int64_t		     id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, id, &p, &u), UA_OK);
	ck_assert_int_eq(u.role, UA_ROLE_ADMIN);
	ck_assert_str_eq(u.email, "a@example.com");
	raw_is("SELECT role::text FROM users", "ADMIN");
	add("b@example.com", UA_ROLE_ADMIN);
	p = patch_role(UA_ROLE_USER);
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, id, &p, &u), UA_OK);
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	raw_is("SELECT role::text FROM users WHERE id = 1", "USER");
	no_open_transaction();
}
END_TEST

START_TEST(update_that_changes_nothing_keeps_updated_at)
{
	struct ua_user_patch p;
	struct ua_user	     u;
	int64_t		     id = add("a@example.com", UA_ROLE_USER);

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, id, &p, &u), UA_OK);
	ck_assert_int_eq(u.id, id);
	ck_assert_str_eq(u.email, "a@example.com");
	ck_assert(!u.has_updated);
	p = patch_name("Some Name");
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, id, &p, &u), UA_OK);
	ck_assert(!u.has_updated);
	p = patch_role(UA_ROLE_USER);
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, id, &p, &u), UA_OK);
	ck_assert(!u.has_updated);
	raw_is("SELECT updated_at IS NULL FROM users", "t");
}
END_TEST

START_TEST(update_email_conflict_in_other_case)
{
	struct ua_user_patch p = patch_email("B@EXAMPLE.com");
	struct ua_user	     u;
	int64_t		     a;

	a = add("a@example.com", UA_ROLE_USER);
	add("b@example.com", UA_ROLE_USER);
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, a, &p, &u),
	    UA_ERR_CONFLICT);
	ck_assert_int_eq(u.id, 0);
	raw_is("SELECT email FROM users WHERE id = 1", "a@example.com");
	/* The connection goes on serving. */
	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, a, &u), UA_OK);
}
END_TEST

START_TEST(update_demotion_with_conflict_changes_nothing)
{
	struct ua_user_patch p = patch_email("C@example.com");
	struct ua_user	     u;

	add("a@example.com", UA_ROLE_ADMIN);
	add("b@example.com", UA_ROLE_ADMIN);
	add("c@example.com", UA_ROLE_USER);
	p.has_role = true;
	p.role = UA_ROLE_USER;
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, 2, &p, &u),
	    UA_ERR_CONFLICT);
	raw_is("SELECT role::text || ' ' || email FROM users WHERE id = 2",
	    "ADMIN b@example.com");
	no_open_transaction();
	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, 2, &u), UA_OK);
}
END_TEST

START_TEST(update_unknown_id)
{
	struct ua_user_patch p = patch_name("Nobody");
	struct ua_user	     u;

	add("a@example.com", UA_ROLE_ADMIN);
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, 99, &p, &u),
	    UA_ERR_NOT_FOUND);
	p = patch_role(UA_ROLE_USER);
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, 99, &p, &u),
	    UA_ERR_NOT_FOUND);
	no_open_transaction();
}
END_TEST

/* ---------------------------------------------------------------- */
/* The last admin. */

START_TEST(last_admin_cannot_be_demoted)
{
	struct ua_user_patch p = patch_role(UA_ROLE_USER);
	struct ua_user	     u;
	int64_t		     a;

	a = add("a@example.com", UA_ROLE_ADMIN);
	add("b@example.com", UA_ROLE_USER);
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, a, &p, &u),
	    UA_ERR_LAST_ADMIN);
	ck_assert_int_eq(u.id, 0);
	raw_is("SELECT role::text FROM users WHERE id = 1", "ADMIN");
	no_open_transaction();
	/* Other changes of the last admin are fine. */
	p = patch_name("Still Admin");
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, a, &p, &u), UA_OK);
	ck_assert_int_eq(u.role, UA_ROLE_ADMIN);
}
END_TEST

START_TEST(last_admin_cannot_be_deleted)
{
	struct ua_user u;
	int64_t	       a, b;

	a = add("a@example.com", UA_ROLE_ADMIN);
	b = add("b@example.com", UA_ROLE_USER);
	ck_assert_int_eq(fx.users.ops->remove(fx.users.arg, a),
	    UA_ERR_LAST_ADMIN);
	raw_is("SELECT count(*) FROM users", "2");
	no_open_transaction();
	ck_assert_int_eq(fx.users.ops->remove(fx.users.arg, b), UA_OK);
	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, b, &u),
	    UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(remove_admin_when_another_remains)
{
	int64_t a, b;

	a = add("a@example.com", UA_ROLE_ADMIN);
	b = add("b@example.com", UA_ROLE_ADMIN);
	ck_assert_int_eq(fx.users.ops->remove(fx.users.arg, a), UA_OK);
	ck_assert_int_eq(fx.users.ops->remove(fx.users.arg, b),
	    UA_ERR_LAST_ADMIN);
	ck_assert_int_eq(fx.users.ops->remove(fx.users.arg, a),
	    UA_ERR_NOT_FOUND);
	raw_is("SELECT string_agg(id::text, ',') FROM users", "2");
	no_open_transaction();
}
END_TEST

/* Racer 0 demotes admin 2, racer 1 demotes admin 1. */
static enum ua_err
demote_other(const struct ua_user_repo *r, int i, const void *arg)
{
	struct ua_user_patch p = patch_role(UA_ROLE_USER);
	struct ua_user	     u;

	(void)arg;
	return r->ops->update(r->arg, i == 0 ? 2 : 1, &p, &u);
}

/* Racer 0 demotes admin 1 (itself), racer 1 deletes admin 2... */
static enum ua_err
demote_or_remove(const struct ua_user_repo *r, int i, const void *arg)
{
	struct ua_user_patch p = patch_role(UA_ROLE_USER);
	struct ua_user	     u;

	(void)arg;
	if (i == 0)
		return r->ops->update(r->arg, 1, &p, &u);
	return r->ops->remove(r->arg, 2);
}

/* Two admins, two racers; exactly one admin must be left. */
static void
two_admin_rounds(racer_fn fn)
{
	enum ua_err res[2];
	int	    round;

	for (round = 0; round < ROUNDS; round++) {
		free(raw("TRUNCATE users RESTART IDENTITY CASCADE"));
		add("a@example.com", UA_ROLE_ADMIN);
		add("b@example.com", UA_ROLE_ADMIN);
		race(2, fn, NULL, res);
		ck_assert_msg(count_er(res, 2, UA_OK) == 1 &&
			count_er(res, 2, UA_ERR_LAST_ADMIN) == 1,
		    "round %d: %s and %s", round, ua_strerror(res[0]),
		    ua_strerror(res[1]));
		raw_is("SELECT count(*) FROM users WHERE role = 'ADMIN'", "1");
	}
	no_open_transaction();
}

START_TEST(two_admins_demoting_each_other_leave_one)
{
	two_admin_rounds(demote_other);
}
END_TEST

/* ALTER DATABASE <scratch> "tail", for the connections made after. */
static void
alter_scratch_db(const char *tail)
{
	PGconn *admin = PQconnectdb(cfg.admin_url);

	ck_assert_msg(PQstatus(admin) == CONNECTION_OK, "admin: %s",
	    PQerrorMessage(admin));
	ck_assert(pgt_admin_db(admin, cfg.db, "ALTER", tail));
	PQfinish(admin);
}

/*
 * The guard's transaction is READ COMMITTED whatever the database's
 * default: under REPEATABLE READ its count would be read from a
 * snapshot older than the lock it waited for.
 */
START_TEST(guard_holds_under_another_default_isolation)
{
	alter_scratch_db(" SET default_transaction_isolation"
			 " = 'repeatable read'");
	two_admin_rounds(demote_other);
	two_admin_rounds(demote_or_remove);
}
END_TEST

/* After the tcase, pass or fail: the scratch database's default again. */
static void
reset_isolation(void)
{
	alter_scratch_db(" RESET default_transaction_isolation");
}

START_TEST(demotion_racing_deletion_leaves_one_admin)
{
	two_admin_rounds(demote_or_remove);
}
END_TEST

/* ---------------------------------------------------------------- */
/* set_password */

START_TEST(set_password_without_revoke_keeps_version)
{
	struct ua_user	      u;
	struct ua_credentials c;
	int64_t		      id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(fx.users.ops->set_password(fx.users.arg, id,
			     "$2b$12$rehashed", NULL, false),
	    UA_OK);
	ck_assert_int_eq(fx.users.ops->get_by_email(fx.users.arg,
			     "a@example.com", &u, &c),
	    UA_OK);
	ck_assert_str_eq(c.hash, "$2b$12$rehashed");
	ck_assert_int_eq(c.token_version, 0);
}
END_TEST

START_TEST(set_password_with_revoke_bumps_version)
{
	struct ua_user	      u;
	struct ua_credentials c;
	int64_t		      id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(fx.users.ops->set_password(fx.users.arg, id,
			     "$2b$12$changed", NULL, true),
	    UA_OK);
	ck_assert_int_eq(fx.users.ops->set_password(fx.users.arg, id,
			     "$2b$12$again", NULL, true),
	    UA_OK);
	ck_assert_int_eq(fx.users.ops->get_by_email(fx.users.arg,
			     "a@example.com", &u, &c),
	    UA_OK);
	ck_assert_str_eq(c.hash, "$2b$12$again");
	ck_assert_int_eq(c.token_version, 2);
	ck_assert(u.has_updated); /* a password change is a change */
}
END_TEST

START_TEST(set_password_unknown_id)
{
	ck_assert_int_eq(fx.users.ops->set_password(fx.users.arg, 42,
			     "$2b$12$x", NULL, true),
	    UA_ERR_NOT_FOUND);
}
END_TEST

/* A rehash lands only over the hash it was made from. */
START_TEST(set_password_only_over_the_expected_hash)
{
	int64_t id = add("a@example.com", UA_ROLE_USER);
	char   *was = raw("SELECT hashed_password FROM users");

	ck_assert_int_eq(fx.users.ops->set_password(fx.users.arg, id,
			     "$2b$12$changed", NULL, true),
	    UA_OK);
	ck_assert_int_eq(fx.users.ops->set_password(fx.users.arg, id,
			     "$2b$12$rehash", was, false),
	    UA_ERR_NOT_FOUND);
	raw_is("SELECT hashed_password FROM users", "$2b$12$changed");
	ck_assert_int_eq(fx.users.ops->set_password(fx.users.arg, id,
			     "$2b$12$rehash", "$2b$12$changed", false),
	    UA_OK);
	raw_is("SELECT hashed_password || ' ' || token_version FROM users",
	    "$2b$12$rehash 1");
	free(was);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Prepared statements. */

/*
 * A migration that changes the type of a column a prepared statement
 * returns makes PostgreSQL refuse to run it ("cached plan must not
 * change result type"); nothing ran, so it is prepared again and sent
 * once more, reads and writes alike.
 */
START_TEST(statements_prepared_again_after_a_type_change)
{
	struct ua_user u;
	int64_t	       id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, id, &u), UA_OK);
	free(raw("ALTER TABLE users ALTER COLUMN name TYPE text"));
	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, id, &u), UA_OK);
	ck_assert_str_eq(u.name, "Some Name");

	free(raw("ALTER TABLE users ALTER COLUMN name TYPE varchar"));
	add("b@example.com", UA_ROLE_USER);
	raw_is("SELECT count(*) FROM users", "2");
}
END_TEST

/*
 * The bearer reads are not planned anew on every call, whether the
 * token names a session or not (the template's tokens name none):
 * after five custom plans PostgreSQL keeps the generic one when that
 * one is estimated no dearer, and a NULL session made every custom plan
 * look cheaper (the session's probe folded away).
 */
START_TEST(bearer_reads_keep_their_generic_plans)
{
	struct ua_user	      c, t, items[20];
	struct ua_credentials cc;
	bool		      found;
	int64_t		      a, total;
	size_t		      n;
	char		     *sid, *v, ebuf[32];
	int		      pass, i;

	a = add("a@example.com", UA_ROLE_USER);
	for (i = 0; i < 40; i++) {
		snprintf(ebuf, sizeof(ebuf), "u%d@example.com", i);
		(void)add(ebuf, UA_ROLE_USER);
	}
	sid = pgt_add_session(fx.raw, a);
	ck_assert_ptr_nonnull(sid);
	for (pass = 0; pass < 2; pass++) {
		const char *s = pass == 0 ? NULL : sid;

		for (i = 0; i < 12; i++) {
			ck_assert_int_eq(fx.users.ops
					     ->get_caller_and_target(fx.users
									 .arg,
						 a, s, &c, &cc, a + 1 + i, &t,
						 &found),
			    UA_OK);
			ck_assert(found);
			ck_assert(cc.session_live == (s != NULL));
			ck_assert_int_eq(fx.users.ops->list(fx.users.arg, a, s,
					     &c, &cc, i, 20, items, &n, &total),
			    UA_OK);
			ck_assert_uint_eq(n, 20);
			ck_assert(cc.session_live == (s != NULL));
		}
	}
	v = pgp_count_run(fx.db, 24, "sessions");
	ck_assert_str_eq(v, "2");
	free(v);
	v = pgp_replanned(fx.db);
	ck_assert_msg(v[0] == '\0', "planned on every call: %s", v);
	free(v);
	free(sid);
}
END_TEST

/* With DB_PREPARED_STATEMENTS=false every statement goes as text. */
START_TEST(text_statements_when_not_preparing)
{
	struct ua_user_repo   r;
	struct ua_user	      u, items[2];
	struct ua_credentials cred;
	size_t		      n;
	int64_t		      total, id;

	r.ops = &ua_user_repo_pg;
	r.arg = db_new_prepared(false);
	ck_assert_int_eq(r.ops->insert(r.arg, "t@example.com", "Text", HASH,
			     UA_ROLE_USER, &u),
	    UA_OK);
	id = u.id;
	ck_assert_int_eq(r.ops->get_by_id(r.arg, id, &u), UA_OK);
	ck_assert_str_eq(u.email, "t@example.com");
	ck_assert_int_eq(r.ops->list(r.arg, id, NULL, &u, &cred, 0, 2, items,
			     &n, &total),
	    UA_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(total, 1);
	ua_db_free(r.arg);
}
END_TEST

/* ---------------------------------------------------------------- */
/* A lost connection. */

/* Disconnect the repositories' session from the server side. */
static void
kill_repo_session(void)
{
	raw_is("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
	       " WHERE datname = current_database()"
	       " AND application_name = 'userapi'",
	    "1");
	/* Let the backend go before the next statement is sent. */
	while (raw_int("SELECT count(*) FROM pg_stat_activity"
		       " WHERE datname = current_database()"
		       " AND application_name = 'userapi'") != 0)
		usleep(10000);
}

/*
 * A session the server ended while it was idle is noticed before the
 * next statement goes out: the write is made once, on a new connection,
 * not refused and not doubled.
 */
START_TEST(idle_lost_connection_reconnects_before_write)
{
	struct ua_user	      u;
	struct ua_credentials c;
	int64_t		      id = add("a@example.com", UA_ROLE_USER);

	kill_repo_session();
	ck_assert_int_eq(fx.users.ops->set_password(fx.users.arg, id,
			     "$2b$12$lost", NULL, true),
	    UA_OK);
	raw_is("SELECT token_version FROM users", "1");
	ck_assert_int_eq(fx.users.ops->get_by_email(fx.users.arg,
			     "a@example.com", &u, &c),
	    UA_OK);
	ck_assert_str_eq(c.hash, "$2b$12$lost");

	kill_repo_session();
	ck_assert_int_eq(fx.users.ops->get_by_id(fx.users.arg, id, &u), UA_OK);
}
END_TEST

/*
 * A write refused because the session went read-only under it (a
 * pooler's server connection to a server now a standby, say) answers
 * 503, and the next statement runs on a new connection.
 */
START_TEST(read_only_refusal_replaces_the_connection)
{
	struct ua_user u;
	char	      *before, *after;

	before = pgp_on_session(fx.db, "SELECT pg_backend_pid()::text");
	free(pgp_on_session(fx.db,
	    "SELECT set_config("
	    "'default_transaction_read_only', 'on', false)"));
	ck_assert_int_eq(fx.users.ops->insert(fx.users.arg, "ro@example.com",
			     "Read Only", HASH, UA_ROLE_USER, &u),
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(fx.users.ops->insert(fx.users.arg, "ro@example.com",
			     "Read Only", HASH, UA_ROLE_USER, &u),
	    UA_OK);
	after = pgp_on_session(fx.db, "SELECT pg_backend_pid()::text");
	ck_assert_str_ne(before, after);
	raw_is("SELECT count(*) FROM users WHERE email = 'ro@example.com'",
	    "1");
	free(before);
	free(after);
}
END_TEST

START_TEST(idle_lost_connection_before_transaction)
{
	struct ua_user_patch p = patch_role(UA_ROLE_USER);
	struct ua_user	     u;

	add("a@example.com", UA_ROLE_ADMIN);
	add("b@example.com", UA_ROLE_ADMIN);
	kill_repo_session();
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, 1, &p, &u), UA_OK);
	raw_is("SELECT count(*) FROM users WHERE role = 'ADMIN'", "1");
	no_open_transaction();
	kill_repo_session();
	ck_assert_int_eq(fx.users.ops->remove(fx.users.arg, 1), UA_OK);
	raw_is("SELECT count(*) FROM users", "1");
	no_open_transaction();
}
END_TEST

/*
 * The advisory lock the repository takes before a demotion or a
 * deletion ("ua_admin" in ASCII), held here to stop one halfway.
 */
#define ADMIN_LOCK_KEY "8458146447079860590"

/*
 * In a child process: wait until the repositories' session waits for
 * a lock, then terminate it.  Exits 0 if it did.
 */
static pid_t
kill_when_waiting(void)
{
	PGconn	 *c;
	PGresult *res;
	pid_t	  pid;
	int	  i;
	bool	  done = false;

	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid != 0)
		return pid;
	c = PQconnectdb(fx.conninfo);
	for (i = 0; i < 1000 && !done && PQstatus(c) == CONNECTION_OK; i++) {
		res = PQexec(c,
		    "SELECT count(pg_terminate_backend(pid))"
		    " FROM pg_stat_activity"
		    " WHERE datname = current_database()"
		    " AND application_name = 'userapi'"
		    " AND wait_event_type = 'Lock'");
		done = PQresultStatus(res) == PGRES_TUPLES_OK &&
		    strcmp(PQgetvalue(res, 0, 0), "1") == 0;
		PQclear(res);
		if (!done)
			usleep(10000);
	}
	_exit(done ? 0 : 1);
}

/*
 * A connection lost inside a transaction is never replaced silently:
 * the statements after it would run outside the transaction.  Once the
 * transaction is ended, the next statement connects again.
 */
START_TEST(no_reconnect_inside_a_transaction)
{
	PGresult *res = NULL;

	ck_assert_int_eq(ua_db_begin(fx.db), UA_OK);
	ck_assert(ua_db_in_transaction(fx.db));
	kill_repo_session();
	ck_assert_int_eq(ua_db_exec(fx.db, "SELECT 1", 0, NULL, UA_DB_READ_ONLY,
			     &res),
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(ua_db_commit(fx.db), UA_ERR_DB_UNAVAILABLE);
	ck_assert(!ua_db_in_transaction(fx.db));
	raw_is("SELECT count(*) FROM pg_stat_activity"
	       " WHERE datname = current_database()"
	       " AND application_name = 'userapi'",
	    "0");
	ck_assert_int_eq(ua_db_ping(fx.db), UA_OK);
	no_open_transaction();
}
END_TEST

/* The first value of "sql" on "db", as text, into "out". */
static void
db_value(struct ua_db *db, const char *sql, char *out, size_t len)
{
	PGresult *res;

	ck_assert_int_eq(ua_db_exec(db, sql, 0, NULL, UA_DB_READ_ONLY, &res),
	    UA_OK);
	snprintf(out, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

/*
 * DB_STATEMENT_TIMEOUT_MS is added to the options a DATABASE_URL
 * carries, not replaced by them; the URL's own timeout wins.
 */
START_TEST(statement_timeout_joins_the_url_options)
{
	struct ua_settings s;
	struct ua_db	  *db;
	char		   v[128];

	memset(&s, 0, sizeof(s));
	s.db_statement_timeout_ms = 1234;
	s.database_url =
	    pgt_fmt("%s options='-c search_path=pg_catalog'", fx.conninfo);
	db = ua_db_new(&s);
	db_value(db, "SHOW statement_timeout", v, sizeof(v));
	ck_assert_str_eq(v, "1234ms");
	db_value(db, "SHOW search_path", v, sizeof(v));
	ck_assert_str_eq(v, "pg_catalog");
	ua_db_free(db);
	free(s.database_url);

	s.database_url =
	    pgt_fmt("%s options='-c statement_timeout=4321'", fx.conninfo);
	db = ua_db_new(&s);
	db_value(db, "SHOW statement_timeout", v, sizeof(v));
	ck_assert_str_eq(v, "4321ms");
	ua_db_free(db);
	free(s.database_url);
}
END_TEST

START_TEST(lost_connection_inside_transaction)
{
	struct ua_user_patch p = patch_role(UA_ROLE_USER);
	struct ua_user	     u;
	pid_t		     pid;
	int		     st;

	add("a@example.com", UA_ROLE_ADMIN);
	add("b@example.com", UA_ROLE_ADMIN);
	free(raw("SELECT pg_advisory_lock(" ADMIN_LOCK_KEY ")"));
	pid = kill_when_waiting();
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, 1, &p, &u),
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the demotion never waited for the admin lock");

	pid = kill_when_waiting();
	ck_assert_int_eq(fx.users.ops->remove(fx.users.arg, 1),
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the deletion never waited for the admin lock");

	raw_is("SELECT pg_advisory_unlock(" ADMIN_LOCK_KEY ")", "t");
	raw_is("SELECT count(*) FROM users WHERE role = 'ADMIN'", "2");
	no_open_transaction();
	ck_assert_int_eq(fx.users.ops->update(fx.users.arg, 1, &p, &u), UA_OK);
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	no_open_transaction();
}
END_TEST

/* ---------------------------------------------------------------- */
/* login failures */

/* Failures allowed in the window by these tests. */
#define MAX_FAILURES 3

/* Reserve an attempt of ("email", "client"): it must be allowed. */
static int64_t
attempt(const char *email, const char *client)
{
	int64_t id = 0;
	int	retry = -1;

	ck_assert_int_eq(fx.logins.ops->reserve(fx.logins.arg, email, client,
			     WINDOW_S, MAX_FAILURES, &id, &retry),
	    UA_OK);
	ck_assert_int_gt(id, 0);
	return id;
}

/* The next attempt must be refused, retry-after in rmin..rmax. */
static void
refused(const char *email, const char *client, int rmin, int rmax)
{
	int64_t id = -1;
	int	retry = -1;

	ck_assert_int_eq(fx.logins.ops->reserve(fx.logins.arg, email, client,
			     WINDOW_S, MAX_FAILURES, &id, &retry),
	    UA_ERR_TOO_MANY);
	ck_assert_int_eq(id, 0);
	ck_assert_msg(retry >= rmin && retry <= rmax,
	    "%s %s: retry after %d, want %d..%d", email, client, retry, rmin,
	    rmax);
}

START_TEST(login_counts_per_email_any_case_and_client)
{
	attempt("Ann@Example.com", "10.0.0.1");
	attempt("ann@example.com", "10.0.0.1");
	attempt("ANN@EXAMPLE.COM", "10.0.0.1");
	refused("ann@example.com", "10.0.0.1", WINDOW_S - 1, WINDOW_S);
	refused("Ann@example.COM", "10.0.0.1", WINDOW_S - 1, WINDOW_S);
	attempt("ann@example.com", "10.0.0.2");
	attempt("bob@example.com", "10.0.0.1");
	/* A refused attempt is not recorded. */
	raw_is("SELECT count(*) FROM login_failures"
	       " WHERE email = 'ann@example.com'",
	    "4");
}
END_TEST

START_TEST(login_window_and_retry_after)
{
	attempt("a@example.com", "c");
	attempt("a@example.com", "c");
	attempt("a@example.com", "c");
	/* The oldest failed 50 s ago: 10 s until it leaves the window. */
	free(raw("UPDATE login_failures SET failed_at = now()"
		 " - interval '50 seconds' WHERE id = 1"));
	refused("a@example.com", "c", 9, 10);
	/* Out of the window: no longer counted. */
	free(raw("UPDATE login_failures SET failed_at = now()"
		 " - interval '70 seconds' WHERE id = 1"));
	attempt("a@example.com", "c");
	refused("a@example.com", "c", WINDOW_S - 1, WINDOW_S);
}
END_TEST

START_TEST(reserve_forgets_stale_rows)
{
	attempt("a@example.com", "c");
	attempt("a@example.com", "c");
	attempt("old@example.com", "d");
	free(raw("UPDATE login_failures SET failed_at = now()"
		 " - interval '1 hour' WHERE id IN (1, 3)"));
	attempt("a@example.com", "c");
	raw_is("SELECT string_agg(id::text, ',' ORDER BY id)"
	       " FROM login_failures",
	    "2,4");
	no_open_transaction();
}
END_TEST

START_TEST(prune_forgets_everyones_stale_rows)
{
	int64_t deleted = -1;

	attempt("a@example.com", "c");
	attempt("b@example.com", "d");
	attempt("b@example.com", "d");
	free(raw("UPDATE login_failures SET failed_at = now()"
		 " - interval '1 hour' WHERE id IN (1, 2)"));
	ck_assert_int_eq(fx.logins.ops->prune(fx.logins.arg, WINDOW_S,
			     &deleted),
	    UA_OK);
	ck_assert_int_eq(deleted, 2);
	raw_is("SELECT string_agg(id::text, ',' ORDER BY id)"
	       " FROM login_failures",
	    "3");
	ck_assert_int_eq(fx.logins.ops->prune(fx.logins.arg, WINDOW_S,
			     &deleted),
	    UA_OK);
	ck_assert_int_eq(deleted, 0);
	no_open_transaction();
}
END_TEST

START_TEST(release_forgets_one_attempt)
{
	int64_t first = attempt("a@example.com", "c");

	attempt("a@example.com", "c");
	ck_assert_int_eq(fx.logins.ops->release(fx.logins.arg, first), UA_OK);
	raw_is("SELECT string_agg(id::text, ',' ORDER BY id)"
	       " FROM login_failures",
	    "2");
	attempt("a@example.com", "c");
	attempt("a@example.com", "c");
	refused("a@example.com", "c", WINDOW_S - 1, WINDOW_S);
}
END_TEST

START_TEST(clear_forgets_one_email_and_client)
{
	attempt("a@example.com", "c");
	attempt("a@example.com", "d");
	attempt("b@example.com", "c");
	ck_assert_int_eq(fx.logins.ops->clear(fx.logins.arg, "A@EXAMPLE.com",
			     "c"),
	    UA_OK);
	raw_is("SELECT string_agg(email || ' ' || client, ',' ORDER BY id)"
	       " FROM login_failures",
	    "a@example.com d,b@example.com c");
	ck_assert_int_eq(fx.logins.ops->clear(fx.logins.arg,
			     "nobody@example.com", "c"),
	    UA_OK);
}
END_TEST

/* Each racer tries one attempt of the same address and client. */
static enum ua_err
reserve_one(const struct ua_user_repo *r, int i, const void *arg)
{
	struct ua_login_repo l = { &ua_login_repo_pg, r->arg };
	int64_t		     id;
	int		     retry;

	(void)i;
	(void)arg;
	return l.ops->reserve(l.arg, "a@example.com", "c", WINDOW_S,
	    MAX_FAILURES, &id, &retry);
}

/* The count and the reservation are one step: never more than allowed. */
static void
reserve_rounds(void)
{
	enum ua_err res[RACERS];
	int	    round;

	for (round = 0; round < ROUNDS; round++) {
		free(raw("TRUNCATE login_failures"));
		race(RACERS, reserve_one, NULL, res);
		ck_assert_msg(count_er(res, RACERS, UA_OK) == MAX_FAILURES &&
			count_er(res, RACERS, UA_ERR_TOO_MANY) ==
			    RACERS - MAX_FAILURES,
		    "round %d: %d allowed of %d", round,
		    count_er(res, RACERS, UA_OK), RACERS);
		raw_is("SELECT count(*) FROM login_failures", "3");
	}
}

START_TEST(parallel_attempts_never_pass_the_limit)
{
	reserve_rounds();
}
END_TEST

START_TEST(login_limit_holds_under_another_default_isolation)
{
	alter_scratch_db(" SET default_transaction_isolation"
			 " = 'repeatable read'");
	reserve_rounds();
}
END_TEST

/* ---------------------------------------------------------------- */

/*
 * The cases that go directly to PostgreSQL even when the run goes
 * through PgBouncer, and why: a transaction pooler hands each
 * transaction a server connection of its own, so what they look at is
 * not there to see through it.
 */
#define DIRECT_TCASES "prepared, connection and isolation"
#define DIRECT_WHY \
	"they are about one server session: statements prepared on it, " \
	"its backend killed (pg_terminate_backend), startup options, and " \
	"database defaults that only new sessions take, none of which a " \
	"transaction pooler passes on"

static TCase *
tcase_on(const char *name, void (*fixture)(void))
{
	TCase *tc;

	tc = tcase_create(name);
	tcase_add_checked_fixture(tc, fixture, teardown);
	tcase_set_timeout(tc, TEST_TIMEOUT_S);
	return tc;
}

static TCase *
tcase(const char *name)
{
	return tcase_on(name, setup);
}

static TCase *
tcase_direct(const char *name)
{
	return tcase_on(name, setup_direct);
}

static Suite *
repo_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("repo_pg");

	tc = tcase("insert");
	tcase_add_test(tc, insert_returns_the_stored_row);
	tcase_add_test(tc, insert_stores_role_hash_and_version);
	tcase_add_test(tc, insert_conflicts_in_any_case);
	tcase_add_test(tc, insert_refuses_what_the_model_cannot_hold);
	tcase_add_test(tc, concurrent_inserts_of_one_email_one_wins);
	tcase_add_test(tc, concurrent_inserts_are_all_counted);
	suite_add_tcase(s, tc);

	tc = tcase("get");
	tcase_add_test(tc, get_by_id_found_and_not);
	tcase_add_test(tc, times_are_read_to_the_microsecond);
	tcase_add_test(tc, get_by_email_in_any_case_with_credentials);
	tcase_add_test(tc, caller_and_target_in_one_call);
	suite_add_tcase(s, tc);

	tc = tcase("list");
	tcase_add_test(tc, list_pages_in_id_order_with_total);
	tcase_add_test(tc, list_total_follows_every_writer);
	tcase_add_test(tc, list_for_a_caller_who_is_gone);
	tcase_add_test(tc, list_past_the_end);
	suite_add_tcase(s, tc);

	tc = tcase("update");
	tcase_add_test(tc, update_name_only);
	tcase_add_test(tc, update_email_only);
	tcase_add_test(tc, update_role_only);
	tcase_add_test(tc, update_that_changes_nothing_keeps_updated_at);
	tcase_add_test(tc, update_email_conflict_in_other_case);
	tcase_add_test(tc, update_demotion_with_conflict_changes_nothing);
	tcase_add_test(tc, update_unknown_id);
	suite_add_tcase(s, tc);

	tc = tcase("last_admin");
	tcase_add_test(tc, last_admin_cannot_be_demoted);
	tcase_add_test(tc, last_admin_cannot_be_deleted);
	tcase_add_test(tc, remove_admin_when_another_remains);
	tcase_add_test(tc, two_admins_demoting_each_other_leave_one);
	tcase_add_test(tc, demotion_racing_deletion_leaves_one_admin);
	suite_add_tcase(s, tc);

	tc = tcase_direct("isolation");
	tcase_add_unchecked_fixture(tc, NULL, reset_isolation);
	tcase_add_test(tc, guard_holds_under_another_default_isolation);
	tcase_add_test(tc, login_limit_holds_under_another_default_isolation);
	suite_add_tcase(s, tc);

	tc = tcase("set_password");
	tcase_add_test(tc, set_password_without_revoke_keeps_version);
	tcase_add_test(tc, set_password_with_revoke_bumps_version);
	tcase_add_test(tc, set_password_unknown_id);
	tcase_add_test(tc, set_password_only_over_the_expected_hash);
	suite_add_tcase(s, tc);

	tc = tcase_direct("prepared");
	tcase_add_test(tc, statements_prepared_again_after_a_type_change);
	tcase_add_test(tc, text_statements_when_not_preparing);
	tcase_add_test(tc, bearer_reads_keep_their_generic_plans);
	suite_add_tcase(s, tc);

	tc = tcase_direct("connection");
	tcase_add_test(tc, idle_lost_connection_reconnects_before_write);
	tcase_add_test(tc, idle_lost_connection_before_transaction);
	tcase_add_test(tc, read_only_refusal_replaces_the_connection);
	tcase_add_test(tc, lost_connection_inside_transaction);
	tcase_add_test(tc, no_reconnect_inside_a_transaction);
	tcase_add_test(tc, statement_timeout_joins_the_url_options);
	suite_add_tcase(s, tc);

	tc = tcase("login");
	tcase_add_test(tc, login_counts_per_email_any_case_and_client);
	tcase_add_test(tc, login_window_and_retry_after);
	tcase_add_test(tc, reserve_forgets_stale_rows);
	tcase_add_test(tc, prune_forgets_everyones_stale_rows);
	tcase_add_test(tc, release_forgets_one_attempt);
	tcase_add_test(tc, clear_forgets_one_email_and_client);
	tcase_add_test(tc, parallel_attempts_never_pass_the_limit);
	suite_add_tcase(s, tc);

	return s;
}

/* ---------------------------------------------------------------- */

int
main(void)
{
	SRunner *sr;
	int	 failed;

	ua_log_init("test_repo_pg", false);
	if (!pgt_scratch_open(&cfg, "test_repo_pg", UA_TEST_SRC_MIGRATIONS))
		return EXIT_FAILURE;
	pgt_direct("test_repo_pg", "cases " DIRECT_TCASES, DIRECT_WHY);
	sr = srunner_create(repo_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	pgt_scratch_close(&cfg);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
