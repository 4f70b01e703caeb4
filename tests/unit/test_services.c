/*
 * test_services.c -- user_service and auth_service against the
 * in-memory fake repositories: the rules, not the storage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "userapi/jwt.h"
#include "userapi/password.h"
#include "userapi/services.h"
#include "fake_repo.h"
#include "fake_session_repo.h"

#define SECRET "service-test-secret-0123456789abcdef"
#define CLIENT "192.0.2.7"

static const struct ua_client_info client = { CLIENT, NULL };

static struct fake_repo		*fr;
static struct fake_session_repo *fs;
static struct ua_settings	 settings;
static struct ua_services	 svc;
static char			 secret[] = SECRET;

static int64_t
fake_now(void)
{
	return fake_repo_now(fr);
}

static void
setup(void)
{
	fr = fake_repo_new();
	memset(&settings, 0, sizeof(settings));
	settings.jwt_secret = secret;
	settings.jwt_secret_len = strlen(secret);
	settings.jwt_algorithm = UA_JWT_HS256;
	settings.access_token_expire_minutes = 30;
	settings.password_hash = UA_PW_BCRYPT;
	settings.bcrypt_cost = 4;
	settings.login_max_failures = 3;
	settings.login_window_seconds = 600;
	settings.refresh_token_expire_days = 30;
	settings.refresh_token_reuse_seconds = 10;
	fs = fake_session_repo_new(fr);
	svc.users = fake_repo_users(fr);
	svc.logins = fake_repo_logins(fr);
	svc.sessions = fake_session_repo_sessions(fs);
	svc.settings = &settings;
	svc.now = fake_now;
}

static void
teardown(void)
{
	fake_session_repo_free(fs);
	fake_repo_free(fr);
}

/* Add a user whose password is "pw" hashed at "cost"; returns its id. */
static int64_t
add_user(const char *email, const char *pw, enum ua_role role, int cost)
{
	char hash[UA_PASSWORD_HASH_MAX];

	ck_assert_int_eq(ua_password_hash(UA_PW_BCRYPT, cost, pw, hash), UA_OK);
	return fake_repo_add(fr, email, "Some Name", hash, role);
}

static struct ua_user
user(int64_t id)
{
	struct ua_user	      u;
	struct ua_credentials c;

	ck_assert(fake_repo_peek(fr, id, &u, &c));
	return u;
}

static struct ua_user_create
create_in(const char *email, const char *name, const char *pw)
{
	struct ua_user_create in;

	memset(&in, 0, sizeof(in));
	strcpy(in.email, email);
	strcpy(in.name, name);
	strcpy(in.password, pw);
	return in;
}

/* --- user_service ---------------------------------------------------- */

START_TEST(register_makes_a_user_with_a_hash)
{
	struct ua_user_create in =
	    create_in("ann@example.com", "Ann Lee", "correct horse");
	struct ua_user	      u, peek;
	struct ua_credentials c;

	ck_assert_int_eq(ua_user_register(&svc, &in, &u), UA_OK);
	ck_assert_int_eq(u.role, UA_ROLE_USER);
	ck_assert_str_eq(u.email, "ann@example.com");
	ck_assert_str_eq(u.name, "Ann Lee");
	ck_assert(fake_repo_peek(fr, u.id, &peek, &c));
	ck_assert(strncmp(c.hash, "$2b$04$", 7) == 0);
	ck_assert(ua_password_verify("correct horse", c.hash));
}
END_TEST

START_TEST(register_same_email_other_case_conflicts)
{
	struct ua_user_create a =
	    create_in("ann@example.com", "Ann", "password1");
	struct ua_user_create b =
	    create_in("ANN@example.com", "Ann", "password2");
	struct ua_user u;

	ck_assert_int_eq(ua_user_register(&svc, &a, &u), UA_OK);
	ck_assert_int_eq(ua_user_register(&svc, &b, &u), UA_ERR_CONFLICT);
	ck_assert_uint_eq(fake_repo_nusers(fr), 1);
}
END_TEST

