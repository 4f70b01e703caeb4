/*
 * test_sessions.c -- session_service against the in-memory fakes, on a
 * clock the test moves: the pair of a login, rotation, the grace answer
 * and reuse detection, expiry, logout, the sessions list, ending
 * sessions, the cap on live sessions, and the bearer step's session
 * check through the real dispatch (API.md "Sessions").
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "userapi/buf.h"
#include "userapi/jwt.h"
#include "userapi/password.h"
#include "userapi/routers.h"
#include "userapi/services.h"
#include "userapi/session.h"
#include "userapi/settings.h"
#include "userapi/worker.h"
#include "fake_repo.h"
#include "fake_session_repo.h"
#include "unit-app.h"

#define SECRET "session-test-secret-0123456789abcdef"
#define CLIENT "192.0.2.7"
#define PW "s3cret-pw"
#define DAY (24 * 60 * 60)
#define EXPIRE_DAYS 30
#define REUSE_S 10
/* A session id of the right shape that no login made. */
#define UNKNOWN_SID "0f0f0f0f-0000-4000-8000-000000000000"

static const struct ua_client_info client = { CLIENT, "Test/1.0" };

static struct fake_repo		*fr;
static struct fake_session_repo *fs;
static struct ua_settings	 settings;
static struct ua_services	 svc;
static char			 secret[] = SECRET;
static int64_t			 ann, bob, root; /* root is an admin */

static int64_t
fake_now(void)
{
	return fake_repo_now(fr);
}

/* Move the clock of every fake, and of the service, by "s" seconds. */
static void
advance(int64_t s)
{
	fake_repo_set_now(fr, fake_now() + s);
}

static int64_t
add_user(const char *email, enum ua_role role)
{
	char hash[UA_PASSWORD_HASH_MAX];

	ck_assert_int_eq(ua_password_hash(UA_PW_BCRYPT, 4, PW, hash), UA_OK);
	return fake_repo_add(fr, email, "Some Name", hash, role);
}

static void
setup(void)
{
	fr = fake_repo_new();
	fs = fake_session_repo_new(fr);
	memset(&settings, 0, sizeof(settings));
	settings.jwt_secret = secret;
	settings.jwt_secret_len = strlen(secret);
	settings.jwt_algorithm = UA_JWT_HS256;
	settings.access_token_expire_minutes = 30;
	settings.password_hash = UA_PW_BCRYPT;
	settings.bcrypt_cost = 4;
	settings.max_body_bytes = 4096;
	settings.login_max_failures = 5;
	settings.login_window_seconds = 600;
	settings.refresh_token_expire_days = EXPIRE_DAYS;
	settings.refresh_token_reuse_seconds = REUSE_S;
	memset(&svc, 0, sizeof(svc));
	svc.users = fake_repo_users(fr);
	svc.logins = fake_repo_logins(fr);
	svc.sessions = fake_session_repo_sessions(fs);
	svc.settings = &settings;
	svc.now = fake_now;
	ann = add_user("ann@example.com", UA_ROLE_USER);
	bob = add_user("bob@example.com", UA_ROLE_USER);
	root = add_user("root@example.com", UA_ROLE_ADMIN);
}

static void
teardown(void)
{
	fake_session_repo_free(fs);
	fake_repo_free(fr);
}

static struct ua_user
user(int64_t id)
{
	struct ua_user u;

	ck_assert(fake_repo_peek(fr, id, &u, NULL));
	return u;
}

static int64_t
token_version(int64_t id)
{
	struct ua_credentials c;

	ck_assert(fake_repo_peek(fr, id, NULL, &c));
	return c.token_version;
}

/* Log "email" in with the right password, one second after the last. */
static void
login(const char *email, struct ua_token_pair *pair)
{
	int r;

	advance(1);
	ck_assert_int_eq(ua_auth_login(&svc, email, PW, &client, pair, &r),
	    UA_OK);
	ck_assert_ptr_nonnull(pair->access_token);
}

/* Refresh with the whole of "token" into "pair". */
static enum ua_err
refresh(const char *token, struct ua_token_pair *pair)
{
	enum ua_err er;

	er = ua_session_refresh(&svc, token, strlen(token), pair);
	if (er == UA_OK)
		ck_assert_ptr_nonnull(pair->access_token);
	else {
		ck_assert_ptr_null(pair->access_token);
		ck_assert_str_eq(pair->refresh_token, "");
	}
	return er;
}

/* Refresh and throw the answer away; the error. */
static enum ua_err
refresh_only(const char *token)
{
	struct ua_token_pair p;
	enum ua_err	     er = refresh(token, &p);

	ua_token_pair_cleanup(&p);
	return er;
}

/* The verified claims of "access_token", as ua_jwt_verify() reads them. */
static struct ua_jwt_claims
claims_of(const char *access_token)
{
	struct ua_jwt_claims c;

	ck_assert_int_eq(ua_jwt_verify(UA_JWT_HS256, SECRET, strlen(SECRET),
			     access_token, fake_now(), &c),
	    UA_OK);
	return c;
}

/*
 * The bearer step on "access_token" as the dependency takes it:
 * signature and expiry, then the caller's row read with its session
 * ("sid"), then the version and session check.
 */
