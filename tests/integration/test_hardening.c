/*
 * test_hardening.c -- what a hostile or merely unlucky client can race
 * or forge, through the real stack: lighttpd (mod_fastcgi) and Apache
 * (mod_fcgid) from the shipped configs, and the workers as plain CGI.
 *
 * Parallel wrong logins and wrong current passwords are judged at most
 * LOGIN_MAX_FAILURES times; a rehash after login never undoes a password
 * change made at the same moment; tokens that python-jose makes the way
 * the template does are accepted; X-Forwarded-For is believed from the
 * trusted proxy only (the stack sets TRUSTED_PROXIES=127.0.0.1); CORS
 * with the stack's CORS_ORIGINS, and a list mixing "*" with origins.
 *
 * The settings come from $UA_TEST_ENV_FILE.  Run: make check-integration
 * (through scripts/test).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

#define D_BAD_LOGIN "Incorrect email or password"
#define D_BAD_PW "Incorrect password"
#define D_THROTTLED "Too many login attempts"
#define D_BAD_TOKEN "Could not validate credentials"

/* Requests sent at once, and rounds of them, in each race. */
#define PARALLEL 40
#define RACE_ROUNDS 3
/* Accounts that log in and change their password at the same moment. */
#define REHASH_USERS 10

/* The origin the stack's CORS_ORIGINS allows (scripts/stack). */
#define CORS_ALLOWED "https://app.example.test"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void
login_body(char *buf, size_t len, const char *email, const char *password)
{
	char qe[400], qp[400];

	snprintf(buf, len, "{\"email\":%s,\"password\":%s}",
	    json_quote(qe, sizeof(qe), email),
	    json_quote(qp, sizeof(qp), password));
}

static void
password_body(char *buf, size_t len, const char *current, const char *new)
{
	char qc[400], qn[400];

	snprintf(buf, len, "{\"current_password\":%s,\"new_password\":%s}",
	    json_quote(qc, sizeof(qc), current),
	    json_quote(qn, sizeof(qn), new));
}

/* The status of a JSON login of "email" with "password" through "t". */
static long
login_status(enum target t, const char *email, const char *password)
{
	struct xchg x;
	char	    body[1024];
	long	    st;

	login_body(body, sizeof(body), email, password);
	api_call(&x, t, "POST", "/api/auth/login", NULL, body);
	st = x.resp.status;
	xchg_free(&x);
	return st;
}

static size_t
count_status(const long *status, size_t n, long want)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (status[i] == want)
			c++;
	return c;
}

static void
free_bodies(char **bodies, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(bodies[i]);
}

/*
 * "n" copies of "r" at once through "t": exactly LOGIN_MAX_FAILURES of
 * them judged (status "judged"), the rest 429, nothing else.
 */
static void
race_to_the_limit(enum target t, const struct api_req *r, size_t n, long judged,
    const char *what)
{
	struct api_req reqs[PARALLEL];
	long	       status[PARALLEL];
	char	      *bodies[PARALLEL];
	size_t	       i, max = (size_t)api_settings()->max_failures;

	ck_assert_uint_le(n, PARALLEL);
	for (i = 0; i < n; i++)
		reqs[i] = *r;
	api_parallel(t, reqs, n, status, bodies);
	ck_assert_msg(count_status(status, n, judged) == max &&
		count_status(status, n, 429) == n - max,
	    "%s %s: %zu answered %ld and %zu answered 429 of %zu; "
	    "LOGIN_MAX_FAILURES is %zu",
	    target_name(t), what, count_status(status, n, judged), judged,
	    count_status(status, n, 429), n, max);
	free_bodies(bodies, n);
}

/* ------------------------------------------------------------------ */
/* Suite throttle_races                                                */
/* ------------------------------------------------------------------ */

/* The failure count and its record are one step: no race slips past. */
START_TEST(parallel_wrong_logins_judged_at_most_the_limit)
{
	struct api_user a;
	struct api_req	r;
	char		body[1024];
	int		round;

	for (round = 0; round < RACE_ROUNDS; round++) {
		api_register(TGT, &a, "race");
		login_body(body, sizeof(body), a.email, "wrong-password");
		memset(&r, 0, sizeof(r));
		r.method = "POST";
		r.path = "/api/auth/login";
		r.body = body;
		race_to_the_limit(TGT, &r, PARALLEL, 401, "wrong logins");
		/* Locked now, the right password included. */
		ck_assert_int_eq(login_status(TGT, a.email, a.password), 429);
	}
}
END_TEST

