/*
 * test_auth.c -- the /api/auth routes of API.md, and bearer tokens on
 * every protected route, through the real stack: lighttpd (mod_fastcgi)
 * and Apache (mod_fcgid) from the shipped configs, and auth.fcgi (and
 * users.fcgi) run as plain CGI.  Every case that applies runs against
 * each of the three (a Check loop over enum target, see API_TARGETS).
 *
 * Login by JSON and by OAuth2 form, the one 401 for a wrong password and
 * an unknown address (in about the same time), throttling with 429 and
 * Retry-After, every way a bearer token is refused and a token made
 * here with OpenSSL HMAC that is accepted, /api/auth/me, and password
 * changes that end every earlier token.  The settings the cases depend
 * on (JWT_SECRET, JWT_ALGORITHM, ACCESS_TOKEN_EXPIRE_MINUTES,
 * LOGIN_MAX_FAILURES, LOGIN_WINDOW_SECONDS) come from $UA_TEST_ENV_FILE.
 *
 * The database is shared with every other suite: each case makes its own
 * accounts.  Run: make check-integration (through scripts/test).
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

#define D_BAD_LOGIN "Incorrect email or password"
#define D_NOT_AUTH "Not authenticated"
#define D_BAD_TOKEN "Could not validate credentials"
#define D_THROTTLED "Too many login attempts"

/* Tries of each kind timed by login_same_time. */
#define TIMING_TRIES 3
/* Neither kind of failed login may take less than this share of the other. */
#define TIMING_RATIO 0.3

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void
login_json(struct xchg *x, enum target t, const char *email,
    const char *password)
{
	char body[1024], qe[400], qp[400];

	snprintf(body, sizeof(body), "{\"email\":%s,\"password\":%s}",
	    json_quote(qe, sizeof(qe), email),
	    json_quote(qp, sizeof(qp), password));
	api_call(x, t, "POST", "/api/auth/login", NULL, body);
}