START_TEST(register_passes_storage_failure_up)
{
	struct ua_user_create a =
	    create_in("ann@example.com", "Ann", "password1");
	struct ua_user u;

	fake_repo_fail_op(fr, FAKE_OP_INSERT, UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(ua_user_register(&svc, &a, &u), UA_ERR_DB_UNAVAILABLE);
	ck_assert_uint_eq(fake_repo_nusers(fr), 0);
}
END_TEST

START_TEST(list_pages_through_45_users)
{
	struct ua_user items[20], me;
	char	       email[64];
	size_t	       n;
	int64_t	       total, i;

	for (i = 0; i < 45; i++) {
		snprintf(email, sizeof(email), "u%lld@example.com",
		    (long long)i);
		fake_repo_add(fr, email, "Name", "*", UA_ROLE_USER);
	}
	ck_assert_int_eq(ua_user_list(&svc, 7, 0, NULL, 1, 20, &me, items, &n,
			     &total),
	    UA_OK);
	ck_assert_int_eq(me.id, 7);
	ck_assert_uint_eq(n, 20);
	ck_assert_int_eq(total, 45);
	ck_assert_int_eq(items[0].id, 1);
	ck_assert_int_eq(ua_user_list(&svc, 7, 0, NULL, 3, 20, &me, items, &n,
			     &total),
	    UA_OK);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(items[0].id, 41);
	ck_assert_int_eq(items[4].id, 45);
	ck_assert_int_eq(ua_user_list(&svc, 7, 0, NULL, 4, 20, &me, items, &n,
			     &total),
	    UA_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 45);
	/* A page number whose offset would overflow is simply past the end. */
	ck_assert_int_eq(ua_user_list(&svc, 7, 0, NULL, INT64_MAX, 20, &me,
			     items, &n, &total),
	    UA_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* The list checks its caller as the bearer check does, in its one read. */
START_TEST(list_refuses_a_gone_or_revoked_caller)
{
	struct ua_user items[20], me;
	size_t	       n = 9;
	int64_t	       total = 9, id;

	id = fake_repo_add(fr, "a@example.com", "Name", "*", UA_ROLE_USER);
	ck_assert_int_eq(ua_user_list(&svc, id + 1, 0, NULL, 1, 20, &me, items,
			     &n, &total),
	    UA_ERR_BAD_TOKEN);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(total, 0);
	ck_assert_int_eq(me.id, 0);
	/* A token issued before a password change (version 0 < 1). */
	ck_assert_int_eq(svc.users.ops->set_password(svc.users.arg, id, "*",
			     NULL, true),
	    UA_OK);
	ck_assert_int_eq(ua_user_list(&svc, id, 0, NULL, 1, 20, &me, items, &n,
			     &total),
	    UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(ua_user_list(&svc, id, 1, NULL, 1, 20, &me, items, &n,
			     &total),
	    UA_OK);
	ck_assert_uint_eq(n, 1);
}
END_TEST

static struct ua_user_update
rename_to(const char *name)
{
	struct ua_user_update in;

	memset(&in, 0, sizeof(in));
	in.has_name = true;
	strcpy(in.name, name);
	return in;
}

START_TEST(user_may_change_self)
{
	int64_t	       id = add_user("a@example.com", "pw", UA_ROLE_USER, 4);
	struct ua_user me = user(id), out;
	struct ua_user_update in = rename_to("New Name");

	ck_assert_int_eq(ua_user_update(&svc, &me, id, &in, &out), UA_OK);
	ck_assert_str_eq(out.name, "New Name");
	ck_assert_str_eq(out.email, "a@example.com");
}
END_TEST

START_TEST(user_may_not_change_others)
{
	int64_t	       a = add_user("a@example.com", "pw", UA_ROLE_USER, 4);
	int64_t	       b = add_user("b@example.com", "pw", UA_ROLE_USER, 4);
	struct ua_user me = user(a), out;
	struct ua_user_update in = rename_to("Mallory");

	ck_assert_int_eq(ua_user_update(&svc, &me, b, &in, &out),
	    UA_ERR_FORBIDDEN);
	ck_assert_int_eq(ua_user_update(&svc, &me, 999, &in, &out),
	    UA_ERR_FORBIDDEN);
	ck_assert_uint_eq(fake_repo_calls(fr, FAKE_OP_UPDATE), 0);
	ck_assert_str_eq(user(b).name, "Some Name");
}
END_TEST

START_TEST(only_admin_may_change_role)
{
	int64_t a = add_user("a@example.com", "pw", UA_ROLE_USER, 4);
	int64_t adm = add_user("root@example.com", "pw", UA_ROLE_ADMIN, 4);
	struct ua_user	      me = user(a), admin = user(adm), out;
	struct ua_user_update in;

	memset(&in, 0, sizeof(in));
	in.has_role = true;
	in.role = UA_ROLE_ADMIN;
	ck_assert_int_eq(ua_user_update(&svc, &me, a, &in, &out),
	    UA_ERR_FORBIDDEN);
	ck_assert_int_eq(user(a).role, UA_ROLE_USER);
	ck_assert_int_eq(ua_user_update(&svc, &admin, a, &in, &out), UA_OK);
	ck_assert_int_eq(out.role, UA_ROLE_ADMIN);
}
END_TEST

START_TEST(admin_changes_others_and_gets_404_for_none)
{
	int64_t a = add_user("a@example.com", "pw", UA_ROLE_USER, 4);
	int64_t adm = add_user("root@example.com", "pw", UA_ROLE_ADMIN, 4);
	struct ua_user	      admin = user(adm), out;
	struct ua_user_update in = rename_to("Renamed");

	ck_assert_int_eq(ua_user_update(&svc, &admin, a, &in, &out), UA_OK);
	ck_assert_str_eq(user(a).name, "Renamed");
	ck_assert_int_eq(ua_user_update(&svc, &admin, 999, &in, &out),
	    UA_ERR_NOT_FOUND);
}
END_TEST

START_TEST(email_taken_on_update_conflicts)
{
	int64_t	       a = add_user("a@example.com", "pw", UA_ROLE_USER, 4);
	struct ua_user me = user(a), out;
	struct ua_user_update in;

	add_user("b@example.com", "pw", UA_ROLE_USER, 4);
	memset(&in, 0, sizeof(in));
	in.has_email = true;
	strcpy(in.email, "B@example.com");
	ck_assert_int_eq(ua_user_update(&svc, &me, a, &in, &out),
	    UA_ERR_CONFLICT);
	ck_assert_str_eq(user(a).email, "a@example.com");
}
END_TEST

START_TEST(last_admin_cannot_be_demoted_or_deleted)
{
	int64_t adm = add_user("root@example.com", "pw", UA_ROLE_ADMIN, 4);
	struct ua_user	      admin = user(adm), out;
	struct ua_user_update in;

	memset(&in, 0, sizeof(in));
	in.has_role = true;
	in.role = UA_ROLE_USER;
	ck_assert_int_eq(ua_user_update(&svc, &admin, adm, &in, &out),
	    UA_ERR_LAST_ADMIN);
	ck_assert_int_eq(ua_user_delete(&svc, &admin, adm), UA_ERR_LAST_ADMIN);
	ck_assert_int_eq(user(adm).role, UA_ROLE_ADMIN);
}
END_TEST

START_TEST(delete_self_or_admin_only)
{
	int64_t a = add_user("a@example.com", "pw", UA_ROLE_USER, 4);
	int64_t b = add_user("b@example.com", "pw", UA_ROLE_USER, 4);
	int64_t adm = add_user("root@example.com", "pw", UA_ROLE_ADMIN, 4);
	struct ua_user ua = user(a), admin = user(adm);

	ck_assert_int_eq(ua_user_delete(&svc, &ua, b), UA_ERR_FORBIDDEN);
	ck_assert_uint_eq(fake_repo_nusers(fr), 3);
	ck_assert_int_eq(ua_user_delete(&svc, &ua, a), UA_OK);
	ck_assert_int_eq(ua_user_delete(&svc, &admin, b), UA_OK);
	ck_assert_int_eq(ua_user_delete(&svc, &admin, b), UA_ERR_NOT_FOUND);
	ck_assert_uint_eq(fake_repo_nusers(fr), 1);
}
END_TEST

/* --- auth_service ---------------------------------------------------- */

/* Log in; returns the error and frees any token. */
static enum ua_err
try_login(const char *email, const char *pw, int *retry)
{
	struct ua_token_pair pair;
	int		     r = 0;
	enum ua_err	     er;

	er = ua_auth_login(&svc, email, pw, &client, &pair, &r);
	if (retry != NULL)
		*retry = r;
	ck_assert(er == UA_OK ? pair.access_token != NULL :
				pair.access_token == NULL);
	ua_token_pair_cleanup(&pair);
	return er;
}

/* Log in with the right password; the access token (caller frees). */
static char *
login_token(const char *email, const char *pw)
{
	struct ua_token_pair pair;
	char		    *tok;
	int		     r;

	ck_assert_int_eq(ua_auth_login(&svc, email, pw, &client, &pair, &r),
	    UA_OK);
	tok = pair.access_token;
	pair.access_token = NULL;
	ua_token_pair_cleanup(&pair);
	return tok;
}

START_TEST(login_issues_a_token_with_claims)
{
	int64_t id = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	struct ua_jwt_claims c;
	char		    *tok;

	tok = login_token("ann@example.com", "s3cret-pw");
	ck_assert_int_eq(ua_jwt_verify(UA_JWT_HS256, SECRET, strlen(SECRET),
			     tok, fake_now(), &c),
	    UA_OK);
	ck_assert_int_eq(c.sub, id);
	ck_assert_int_eq(c.iat, fake_now());
	ck_assert_int_eq(c.exp, fake_now() + 30 * 60);
	ck_assert_int_eq(c.ver, 0);
	free(tok);
}
END_TEST

START_TEST(login_email_is_case_insensitive)
{
	add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	ck_assert_int_eq(try_login("ANN@Example.com", "s3cret-pw", NULL),
	    UA_OK);
}
END_TEST

START_TEST(wrong_password_and_unknown_email_fail_alike)
{
	add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	ck_assert_int_eq(try_login("ann@example.com", "wrong-pw", NULL),
	    UA_ERR_LOGIN_FAILED);
	ck_assert_int_eq(try_login("nobody@example.com", "s3cret-pw", NULL),
	    UA_ERR_LOGIN_FAILED);
	/* Both were counted as failures. */
	ck_assert_uint_eq(fake_repo_nfailures(fr), 2);
}
END_TEST

START_TEST(too_many_failures_lock_out_then_expire)
{
	int retry = 0;

	add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	ck_assert_int_eq(try_login("ann@example.com", "x1", NULL),
	    UA_ERR_LOGIN_FAILED);
	ck_assert_int_eq(try_login("ANN@example.com", "x2", NULL),
	    UA_ERR_LOGIN_FAILED);
	ck_assert_int_eq(try_login("ann@example.com", "x3", NULL),
	    UA_ERR_LOGIN_FAILED);
	/* Past the limit even the right password is refused. */
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", &retry),
	    UA_ERR_TOO_MANY);
	ck_assert_int_gt(retry, 0);
	ck_assert_int_le(retry, 600);
	/* Once the window has passed, the account is open again. */
	fake_repo_set_now(fr, fake_now() + 601);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_OK);
}
END_TEST

START_TEST(success_clears_the_failures)
{
	add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	ck_assert_int_eq(try_login("ann@example.com", "x1", NULL),
	    UA_ERR_LOGIN_FAILED);
	ck_assert_int_eq(try_login("ann@example.com", "x2", NULL),
	    UA_ERR_LOGIN_FAILED);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_OK);
	ck_assert_uint_eq(fake_repo_nfailures(fr), 0);
	ck_assert_int_eq(try_login("ann@example.com", "x3", NULL),
	    UA_ERR_LOGIN_FAILED);
	ck_assert_int_eq(try_login("ann@example.com", "x4", NULL),
	    UA_ERR_LOGIN_FAILED);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_OK);
}
END_TEST

