/*
 * test_fake_repo.c -- the in-memory repositories behave as the
 * PostgreSQL ones do, and their test controls work.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/errors.h"
#include "userapi/user.h"
#include "userapi/user_repo.h"
#include "fake_repo.h"
#include "fake_session_repo.h"

#define HASH "$2b$04$abcdefghijklmnopqrstuuKQ5Ow0tM4Ng3nGC3Zb2v5kqR8zvX1zy"
#define NOW_US (FAKE_REPO_EPOCH_S * 1000000)

static struct fake_repo	   *fr;
static struct ua_user_repo  users;
static struct ua_login_repo logins;

static void
setup(void)
{
	fr = fake_repo_new();
	users = fake_repo_users(fr);
	logins = fake_repo_logins(fr);
}

static void
teardown(void)
{
	fake_repo_free(fr);
	fr = NULL;
}

/* Insert through the interface, which must succeed; returns the id. */
static int64_t
add(const char *email, enum ua_role role)
{
	struct ua_user u;

	ck_assert_int_eq(users.ops->insert(users.arg, email, "Some Name", HASH,
			     role, &u),
	    UA_OK);
	return u.id;
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

/* ---------------------------------------------------------------- */

START_TEST(insert_numbers_from_one_and_stamps_created)
{
	struct ua_user u;

	ck_assert_int_eq(users.ops->insert(users.arg, "Ann@example.com",
			     "Ann Lee", HASH, UA_ROLE_USER, &u),
	    UA_OK);
	ck_assert_int_eq(u.id, 1);
	ck_assert_str_eq(u.email, "Ann@example.com");
	ck_assert_str_eq(u.name, "Ann Lee");
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	ck_assert(u.created_us == NOW_US);
	ck_assert(!u.has_updated);
	ck_assert_int_eq(add("bob@example.com", UA_ROLE_ADMIN), 2);
}
END_TEST

START_TEST(insert_refuses_email_in_any_case)
{
	struct ua_user u;

	add("ann@example.com", UA_ROLE_USER);
	ck_assert_int_eq(users.ops->insert(users.arg, "ANN@Example.COM", "Ann",
			     HASH, UA_ROLE_USER, &u),
	    UA_ERR_CONFLICT);
	ck_assert_int_eq(u.id, 0);
	ck_assert_uint_eq(fake_repo_nusers(fr), 1);
}
END_TEST

START_TEST(insert_refuses_what_the_model_cannot_hold)
{
	struct ua_user u;
	char	       big[UA_EMAIL_MAX + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(users.ops->insert(users.arg, big, "Ann", HASH,
			     UA_ROLE_USER, &u),
	    UA_ERR_INVALID);
	ck_assert_int_eq(users.ops->insert(users.arg, "a@example.com", "Ann",
			     HASH, UA_ROLE__MAX, &u),
	    UA_ERR_INTERNAL);
	ck_assert_uint_eq(fake_repo_nusers(fr), 0);
}
END_TEST

START_TEST(ids_are_never_reused)
{
	int64_t a = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(users.ops->remove(users.arg, a), UA_OK);
	ck_assert_int_eq(add("a@example.com", UA_ROLE_USER), a + 1);
}
END_TEST

START_TEST(get_by_id_and_not_found)
{
	struct ua_user u;
	int64_t	       id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(users.ops->get_by_id(users.arg, id, &u), UA_OK);
	ck_assert_str_eq(u.email, "a@example.com");
	ck_assert_int_eq(users.ops->get_by_id(users.arg, id + 1, &u),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(u.id, 0);
}
END_TEST

START_TEST(get_by_email_any_case_with_credentials)
{
	struct ua_user	      u;
	struct ua_credentials c;

	add("Ann@Example.com", UA_ROLE_USER);
	ck_assert_int_eq(users.ops->get_by_email(users.arg, "ann@EXAMPLE.com",
			     &u, &c),
	    UA_OK);
	ck_assert_str_eq(u.email, "Ann@Example.com");
	ck_assert_str_eq(c.hash, HASH);
	ck_assert_int_eq(c.token_version, 0);
	ck_assert_int_eq(users.ops->get_by_email(users.arg, "bob@example.com",
			     &u, &c),
	    UA_ERR_NOT_FOUND);
	ck_assert_str_eq(c.hash, "");
}
END_TEST

START_TEST(caller_and_target)
{
	struct ua_user	      c, t;
	struct ua_credentials cc;
	bool		      found;
	int64_t		      a, b;

	a = add("a@example.com", UA_ROLE_USER);
	b = add("b@example.com", UA_ROLE_USER);
	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, a, NULL,
			     &c, &cc, b, &t, &found),
	    UA_OK);
	ck_assert_int_eq(c.id, a);
	ck_assert_str_eq(cc.hash, HASH);
	ck_assert(found);
	ck_assert_int_eq(t.id, b);

	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, a, NULL,
			     &c, &cc, a, &t, &found),
	    UA_OK);
	ck_assert(found);
	ck_assert_int_eq(t.id, a);

	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, a, NULL,
			     &c, &cc, 0, &t, &found),
	    UA_OK);
	ck_assert(!found);
	ck_assert_int_eq(t.id, 0);

	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, 99, NULL,
			     &c, &cc, a, &t, &found),
	    UA_ERR_NOT_FOUND);
	ck_assert(!found);
}
END_TEST