/* application/x-www-form-urlencoded of "s" appended to "buf". */
static void
form_encode(char *buf, size_t len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		  o = strlen(buf);
	unsigned char	  c;

	for (; *s != '\0' && o + 4 < len; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			buf[o++] = (char)c;
		else if (c == ' ')
			buf[o++] = '+';
		else {
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = '\0';
}

static void
login_form_ct(struct xchg *x, enum target t, const char *email,
    const char *password, const char *ctype)
{
	char	       body[1024] = "username=";
	struct api_req r = { .method = "POST",
		.path = "/api/auth/login",
		.ctype = ctype,
		.body = body };

	form_encode(body, sizeof(body), email);
	snprintf(body + strlen(body), sizeof(body) - strlen(body),
	    "&password=");
	form_encode(body, sizeof(body), password);
	api_send(x, t, &r);
}

static void
login_form(struct xchg *x, enum target t, const char *email,
    const char *password)
{
	login_form_ct(x, t, email, password,
	    "application/x-www-form-urlencoded");
}

/* "n" wrong-password logins for "email", each a 401. */
static void
fail_logins(enum target t, const char *email, long n)
{
	struct xchg x;
	long	    i;

	for (i = 0; i < n; i++) {
		login_json(&x, t, email, "wrong-password-0");
		ck_assert_msg(x.resp.status == 401,
		    "%s: failed login %ld of "
		    "%ld: status %ld, want 401: %.300s",
		    x.label, i + 1, n, x.resp.status, x.resp.body);
		xchg_free(&x);
	}
}

static void
me(struct xchg *x, enum target t, const char *token)
{
	api_call(x, t, "GET", "/api/auth/me", token, NULL);
}

static void
change_password(struct xchg *x, enum target t, const char *token,
    const char *current, const char *next)
{
	char body[1024], qc[400], qn[400];

	snprintf(body, sizeof(body),
	    "{\"current_password\":%s,"
	    "\"new_password\":%s}",
	    json_quote(qc, sizeof(qc), current),
	    json_quote(qn, sizeof(qn), next));
	api_call(x, t, "POST", "/api/auth/password", token, body);
}

/* A token signed with "alg" over "secret", header {"alg","typ":"JWT"}. */
static void
token_for(char *out, size_t len, const char *alg, const char *secret,
    const char *payload)
{
	char hdr[128];

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
	jwt_make(out, len, hdr, payload, alg, secret);
}

/* Claims sub/iat/exp for "id", issued "age" seconds ago, "life" long. */
static char *
claims(char *buf, size_t len, int64_t id, long age, long life)
{
	long now = (long)time(NULL);

	snprintf(buf, len, "{\"sub\":\"%lld\",\"iat\":%ld,\"exp\":%ld}",
	    (long long)id, now - age, now - age + life);
	return buf;
}

/* A token the way the configured algorithm and secret would sign it. */
static void
good_token(char *out, size_t len, const char *payload)
{
	const struct api_settings *s = api_settings();

	token_for(out, len, s->jwt_algorithm, s->jwt_secret, payload);
}

/* GET /api/auth/me with "token": 401 Could not validate credentials. */
static void
want_token_refused(enum target t, const char *token)
{
	struct xchg x;

	me(&x, t, token);
	want_401(&x, D_BAD_TOKEN);
	xchg_free(&x);
}

/* ------------------------------------------------------------------ */
/* Suite login: POST /api/auth/login                                    */
/* ------------------------------------------------------------------ */

/*
 * The Token: keys access_token, token_type, expires_in, refresh_token,
 * refresh_expires_in in that order (a template client reads the first
 * three).  Messages never quote the body: it holds a refresh token.
 */
static void
want_token_body(const struct xchg *x)
{
	static const char *const keys[] = { "access_token", "token_type",
		"expires_in", "refresh_token", "refresh_expires_in" };
	struct json_object	*o;
	size_t			 i = 0;

	want_status(x, 200);
	o = want_json(x);
	{
		json_object_object_foreach(o, k, v)
		{
			(void)v;
			ck_assert_msg(i < 5 && strcmp(k, keys[i]) == 0,
			    "%s: key %zu is \"%s\", want access_token, "
			    "token_type, expires_in, refresh_token, "
			    "refresh_expires_in",
			    x->label, i, k);
			i++;
		}
	}
	ck_assert_msg(i == 5, "%s: %zu keys, want 5", x->label, i);
	ck_assert_msg(strlen(json_str(o, "access_token", x->label)) > 0,
	    "%s: empty access_token", x->label);
	json_object_put(o);
}

START_TEST(login_json_200)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "lj");
	login_json(&x, TGT, a.email, a.password);
	want_token_body(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(login_form_200)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "lf");
	login_form(&x, TGT, a.email, a.password);
	want_token_body(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(login_token_type_bearer)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *o;

	api_register(TGT, &a, "ltt");
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	o = want_json(&x);
	ck_assert_str_eq(json_str(o, "token_type", x.label), "bearer");
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

START_TEST(login_expires_in)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *o;

	api_register(TGT, &a, "lexp");
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	o = want_json(&x);
	ck_assert_int_eq(json_int(o, "expires_in", x.label),
	    api_settings()->expire_minutes * 60);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/* Characters the form encoding must carry: "+", "&", "=", "%", space. */
START_TEST(login_form_encoded_password)
{
	struct api_user a;
	struct xchg	x;
	char		body[1024], qe[400];

	api_email(a.email, sizeof(a.email), "lfenc");
	snprintf(a.password, sizeof(a.password), "p+ss&w=rd 100%% \xc3\xa9");
	snprintf(body, sizeof(body),
	    "{\"email\":%s,\"name\":\"Form Enc\","
	    "\"password\":\"p+ss&w=rd 100%% \xc3\xa9\"}",
	    json_quote(qe, sizeof(qe), a.email));
	api_call(&x, TGT, "POST", "/api/users/", NULL, body);
	want_status(&x, 201);
	xchg_free(&x);
	login_form(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(login_form_charset_200)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "lfcs");
	login_form_ct(&x, TGT, a.email, a.password,
	    "application/x-www-form-urlencoded; charset=UTF-8");
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

/* The same account whatever the case of the address. */
START_TEST(login_email_other_case_200)
{
	struct api_user a;
	struct xchg	x;
	char		upper[320];
	size_t		i;

	api_register(TGT, &a, "lcase");
	for (i = 0; a.email[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)a.email[i]);
	upper[i] = '\0';
	login_json(&x, TGT, upper, a.password);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(login_token_alg)
{
	struct api_user	    a;
	struct json_object *h;

	api_user_new(TGT, &a, "lalg", false);
	h = jwt_header(a.token);
	ck_assert_str_eq(json_str(h, "alg", "token header"),
	    api_settings()->jwt_algorithm);
	json_object_put(h);
}
END_TEST

/* "sub" is the user id as a string. */
START_TEST(login_token_sub)
{
	struct api_user	    a;
	struct json_object *p;
	char		    want[32];

	api_user_new(TGT, &a, "lsub", false);
	p = jwt_payload(a.token);
	snprintf(want, sizeof(want), "%lld", (long long)a.id);
	ck_assert_str_eq(json_str(p, "sub", "token payload"), want);
	json_object_put(p);
}
END_TEST

/* "iat" is now; "exp" is ACCESS_TOKEN_EXPIRE_MINUTES after it. */
START_TEST(login_token_iat_exp)
{
	struct api_user	    a;
	struct json_object *p;
	int64_t		    iat, exp;
	double		    now = wall_now();

	api_user_new(TGT, &a, "liat", false);
	p = jwt_payload(a.token);
	iat = json_int(p, "iat", "token payload");
	exp = json_int(p, "exp", "token payload");
	json_object_put(p);
	ck_assert_msg(iat >= (int64_t)now - 60 && iat <= (int64_t)now + 60,
	    "iat %lld is not about now (%.0f)", (long long)iat, now);
	ck_assert_msg(llabs((long long)(exp - iat) -
			  api_settings()->expire_minutes * 60) <= 1,
	    "exp - iat = %lld s, "
	    "want %ld",
	    (long long)(exp - iat), api_settings()->expire_minutes * 60);
}
END_TEST

START_TEST(login_json_token_works)
{
	struct api_user a;

	api_user_new(TGT, &a, "ljw", false);
	ck_assert_int_eq(api_me_status(TGT, a.token), 200);
}
END_TEST

START_TEST(login_form_token_works)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *o;
	char		    tok[2048];

	api_register(TGT, &a, "lfw");
	login_form(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	o = want_json(&x);
	snprintf(tok, sizeof(tok), "%s", json_str(o, "access_token", x.label));
	json_object_put(o);
	xchg_free(&x);
	ck_assert_int_eq(api_me_status(TGT, tok), 200);
}
END_TEST

START_TEST(login_200_headers)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "lhdr");
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

/* The caller's sane X-Request-ID comes back. */
START_TEST(auth_request_id_echoed)
{
	static const char *const hdr[] = { "X-Request-ID: auth-trace-0042",
		NULL };
	struct xchg		 x;
	struct api_req		 r = { .method = "GET",
			  .path = "/api/auth/me",
			  .headers = hdr };

	api_send(&x, TGT, &r);
	want_status(&x, 401);
	want_header(&x, "X-Request-ID", "auth-trace-0042");
	xchg_free(&x);
}
END_TEST

START_TEST(login_wrong_password_401)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "lwp");
	login_json(&x, TGT, a.email, "not-the-password");
	want_401(&x, D_BAD_LOGIN);
	xchg_free(&x);
}
END_TEST

START_TEST(login_unknown_email_401)
{
	struct xchg x;
	char	    email[320];

	login_json(&x, TGT, api_email(email, sizeof(email), "nobody"),
	    "whatever-password");
	want_401(&x, D_BAD_LOGIN);
	xchg_free(&x);
}
END_TEST

START_TEST(login_form_wrong_password_401)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "lfwp");
	login_form(&x, TGT, a.email, "not-the-password");
	want_401(&x, D_BAD_LOGIN);
	xchg_free(&x);
}
END_TEST