START_TEST(cheaper_hash_upgraded_on_login)
{
	int64_t id = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	struct ua_user	      u;
	struct ua_credentials c;

	settings.bcrypt_cost = 5;
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_OK);
	ck_assert(fake_repo_peek(fr, id, &u, &c));
	ck_assert(strncmp(c.hash, "$2b$05$", 7) == 0);
	ck_assert_int_eq(c.token_version, 0); /* not a password change */
	ck_assert(ua_password_verify("s3cret-pw", c.hash));
}
END_TEST

START_TEST(other_scheme_upgraded_on_login)
{
	int64_t id = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	struct ua_user	      u;
	struct ua_credentials c;

	settings.password_hash = UA_PW_YESCRYPT;
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_OK);
	ck_assert(fake_repo_peek(fr, id, &u, &c));
	ck_assert(strncmp(c.hash, "$y$", 3) == 0);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_OK);
}
END_TEST

/*
 * Login timing.  The fake repository answers in microseconds, so at a
 * cost where one hash takes tens of milliseconds the hash is nearly all
 * of a login's work.  That work is measured as this thread's CPU time,
 * which a busy machine does not inflate the way it does wall time; the
 * fastest of a few rounds is kept.
 */
#define TIMING_BCRYPT_COST 10 /* about 50 ms a hash on 2020s x86 */
#define TIMING_ROUNDS 3