START_TEST(parallel_wrong_password_changes_judged_at_most_the_limit)
{
	struct api_user a;
	struct api_req	r;
	char		body[1024];

	api_user_new(TGT, &a, "pwrace", false);
	password_body(body, sizeof(body), "not-the-password", "n3w-secret-pw");
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/auth/password";
	r.token = a.token;
	r.body = body;
	race_to_the_limit(TGT, &r, PARALLEL / 2, 400,
	    "wrong current passwords");
}
END_TEST

/* A wrong current password counts like a failed login of the user. */
START_TEST(wrong_current_password_throttled_like_login)
{
	struct api_user a;
	struct xchg	x;
	char		body[1024];
	long		i, ra;

	api_user_new(TGT, &a, "pwthr", false);
	password_body(body, sizeof(body), "not-the-password", "n3w-secret-pw");
	for (i = 0; i < api_settings()->max_failures; i++) {
		api_call(&x, TGT, "POST", "/api/auth/password", a.token, body);
		want_detail(&x, 400, D_BAD_PW);
		xchg_free(&x);
	}
	password_body(body, sizeof(body), a.password, "n3w-secret-pw");
	api_call(&x, TGT, "POST", "/api/auth/password", a.token, body);
	want_detail(&x, 429, D_THROTTLED);
	ra = want_number_header(&x, "Retry-After");
	ck_assert_msg(ra >= 1 && ra <= api_settings()->window_s,
	    "%s: Retry-After %ld", x.label, ra);
	want_api_json_headers(&x);
	xchg_free(&x);
	ck_assert_int_eq(login_status(TGT, a.email, a.password), 429);
	/* Nothing was changed: the token still works. */
	ck_assert_int_eq(api_me_status(TGT, a.token), 200);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite rehash_race                                                   */
/* ------------------------------------------------------------------ */

/*
 * A login with the old password and a change away from it, at once,
 * for accounts whose hash the login moves to the configured one ($2y$
 * is bcrypt under another prefix: verified, then rehashed as $2b$).
 * Whenever the change was answered 204, the new password is the one.
 */
START_TEST(rehash_never_undoes_a_password_change)
{
	struct api_user u;
	struct api_req	reqs[2];
	long		status[2];
	char	       *bodies[2];
	char		lbody[1024], pbody[1024], newpw[160];
	int		i, lost = 0;

	for (i = 0; i < REHASH_USERS; i++) {
		api_user_new(TGT, &u, "rehash", false);
		db_exec_id(
		    "UPDATE users SET hashed_password = '$2y$'"
		    " || substr(hashed_password, 5) WHERE id = $1::bigint",
		    u.id);
		snprintf(newpw, sizeof(newpw), "%s-new", u.password);
		login_body(lbody, sizeof(lbody), u.email, u.password);
		password_body(pbody, sizeof(pbody), u.password, newpw);
		memset(reqs, 0, sizeof(reqs));
		reqs[0].method = reqs[1].method = "POST";
		reqs[0].path = "/api/auth/login";
		reqs[0].body = lbody;
		reqs[1].path = "/api/auth/password";
		reqs[1].token = u.token;
		reqs[1].body = pbody;
		api_parallel(TGT, reqs, 2, status, bodies);
		ck_assert_msg(status[0] == 200 || status[0] == 401,
		    "%s: login answered %ld: %.300s", target_name(TGT),
		    status[0], bodies[0]);
		ck_assert_msg(status[1] == 204,
		    "%s: change answered %ld: "
		    "%.300s",
		    target_name(TGT), status[1], bodies[1]);
		free_bodies(bodies, 2);
		if (login_status(TGT, u.email, newpw) != 200 ||
		    login_status(TGT, u.email, u.password) != 401)
			lost++;
	}
	ck_assert_msg(lost == 0,
	    "%s: %d of %d password changes answered "
	    "204 were undone",
	    target_name(TGT), lost, REHASH_USERS);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite template_tokens                                               */
/* ------------------------------------------------------------------ */

/*
 * A token made by python-jose as the template's create_access_token
 * makes it: {"sub": "<id>", "exp": <now + minutes>}, no "iat".
 */
static void
jose_token(char *out, size_t len, int64_t sub, long exp_offset_s)
{
	static const char script[] =
	    "import os, sys\n"
	    "from jose import jwt\n"
	    "claims = {'sub': sys.argv[1], 'exp': int(sys.argv[2])}\n"
	    "print(jwt.encode(claims, os.environ['UA_TEST_JOSE_SECRET'],"
	    " algorithm=sys.argv[3]))\n";
	const struct api_settings *s = api_settings();
	char			   cmd[1024];
	FILE			  *p;
	size_t			   n;
	int			   st;

	ck_assert_int_eq(setenv("UA_TEST_JOSE_SECRET", s->jwt_secret, 1), 0);
	snprintf(cmd, sizeof(cmd),
	    "/usr/bin/python3 -c \"$UA_TEST_JOSE_SCRIPT\""
	    " %lld %lld %s",
	    (long long)sub, (long long)time(NULL) + exp_offset_s,
	    s->jwt_algorithm);
	ck_assert_int_eq(setenv("UA_TEST_JOSE_SCRIPT", script, 1), 0);
	ck_assert_msg((p = popen(cmd, "r")) != NULL, "popen python3");
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	st = pclose(p);
	unsetenv("UA_TEST_JOSE_SECRET");
	ck_assert_msg(st == 0 && n > 20,
	    "python3 with python-jose (Debian's"
	    " python3-jose) did not make a token: status %d, output %.200s",
	    st, out);
	out[strcspn(out, "\r\n")] = '\0';
}

START_TEST(python_jose_token_accepted)
{
	struct api_user	    a;
	struct json_object *o;
	struct xchg	    x;
	char		    tok[2048];

	api_register(TGT, &a, "jose");
	jose_token(tok, sizeof(tok), a.id, 30 * 60);
	api_call(&x, TGT, "GET", "/api/auth/me", tok, NULL);
	want_status(&x, 200);
	o = want_user(&x);
	ck_assert_int_eq(json_int(o, "id", x.label), a.id);
	json_object_put(o);
	xchg_free(&x);
	api_call(&x, TGT, "GET", "/api/users/", tok, NULL);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

/* Missing "iat" is the only rule relaxed: expired is still refused. */
START_TEST(python_jose_token_expired_refused)
{
	struct api_user a;
	struct xchg	x;
	char		tok[2048];

	api_register(TGT, &a, "josex");
	jose_token(tok, sizeof(tok), a.id, -60);
	api_call(&x, TGT, "GET", "/api/auth/me", tok, NULL);
	want_detail(&x, 401, D_BAD_TOKEN);
	xchg_free(&x);
}
END_TEST

/* Such a token predates any password change: refused after one. */
START_TEST(python_jose_token_refused_after_password_change)
{
	struct api_user a;
	struct xchg	x;
	char		tok[2048], body[1024];

	api_user_new(TGT, &a, "josepw", false);
	jose_token(tok, sizeof(tok), a.id, 30 * 60);
	ck_assert_int_eq(api_me_status(TGT, tok), 200);
	password_body(body, sizeof(body), a.password, "n3w-secret-pw");
	api_call(&x, TGT, "POST", "/api/auth/password", a.token, body);
	want_status(&x, 204);
	xchg_free(&x);
	ck_assert_int_eq(api_me_status(TGT, tok), 401);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite proxies                                                       */
/* ------------------------------------------------------------------ */

/*
 * Log in with X-Forwarded-For "xff" and X-Request-ID "rid"; under CGI
 * the request's log line must name "client".  Returns the status.
 */
static long
login_from(enum target t, const char *email, const char *password,
    const char *xff, const char *rid, const char *client)
{
	struct api_req r;
	struct xchg    x;
	char	       body[1024], h1[128], h2[160];
	const char    *headers[3] = { h1, h2, NULL };
	long	       st;

	login_body(body, sizeof(body), email, password);
	snprintf(h1, sizeof(h1), "X-Forwarded-For: %s", xff);
	snprintf(h2, sizeof(h2), "X-Request-ID: %s", rid);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/auth/login";
	r.body = body;
	r.headers = headers;
	api_send(&x, t, &r);
	st = x.resp.status;
	snprintf(h1, sizeof(h1), " %s POST ", client);
	if (t == TARGET_CGI)
		ck_assert_msg(strstr(x.resp.log, rid) != NULL &&
			strstr(x.resp.log, h1) != NULL,
		    "cgi: no log line with "
		    "%s and%s: %.400s",
		    rid, h1, x.resp.log);
	xchg_free(&x);
	return st;
}

/* Does the server's error log have a line with both "a" and "b"? */
static bool
server_log_has(enum target t, const char *a, const char *b)
{
	char  path[1024], line[4096];
	FILE *f;
	bool  found = false;

	target_worker_log(t, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, a) != NULL && strstr(line, b) != NULL;
	fclose(f);
	return found;
}

/*
 * Behind the trusted proxy (the test client at 127.0.0.1), each address
 * in X-Forwarded-For is a client of its own for throttling, and the
 * request's log line names it.
 */
START_TEST(forwarded_client_is_throttled_on_its_own)
{
	struct api_user a;
	char		rid[64];
	long		i;
	int		tries;

	api_register(TGT, &a, "xff");
	snprintf(rid, sizeof(rid), "xff-%s-%ld-%d", target_name(TGT),
	    (long)a.id, (int)getpid());
	for (i = 0; i < api_settings()->max_failures; i++)
		ck_assert_int_eq(login_from(TGT, a.email, "wrong-password",
				     "198.51.100.1, 203.0.113.7", rid,
				     "203.0.113.7"),
		    401);
	ck_assert_int_eq(login_from(TGT, a.email, a.password, "203.0.113.7",
			     rid, "203.0.113.7"),
	    429);
	/* What the client itself wrote on the left is not believed. */
	ck_assert_int_eq(login_from(TGT, a.email, a.password,
			     "203.0.113.8, 203.0.113.7", rid, "203.0.113.7"),
	    429);
	ck_assert_int_eq(login_from(TGT, a.email, a.password, "203.0.113.8",
			     rid, "203.0.113.8"),
	    200);
	if (TGT == TARGET_CGI)
		return;
	/* The log line is written after the answer: give it a moment. */
	for (tries = 0;
	     tries < 50 && !server_log_has(TGT, rid, " 203.0.113.8 POST ");
	     tries++)
		usleep(100000);
	ck_assert_msg(server_log_has(TGT, rid, " 203.0.113.8 POST "),
	    "%s: no log line with %s and the forwarded client",
	    target_name(TGT), rid);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite nul                                                           */
/* ------------------------------------------------------------------ */

/* An encoded NUL in the query would cut "1%00" to "1": refused. */
START_TEST(encoded_nul_in_query_refused)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "nul", false);
	api_call(&x, TGT, "GET", "/api/users/?page=1%00&limit=5", a.token,
	    NULL);
	want_detail(&x, 400, "Bad Request");
	/* lighttpd refuses it itself (url-ctrls-reject), before a worker. */
	if (TGT != TARGET_LIGHTTPD)
		want_api_json_headers(&x);
	xchg_free(&x);
	api_call(&x, TGT, "GET", "/api/users/?page=1&limit=5%00", a.token,
	    NULL);
	want_detail(&x, 400, "Bad Request");
	xchg_free(&x);
	api_call(&x, TGT, "GET", "/api/users/?page=1&limit=5", a.token, NULL);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite cors                                                          */
/* ------------------------------------------------------------------ */

static void
cors_send(struct xchg *x, enum target t, const char *method, const char *path,
    const char *const *headers)
{
	struct api_req r;

	memset(&r, 0, sizeof(r));
	r.method = method;
	r.path = path;
	r.headers = headers;
	api_send(x, t, &r);
}

static bool
has_header(const struct xchg *x, const char *name)
{
	return http_header(&x->resp, name) != NULL;
}

START_TEST(cors_preflight_from_allowed_origin)
{
	static const char *const h[] = { "Origin: " CORS_ALLOWED,
		"Access-Control-Request-Method: PATCH",
		"Access-Control-Request-Headers: authorization, content-type",
		NULL };
	struct xchg		 x;

	cors_send(&x, TGT, "OPTIONS", "/api/users/7", h);
	want_status(&x, 200);
	want_header(&x, "Access-Control-Allow-Origin", CORS_ALLOWED);
	want_header(&x, "Access-Control-Allow-Credentials", "true");
	want_header(&x, "Access-Control-Max-Age", "600");
	want_header(&x, "Access-Control-Allow-Headers",
	    "authorization, content-type");
	ck_assert_msg(has_header(&x, "Access-Control-Allow-Methods"),
	    "%s: no Access-Control-Allow-Methods", x.label);
	ck_assert_msg(has_header(&x, "Vary"), "%s: no Vary", x.label);
	xchg_free(&x);
}
END_TEST

START_TEST(cors_preflight_from_other_origin_refused)
{
	static const char *const h[] = { "Origin: https://evil.example",
		"Access-Control-Request-Method: DELETE", NULL };
	struct xchg		 x;

	cors_send(&x, TGT, "OPTIONS", "/api/users/7", h);
	want_detail(&x, 400, "Disallowed CORS origin");
	ck_assert_msg(!has_header(&x, "Access-Control-Allow-Origin"),
	    "%s: Access-Control-Allow-Origin for another origin", x.label);
	xchg_free(&x);
}
END_TEST

START_TEST(cors_simple_requests)
{
	static const char *const ok[] = { "Origin: " CORS_ALLOWED, NULL };
	static const char *const other[] = { "Origin: https://evil.example",
		NULL };
	struct xchg		 x;

	cors_send(&x, TGT, "GET", "/health", ok);
	want_status(&x, 200);
	want_header(&x, "Access-Control-Allow-Origin", CORS_ALLOWED);
	want_header(&x, "Access-Control-Allow-Credentials", "true");
	xchg_free(&x);
	/* Errors carry it too, so that a browser can read them. */
	cors_send(&x, TGT, "GET", "/api/users/", ok);
	want_status(&x, 401);
	want_header(&x, "Access-Control-Allow-Origin", CORS_ALLOWED);
	xchg_free(&x);
	cors_send(&x, TGT, "GET", "/health", other);
	want_status(&x, 200);
	ck_assert_msg(!has_header(&x, "Access-Control-Allow-Origin") &&
		!has_header(&x, "Access-Control-Allow-Credentials"),
	    "%s: CORS headers for another origin", x.label);
	xchg_free(&x);
}
END_TEST

/*
 * CORS_ORIGINS mixing "*" with origins is "*": any origin, never with
 * credentials, and a warning when the worker starts.  Plain CGI with a
 * settings file of its own: the shared stack keeps its list.
 */
START_TEST(cors_mixed_list_is_wildcard_without_credentials)
{
	static const char *const h[] = { "Origin: https://evil.example", NULL };
	struct http_req		 req;
	struct http_resp	 resp;
	FILE			*in, *out;
	char			 path[] = "/tmp/ua-cors-env.XXXXXX";
	char			 prog[1024], err[1024], line[4096];
	const char		*v;
	int			 fd;
	bool			 credentials, star;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_ptr_nonnull(out = fdopen(fd, "w"));
	ck_assert_ptr_nonnull(in = fopen(stack_env("UA_TEST_ENV_FILE"), "r"));
	while (fgets(line, sizeof(line), in) != NULL)
		fputs(line, out);
	fclose(in);
	fputs("\nCORS_ORIGINS=" CORS_ALLOWED ",*\n", out);
	fclose(out);

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.target = "/health";
	req.headers = h;
	snprintf(prog, sizeof(prog), "%s/health.fcgi",
	    stack_env("UA_TEST_CGI_BIN"));
	ck_assert_msg(http_cgi(prog, path, &req, &resp, 30, err, sizeof(err)) ==
		0,
	    "%s", err);
	unlink(path);
	credentials =
	    http_header(&resp, "Access-Control-Allow-Credentials") != NULL;
	star =
	    (v = http_header(&resp, "Access-Control-Allow-Origin")) != NULL &&
	    strcmp(v, "*") == 0;
	ck_assert_msg(star && !credentials,
	    "mixed CORS list: star %d, "
	    "credentials %d",
	    star, credentials);
	ck_assert_msg(strstr(resp.log, "CORS_ORIGINS") != NULL,
	    "no warning about CORS_ORIGINS: %.400s", resp.log);
	http_resp_free(&resp);
}
END_TEST

/* ------------------------------------------------------------------ */

static TCase *
tcase(const char *name, int timeout_s)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, timeout_s);
	return tc;
}

static Suite *
hardening_suite(void)
{
	Suite *s = suite_create("hardening");
	TCase *tc;

	tc = tcase("throttle_races", 240);
	tcase_add_loop_test(tc, parallel_wrong_logins_judged_at_most_the_limit,
	    0, API_TARGETS);
	tcase_add_loop_test(tc,
	    parallel_wrong_password_changes_judged_at_most_the_limit, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, wrong_current_password_throttled_like_login, 0,
	    API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase("rehash_race", 240);
	tcase_add_loop_test(tc, rehash_never_undoes_a_password_change, 0,
	    API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase("template_tokens", 60);
	tcase_add_loop_test(tc, python_jose_token_accepted, 0, API_TARGETS);
	tcase_add_loop_test(tc, python_jose_token_expired_refused, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, python_jose_token_refused_after_password_change,
	    0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase("proxies", 60);
	tcase_add_loop_test(tc, forwarded_client_is_throttled_on_its_own, 0,
	    API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase("nul", 60);
	tcase_add_loop_test(tc, encoded_nul_in_query_refused, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase("cors", 60);
	tcase_add_loop_test(tc, cors_preflight_from_allowed_origin, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, cors_preflight_from_other_origin_refused, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, cors_simple_requests, 0, API_TARGETS);
	tcase_add_test(tc, cors_mixed_list_is_wildcard_without_credentials);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int	 failed;

	api_init();
	api_prepare();
	sr = srunner_create(hardening_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	api_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