START_TEST(login_401_headers)
{
	struct xchg x;
	char	    email[320];

	login_json(&x, TGT, api_email(email, sizeof(email), "nobodyh"),
	    "whatever-password");
	want_status(&x, 401);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

/*
 * A wrong password and an unknown address take about as long: over a
 * few tries each, the fastest of neither kind is under TIMING_RATIO of
 * the fastest of the other.  Loose on purpose; it catches a missing
 * dummy hash, not small differences.
 */
START_TEST(login_same_time)
{
	struct api_user a;
	struct xchg	x;
	char		email[320];
	double		t0, dt, wrong = 1e9, unknown = 1e9;
	long		tries, i;

	tries = api_settings()->max_failures < TIMING_TRIES ?
	    api_settings()->max_failures :
	    TIMING_TRIES;
	api_register(TGT, &a, "ltime");
	for (i = 0; i < tries; i++) {
		t0 = stack_now();
		login_json(&x, TGT, a.email, "not-the-password");
		dt = stack_now() - t0;
		want_status(&x, 401);
		xchg_free(&x);
		wrong = dt < wrong ? dt : wrong;

		t0 = stack_now();
		login_json(&x, TGT, api_email(email, sizeof(email), "ltimeu"),
		    "not-the-password");
		dt = stack_now() - t0;
		want_status(&x, 401);
		xchg_free(&x);
		unknown = dt < unknown ? dt : unknown;
	}
	ck_assert_msg(wrong >= TIMING_RATIO * unknown &&
		unknown >= TIMING_RATIO * wrong,
	    "%s: fastest wrong-password "
	    "login %.1f ms, fastest unknown-address login %.1f ms: one takes "
	    "under %.0f%% of the other",
	    target_name(TGT), wrong * 1e3, unknown * 1e3, TIMING_RATIO * 100);
}
END_TEST

START_TEST(login_json_missing_password_422)
{
	struct xchg	    x;
	struct json_object *root, *e;

	api_call(&x, TGT, "POST", "/api/auth/login", NULL,
	    "{\"email\":\"someone@example.com\"}");
	e = want_422_entry(&x, 0, &root);
	want_entry(&x, e, "missing", "body", "password");
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

START_TEST(login_form_missing_password_422)
{
	struct xchg	    x;
	struct json_object *root, *e;
	struct api_req	    r = { .method = "POST",
		     .path = "/api/auth/login",
		     .ctype = "application/x-www-form-urlencoded",
		     .body = "username=someone%40example.com" };

	api_send(&x, TGT, &r);
	e = want_422_entry(&x, 0, &root);
	want_entry(&x, e, "missing", "body", "password");
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

START_TEST(login_text_plain_415)
{
	struct xchg    x;
	struct api_req r = { .method = "POST",
		.path = "/api/auth/login",
		.ctype = "text/plain",
		.body = "{\"email\":\"a@example.com\",\"password\":\"x\"}" };

	api_send(&x, TGT, &r);
	want_detail(&x, 415, "Unsupported Media Type");
	xchg_free(&x);
}
END_TEST

START_TEST(login_get_405)
{
	struct xchg x;

	api_call(&x, TGT, "GET", "/api/auth/login", NULL, NULL);
	want_detail(&x, 405, "Method Not Allowed");
	want_header_lists(&x, "Allow", "POST");
	xchg_free(&x);
}
END_TEST

START_TEST(auth_unknown_path_404)
{
	struct xchg x;

	api_call(&x, TGT, "GET", "/api/auth/nope", NULL, NULL);
	want_detail(&x, 404, "Not Found");
	want_header(&x, "Cache-Control", "no-store");
	xchg_free(&x);
}
END_TEST

static Suite *
login_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("login");

	tc = tcase_create("success");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, login_json_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_form_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_token_type_bearer, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_expires_in, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_form_encoded_password, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_form_charset_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_email_other_case_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_token_alg, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_token_sub, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_token_iat_exp, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_json_token_works, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_form_token_works, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_200_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, auth_request_id_echoed, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("failure");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, login_wrong_password_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_unknown_email_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_form_wrong_password_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_401_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_same_time, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_json_missing_password_422, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, login_form_missing_password_422, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, login_text_plain_415, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_get_405, 0, API_TARGETS);
	tcase_add_loop_test(tc, auth_unknown_path_404, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite throttle: LOGIN_MAX_FAILURES per address and client            */
/* ------------------------------------------------------------------ */

START_TEST(throttle_429_after_max)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "th");
	fail_logins(TGT, a.email, api_settings()->max_failures);
	login_json(&x, TGT, a.email, "wrong-password-0");
	want_detail(&x, 429, D_THROTTLED);
	xchg_free(&x);
}
END_TEST

/* Once throttled, even the right password gets 429. */
START_TEST(throttle_429_right_password)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "thr");
	fail_logins(TGT, a.email, api_settings()->max_failures);
	login_json(&x, TGT, a.email, a.password);
	want_detail(&x, 429, D_THROTTLED);
	xchg_free(&x);
}
END_TEST