static enum ua_err
bearer(const char *access_token)
{
	struct ua_jwt_claims  c;
	struct ua_credentials cred;
	struct ua_user	      caller, unused;
	enum ua_err	      er;
	bool		      found;

	if ((er = ua_auth_verify_token(&svc, access_token, &c)) != UA_OK)
		return er;
	er = ua_user_read_with_caller(&svc, c.sub, c.sid, 0, &caller, &cred,
	    &unused, &found);
	return ua_auth_check_caller(er, &cred, c.ver, c.sid);
}

/* An access token of user "id" at version "ver" with no sid. */
static char *
token_without_sid(int64_t id, int64_t ver)
{
	struct ua_jwt_claims c;

	memset(&c, 0, sizeof(c));
	c.sub = id;
	c.iat = fake_now();
	c.exp = fake_now() + 600;
	c.ver = ver;
	return ua_jwt_sign(UA_JWT_HS256, SECRET, strlen(SECRET), &c);
}

/* The live sessions of "id" as "sid" sees them; how many. */
static size_t
list(int64_t id, const char *sid, struct ua_session *items)
{
	struct ua_user u = user(id);
	size_t	       n;

	ck_assert_int_eq(ua_session_list(&svc, &u, sid, items, &n), UA_OK);
	return n;
}

static void
list_cleanup(struct ua_session *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ua_session_cleanup(&items[i]);
}

/* Is session "sid" among the live ones of "id"? */
static bool
listed(int64_t id, const char *sid)
{
	struct ua_session items[UA_SESSIONS_PER_USER];
	size_t		  i, n = list(id, NULL, items);
	bool		  found = false;

	for (i = 0; i < n; i++)
		if (strcmp(items[i].id, sid) == 0)
			found = true;
	list_cleanup(items, n);
	return found;
}

/* The session of "pair". */
static const char *
sid_of(const struct ua_token_pair *pair, char sid[UA_SESSION_ID_LEN + 1])
{
	struct ua_jwt_claims c = claims_of(pair->access_token);

	memcpy(sid, c.sid, UA_SESSION_ID_LEN + 1);
	return sid;
}

/* --- ua_session_start: the pair of a login ---------------------------- */

START_TEST(login_gives_a_pair_and_a_session)
{
	struct ua_token_pair p;
	struct ua_jwt_claims c;
	struct ua_session    items[UA_SESSIONS_PER_USER];
	size_t		     n;

	login("ann@example.com", &p);
	c = claims_of(p.access_token);
	ck_assert_int_eq(c.sub, ann);
	ck_assert_int_eq(c.ver, 0);
	ck_assert_int_eq(c.iat, fake_now());
	ck_assert_int_eq(c.exp, fake_now() + 30 * 60);
	ck_assert(ua_session_id_valid(c.sid));
	ck_assert_uint_eq(strlen(p.refresh_token), UA_REFRESH_TOKEN_LEN);
	ck_assert_int_eq(p.expires_in, 30 * 60);
	ck_assert_int_eq(p.refresh_expires_in, EXPIRE_DAYS * DAY);

	/* One live session, the token's, as the login saw the client. */
	n = list(ann, c.sid, items);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(items[0].id, c.sid);
	ck_assert(items[0].current);
	ck_assert_str_eq(items[0].ip, CLIENT);
	ck_assert_str_eq(items[0].user_agent, "Test/1.0");
	ck_assert_int_eq(items[0].created_us, fake_now() * 1000000);
	ck_assert_int_eq(items[0].last_used_us, fake_now() * 1000000);
	ck_assert_int_eq(items[0].expires_us,
	    (fake_now() + EXPIRE_DAYS * DAY) * INT64_C(1000000));
	list_cleanup(items, n);
	ck_assert_int_eq(bearer(p.access_token), UA_OK);
	ua_token_pair_cleanup(&p);
}
END_TEST

/* The access token's sid is the session's id, and stays so. */
START_TEST(access_token_sid_is_the_session_id)
{
	struct ua_token_pair p, q;
	struct ua_session    items[UA_SESSIONS_PER_USER];
	char		     sid[UA_SESSION_ID_LEN + 1];
	size_t		     n;

	login("ann@example.com", &p);
	sid_of(&p, sid);
	n = list(ann, NULL, items);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(items[0].id, sid);
	list_cleanup(items, n);
	advance(60);
	ck_assert_int_eq(refresh(p.refresh_token, &q), UA_OK);
	ck_assert_str_eq(claims_of(q.access_token).sid, sid);
	ua_token_pair_cleanup(&q);
	ua_token_pair_cleanup(&p);
}
END_TEST

START_TEST(user_agent_is_cut_and_may_be_absent)
{
	struct ua_client_info c = { CLIENT, NULL };
	struct ua_token_pair  p;
	struct ua_session     items[UA_SESSIONS_PER_USER];
	char		      agent[2 * 300 + 1];
	size_t		      i, n;

	/* 300 two-byte characters: 256 of them are kept. */
	for (i = 0; i < 300; i++)
		memcpy(agent + 2 * i, "\xc3\xa9", 2);
	agent[600] = '\0';
	c.user_agent = agent;
	ck_assert_int_eq(ua_session_start(&svc, ann, 0, &c, &p), UA_OK);
	ua_token_pair_cleanup(&p);
	advance(1);
	c.user_agent = NULL;
	ck_assert_int_eq(ua_session_start(&svc, ann, 0, &c, &p), UA_OK);
	ua_token_pair_cleanup(&p);

	n = list(ann, NULL, items);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_null(items[0].user_agent); /* the newer */
	ck_assert_uint_eq(strlen(items[1].user_agent),
	    2 * UA_USER_AGENT_MAX_CHARS);
	ck_assert(strncmp(items[1].user_agent, agent,
		      2 * UA_USER_AGENT_MAX_CHARS) == 0);
	list_cleanup(items, n);
}
END_TEST