START_TEST(list_pages_by_id)
{
	struct ua_user	      items[4], me;
	struct ua_credentials cred;
	size_t		      n;
	int64_t		      total;
	char		      email[32];
	int		      i;

	for (i = 0; i < 10; i++) {
		snprintf(email, sizeof(email), "u%d@example.com", i);
		add(email, UA_ROLE_USER);
	}
	ck_assert_int_eq(users.ops->list(users.arg, 11, NULL, &me, &cred, 0, 4,
			     items, &n, &total),
	    UA_ERR_NOT_FOUND);
	ck_assert_int_eq(users.ops->list(users.arg, 3, NULL, &me, &cred, 0, 4,
			     items, &n, &total),
	    UA_OK);
	ck_assert_int_eq(me.id, 3);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(total, 10);
	ck_assert_int_eq(items[0].id, 1);
	ck_assert_int_eq(items[3].id, 4);
	ck_assert_int_eq(users.ops->list(users.arg, 3, NULL, &me, &cred, 8, 4,
			     items, &n, &total),
	    UA_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(items[1].id, 10);
	ck_assert_int_eq(users.ops->list(users.arg, 3, NULL, &me, &cred, 12, 4,
			     items, &n, &total),
	    UA_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 10);
	ck_assert_int_eq(users.ops->list(users.arg, 3, NULL, &me, &cred, -1, 4,
			     items, &n, &total),
	    UA_ERR_INVALID);
}
END_TEST

START_TEST(update_changes_only_given_fields)
{
	struct ua_user_patch p;
	struct ua_user	     u;
	int64_t		     id;

	id = add("a@example.com", UA_ROLE_USER);
	fake_repo_set_now(fr, FAKE_REPO_EPOCH_S + 60);
	memset(&p, 0, sizeof(p));
	p.has_name = true;
	strcpy(p.name, "New Name");
	ck_assert_int_eq(users.ops->update(users.arg, id, &p, &u), UA_OK);
	ck_assert_str_eq(u.name, "New Name");
	ck_assert_str_eq(u.email, "a@example.com");
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	ck_assert(u.has_updated);
	ck_assert(u.updated_us == NOW_US + 60 * 1000000);

	memset(&p, 0, sizeof(p));
	p.has_email = true;
	strcpy(p.email, "A@example.com");
	ck_assert_int_eq(users.ops->update(users.arg, id, &p, &u), UA_OK);
	ck_assert_str_eq(u.email, "A@example.com");
	ck_assert_str_eq(u.name, "New Name");
}
END_TEST

START_TEST(update_that_changes_nothing_keeps_updated_at)
{
	struct ua_user_patch p;
	struct ua_user	     u;
	int64_t		     id;

	id = add("a@example.com", UA_ROLE_USER);
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(users.ops->update(users.arg, id, &p, &u), UA_OK);
	ck_assert_int_eq(u.id, id);
	ck_assert(!u.has_updated);
	p = patch_role(UA_ROLE_USER);
	ck_assert_int_eq(users.ops->update(users.arg, id, &p, &u), UA_OK);
	ck_assert(!u.has_updated);
}
END_TEST

START_TEST(update_refuses_taken_email_and_unknown_id)
{
	struct ua_user_patch p;
	struct ua_user	     u;
	int64_t		     a;

	a = add("a@example.com", UA_ROLE_USER);
	add("b@example.com", UA_ROLE_USER);
	memset(&p, 0, sizeof(p));
	p.has_email = true;
	strcpy(p.email, "B@EXAMPLE.COM");
	ck_assert_int_eq(users.ops->update(users.arg, a, &p, &u),
	    UA_ERR_CONFLICT);
	ck_assert(fake_repo_peek(fr, a, &u, NULL));
	ck_assert_str_eq(u.email, "a@example.com");
	ck_assert_int_eq(users.ops->update(users.arg, 99, &p, &u),
	    UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(last_admin_neither_demoted_nor_deleted)
{
	struct ua_user_patch p = patch_role(UA_ROLE_USER);
	struct ua_user	     u;
	int64_t		     a, b;

	a = add("a@example.com", UA_ROLE_ADMIN);
	ck_assert_int_eq(users.ops->update(users.arg, a, &p, &u),
	    UA_ERR_LAST_ADMIN);
	ck_assert_int_eq(users.ops->remove(users.arg, a), UA_ERR_LAST_ADMIN);
	b = add("b@example.com", UA_ROLE_ADMIN);
	ck_assert_int_eq(users.ops->update(users.arg, a, &p, &u), UA_OK);
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	ck_assert_int_eq(users.ops->remove(users.arg, b), UA_ERR_LAST_ADMIN);
	ck_assert_int_eq(users.ops->remove(users.arg, a), UA_OK);
	ck_assert_int_eq(users.ops->remove(users.arg, a), UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(set_password_with_and_without_revoke)
{
	struct ua_credentials c;
	struct ua_user	      u;
	int64_t		      id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(users.ops->set_password(users.arg, id, "$2b$new", NULL,
			     false),
	    UA_OK);
	ck_assert(fake_repo_peek(fr, id, &u, &c));
	ck_assert_str_eq(c.hash, "$2b$new");
	ck_assert_int_eq(c.token_version, 0);
	ck_assert(u.has_updated);
	ck_assert_int_eq(users.ops->set_password(users.arg, id, "$2b$newer",
			     NULL, true),
	    UA_OK);
	ck_assert(fake_repo_peek(fr, id, NULL, &c));
	ck_assert_str_eq(c.hash, "$2b$newer");
	ck_assert_int_eq(c.token_version, 1);
	ck_assert_int_eq(users.ops->set_password(users.arg, 99, "x", NULL,
			     true),
	    UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(set_password_only_over_the_expected_hash)
{
	struct ua_credentials c;
	int64_t		      id = add("a@example.com", UA_ROLE_USER);

	ck_assert_int_eq(users.ops->set_password(users.arg, id, "$2b$changed",
			     NULL, true),
	    UA_OK);
	/* A rehash of the hash that was there before: too late. */
	ck_assert_int_eq(users.ops->set_password(users.arg, id, "$2b$rehash",
			     HASH, false),
	    UA_ERR_NOT_FOUND);
	ck_assert(fake_repo_peek(fr, id, NULL, &c));
	ck_assert_str_eq(c.hash, "$2b$changed");
	ck_assert_int_eq(users.ops->set_password(users.arg, id, "$2b$rehash",
			     "$2b$changed", false),
	    UA_OK);
	ck_assert(fake_repo_peek(fr, id, NULL, &c));
	ck_assert_str_eq(c.hash, "$2b$rehash");
}
END_TEST

/* ---------------------------------------------------------------- */

/* Reserve an attempt of ("email", "client") in a 60 s window of 2. */
static enum ua_err
reserve(const char *email, const char *client, int *retry)
{
	int64_t attempt;

	return logins.ops->reserve(logins.arg, email, client, 60, 2, &attempt,
	    retry);
}

START_TEST(reserve_counts_attempts_in_window)
{
	int64_t attempt;
	int	retry;

	ck_assert_int_eq(logins.ops->reserve(logins.arg, "A@Example.com",
			     "10.0.0.1", 60, 2, &attempt, &retry),
	    UA_OK);
	ck_assert_int_gt(attempt, 0);
	fake_repo_set_now(fr, FAKE_REPO_EPOCH_S + 20);
	ck_assert_int_eq(reserve("a@example.com", "10.0.0.1", &retry), UA_OK);
	/* Another client, another count. */
	ck_assert_int_eq(reserve("a@example.com", "10.0.0.2", &retry), UA_OK);

	ck_assert_int_eq(reserve("a@EXAMPLE.com", "10.0.0.1", &retry),
	    UA_ERR_TOO_MANY);
	ck_assert_int_eq(retry, 40);
	ck_assert_uint_eq(fake_repo_nfailures(fr), 3);

	fake_repo_set_now(fr, FAKE_REPO_EPOCH_S + 60);
	ck_assert_int_eq(reserve("a@example.com", "10.0.0.1", &retry), UA_OK);
	ck_assert_int_eq(reserve("a@example.com", "10.0.0.1", &retry),
	    UA_ERR_TOO_MANY);
	ck_assert_int_eq(retry, 20);
}
END_TEST

START_TEST(reserve_forgets_stale_ones)
{
	int retry;

	ck_assert_int_eq(reserve("a@example.com", "c", &retry), UA_OK);
	ck_assert_int_eq(reserve("a@example.com", "c", &retry), UA_OK);
	ck_assert_uint_eq(fake_repo_nfailures(fr), 2);
	fake_repo_set_now(fr, FAKE_REPO_EPOCH_S + 60);
	ck_assert_int_eq(reserve("a@example.com", "c", &retry), UA_OK);
	ck_assert_uint_eq(fake_repo_nfailures(fr), 1);
}
END_TEST

START_TEST(prune_forgets_everyones_stale_ones)
{
	int64_t deleted = -1;
	int	retry;

	ck_assert_int_eq(reserve("a@example.com", "c", &retry), UA_OK);
	ck_assert_int_eq(reserve("b@example.com", "d", &retry), UA_OK);
	fake_repo_set_now(fr, FAKE_REPO_EPOCH_S + 30);
	ck_assert_int_eq(reserve("b@example.com", "d", &retry), UA_OK);
	fake_repo_set_now(fr, FAKE_REPO_EPOCH_S + 60);
	ck_assert_int_eq(logins.ops->prune(logins.arg, 60, &deleted), UA_OK);
	ck_assert_int_eq(deleted, 2);
	ck_assert_uint_eq(fake_repo_nfailures(fr), 1);
	ck_assert_int_eq(logins.ops->prune(logins.arg, 60, &deleted), UA_OK);
	ck_assert_int_eq(deleted, 0);
}
END_TEST

START_TEST(release_forgets_one_attempt)
{
	int64_t first, second;
	int	retry;

	ck_assert_int_eq(logins.ops->reserve(logins.arg, "a@example.com", "c",
			     60, 2, &first, &retry),
	    UA_OK);
	ck_assert_int_eq(logins.ops->reserve(logins.arg, "a@example.com", "c",
			     60, 2, &second, &retry),
	    UA_OK);
	ck_assert_int_ne(first, second);
	ck_assert_int_eq(logins.ops->release(logins.arg, first), UA_OK);
	ck_assert_uint_eq(fake_repo_nfailures(fr), 1);
	ck_assert_int_eq(reserve("a@example.com", "c", &retry), UA_OK);
	ck_assert_int_eq(reserve("a@example.com", "c", &retry),
	    UA_ERR_TOO_MANY);
}
END_TEST

START_TEST(clear_forgets_one_email_and_client)
{
	int retry;

	ck_assert_int_eq(reserve("a@example.com", "c", &retry), UA_OK);
	ck_assert_int_eq(reserve("a@example.com", "c", &retry), UA_OK);
	ck_assert_int_eq(reserve("a@example.com", "d", &retry), UA_OK);
	ck_assert_int_eq(logins.ops->clear(logins.arg, "A@example.com", "c"),
	    UA_OK);
	ck_assert_uint_eq(fake_repo_nfailures(fr), 1);
	ck_assert_int_eq(reserve("a@example.com", "c", &retry), UA_OK);
	ck_assert_int_eq(reserve("a@example.com", "d", &retry), UA_OK);
	ck_assert_int_eq(reserve("a@example.com", "d", &retry),
	    UA_ERR_TOO_MANY);
}
END_TEST

/* ---------------------------------------------------------------- */

START_TEST(fail_next_fails_once_and_changes_nothing)
{
	struct ua_user u;

	fake_repo_fail_next(fr, UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(users.ops->insert(users.arg, "a@example.com", "Ann",
			     HASH, UA_ROLE_USER, &u),
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(u.id, 0);
	ck_assert_uint_eq(fake_repo_nusers(fr), 0);
	ck_assert_int_eq(users.ops->insert(users.arg, "a@example.com", "Ann",
			     HASH, UA_ROLE_USER, &u),
	    UA_OK);
}
END_TEST

START_TEST(fail_op_waits_for_its_operation)
{
	struct ua_user u;
	int64_t	       id = add("a@example.com", UA_ROLE_USER);

	fake_repo_fail_op(fr, FAKE_OP_SET_PASSWORD, UA_ERR_DB);
	ck_assert_int_eq(users.ops->get_by_id(users.arg, id, &u), UA_OK);
	ck_assert_int_eq(users.ops->set_password(users.arg, id, "x", NULL,
			     true),
	    UA_ERR_DB);
	ck_assert_int_eq(users.ops->set_password(users.arg, id, "x", NULL,
			     true),
	    UA_OK);
}
END_TEST

START_TEST(calls_are_counted_seeding_is_not)
{
	struct ua_user u;
	int64_t	       id, attempt;
	int	       r;

	id = fake_repo_add(fr, "a@example.com", "Ann", HASH, UA_ROLE_ADMIN);
	ck_assert_int_eq(id, 1);
	ck_assert_int_eq(fake_repo_add(fr, "A@example.com", "Ann", HASH,
			     UA_ROLE_USER),
	    0);
	ck_assert(fake_repo_peek(fr, id, &u, NULL));
	ck_assert_uint_eq(fake_repo_total_calls(fr), 0);

	users.ops->get_by_id(users.arg, id, &u);
	users.ops->get_by_id(users.arg, 7, &u);
	fake_repo_fail_next(fr, UA_ERR_DB);
	logins.ops->reserve(logins.arg, "a@example.com", "c", 60, 5, &attempt,
	    &r);
	ck_assert_uint_eq(fake_repo_calls(fr, FAKE_OP_GET_BY_ID), 2);
	ck_assert_uint_eq(fake_repo_calls(fr, FAKE_OP_RESERVE), 1);
	ck_assert_uint_eq(fake_repo_calls(fr, FAKE_OP_INSERT), 0);
	ck_assert_uint_eq(fake_repo_total_calls(fr), 3);
	fake_repo_reset_calls(fr);
	ck_assert_uint_eq(fake_repo_total_calls(fr), 0);
}
END_TEST

/* --- the session fake ---------------------------------------------------- */

static struct fake_session_repo *fs;
static struct ua_session_repo	 sessions;

static void
session_setup(void)
{
	setup();
	fs = fake_session_repo_new(fr);
	sessions = fake_session_repo_sessions(fs);
}

static void
session_teardown(void)
{
	fake_session_repo_free(fs);
	teardown();
}

/* Start a session of "user" at version 0 with hash byte "h"; its id. */
static void
start(int64_t user, unsigned char h, char sid[UA_SESSION_ID_LEN + 1])
{
	struct ua_session_start in;

	memset(&in, 0, sizeof(in));
	in.user_id = user;
	in.refresh.b[0] = h;
	in.ip = "192.0.2.1";
	in.lifetime_days = 1;
	ck_assert_int_eq(sessions.ops->start(sessions.arg, &in, 50, sid),
	    UA_OK);
	ck_assert(ua_session_id_valid(sid));
}

/* The caller's session_live comes from the attached sessions. */
START_TEST(session_liveness_reaches_the_bearer_reads)
{
	struct ua_user	      c, t, items[4];
	struct ua_credentials cc;
	char		      sid[UA_SESSION_ID_LEN + 1];
	int64_t		      a, b, total, n64;
	size_t		      n;
	bool		      found;

	a = add("a@example.com", UA_ROLE_USER);
	b = add("b@example.com", UA_ROLE_USER);
	start(a, 1, sid);
	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, a, sid, &c,
			     &cc, 0, &t, &found),
	    UA_OK);
	ck_assert(cc.session_live);
	ck_assert_int_eq(users.ops->list(users.arg, a, sid, &c, &cc, 0, 4,
			     items, &n, &total),
	    UA_OK);
	ck_assert(cc.session_live);
	/* Another user's session, none, "", a malformed one: not live. */
	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, b, sid, &c,
			     &cc, 0, &t, &found),
	    UA_OK);
	ck_assert(!cc.session_live);
	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, a, NULL,
			     &c, &cc, 0, &t, &found),
	    UA_OK);
	ck_assert(!cc.session_live);
	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, a, "", &c,
			     &cc, 0, &t, &found),
	    UA_OK);
	ck_assert(!cc.session_live);
	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, a, "x", &c,
			     &cc, 0, &t, &found),
	    UA_OK);
	ck_assert(!cc.session_live);
	/* A password change with revoke ends it, through the version. */
	ck_assert_int_eq(users.ops->set_password(users.arg, a, HASH, NULL,
			     true),
	    UA_OK);
	ck_assert_int_eq(users.ops->get_caller_and_target(users.arg, a, sid, &c,
			     &cc, 0, &t, &found),
	    UA_OK);
	ck_assert(!cc.session_live);
	ck_assert_uint_eq(fake_session_repo_nlive(fs, a), 0);
	ck_assert_int_eq(sessions.ops->prune(sessions.arg, &n64), UA_OK);
	ck_assert_int_eq(n64, 1);
}
END_TEST