START_TEST(throttle_retry_after)
{
	struct api_user a;
	struct xchg	x;
	long		ra;

	api_register(TGT, &a, "thra");
	fail_logins(TGT, a.email, api_settings()->max_failures);
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 429);
	ra = want_number_header(&x, "Retry-After");
	ck_assert_msg(ra >= 1 && ra <= api_settings()->window_s,
	    "%s: Retry-After %ld, want 1..%ld (LOGIN_WINDOW_SECONDS)", x.label,
	    ra, api_settings()->window_s);
	xchg_free(&x);
}
END_TEST

START_TEST(throttle_429_headers)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "thh");
	fail_logins(TGT, a.email, api_settings()->max_failures);
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 429);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

/* An address with no account is throttled the same way. */
START_TEST(throttle_unknown_email)
{
	struct xchg x;
	char	    email[320];

	api_email(email, sizeof(email), "thu");
	fail_logins(TGT, email, api_settings()->max_failures);
	login_json(&x, TGT, email, "wrong-password-0");
	want_detail(&x, 429, D_THROTTLED);
	xchg_free(&x);
}
END_TEST

/* One failure short of the limit: the right password still gets in. */
START_TEST(throttle_below_limit_200)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "thb");
	fail_logins(TGT, a.email, api_settings()->max_failures - 1);
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

/* A success clears the count: limit - 1 failures twice never throttle. */
START_TEST(throttle_success_clears)
{
	struct api_user a;
	struct xchg	x;
	long		n = api_settings()->max_failures - 1;

	ck_assert_msg(n >= 1,
	    "LOGIN_MAX_FAILURES %ld leaves nothing to "
	    "clear",
	    n + 1);
	api_register(TGT, &a, "thc");
	fail_logins(TGT, a.email, n);
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	xchg_free(&x);
	fail_logins(TGT, a.email, n);
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

/* Throttling one address leaves another alone. */
START_TEST(throttle_other_email_200)
{
	struct api_user a, b;
	struct xchg	x;

	api_register(TGT, &a, "tho");
	api_register(TGT, &b, "thb2");
	fail_logins(TGT, a.email, api_settings()->max_failures);
	login_json(&x, TGT, b.email, b.password);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

/* Failures by form count as failures by JSON do. */
START_TEST(throttle_form_failures_count)
{
	struct api_user a;
	struct xchg	x;
	long		i;

	api_register(TGT, &a, "thf");
	for (i = 0; i < api_settings()->max_failures; i++) {
		login_form(&x, TGT, a.email, "wrong-password-0");
		want_status(&x, 401);
		xchg_free(&x);
	}
	login_json(&x, TGT, a.email, a.password);
	want_detail(&x, 429, D_THROTTLED);
	xchg_free(&x);
}
END_TEST

/* The address is counted whatever its case. */
START_TEST(throttle_other_case_counts)
{
	struct api_user a;
	struct xchg	x;
	char		upper[320];
	size_t		i;

	api_register(TGT, &a, "thcase");
	for (i = 0; a.email[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)a.email[i]);
	upper[i] = '\0';
	fail_logins(TGT, upper, api_settings()->max_failures);
	login_json(&x, TGT, a.email, a.password);
	want_detail(&x, 429, D_THROTTLED);
	xchg_free(&x);
}
END_TEST

static Suite *
throttle_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("throttle");

	tc = tcase_create("login_failures");
	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, throttle_429_after_max, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_429_right_password, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_retry_after, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_429_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_unknown_email, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_below_limit_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_success_clears, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_other_email_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_form_failures_count, 0, API_TARGETS);
	tcase_add_loop_test(tc, throttle_other_case_counts, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite bearer: tokens refused and accepted                            */
/* ------------------------------------------------------------------ */

START_TEST(bearer_none_401)
{
	struct xchg x;

	me(&x, TGT, NULL);
	want_401(&x, D_NOT_AUTH);
	xchg_free(&x);
}
END_TEST

START_TEST(bearer_basic_scheme_401)
{
	static const char *const hdr[] = {
		"Authorization: Basic dXNlcjpwYXNzd29yZA==", NULL
	};
	struct xchg    x;
	struct api_req r = { .method = "GET",
		.path = "/api/auth/me",
		.headers = hdr };

	api_send(&x, TGT, &r);
	want_401(&x, D_NOT_AUTH);
	xchg_free(&x);
}
END_TEST

START_TEST(bearer_401_headers)
{
	struct xchg x;

	me(&x, TGT, NULL);
	want_status(&x, 401);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(bearer_malformed_401)
{
	want_token_refused(TGT, "not-a-token");
}
END_TEST

START_TEST(bearer_garbage_parts_401)
{
	want_token_refused(TGT, "abc.def.ghi");
}
END_TEST

START_TEST(bearer_bad_signature_401)
{
	struct api_user a;
	char		tok[2048], pl[256];

	api_register(TGT, &a, "bsig");
	token_for(tok, sizeof(tok), api_settings()->jwt_algorithm,
	    "another-secret-that-is-long-enough-0123456789",
	    claims(pl, sizeof(pl), a.id, 0, 600));
	want_token_refused(TGT, tok);
}
END_TEST

/* A real token whose payload now names another user. */
START_TEST(bearer_tampered_payload_401)
{
	struct api_user a, b;
	char		tok[2048], tmp[2048], pl[256];
	const char     *d1, *d2, *p, *pe;

	api_user_new(TGT, &a, "btam", false);
	api_register(TGT, &b, "btamv");
	d1 = strchr(a.token, '.');
	d2 = strrchr(a.token, '.');
	ck_assert(d1 != NULL && d2 != NULL && d1 < d2);
	jwt_make(tmp, sizeof(tmp), "{}", claims(pl, sizeof(pl), b.id, 0, 600),
	    NULL, NULL);
	p = strchr(tmp, '.') + 1;
	pe = strrchr(tmp, '.');
	snprintf(tok, sizeof(tok), "%.*s.%.*s%s", (int)(d1 - a.token), a.token,
	    (int)(pe - p), p, d2);
	want_token_refused(TGT, tok);
}
END_TEST

START_TEST(bearer_alg_none_401)
{
	struct api_user a;
	char		tok[2048], pl[256];

	api_register(TGT, &a, "bnone");
	jwt_make(tok, sizeof(tok), "{\"alg\":\"none\",\"typ\":\"JWT\"}",
	    claims(pl, sizeof(pl), a.id, 0, 600), NULL, NULL);
	want_token_refused(TGT, tok);
}
END_TEST

/* "none" spelled otherwise, signed or not, is still refused. */
START_TEST(bearer_alg_none_case_401)
{
	struct api_user a;
	char		tok[2048], pl[256];

	api_register(TGT, &a, "bnonec");
	jwt_make(tok, sizeof(tok), "{\"alg\":\"None\",\"typ\":\"JWT\"}",
	    claims(pl, sizeof(pl), a.id, 0, 600), NULL, NULL);
	want_token_refused(TGT, tok);
}
END_TEST

/* Signed with the right secret but another HMAC than the configured one. */
START_TEST(bearer_wrong_alg_401)
{
	struct api_user a;
	char		tok[2048], pl[256];
	const char     *alg;

	alg = strcmp(api_settings()->jwt_algorithm, "HS512") == 0 ? "HS256" :
								    "HS512";
	api_register(TGT, &a, "balg");
	token_for(tok, sizeof(tok), alg, api_settings()->jwt_secret,
	    claims(pl, sizeof(pl), a.id, 0, 600));
	want_token_refused(TGT, tok);
}
END_TEST

/* The header names the configured algorithm; the MAC is another one. */
START_TEST(bearer_alg_mismatch_401)
{
	struct api_user a;
	char		tok[2048], pl[256], hdr[128];
	const char     *alg;

	alg = strcmp(api_settings()->jwt_algorithm, "HS512") == 0 ? "HS256" :
								    "HS512";
	api_register(TGT, &a, "balgm");
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
	    api_settings()->jwt_algorithm);
	jwt_make(tok, sizeof(tok), hdr, claims(pl, sizeof(pl), a.id, 0, 600),
	    alg, api_settings()->jwt_secret);
	want_token_refused(TGT, tok);
}
END_TEST

START_TEST(bearer_expired_401)
{
	struct api_user a;
	char		tok[2048], pl[256];

	api_register(TGT, &a, "bexp");
	good_token(tok, sizeof(tok),
	    claims(pl, sizeof(pl), a.id, 3600, 3600 - 120));
	want_token_refused(TGT, tok);
}
END_TEST

START_TEST(bearer_no_exp_401)
{
	struct api_user a;
	char		tok[2048], pl[256];

	api_register(TGT, &a, "bnoexp");
	snprintf(pl, sizeof(pl), "{\"sub\":\"%lld\",\"iat\":%ld}",
	    (long long)a.id, (long)time(NULL));
	good_token(tok, sizeof(tok), pl);
	want_token_refused(TGT, tok);
}
END_TEST

START_TEST(bearer_no_sub_401)
{
	char tok[2048], pl[256];
	long now = (long)time(NULL);

	snprintf(pl, sizeof(pl), "{\"iat\":%ld,\"exp\":%ld}", now, now + 600);
	good_token(tok, sizeof(tok), pl);
	want_token_refused(TGT, tok);
}
END_TEST

START_TEST(bearer_sub_no_user_401)
{
	char tok[2048], pl[256];

	good_token(tok, sizeof(tok),
	    claims(pl, sizeof(pl), 2147483647, 0, 600));
	want_token_refused(TGT, tok);
}
END_TEST

START_TEST(bearer_sub_not_number_401)
{
	char tok[2048], pl[256];
	long now = (long)time(NULL);

	snprintf(pl, sizeof(pl), "{\"sub\":\"abc\",\"iat\":%ld,\"exp\":%ld}",
	    now, now + 600);
	good_token(tok, sizeof(tok), pl);
	want_token_refused(TGT, tok);
}
END_TEST

START_TEST(bearer_deleted_user_401)
{
	struct api_user a;
	struct xchg	x;
	char		path[64];

	api_user_new(TGT, &a, "bdel", false);
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)a.id);
	api_call(&x, TGT, "DELETE", path, a.token, NULL);
	want_status(&x, 204);
	xchg_free(&x);
	want_token_refused(TGT, a.token);
}
END_TEST