/*
 * A password change between the check and the start: no session, and
 * the sessions started under the new version are left alone.
 */
START_TEST(start_at_a_stale_version_fails_the_login)
{
	struct ua_token_pair p, fresh;

	fake_repo_bump_token_version(fr, ann);
	login("ann@example.com", &fresh); /* at version 1 */
	ck_assert_int_eq(ua_session_start(&svc, ann, 0, &client, &p),
	    UA_ERR_LOGIN_FAILED);
	ck_assert_ptr_null(p.access_token);
	ck_assert_str_eq(p.refresh_token, "");
	ck_assert_uint_eq(fake_session_repo_nrows(fs), 1);
	ck_assert_int_eq(bearer(fresh.access_token), UA_OK);
	ck_assert_int_eq(ua_session_start(&svc, 999, 0, &client, &p),
	    UA_ERR_LOGIN_FAILED);
	ua_token_pair_cleanup(&p);
	ua_token_pair_cleanup(&fresh);
}
END_TEST

/* The 51st login ends the oldest live session; 50 stay live. */
START_TEST(fifty_live_sessions_at_most)
{
	struct ua_token_pair first, second, p;
	char		     sid1[UA_SESSION_ID_LEN + 1];
	char		     sid2[UA_SESSION_ID_LEN + 1];
	int		     i;

	ck_assert_int_eq(UA_SESSIONS_PER_USER, 50);
	login("ann@example.com", &first);
	login("ann@example.com", &second);
	sid_of(&first, sid1);
	sid_of(&second, sid2);
	for (i = 2; i < UA_SESSIONS_PER_USER; i++) {
		login("ann@example.com", &p);
		ua_token_pair_cleanup(&p);
	}
	ck_assert_uint_eq(fake_session_repo_nlive(fs, ann), 50);
	ck_assert_int_eq(bearer(first.access_token), UA_OK);

	login("ann@example.com", &p);
	ua_token_pair_cleanup(&p);
	ck_assert_uint_eq(fake_session_repo_nlive(fs, ann), 50);
	ck_assert(!listed(ann, sid1));
	ck_assert(listed(ann, sid2));
	ck_assert_int_eq(bearer(first.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(refresh_only(first.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(second.access_token), UA_OK);

	/* The next login deletes the ended row and ends the next oldest. */
	ck_assert_uint_eq(fake_session_repo_nrows(fs), 51);
	login("ann@example.com", &p);
	ua_token_pair_cleanup(&p);
	ck_assert_uint_eq(fake_session_repo_nrows(fs), 51);
	ck_assert(!listed(ann, sid2));
	ck_assert_int_eq(bearer(second.access_token), UA_ERR_BAD_TOKEN);

	/* Another user's sessions are not counted. */
	login("bob@example.com", &p);
	ck_assert_int_eq(bearer(p.access_token), UA_OK);
	ck_assert_uint_eq(fake_session_repo_nlive(fs, ann), 50);
	ua_token_pair_cleanup(&p);
	ua_token_pair_cleanup(&first);
	ua_token_pair_cleanup(&second);
}
END_TEST

/* --- ua_session_refresh: rotation and reuse --------------------------- */

START_TEST(refresh_rotates)
{
	struct ua_token_pair p0, p1, p2;
	struct ua_session    items[UA_SESSIONS_PER_USER];
	char		     sid[UA_SESSION_ID_LEN + 1];
	size_t		     n;

	login("ann@example.com", &p0);
	sid_of(&p0, sid);
	advance(100);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	ck_assert_str_ne(p1.refresh_token, p0.refresh_token);
	ck_assert_uint_eq(strlen(p1.refresh_token), UA_REFRESH_TOKEN_LEN);
	ck_assert_str_eq(claims_of(p1.access_token).sid, sid);
	ck_assert_int_eq(claims_of(p1.access_token).sub, ann);
	ck_assert_int_eq(claims_of(p1.access_token).iat, fake_now());
	ck_assert_int_eq(p1.expires_in, 30 * 60);
	/* The session's time left, not a new lifetime. */
	ck_assert_int_eq(p1.refresh_expires_in, EXPIRE_DAYS * DAY - 100);
	n = list(ann, sid, items);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(items[0].last_used_us, fake_now() * 1000000);
	ck_assert_int_eq(items[0].created_us, (fake_now() - 100) * 1000000);
	list_cleanup(items, n);

	/* The new token rotates in turn; the old access token still works. */
	advance(100);
	ck_assert_int_eq(refresh(p1.refresh_token, &p2), UA_OK);
	ck_assert_str_eq(claims_of(p2.access_token).sid, sid);
	ck_assert_int_eq(bearer(p0.access_token), UA_OK);
	ck_assert_int_eq(bearer(p2.access_token), UA_OK);
	ua_token_pair_cleanup(&p0);
	ua_token_pair_cleanup(&p1);
	ua_token_pair_cleanup(&p2);
}
END_TEST

/* A lost answer: the spent token again, within the window, once. */
START_TEST(grace_answer_within_the_window)
{
	struct ua_token_pair p0, p1, p2, p3;
	char		     sid[UA_SESSION_ID_LEN + 1];

	login("ann@example.com", &p0);
	sid_of(&p0, sid);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	advance(REUSE_S); /* the window's last second */
	ck_assert_int_eq(refresh(p0.refresh_token, &p2), UA_OK);
	ck_assert_str_eq(claims_of(p2.access_token).sid, sid);
	ck_assert_str_ne(p2.refresh_token, p1.refresh_token);
	ck_assert_str_ne(p2.refresh_token, p0.refresh_token);
	ck_assert(listed(ann, sid));
	/* The grace pair is the session's now, and rotates. */
	advance(1);
	ck_assert_int_eq(refresh(p2.refresh_token, &p3), UA_OK);
	ck_assert_str_eq(claims_of(p3.access_token).sid, sid);
	ck_assert_int_eq(bearer(p3.access_token), UA_OK);
	ua_token_pair_cleanup(&p0);
	ua_token_pair_cleanup(&p1);
	ua_token_pair_cleanup(&p2);
	ua_token_pair_cleanup(&p3);
}
END_TEST

/* The spent token a second time, even within the window: reuse. */
START_TEST(spent_token_twice_ends_the_session)
{
	struct ua_token_pair p0, p1, p2;
	char		     sid[UA_SESSION_ID_LEN + 1];

	login("ann@example.com", &p0);
	sid_of(&p0, sid);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	advance(1);
	ck_assert_int_eq(refresh(p0.refresh_token, &p2), UA_OK); /* grace */
	advance(1);
	ck_assert_int_eq(refresh_only(p0.refresh_token), UA_ERR_BAD_REFRESH);
	/* The session ended: its current token and access tokens too. */
	ck_assert(!listed(ann, sid));
	ck_assert_int_eq(refresh_only(p2.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(p0.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(bearer(p2.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_uint_eq(fake_session_repo_calls(fs, FAKE_SESSION_END_SPENT),
	    2);
	ua_token_pair_cleanup(&p0);
	ua_token_pair_cleanup(&p1);
	ua_token_pair_cleanup(&p2);
}
END_TEST

/* The pair a grace answer replaced is spent too. */
START_TEST(token_replaced_by_grace_ends_the_session)
{
	struct ua_token_pair p0, p1, p2;
	char		     sid[UA_SESSION_ID_LEN + 1];

	login("ann@example.com", &p0);
	sid_of(&p0, sid);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	ck_assert_int_eq(refresh(p0.refresh_token, &p2), UA_OK); /* grace */
	advance(1);
	ck_assert_int_eq(refresh_only(p1.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert(!listed(ann, sid));
	ck_assert_int_eq(refresh_only(p2.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(p2.access_token), UA_ERR_BAD_TOKEN);
	ua_token_pair_cleanup(&p0);
	ua_token_pair_cleanup(&p1);
	ua_token_pair_cleanup(&p2);
}
END_TEST

/* A refresh in the same second as its login still gives a new token. */
START_TEST(refresh_at_once_gives_a_new_access_token)
{
	struct ua_token_pair p0, p1;

	login("ann@example.com", &p0);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	ck_assert_str_ne(p0.access_token, p1.access_token);
	ck_assert_str_ne(p0.refresh_token, p1.refresh_token);
	ua_token_pair_cleanup(&p0);
	ua_token_pair_cleanup(&p1);
}
END_TEST

/*
 * Every token a session spent is known, not only the latest: one spent
 * rotations ago ends the session too (a thief who kept it).
 */
START_TEST(token_spent_rotations_ago_ends_the_session)
{
	struct ua_token_pair p[4];
	char		     sid[UA_SESSION_ID_LEN + 1];
	int		     i;

	login("ann@example.com", &p[0]);
	sid_of(&p[0], sid);
	for (i = 1; i < 4; i++) {
		advance(1);
		ck_assert_int_eq(refresh(p[i - 1].refresh_token, &p[i]), UA_OK);
	}
	ck_assert_int_eq(refresh_only(p[0].refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert(!listed(ann, sid));
	ck_assert_int_eq(refresh_only(p[3].refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(p[3].access_token), UA_ERR_BAD_TOKEN);
	for (i = 0; i < 4; i++)
		ua_token_pair_cleanup(&p[i]);
}
END_TEST

/* After the window the spent token is reuse at once. */
START_TEST(spent_token_after_the_window_ends_the_session)
{
	struct ua_token_pair p0, p1;
	char		     sid[UA_SESSION_ID_LEN + 1];

	login("ann@example.com", &p0);
	sid_of(&p0, sid);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	advance(REUSE_S + 1);
	ck_assert_int_eq(refresh_only(p0.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert(!listed(ann, sid));
	ck_assert_int_eq(refresh_only(p1.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(p1.access_token), UA_ERR_BAD_TOKEN);
	ua_token_pair_cleanup(&p0);
	ua_token_pair_cleanup(&p1);
}
END_TEST

/* REFRESH_TOKEN_REUSE_SECONDS=0: no grace at all once time has moved. */
START_TEST(no_window_no_grace)
{
	struct ua_token_pair p0, p1;

	settings.refresh_token_reuse_seconds = 0;
	login("ann@example.com", &p0);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	advance(1);
	ck_assert_int_eq(refresh_only(p0.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(refresh_only(p1.refresh_token), UA_ERR_BAD_REFRESH);
	ua_token_pair_cleanup(&p0);
	ua_token_pair_cleanup(&p1);
}
END_TEST

START_TEST(expired_session_refuses_refresh)
{
	struct ua_token_pair p0, p1;
	char		     sid[UA_SESSION_ID_LEN + 1];

	login("ann@example.com", &p0);
	sid_of(&p0, sid);
	/* A second before the end: it rotates, with a second left. */
	advance(EXPIRE_DAYS * DAY - 1);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	ck_assert_int_eq(p1.refresh_expires_in, 1);
	advance(1);
	ck_assert_int_eq(refresh_only(p1.refresh_token), UA_ERR_BAD_REFRESH);
	/* Within the window, but the session is no longer live. */
	ck_assert_int_eq(refresh_only(p0.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert(!listed(ann, sid));
	ua_token_pair_cleanup(&p0);
	ua_token_pair_cleanup(&p1);
}
END_TEST

/* Unknown tokens are refused and end nothing; "len" bytes count. */
START_TEST(unknown_tokens_refused)
{
	struct ua_token_pair p0;
	char		     tok[UA_REFRESH_TOKEN_LEN + 2];

	login("ann@example.com", &p0);
	ck_assert_int_eq(refresh_only(""), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(refresh_only("not-a-refresh-token"),
	    UA_ERR_BAD_REFRESH);
	snprintf(tok, sizeof(tok), "%sA", p0.refresh_token);
	ck_assert_int_eq(refresh_only(tok), UA_ERR_BAD_REFRESH);
	tok[UA_REFRESH_TOKEN_LEN - 1] = '\0';
	ck_assert_int_eq(refresh_only(tok), UA_ERR_BAD_REFRESH);
	/* A refused guess is no reuse: the session lives on. */
	ck_assert_int_eq(bearer(p0.access_token), UA_OK);
	ck_assert_int_eq(refresh_only(p0.refresh_token), UA_OK);
	ua_token_pair_cleanup(&p0);
}
END_TEST

/* A repository failure is passed on, with nothing handed out. */
START_TEST(repository_errors_pass_through)
{
	struct ua_token_pair p0, p1;

	login("ann@example.com", &p0);
	fake_session_repo_fail_op(fs, FAKE_SESSION_ROTATE,
	    UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_ERR_DB_UNAVAILABLE);
	ck_assert_int_eq(refresh(p0.refresh_token, &p1), UA_OK);
	ua_token_pair_cleanup(&p1);
	ua_token_pair_cleanup(&p0);
}
END_TEST

/* --- ua_session_logout ------------------------------------------------- */

START_TEST(logout_this_session)
{
	struct ua_token_pair a, b;
	struct ua_user	     me = user(ann);
	char		     sa[UA_SESSION_ID_LEN + 1];

	login("ann@example.com", &a);
	login("ann@example.com", &b);
	ck_assert_int_eq(ua_session_logout(&svc, &me, sid_of(&a, sa),
			     UA_SESSIONS_ONE),
	    UA_OK);
	ck_assert_int_eq(bearer(a.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(refresh_only(a.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(b.access_token), UA_OK);
	ck_assert_int_eq(refresh_only(b.refresh_token), UA_OK);
	ck_assert_int_eq(token_version(ann), 0);
	ua_token_pair_cleanup(&a);
	ua_token_pair_cleanup(&b);
}
END_TEST

START_TEST(logout_other_sessions)
{
	struct ua_token_pair a, b, c, other;
	struct ua_user	     me = user(ann);
	char		     sb[UA_SESSION_ID_LEN + 1];

	login("ann@example.com", &a);
	login("ann@example.com", &b);
	login("ann@example.com", &c);
	login("bob@example.com", &other);
	ck_assert_int_eq(ua_session_logout(&svc, &me, sid_of(&b, sb),
			     UA_SESSIONS_OTHERS),
	    UA_OK);
	ck_assert_int_eq(bearer(a.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(bearer(c.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(bearer(b.access_token), UA_OK);
	ck_assert_uint_eq(fake_session_repo_nlive(fs, ann), 1);
	ck_assert(listed(ann, sb));
	ck_assert_int_eq(bearer(other.access_token), UA_OK);
	ck_assert_int_eq(token_version(ann), 0);
	ua_token_pair_cleanup(&a);
	ua_token_pair_cleanup(&b);
	ua_token_pair_cleanup(&c);
	ua_token_pair_cleanup(&other);
}
END_TEST

/* All: every session, and every access token issued before. */
START_TEST(logout_all_sessions_revokes_tokens)
{
	struct ua_token_pair a, b, c;
	struct ua_user	     me = user(ann);
	char		     sa[UA_SESSION_ID_LEN + 1];
	char		    *old;

	login("ann@example.com", &a);
	login("ann@example.com", &b);
	old = token_without_sid(ann, 0);
	ck_assert_int_eq(bearer(old), UA_OK);
	ck_assert_int_eq(ua_session_logout(&svc, &me, sid_of(&a, sa),
			     UA_SESSIONS_ALL),
	    UA_OK);
	ck_assert_uint_eq(fake_session_repo_nlive(fs, ann), 0);
	ck_assert_int_eq(bearer(a.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(bearer(b.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(refresh_only(b.refresh_token), UA_ERR_BAD_REFRESH);
	/* The version moved on: the token's "ver" no longer matches. */
	ck_assert_int_eq(token_version(ann), 1);
	ck_assert_int_eq(claims_of(old).ver, 0);
	ck_assert_int_eq(bearer(old), UA_ERR_BAD_TOKEN);
	/* A new login works under the new version. */
	login("ann@example.com", &c);
	ck_assert_int_eq(claims_of(c.access_token).ver, 1);
	ck_assert_int_eq(bearer(c.access_token), UA_OK);
	free(old);
	ua_token_pair_cleanup(&a);
	ua_token_pair_cleanup(&b);
	ua_token_pair_cleanup(&c);
}
END_TEST

/* A token without a sid can only log out everywhere. */
START_TEST(logout_without_sid_is_everywhere)
{
	struct ua_token_pair a, b;
	struct ua_user	     me = user(ann);
	int		     scope;

	for (scope = 0; scope < UA_SESSIONS__MAX; scope++) {
		login("ann@example.com", &a);
		login("ann@example.com", &b);
		me = user(ann);
		ck_assert_int_eq(ua_session_logout(&svc, &me,
				     scope == 0 ? NULL : "",
				     (enum ua_session_scope)scope),
		    UA_OK);
		ck_assert_uint_eq(fake_session_repo_nlive(fs, ann), 0);
		ck_assert_int_eq(bearer(a.access_token), UA_ERR_BAD_TOKEN);
		ck_assert_int_eq(bearer(b.access_token), UA_ERR_BAD_TOKEN);
		ck_assert_int_eq(token_version(ann), scope + 1);
		ua_token_pair_cleanup(&a);
		ua_token_pair_cleanup(&b);
	}
}
END_TEST

/* --- ua_session_end / ua_session_end_user ------------------------------ */

START_TEST(end_one_of_mine)
{
	struct ua_token_pair a, b;
	struct ua_user	     me = user(ann);
	char		     sb[UA_SESSION_ID_LEN + 1];

	login("ann@example.com", &a);
	login("ann@example.com", &b);
	sid_of(&b, sb);
	ck_assert_int_eq(ua_session_end(&svc, &me, sb), UA_OK);
	ck_assert_int_eq(bearer(b.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(refresh_only(b.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(a.access_token), UA_OK);
	/* Ended is no longer one of the caller's sessions. */
	ck_assert_int_eq(ua_session_end(&svc, &me, sb),
	    UA_ERR_SESSION_NOT_FOUND);
	ck_assert_int_eq(token_version(ann), 0);
	ua_token_pair_cleanup(&a);
	ua_token_pair_cleanup(&b);
}
END_TEST

START_TEST(end_someone_elses_unknown_or_malformed)
{
	static const char *const bad[] = {
		UNKNOWN_SID,
		"",
		"not-a-session",
		"0F0F0F0F-0000-4000-8000-000000000000",
		"0f0f0f0f000040008000000000000000",
	};
	struct ua_token_pair mine, hers;
	struct ua_user	     me = user(ann);
	char		     sh[UA_SESSION_ID_LEN + 1], upper[40];
	size_t		     i;

	login("ann@example.com", &mine);
	login("bob@example.com", &hers);
	sid_of(&hers, sh);
	ck_assert_int_eq(ua_session_end(&svc, &me, sh),
	    UA_ERR_SESSION_NOT_FOUND);
	ck_assert_int_eq(bearer(hers.access_token), UA_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(ua_session_end(&svc, &me, bad[i]) ==
			UA_ERR_SESSION_NOT_FOUND,
		    "ended %s", bad[i]);
	/* Her id in capitals is not her id. */
	for (i = 0; sh[i] != '\0'; i++)
		upper[i] =
		    (char)(sh[i] >= 'a' && sh[i] <= 'f' ? sh[i] - 'a' + 'A' :
							  sh[i]);
	upper[i] = '\0';
	me = user(bob);
	ck_assert_int_eq(ua_session_end(&svc, &me, upper),
	    UA_ERR_SESSION_NOT_FOUND);
	ck_assert_int_eq(bearer(hers.access_token), UA_OK);
	ck_assert_int_eq(bearer(mine.access_token), UA_OK);
	ua_token_pair_cleanup(&mine);
	ua_token_pair_cleanup(&hers);
}
END_TEST

START_TEST(end_user_self_admin_or_forbidden)
{
	struct ua_token_pair a, b;
	struct ua_user	     u_ann = user(ann), u_bob = user(bob);
	struct ua_user	     u_root = user(root);

	login("ann@example.com", &a);
	login("bob@example.com", &b);
	/* Someone else: 403, nothing ended. */
	ck_assert_int_eq(ua_session_end_user(&svc, &u_bob, ann),
	    UA_ERR_FORBIDDEN);
	ck_assert_int_eq(bearer(a.access_token), UA_OK);
	/* Self. */
	ck_assert_int_eq(ua_session_end_user(&svc, &u_ann, ann), UA_OK);
	ck_assert_int_eq(bearer(a.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_int_eq(refresh_only(a.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(b.access_token), UA_OK);
	/* An admin, for another user. */
	ck_assert_int_eq(ua_session_end_user(&svc, &u_root, bob), UA_OK);
	ck_assert_int_eq(bearer(b.access_token), UA_ERR_BAD_TOKEN);
	ck_assert_uint_eq(fake_session_repo_nlive(fs, bob), 0);
	/* Sessions end; the token version is not the admin's to bump. */
	ck_assert_int_eq(token_version(ann), 0);
	ck_assert_int_eq(token_version(bob), 0);
	ua_token_pair_cleanup(&a);
	ua_token_pair_cleanup(&b);
}
END_TEST

/* --- ua_session_list --------------------------------------------------- */

START_TEST(list_newest_first_with_current)
{
	struct ua_token_pair p[3], other;
	struct ua_session    items[UA_SESSIONS_PER_USER];
	struct ua_user	     me;
	char		     sid[3][UA_SESSION_ID_LEN + 1];
	size_t		     i, n;

	for (i = 0; i < 3; i++) {
		login("ann@example.com", &p[i]);
		sid_of(&p[i], sid[i]);
	}
	login("bob@example.com", &other);
	n = list(ann, sid[1], items);
	ck_assert_uint_eq(n, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_str_eq(items[i].id, sid[2 - i]);
		ck_assert(items[i].current == (i == 1));
	}
	ck_assert_int_gt(items[0].created_us, items[1].created_us);
	ck_assert_int_gt(items[1].created_us, items[2].created_us);
	list_cleanup(items, n);

	/* A token without a sid sees none as current. */
	n = list(ann, "", items);
	ck_assert_uint_eq(n, 3);
	for (i = 0; i < n; i++)
		ck_assert(!items[i].current);
	list_cleanup(items, n);

	/* Ended and expired ones are not listed. */
	me = user(ann);
	ck_assert_int_eq(ua_session_end_user(&svc, &me, ann), UA_OK);
	ck_assert_uint_eq(list(ann, NULL, items), 0);
	advance(EXPIRE_DAYS * DAY);
	ck_assert_uint_eq(list(bob, NULL, items), 0);
	for (i = 0; i < 3; i++)
		ua_token_pair_cleanup(&p[i]);
	ua_token_pair_cleanup(&other);
}
END_TEST

/* --- a password change ------------------------------------------------- */

START_TEST(password_change_kills_every_session)
{
	struct ua_token_pair	  a, b, c;
	struct ua_password_change in;
	struct ua_user		  me = user(ann);
	int			  r;

	login("ann@example.com", &a);
	login("ann@example.com", &b);
	memset(&in, 0, sizeof(in));
	strcpy(in.current_password, PW);
	strcpy(in.new_password, "n3w-secret-pw");
	ck_assert_int_eq(ua_auth_change_password(&svc, &me, &in, CLIENT, &r),
	    UA_OK);
	ck_assert_uint_eq(fake_session_repo_nlive(fs, ann), 0);
	ck_assert_int_eq(refresh_only(a.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(refresh_only(b.refresh_token), UA_ERR_BAD_REFRESH);
	ck_assert_int_eq(bearer(a.access_token), UA_ERR_BAD_TOKEN);
	ck_assert(!listed(ann, claims_of(b.access_token).sid));
	ck_assert_uint_eq(fake_session_repo_nlive(fs, ann), 0);
	/* The new password starts a live session. */
	advance(1);
	ck_assert_int_eq(ua_auth_login(&svc, "ann@example.com", "n3w-secret-pw",
			     &client, &c, &r),
	    UA_OK);
	ck_assert_int_eq(bearer(c.access_token), UA_OK);
	ck_assert_int_eq(refresh_only(c.refresh_token), UA_OK);
	ua_token_pair_cleanup(&a);
	ua_token_pair_cleanup(&b);
	ua_token_pair_cleanup(&c);
}
END_TEST

/* --- ua_session_prune -------------------------------------------------- */

START_TEST(prune_deletes_what_no_longer_refuses_anything)
{
	struct ua_token_pair a, b, c;
	struct ua_user	     me = user(ann);
	char		     sa[UA_SESSION_ID_LEN + 1];
	int64_t		     deleted = -1;

	login("ann@example.com", &a);
	login("ann@example.com", &b);
	login("bob@example.com", &c);
	ck_assert_int_eq(ua_session_logout(&svc, &me, sid_of(&a, sa),
			     UA_SESSIONS_ONE),
	    UA_OK);
	ck_assert_int_eq(ua_session_prune(&svc, &deleted), UA_OK);
	ck_assert_int_eq(deleted, 1);
	ck_assert_uint_eq(fake_session_repo_nrows(fs), 2);
	advance(EXPIRE_DAYS * DAY);
	ck_assert_int_eq(ua_session_prune(&svc, &deleted), UA_OK);
	ck_assert_int_eq(deleted, 2);
	ck_assert_uint_eq(fake_session_repo_nrows(fs), 0);
	ua_token_pair_cleanup(&a);
	ua_token_pair_cleanup(&b);
	ua_token_pair_cleanup(&c);
}
END_TEST

/* --- the bearer step through the real dispatch ------------------------- */

/* The auth worker's routers. */
static const struct ua_router *const routers[] = {
	&ua_router_auth,
	&ua_router_sessions,
	&ua_router_users,
	&ua_router_user_sessions,
};

static struct ua_app app;
static struct ua_buf out;

static void
app_setup(void)
{
	setup();
	ua_app_init(&app, &settings, &svc, routers,
	    sizeof(routers) / sizeof(routers[0]));
	ua_buf_init(&out);
}

static void
app_teardown(void)
{
	ua_buf_cleanup(&out);
	ua_app_cleanup(&app);
	teardown();
}

/*
 * Serve "method path" with the access token "token" (NULL: none) and
 * JSON "body" (NULL: none); the status, the body in "*resp".
 */
static int
serve(const char *method, const char *path, const char *token, const char *body,
    const char **resp)
{
	struct unit_request r = { method, path, token, CLIENT, body };

	return unit_serve(&app, &out, &r, resp);
}

/* An access token whose session ended is refused at once. */
START_TEST(ended_session_token_refused_on_me)
{
	struct ua_token_pair a, b;
	char		     path[128], sb[UA_SESSION_ID_LEN + 1];
	const char	    *body;

	login("ann@example.com", &a);
	login("ann@example.com", &b);
	ck_assert_int_eq(serve("GET", "/api/auth/me", b.access_token, NULL,
			     &body),
	    200);
	ck_assert_ptr_nonnull(strstr(body, "\"email\":\"ann@example.com\""));

	/* Ended from the other session, through its route. */
	snprintf(path, sizeof(path), "/api/auth/sessions/%s", sid_of(&b, sb));
	ck_assert_int_eq(serve("DELETE", path, a.access_token, NULL, &body),
	    204);
	ck_assert_int_eq(serve("GET", "/api/auth/me", b.access_token, NULL,
			     &body),
	    401);
	ck_assert_str_eq(body,
	    "{\"detail\":\"Could not validate credentials\"}");
	ck_assert_int_eq(serve("GET", "/api/auth/me", a.access_token, NULL,
			     &body),
	    200);

	/* Logout ends the caller's own: refused on the very next request. */
	ck_assert_int_eq(serve("POST", "/api/auth/logout", a.access_token, NULL,
			     &body),
	    204);
	ck_assert_int_eq(serve("GET", "/api/auth/me", a.access_token, NULL,
			     &body),
	    401);
	ua_token_pair_cleanup(&a);
	ua_token_pair_cleanup(&b);
}
END_TEST

/* Through the routes: a refresh's access token passes the bearer step. */
START_TEST(refresh_route_and_sessions_list)
{
	struct ua_token_pair a;
	char		     req[128], tok[2048], *q;
	const char	    *body, *at;

	login("ann@example.com", &a);
	snprintf(req, sizeof(req), "{\"refresh_token\":\"%s\"}",
	    a.refresh_token);
	ck_assert_int_eq(serve("POST", "/api/auth/refresh", NULL, req, &body),
	    200);
	ck_assert_ptr_nonnull(at = strstr(body, "\"access_token\":\""));
	at += strlen("\"access_token\":\"");
	ck_assert_ptr_nonnull(q = strchr(at, '"'));
	ck_assert_uint_lt((size_t)(q - at), sizeof(tok));
	memcpy(tok, at, (size_t)(q - at));
	tok[q - at] = '\0';
	ck_assert_int_eq(serve("GET", "/api/auth/sessions", tok, NULL, &body),
	    200);
	ck_assert_ptr_nonnull(strstr(body, "\"current\":true"));
	ck_assert_ptr_nonnull(strstr(body, "\"ip\":\"" CLIENT "\""));
	/* The token it replaced again, past the window: reuse, 401. */
	advance(REUSE_S + 1);
	ck_assert_int_eq(serve("POST", "/api/auth/refresh", NULL, req, &body),
	    401);
	ck_assert_str_eq(body, "{\"detail\":\"Invalid refresh token\"}");
	ck_assert_int_eq(serve("GET", "/api/auth/me", tok, NULL, &body), 401);
	ua_token_pair_cleanup(&a);
}
END_TEST

static Suite *
sessions_suite(void)
{
	Suite *s = suite_create("sessions");
	TCase *tc;

	tc = tcase_create("ua_session_start");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, login_gives_a_pair_and_a_session);
	tcase_add_test(tc, access_token_sid_is_the_session_id);
	tcase_add_test(tc, user_agent_is_cut_and_may_be_absent);
	tcase_add_test(tc, start_at_a_stale_version_fails_the_login);
	tcase_add_test(tc, fifty_live_sessions_at_most);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_session_refresh");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, refresh_rotates);
	tcase_add_test(tc, grace_answer_within_the_window);
	tcase_add_test(tc, spent_token_twice_ends_the_session);
	tcase_add_test(tc, token_replaced_by_grace_ends_the_session);
	tcase_add_test(tc, token_spent_rotations_ago_ends_the_session);
	tcase_add_test(tc, refresh_at_once_gives_a_new_access_token);
	tcase_add_test(tc, spent_token_after_the_window_ends_the_session);
	tcase_add_test(tc, no_window_no_grace);
	tcase_add_test(tc, expired_session_refuses_refresh);
	tcase_add_test(tc, unknown_tokens_refused);
	tcase_add_test(tc, repository_errors_pass_through);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_session_logout");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, logout_this_session);
	tcase_add_test(tc, logout_other_sessions);
	tcase_add_test(tc, logout_all_sessions_revokes_tokens);
	tcase_add_test(tc, logout_without_sid_is_everywhere);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_session_end");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, end_one_of_mine);
	tcase_add_test(tc, end_someone_elses_unknown_or_malformed);
	tcase_add_test(tc, end_user_self_admin_or_forbidden);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_session_list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, list_newest_first_with_current);
	suite_add_tcase(s, tc);

	tc = tcase_create("password_change");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, password_change_kills_every_session);
	suite_add_tcase(s, tc);

	tc = tcase_create("ua_session_prune");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, prune_deletes_what_no_longer_refuses_anything);
	suite_add_tcase(s, tc);

	tc = tcase_create("bearer");
	tcase_add_checked_fixture(tc, app_setup, app_teardown);
	tcase_add_test(tc, ended_session_token_refused_on_me);
	tcase_add_test(tc, refresh_route_and_sessions_list);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sessions_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