/* As pg_end(): a malformed sid ends nothing, or is our bug. */
START_TEST(session_end_with_a_malformed_sid)
{
	char	sid[UA_SESSION_ID_LEN + 1];
	int64_t a, n = -1;

	a = add("a@example.com", UA_ROLE_USER);
	start(a, 1, sid);
	ck_assert_int_eq(sessions.ops->end(sessions.arg, a, "nope",
			     UA_SESSIONS_ONE, false, &n),
	    UA_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(sessions.ops->end(sessions.arg, a, "nope",
			     UA_SESSIONS_OTHERS, false, &n),
	    UA_ERR_INTERNAL);
	ck_assert_int_eq(sessions.ops->end(sessions.arg, a, "nope",
			     UA_SESSIONS_ALL, true, &n),
	    UA_ERR_INTERNAL);
	ck_assert_int_eq(sessions.ops->end(sessions.arg, a, sid,
			     UA_SESSIONS__MAX, false, &n),
	    UA_ERR_INTERNAL);
	ck_assert_uint_eq(fake_session_repo_nlive(fs, a), 1);
	/* ONE without a sid names none; OTHERS without one, all. */
	ck_assert_int_eq(sessions.ops->end(sessions.arg, a, NULL,
			     UA_SESSIONS_ONE, false, &n),
	    UA_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(sessions.ops->end(sessions.arg, a, NULL,
			     UA_SESSIONS_OTHERS, false, &n),
	    UA_OK);
	ck_assert_int_eq(n, 1);
}
END_TEST

/* The NOT NULL address and the unique current hash, as the table's. */
START_TEST(session_start_keeps_the_tables_constraints)
{
	struct ua_session_start in;
	char			sid[UA_SESSION_ID_LEN + 1];
	int64_t			a;

	a = add("a@example.com", UA_ROLE_USER);
	start(a, 1, sid);
	memset(&in, 0, sizeof(in));
	in.user_id = a;
	in.refresh.b[0] = 2;
	in.lifetime_days = 1;
	ck_assert_int_eq(sessions.ops->start(sessions.arg, &in, 50, sid),
	    UA_ERR_DB);
	in.ip = "192.0.2.1";
	in.refresh.b[0] = 1;
	ck_assert_int_eq(sessions.ops->start(sessions.arg, &in, 50, sid),
	    UA_ERR_DB);
	ck_assert_str_eq(sid, "");
	ck_assert_uint_eq(fake_session_repo_nrows(fs), 1);
	ck_assert_uint_eq(fake_session_repo_calls(fs, FAKE_SESSION_START), 3);
}
END_TEST

/* A deleted user's sessions go with the row (ON DELETE CASCADE). */
START_TEST(session_rows_go_with_their_user)
{
	char	sid[UA_SESSION_ID_LEN + 1];
	int64_t a, b, n = -1;

	a = add("a@example.com", UA_ROLE_USER);
	b = add("b@example.com", UA_ROLE_USER);
	start(a, 1, sid);
	start(b, 2, sid);
	ck_assert_int_eq(users.ops->remove(users.arg, a), UA_OK);
	ck_assert_uint_eq(fake_session_repo_nrows(fs), 1);
	ck_assert_int_eq(sessions.ops->prune(sessions.arg, &n), UA_OK);
	ck_assert_int_eq(n, 0);
	ck_assert(fake_session_repo_live(fs, b, sid));
}
END_TEST

static Suite *
fake_repo_suite(void)
{
	Suite *s = suite_create("fake_repo");
	TCase *tc;

	tc = tcase_create("users");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, insert_numbers_from_one_and_stamps_created);
	tcase_add_test(tc, insert_refuses_email_in_any_case);
	tcase_add_test(tc, insert_refuses_what_the_model_cannot_hold);
	tcase_add_test(tc, ids_are_never_reused);
	tcase_add_test(tc, get_by_id_and_not_found);
	tcase_add_test(tc, get_by_email_any_case_with_credentials);
	tcase_add_test(tc, caller_and_target);
	tcase_add_test(tc, list_pages_by_id);
	tcase_add_test(tc, update_changes_only_given_fields);
	tcase_add_test(tc, update_that_changes_nothing_keeps_updated_at);
	tcase_add_test(tc, update_refuses_taken_email_and_unknown_id);
	tcase_add_test(tc, last_admin_neither_demoted_nor_deleted);
	tcase_add_test(tc, set_password_with_and_without_revoke);
	tcase_add_test(tc, set_password_only_over_the_expected_hash);
	suite_add_tcase(s, tc);

	tc = tcase_create("logins");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reserve_counts_attempts_in_window);
	tcase_add_test(tc, reserve_forgets_stale_ones);
	tcase_add_test(tc, prune_forgets_everyones_stale_ones);
	tcase_add_test(tc, release_forgets_one_attempt);
	tcase_add_test(tc, clear_forgets_one_email_and_client);
	suite_add_tcase(s, tc);

	tc = tcase_create("controls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fail_next_fails_once_and_changes_nothing);
	tcase_add_test(tc, fail_op_waits_for_its_operation);
	tcase_add_test(tc, calls_are_counted_seeding_is_not);
	suite_add_tcase(s, tc);

	tc = tcase_create("sessions");
	tcase_add_checked_fixture(tc, session_setup, session_teardown);
	tcase_add_test(tc, session_liveness_reaches_the_bearer_reads);
	tcase_add_test(tc, session_end_with_a_malformed_sid);
	tcase_add_test(tc, session_start_keeps_the_tables_constraints);
	tcase_add_test(tc, session_rows_go_with_their_user);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fake_repo_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