/* The users routes refuse a bad token the same way. */
START_TEST(bearer_bad_on_users_route_401)
{
	struct api_user a;
	struct xchg	x;
	char		tok[2048], pl[256], path[64];

	api_register(TGT, &a, "busr");
	token_for(tok, sizeof(tok), api_settings()->jwt_algorithm,
	    "another-secret-that-is-long-enough-0123456789",
	    claims(pl, sizeof(pl), a.id, 0, 600));
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)a.id);
	api_call(&x, TGT, "GET", path, tok, NULL);
	want_401(&x, D_BAD_TOKEN);
	xchg_free(&x);
}
END_TEST

/* Made here, with OpenSSL HMAC and the shared secret: accepted. */
START_TEST(bearer_independent_token_200)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *o;
	char		    tok[2048], pl[256];

	api_register(TGT, &a, "bind");
	good_token(tok, sizeof(tok), claims(pl, sizeof(pl), a.id, 5, 600));
	me(&x, TGT, tok);
	want_status(&x, 200);
	o = want_user(&x);
	ck_assert_int_eq(json_int(o, "id", x.label), a.id);
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/* "typ" is optional (RFC 7519, 5.1). */
START_TEST(bearer_independent_no_typ_200)
{
	struct api_user a;
	char		tok[2048], pl[256], hdr[64];

	api_register(TGT, &a, "bntyp");
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\"}",
	    api_settings()->jwt_algorithm);
	jwt_make(tok, sizeof(tok), hdr, claims(pl, sizeof(pl), a.id, 0, 600),
	    api_settings()->jwt_algorithm, api_settings()->jwt_secret);
	ck_assert_int_eq(api_me_status(TGT, tok), 200);
}
END_TEST