/* CPU seconds this thread spent in one failing login. */
static double
failed_login_cpu(const char *email, const char *pw)
{
	struct timespec a, b;
	enum ua_err	er;

	ck_assert_int_eq(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a), 0);
	er = try_login(email, pw, NULL);
	ck_assert_int_eq(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b), 0);
	ck_assert_int_eq(er, UA_ERR_LOGIN_FAILED);
	return (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/*
 * An unknown email costs a full password verification, as a wrong
 * password does: neither login is faster than half the other.  Without
 * the dummy verification the unknown email costs almost nothing.  Looped
 * over the hash schemes (_i), whose dummies differ.
 */
START_TEST(unknown_email_costs_a_full_verification)
{
	enum ua_pw_scheme scheme = (enum ua_pw_scheme)_i;
	char		  hash[UA_PASSWORD_HASH_MAX], email[64];
	double		  wrong = 1e9, unknown = 1e9, t;
	int		  i;

	settings.password_hash = scheme;
	settings.bcrypt_cost = TIMING_BCRYPT_COST;
	settings.login_max_failures = 100; /* no 429 in the way */
	ck_assert_int_eq(ua_password_hash(scheme, TIMING_BCRYPT_COST,
			     "s3cret-pw", hash),
	    UA_OK);
	fake_repo_add(fr, "ann@example.com", "Ann Lee", hash, UA_ROLE_USER);

	for (i = 0; i < TIMING_ROUNDS; i++) {
		if ((t = failed_login_cpu("ann@example.com", "wrong-pw")) <
		    wrong)
			wrong = t;
		snprintf(email, sizeof(email), "nobody%d@example.com", i);
		if ((t = failed_login_cpu(email, "wrong-pw")) < unknown)
			unknown = t;
	}
	ck_assert_msg(unknown >= wrong / 2 && wrong >= unknown / 2,
	    "%s: a wrong password took %.2f ms of CPU, an unknown email "
	    "%.2f ms: want each at least half the other",
	    ua_pw_scheme_name(scheme), wrong * 1e3, unknown * 1e3);
	/* Both failures were recorded, as for any failed login. */
	ck_assert_uint_eq(fake_repo_nfailures(fr), 2 * TIMING_ROUNDS);
}
END_TEST

/* Log in and check the token the way the bearer dependency does. */
static enum ua_err
check_token(const char *tok, int64_t target, struct ua_user *caller,
    struct ua_user *t, bool *found)
{
	struct ua_jwt_claims claims;
	enum ua_err	     er;

	if ((er = ua_auth_verify_token(&svc, tok, &claims)) != UA_OK)
		return er;
	return ua_auth_current_user(&svc, claims.sub, claims.ver, claims.sid,
	    caller, target, t, found);
}

/* The token's session is part of the check: once it ends, 401. */
START_TEST(token_of_an_ended_session_is_refused)
{
	int64_t a = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	struct ua_user	     me, t;
	struct ua_jwt_claims claims;
	char		    *tok = login_token("ann@example.com", "s3cret-pw");
	bool		     found;

	ck_assert_int_eq(check_token(tok, 0, &me, &t, &found), UA_OK);
	ck_assert_int_eq(me.id, a);
	ck_assert_int_eq(ua_auth_verify_token(&svc, tok, &claims), UA_OK);
	ck_assert_int_eq(ua_session_logout(&svc, &me, claims.sid,
			     UA_SESSIONS_ONE),
	    UA_OK);
	ck_assert_int_eq(check_token(tok, 0, &me, &t, &found),
	    UA_ERR_BAD_TOKEN);
	free(tok);
}
END_TEST

START_TEST(token_loads_caller_and_target_in_one_call)
{
	int64_t a = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	int64_t b = add_user("bob@example.com", "pw", UA_ROLE_USER, 4);
	struct ua_user me, t;
	char	      *tok = NULL;
	bool	       found = false;

	tok = login_token("ann@example.com", "s3cret-pw");
	fake_repo_reset_calls(fr);
	ck_assert_int_eq(check_token(tok, b, &me, &t, &found), UA_OK);
	ck_assert_int_eq(me.id, a);
	ck_assert(found);
	ck_assert_int_eq(t.id, b);
	ck_assert_uint_eq(fake_repo_total_calls(fr), 1);
	ck_assert_int_eq(check_token(tok, 999, &me, &t, &found), UA_OK);
	ck_assert(!found);
	free(tok);
}
END_TEST

START_TEST(token_refused_when_expired_or_user_gone)
{
	int64_t a = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	struct ua_user me, t;
	char	      *tok = NULL;
	bool	       found;

	tok = login_token("ann@example.com", "s3cret-pw");
	fake_repo_set_now(fr, fake_now() + 30 * 60);
	ck_assert_int_eq(check_token(tok, 0, &me, &t, &found),
	    UA_ERR_BAD_TOKEN);
	fake_repo_set_now(fr, fake_now() - 60);
	ck_assert_int_eq(check_token(tok, 0, &me, &t, &found), UA_OK);
	me = user(a);
	ck_assert_int_eq(ua_user_delete(&svc, &me, a), UA_OK);
	ck_assert_int_eq(check_token(tok, 0, &me, &t, &found),
	    UA_ERR_BAD_TOKEN);
	free(tok);
}
END_TEST

START_TEST(password_change_revokes_older_tokens)
{
	int64_t a = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	struct ua_password_change in;
	struct ua_user		  me = user(a), t;
	char			 *tok = NULL;
	int			  r;
	bool			  found;

	tok = login_token("ann@example.com", "s3cret-pw");
	memset(&in, 0, sizeof(in));
	strcpy(in.current_password, "s3cret-pw");
	strcpy(in.new_password, "n3w-secret");
	ck_assert_int_eq(ua_auth_change_password(&svc, &me, &in, CLIENT, &r),
	    UA_OK);
	ck_assert_int_eq(check_token(tok, 0, &me, &t, &found),
	    UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_ERR_LOGIN_FAILED);
	free(tok);
	tok = login_token("ann@example.com", "n3w-secret");
	ck_assert_int_eq(check_token(tok, 0, &me, &t, &found), UA_OK);
	free(tok);
}
END_TEST

START_TEST(password_change_needs_the_current_one)
{
	int64_t a = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	struct ua_password_change in;
	struct ua_user		  me = user(a);
	int			  r;

	memset(&in, 0, sizeof(in));
	strcpy(in.current_password, "not-it");
	strcpy(in.new_password, "n3w-secret");
	ck_assert_int_eq(ua_auth_change_password(&svc, &me, &in, CLIENT, &r),
	    UA_ERR_BAD_PASSWORD);
	ck_assert_uint_eq(fake_repo_calls(fr, FAKE_OP_SET_PASSWORD), 0);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_OK);
}
END_TEST