/* The scheme name is case-insensitive (RFC 9110, 11.1). */
START_TEST(bearer_lowercase_scheme_200)
{
	struct api_user a;
	struct xchg	x;
	char		line[2200];
	const char     *hdr[2] = { line, NULL };
	struct api_req	r = { .method = "GET",
		 .path = "/api/auth/me",
		 .headers = hdr };

	api_user_new(TGT, &a, "blow", false);
	snprintf(line, sizeof(line), "Authorization: bearer %s", a.token);
	api_send(&x, TGT, &r);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

static Suite *
bearer_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("bearer");

	tc = tcase_create("refused");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, bearer_none_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_basic_scheme_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_401_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_malformed_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_garbage_parts_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_bad_signature_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_tampered_payload_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_alg_none_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_alg_none_case_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_wrong_alg_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_alg_mismatch_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_expired_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_no_exp_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_no_sub_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_sub_no_user_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_sub_not_number_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_deleted_user_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_bad_on_users_route_401, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("accepted");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, bearer_independent_token_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_independent_no_typ_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, bearer_lowercase_scheme_200, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite me: GET and HEAD /api/auth/me                                  */
/* ------------------------------------------------------------------ */

START_TEST(me_200_user)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *o;

	api_user_new(TGT, &a, "me", false);
	me(&x, TGT, a.token);
	want_status(&x, 200);
	o = want_user(&x);
	ck_assert_int_eq(json_int(o, "id", x.label), a.id);
	ck_assert_str_eq(json_str(o, "email", x.label), a.email);
	ck_assert_str_eq(json_str(o, "name", x.label), a.name);
	ck_assert_str_eq(json_str(o, "role", x.label), "user");
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

/* The same bytes as GET /api/users/{id} for the same user. */
START_TEST(me_same_as_get)
{
	struct api_user a;
	struct xchg	x, g;
	char		path[64];

	api_user_new(TGT, &a, "meget", false);
	me(&x, TGT, a.token);
	snprintf(path, sizeof(path), "/api/users/%lld", (long long)a.id);
	api_call(&g, TGT, "GET", path, a.token, NULL);
	want_status(&x, 200);
	want_status(&g, 200);
	want_body(&x, g.resp.body);
	xchg_free(&x);
	xchg_free(&g);
}
END_TEST

START_TEST(me_admin_role)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *o;

	api_user_new(TGT, &a, "meadm", true);
	me(&x, TGT, a.token);
	want_status(&x, 200);
	o = want_user(&x);
	ck_assert_str_eq(json_str(o, "role", x.label), "admin");
	json_object_put(o);
	xchg_free(&x);
}
END_TEST

START_TEST(me_trailing_slash_200)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "mes", false);
	api_call(&x, TGT, "GET", "/api/auth/me/", a.token, NULL);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(me_200_headers)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "meh", false);
	me(&x, TGT, a.token);
	want_status(&x, 200);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(me_head_200)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "mehead", false);
	api_call(&x, TGT, "HEAD", "/api/auth/me", a.token, NULL);
	want_status(&x, 200);
	want_empty_body(&x);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(me_post_405)
{
	struct xchg x;

	api_call(&x, TGT, "POST", "/api/auth/me", NULL, "{}");
	want_detail(&x, 405, "Method Not Allowed");
	want_header_lists(&x, "Allow", "GET");
	xchg_free(&x);
}
END_TEST

static Suite *
me_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("me");

	tc = tcase_create("me");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, me_200_user, 0, API_TARGETS);
	tcase_add_loop_test(tc, me_same_as_get, 0, API_TARGETS);
	tcase_add_loop_test(tc, me_admin_role, 0, API_TARGETS);
	tcase_add_loop_test(tc, me_trailing_slash_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, me_200_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, me_head_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, me_post_405, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite password: POST /api/auth/password                              */
/* ------------------------------------------------------------------ */

#define NEW_PW "brand-new-password-2"

START_TEST(pw_change_204)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pw", false);
	change_password(&x, TGT, a.token, a.password, NEW_PW);
	want_status(&x, 204);
	want_empty_body(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(pw_204_headers)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pwh", false);
	change_password(&x, TGT, a.token, a.password, NEW_PW);
	want_status(&x, 204);
	want_api_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(pw_wrong_current_400)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pww", false);
	change_password(&x, TGT, a.token, "not-the-password", NEW_PW);
	want_detail(&x, 400, "Incorrect password");
	xchg_free(&x);
}
END_TEST

START_TEST(pw_400_headers)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pw4h", false);
	change_password(&x, TGT, a.token, "not-the-password", NEW_PW);
	want_status(&x, 400);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

/* A refused change changes nothing: the old password still logs in. */
START_TEST(pw_wrong_current_keeps_password)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pwk", false);
	change_password(&x, TGT, a.token, "not-the-password", NEW_PW);
	want_status(&x, 400);
	xchg_free(&x);
	login_json(&x, TGT, a.email, a.password);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

/* A refused change keeps the tokens valid. */
START_TEST(pw_wrong_current_keeps_token)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pwkt", false);
	change_password(&x, TGT, a.token, "not-the-password", NEW_PW);
	want_status(&x, 400);
	xchg_free(&x);
	ck_assert_int_eq(api_me_status(TGT, a.token), 200);
}
END_TEST

START_TEST(pw_old_token_401)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pwot", false);
	change_password(&x, TGT, a.token, a.password, NEW_PW);
	want_status(&x, 204);
	xchg_free(&x);
	want_token_refused(TGT, a.token);
}
END_TEST

/* Every token issued before, not only the one used to change it. */
START_TEST(pw_other_old_token_401)
{
	struct api_user a;
	struct xchg	x;
	char		first[2048];

	api_user_new(TGT, &a, "pwoo", false);
	snprintf(first, sizeof(first), "%s", a.token);
	api_login(TGT, &a);
	change_password(&x, TGT, a.token, a.password, NEW_PW);
	want_status(&x, 204);
	xchg_free(&x);
	want_token_refused(TGT, first);
}
END_TEST

START_TEST(pw_new_password_logs_in)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pwnl", false);
	change_password(&x, TGT, a.token, a.password, NEW_PW);
	want_status(&x, 204);
	xchg_free(&x);
	login_json(&x, TGT, a.email, NEW_PW);
	want_status(&x, 200);
	xchg_free(&x);
}
END_TEST

START_TEST(pw_old_password_refused)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pwop", false);
	change_password(&x, TGT, a.token, a.password, NEW_PW);
	want_status(&x, 204);
	xchg_free(&x);
	login_json(&x, TGT, a.email, a.password);
	want_401(&x, D_BAD_LOGIN);
	xchg_free(&x);
}
END_TEST

/* A token issued right after the change, in the same second, works. */
START_TEST(pw_new_token_works)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "pwnt", false);
	change_password(&x, TGT, a.token, a.password, NEW_PW);
	want_status(&x, 204);
	xchg_free(&x);
	snprintf(a.password, sizeof(a.password), "%s", NEW_PW);
	api_login(TGT, &a);
	ck_assert_int_eq(api_me_status(TGT, a.token), 200);
}
END_TEST

START_TEST(pw_new_short_422)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *root, *e;

	api_user_new(TGT, &a, "pwsh", false);
	change_password(&x, TGT, a.token, a.password, "short77");
	e = want_422_entry(&x, 0, &root);
	want_entry(&x, e, "string_too_short", "body", "new_password");
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

START_TEST(pw_new_73_bytes_422)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *root, *e;
	char		    pw[80];

	api_user_new(TGT, &a, "pwlg", false);
	memset(pw, 'q', 73);
	pw[73] = '\0';
	change_password(&x, TGT, a.token, a.password, pw);
	e = want_422_entry(&x, 0, &root);
	want_entry(&x, e, json_str(e, "type", x.label), "body", "new_password");
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

START_TEST(pw_new_72_bytes_204)
{
	struct api_user a;
	struct xchg	x;
	char		pw[80];

	api_user_new(TGT, &a, "pw72", false);
	memset(pw, 'q', 72);
	pw[72] = '\0';
	change_password(&x, TGT, a.token, a.password, pw);
	want_status(&x, 204);
	xchg_free(&x);
}
END_TEST

START_TEST(pw_missing_fields_422)
{
	struct api_user	    a;
	struct xchg	    x;
	struct json_object *root, *e;

	api_user_new(TGT, &a, "pwmf", false);
	api_call(&x, TGT, "POST", "/api/auth/password", a.token, "{}");
	ck_assert_msg(want_422_count(&x) == 2, "%s: want two entries: %s",
	    x.label, x.resp.body);
	e = want_422_entry(&x, 0, &root);
	want_entry(&x, e, "missing", "body", "current_password");
	json_object_put(root);
	e = want_422_entry(&x, 1, &root);
	want_entry(&x, e, "missing", "body", "new_password");
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

START_TEST(pw_no_token_401)
{
	struct xchg x;

	change_password(&x, TGT, NULL, "whatever-1", NEW_PW);
	want_401(&x, D_NOT_AUTH);
	xchg_free(&x);
}
END_TEST

START_TEST(pw_text_plain_415)
{
	struct api_user a;
	struct xchg	x;
	char		body[512], qc[200];
	struct api_req	r = { .method = "POST",
		 .path = "/api/auth/password",
		 .ctype = "text/plain",
		 .body = body };

	api_user_new(TGT, &a, "pw415", false);
	snprintf(body, sizeof(body),
	    "{\"current_password\":%s,"
	    "\"new_password\":\"" NEW_PW "\"}",
	    json_quote(qc, sizeof(qc), a.password));
	r.token = a.token;
	api_send(&x, TGT, &r);
	want_detail(&x, 415, "Unsupported Media Type");
	xchg_free(&x);
}
END_TEST

START_TEST(pw_get_405)
{
	struct xchg x;

	api_call(&x, TGT, "GET", "/api/auth/password", NULL, NULL);
	want_detail(&x, 405, "Method Not Allowed");
	want_header_lists(&x, "Allow", "POST");
	xchg_free(&x);
}
END_TEST

static Suite *
password_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("password");

	tc = tcase_create("change");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, pw_change_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_204_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_old_token_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_other_old_token_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_new_password_logs_in, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_old_password_refused, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_new_token_works, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_new_72_bytes_204, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("refused");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, pw_wrong_current_400, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_400_headers, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_wrong_current_keeps_password, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, pw_wrong_current_keeps_token, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_new_short_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_new_73_bytes_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_missing_fields_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_no_token_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_text_plain_415, 0, API_TARGETS);
	tcase_add_loop_test(tc, pw_get_405, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite db_outage: 503 while PostgreSQL is stopped                     */
/* ------------------------------------------------------------------ */

START_TEST(outage_login_503)
{
	struct api_user a;
	struct xchg	x;

	api_register(TGT, &a, "downl");
	pg_stop();
	login_json(&x, TGT, a.email, a.password);
	want_detail(&x, 503, "Service temporarily unavailable");
	want_number_header(&x, "Retry-After");
	xchg_free(&x);
	pg_start();
}
END_TEST

START_TEST(outage_me_503)
{
	struct api_user a;
	struct xchg	x;

	api_user_new(TGT, &a, "downm", false);
	pg_stop();
	me(&x, TGT, a.token);
	want_detail(&x, 503, "Service temporarily unavailable");
	want_number_header(&x, "Retry-After");
	xchg_free(&x);
	pg_start();
}
END_TEST

static Suite *
outage_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("db_outage");

	tc = tcase_create("auth_503");
	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, pg_setup, NULL);
	tcase_add_unchecked_fixture(tc, NULL, pg_teardown);
	tcase_add_loop_test(tc, outage_login_503, 0, API_TARGETS);
	tcase_add_loop_test(tc, outage_me_503, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	return s;
}