START_TEST(wrong_current_password_counts_as_a_failed_login)
{
	int64_t a = add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	struct ua_password_change in;
	struct ua_user		  me = user(a);
	int			  i, retry = 0;

	memset(&in, 0, sizeof(in));
	strcpy(in.current_password, "not-it");
	strcpy(in.new_password, "n3w-secret");
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(ua_auth_change_password(&svc, &me, &in, CLIENT,
				     &retry),
		    UA_ERR_BAD_PASSWORD);
	/* Past the limit even the right one is refused, as for logins. */
	strcpy(in.current_password, "s3cret-pw");
	ck_assert_int_eq(ua_auth_change_password(&svc, &me, &in, CLIENT,
			     &retry),
	    UA_ERR_TOO_MANY);
	ck_assert_int_gt(retry, 0);
	ck_assert_int_le(retry, 600);
	ck_assert_uint_eq(fake_repo_calls(fr, FAKE_OP_SET_PASSWORD), 0);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_ERR_TOO_MANY);
	/* Another client address has its own count. */
	ck_assert_int_eq(ua_auth_change_password(&svc, &me, &in, "198.51.100.1",
			     &retry),
	    UA_OK);
}
END_TEST

START_TEST(storage_failure_is_not_counted_as_a_failed_login)
{
	add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	fake_repo_fail_op(fr, FAKE_OP_GET_BY_EMAIL, UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_uint_eq(fake_repo_calls(fr, FAKE_OP_RELEASE), 1);
	ck_assert_uint_eq(fake_repo_nfailures(fr), 0);
}
END_TEST

START_TEST(attempt_is_counted_before_the_hash_runs)
{
	add_user("ann@example.com", "s3cret-pw", UA_ROLE_USER, 4);
	/* The count and the record are one step, before the lookup. */
	fake_repo_fail_op(fr, FAKE_OP_RESERVE, UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(try_login("ann@example.com", "s3cret-pw", NULL),
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_uint_eq(fake_repo_calls(fr, FAKE_OP_GET_BY_EMAIL), 0);
}
END_TEST

static Suite *
services_suite(void)
{
	Suite *s = suite_create("services");
	TCase *tc;

	tc = tcase_create("user_service");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, register_makes_a_user_with_a_hash);
	tcase_add_test(tc, register_same_email_other_case_conflicts);
	tcase_add_test(tc, register_passes_storage_failure_up);
	tcase_add_test(tc, list_pages_through_45_users);
	tcase_add_test(tc, list_refuses_a_gone_or_revoked_caller);
	tcase_add_test(tc, user_may_change_self);
	tcase_add_test(tc, user_may_not_change_others);
	tcase_add_test(tc, only_admin_may_change_role);
	tcase_add_test(tc, admin_changes_others_and_gets_404_for_none);
	tcase_add_test(tc, email_taken_on_update_conflicts);
	tcase_add_test(tc, last_admin_cannot_be_demoted_or_deleted);
	tcase_add_test(tc, delete_self_or_admin_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("auth_service");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, login_issues_a_token_with_claims);
	tcase_add_test(tc, login_email_is_case_insensitive);
	tcase_add_test(tc, wrong_password_and_unknown_email_fail_alike);
	tcase_add_test(tc, too_many_failures_lock_out_then_expire);
	tcase_add_test(tc, success_clears_the_failures);
	tcase_add_test(tc, cheaper_hash_upgraded_on_login);
	tcase_add_test(tc, other_scheme_upgraded_on_login);
	tcase_add_test(tc, token_loads_caller_and_target_in_one_call);
	tcase_add_test(tc, token_of_an_ended_session_is_refused);
	tcase_add_test(tc, token_refused_when_expired_or_user_gone);
	tcase_add_test(tc, password_change_revokes_older_tokens);
	tcase_add_test(tc, password_change_needs_the_current_one);
	tcase_add_test(tc, wrong_current_password_counts_as_a_failed_login);
	tcase_add_test(tc, storage_failure_is_not_counted_as_a_failed_login);
	tcase_add_test(tc, attempt_is_counted_before_the_hash_runs);
	suite_add_tcase(s, tc);

	tc = tcase_create("login_timing");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, unknown_email_costs_a_full_verification, 0,
	    UA_PW__MAX);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(services_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