/* ------------------------------------------------------------------ */
/* Suite cgi_parity: auth.fcgi as plain CGI answers as the servers do   */
/* ------------------------------------------------------------------ */

enum parity_row {
	PAR_LOGIN,	  /* 200 token: same keys and types */
	PAR_LOGIN_FORM,	  /* 200 token: same keys and types */
	PAR_LOGIN_401,	  /* same bytes */
	PAR_LOGIN_422,	  /* same bytes */
	PAR_ME,		  /* 200 User: same bytes */
	PAR_ME_NO_TOKEN,  /* 401: same bytes */
	PAR_ME_BAD_TOKEN, /* 401: same bytes */
	PAR_PW_400,	  /* same bytes */
	PAR__MAX
};

/* The body's top-level keys and their JSON types, as one string. */
static void
key_types(const struct xchg *x, char *buf, size_t len)
{
	struct json_object *o;
	size_t		    k = 0;

	buf[0] = '\0';
	o = want_json(x);
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val)
		{
			k += (size_t)snprintf(buf + k, len - k, "%s:%s,", key,
			    json_type_to_name(json_object_get_type(val)));
			if (k >= len)
				break;
		}
	}
	json_object_put(o);
}

/* Iteration _i: row _i / 2 against server _i % 2, and the same as CGI. */
START_TEST(cgi_same_as_server)
{
	enum parity_row row = (enum parity_row)(_i / TARGET_SERVERS_MAX);
	enum target	srv = (enum target)(_i % TARGET_SERVERS_MAX);
	struct api_user u;
	struct xchg	s, c;
	char		ks[512], kc[512];
	bool		exact = true;

	api_user_new(srv, &u, "parity", false);
	switch (row) {
	case PAR_LOGIN:
		exact = false;
		login_json(&s, srv, u.email, u.password);
		login_json(&c, TARGET_CGI, u.email, u.password);
		break;
	case PAR_LOGIN_FORM:
		exact = false;
		login_form(&s, srv, u.email, u.password);
		login_form(&c, TARGET_CGI, u.email, u.password);
		break;
	case PAR_LOGIN_401:
		login_json(&s, srv, u.email, "not-the-password");
		login_json(&c, TARGET_CGI, u.email, "not-the-password");
		break;
	case PAR_LOGIN_422:
		api_call(&s, srv, "POST", "/api/auth/login", NULL,
		    "{\"email\":\"someone@example.com\"}");
		api_call(&c, TARGET_CGI, "POST", "/api/auth/login", NULL,
		    "{\"email\":\"someone@example.com\"}");
		break;
	case PAR_ME:
		me(&s, srv, u.token);
		me(&c, TARGET_CGI, u.token);
		break;
	case PAR_ME_NO_TOKEN:
		me(&s, srv, NULL);
		me(&c, TARGET_CGI, NULL);
		break;
	case PAR_ME_BAD_TOKEN:
		me(&s, srv, "abc.def.ghi");
		me(&c, TARGET_CGI, "abc.def.ghi");
		break;
	case PAR_PW_400:
		change_password(&s, srv, u.token, "not-the-password", NEW_PW);
		change_password(&c, TARGET_CGI, u.token, "not-the-password",
		    NEW_PW);
		break;
	case PAR__MAX:
		ck_abort();
	}
	ck_assert_msg(c.resp.status == s.resp.status,
	    "%s: status %ld, %s "
	    "gave %ld",
	    c.label, c.resp.status, target_name(srv), s.resp.status);
	if (exact)
		ck_assert_msg(c.resp.body_len == s.resp.body_len &&
			memcmp(c.resp.body, s.resp.body, c.resp.body_len) == 0,
		    "%s: body %.400s, %s gave %.400s", c.label, c.resp.body,
		    target_name(srv), s.resp.body);
	key_types(&s, ks, sizeof(ks));
	key_types(&c, kc, sizeof(kc));
	ck_assert_msg(strcmp(ks, kc) == 0,
	    "%s: keys and types %s, %s gave "
	    "%s",
	    c.label, kc, target_name(srv), ks);
	want_api_json_headers(&c);
	ck_assert_msg((http_header(&c.resp, "WWW-Authenticate") == NULL) ==
		(http_header(&s.resp, "WWW-Authenticate") == NULL),
	    "%s: WWW-Authenticate differs from %s's", c.label,
	    target_name(srv));
	xchg_free(&s);
	xchg_free(&c);
}
END_TEST

static Suite *
cgi_parity_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("cgi_parity");

	tc = tcase_create("same_answers");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, cgi_same_as_server, 0,
	    (int)(PAR__MAX * TARGET_SERVERS_MAX));
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
	sr = srunner_create(login_suite());
	srunner_add_suite(sr, throttle_suite());
	srunner_add_suite(sr, bearer_suite());
	srunner_add_suite(sr, me_suite());
	srunner_add_suite(sr, password_suite());
	srunner_add_suite(sr, cgi_parity_suite());
	srunner_add_suite(sr, outage_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	api_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
