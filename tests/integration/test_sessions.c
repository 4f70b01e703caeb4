/*
 * test_sessions.c -- the sessions of API.md (version 2) through the real
 * stack: the Token a login gives (refresh_token, refresh_expires_in, the
 * access token's "sid"), POST /api/auth/refresh by JSON and by OAuth2
 * form and its 401, 415 and 422s, rotation with reuse detection (the one
 * grace answer within REFRESH_TOKEN_REUSE_SECONDS, reuse ending the whole
 * session, a spent token after the window), POST /api/auth/logout and
 * its scopes, GET /api/auth/sessions, DELETE /api/auth/sessions/{id},
 * DELETE /api/users/{id}/sessions, access tokens without "sid", the
 * sessions a password change or a deletion ends, and the cap of 50
 * sessions a user.
 *
 * Every case runs through lighttpd (mod_fastcgi) and Apache (mod_fcgid)
 * from the shipped configs and the workers run as plain CGI (a Check
 * loop over enum target, see API_TARGETS), except: the cap, through
 * the first server of the run only (lighttpd); the case that waits out
 * the reuse window, which prepares a session on every target and sleeps
 * once for all three; and the race, two refreshes with the same token
 * at once on lighttpd and Apache, for $UA_TEST_SESSION_RACE_ROUNDS
 * rounds each (default: 100, or fewer if they take more than
 * API_RACE_DEFAULT_SECONDS).
 *
 * Refresh tokens are secrets: no message of this program ever shows one
 * (bodies are shown with every long base64url run cut out, see
 * redact()).  Every refresh token received is written to a file of this
 * run (outside the log directory), and the last case, secret_scan, looks
 * for each of them in clear in every file under $UA_TEST_LOG_DIR and in
 * every row of the sessions table; under plain CGI each worker's stderr
 * is checked on the spot.
 *
 * The settings the cases depend on (ACCESS_TOKEN_EXPIRE_MINUTES,
 * REFRESH_TOKEN_EXPIRE_DAYS, REFRESH_TOKEN_REUSE_SECONDS, JWT_SECRET,
 * JWT_ALGORITHM) come from $UA_TEST_ENV_FILE.  The database is shared
 * with every other suite: each case makes its own accounts.  A few cases
 * read or change the sessions table through libpq (DATABASE_URL): to age
 * a session past its expiry, to tell which of two racing answers holds
 * the session's current refresh token, and for the scan.  Run: make
 * check-integration (through scripts/test).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <openssl/evp.h>

#include "api_helpers.h"
#include "http.h"
#include "stack.h"

#define TGT ((enum target)_i)

#define D_BAD_REFRESH "Invalid refresh token"
#define D_NOT_AUTH "Not authenticated"
#define D_BAD_TOKEN "Could not validate credentials"
#define D_NO_SESSION "Session not found"
#define D_FORBIDDEN "Not enough permissions"
#define D_NO_USER "User not found"

/* A refresh token: 256 bits in base64url without padding. */
#define RT_LEN 43
/* The hex of a SHA-256. */
#define HEX_LEN 64
/* A session id: a UUID in its 36-character text form. */
#define SID_LEN 36
/* GET /api/auth/sessions keeps this much of a User-Agent. */
#define UA_KEPT 256
/* Live sessions a user may have; the oldest ends beyond. */
#define SESSIONS_MAX 50
/* The oldest session a case refreshes, in seconds, with room to spare. */
#define REFRESH_LEFT_SLACK 600

#define B64URL \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

#define FORM_CT "application/x-www-form-urlencoded"
/* An address of TEST-NET-3 (RFC 5737): only ever a header here. */
#define XFF_ADDR "203.0.113.7"
#define LOCAL_ADDR "127.0.0.1"

/* A random well-formed session id that no session has. */
#define NO_SESSION_ID "7c0d8a7e-3f4b-4e51-9a2c-6b1d0e9f8a31"

/* The keys of a session in GET /api/auth/sessions, in order. */
static const char *const sess_keys[] = { "id", "created_at", "last_used_at",
	"expires_at", "user_agent", "ip", "current" };
#define SESS_NKEYS (sizeof(sess_keys) / sizeof(sess_keys[0]))

/* The keys of a Token, in order. */
static const char *const token_keys[] = { "access_token", "token_type",
	"expires_in", "refresh_token", "refresh_expires_in" };
#define TOKEN_NKEYS (sizeof(token_keys) / sizeof(token_keys[0]))

/* The file every refresh token received is written to (see keep_rt()). */
static char rt_dir[64];
static char rt_path[128];

/* ------------------------------------------------------------------ */
/* Settings                                                            */
/* ------------------------------------------------------------------ */

static long
expire_days(void)
{
	return api_settings()->refresh_days;
}

static long
reuse_seconds(void)
{
	return api_settings()->reuse_s;
}

/* ------------------------------------------------------------------ */
/* Secrets kept out of the messages                                    */
/* ------------------------------------------------------------------ */

static bool
b64url_char(int c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/*
 * "s" into "buf" with every run of 40 or more base64url characters (a
 * refresh token, a JWT's payload or signature) shown as "<cut>", so that
 * a body can go into a message.  Returns "buf".
 */
static const char *
redact(char *buf, size_t len, const char *s)
{
	size_t o = 0, run;

	while (*s != '\0' && o + 6 < len) {
		for (run = 0; b64url_char(s[run]); run++)
			continue;
		if (run >= 40) {
			memcpy(buf + o, "<cut>", 5);
			o += 5;
			s += run;
		} else if (run > 0) {
			if (run > len - o - 1)
				run = len - o - 1;
			memcpy(buf + o, s, run);
			o += run;
			s += run;
		} else
			buf[o++] = *s++;
	}
	buf[o] = '\0';
	return buf;
}

/* Status "status", else fail showing the body without its secrets. */
static void
want_status_r(const struct xchg *x, long status)
{
	char b[800];

	ck_assert_msg(x->resp.status == status,
	    "%s: status %ld, want %ld; body: %s", x->label, x->resp.status,
	    status, redact(b, sizeof(b), x->resp.body));
}

/* Body exactly "json", else fail showing it without its secrets. */
static void
want_body_r(const struct xchg *x, const char *json)
{
	char b[800];

	ck_assert_msg(strlen(json) == x->resp.body_len &&
		memcmp(json, x->resp.body, x->resp.body_len) == 0,
	    "%s: (status %ld) body\n  %s\nwant\n  %s", x->label, x->resp.status,
	    redact(b, sizeof(b), x->resp.body), json);
}

/* Under plain CGI, the worker's stderr must not hold "rt". */
static void
no_rt_in_cgi_log(const struct xchg *x, const char *rt)
{
	if (x->target != TARGET_CGI || x->resp.log == NULL || rt == NULL ||
	    *rt == '\0')
		return;
	ck_assert_msg(strstr(x->resp.log, rt) == NULL,
	    "%s: the worker's log holds a refresh token in clear", x->label);
}

/* Write "rt" to the run's file of refresh tokens, for secret_scan. */
static void
keep_rt(const char *rt)
{
	char	    line[RT_LEN + 2];
	int	    fd;
	size_t	    n;
	ssize_t	    w;
	const char *p;

	if (rt_path[0] == '\0' || strlen(rt) != RT_LEN)
		return;
	n = (size_t)snprintf(line, sizeof(line), "%s\n", rt);
	fd = open(rt_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_msg(fd != -1, "%s: %s", rt_path, strerror(errno));
	for (p = line; n > 0; p += w, n -= (size_t)w)
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			close(fd);
			ck_abort_msg("%s: %s", rt_path, strerror(errno));
		}
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Tokens                                                              */
/* ------------------------------------------------------------------ */

/* What a login or a refresh gave. */
struct tok {
	char access[2048];
	char refresh[RT_LEN + 1];
	char sid[SID_LEN + 1];
};

static bool
is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != SID_LEN)
		return false;
	for (i = 0; i < SID_LEN; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * The "sid" claim of access token "access" into "sid" (a UUID), or ""
 * when it has none; fails the case if it is there but not a UUID.
 */
static void
token_sid(const char *access, char *sid, size_t len, const char *label)
{
	struct json_object *pl, *v;

	pl = jwt_payload(access);
	sid[0] = '\0';
	if (json_object_object_get_ex(pl, "sid", &v)) {
		ck_assert_msg(json_object_is_type(v, json_type_string) &&
			is_uuid(json_object_get_string(v)),
		    "%s: the access token's sid is not a UUID string: %s",
		    label, json_object_to_json_string(v));
		snprintf(sid, len, "%s", json_object_get_string(v));
	}
	json_object_put(pl);
}

/*
 * "body" is a Token: the keys access_token, token_type, expires_in,
 * refresh_token, refresh_expires_in in that order, "bearer", the
 * lifetimes of the settings, a refresh token of 32 random bytes in
 * base64url (43 characters, no padding, the last one carrying 4 bits),
 * and an access token with a "sid".  refresh_expires_in: a whole
 * session's after a "login"; after a refresh, what is left of the
 * session's (it ends REFRESH_TOKEN_EXPIRE_DAYS after its login, and no
 * session here is older than REFRESH_LEFT_SLACK seconds).  Fills "out"
 * and keeps the refresh token for secret_scan.
 */
static void
parse_token(const char *body, const char *label, bool login, struct tok *out)
{
	struct json_object *o, *v;
	const char	   *rt, *p;
	char		    b[800];
	size_t		    i = 0;
	int64_t		    n, full;

	memset(out, 0, sizeof(*out));
	o = json_tokener_parse(body);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	ck_assert_msg(o != NULL, "%s: the Token is not a JSON object: %s",
	    label, redact(b, sizeof(b), body));
	{
		json_object_object_foreach(o, k, val)
		{
			(void)val;
			ck_assert_msg(i < TOKEN_NKEYS &&
				strcmp(k, token_keys[i]) == 0,
			    "%s: key %zu is \"%s\", want access_token, "
			    "token_type, expires_in, refresh_token, "
			    "refresh_expires_in in that order: %s",
			    label, i, k, redact(b, sizeof(b), body));
			i++;
		}
	}
	ck_assert_msg(i == TOKEN_NKEYS, "%s: %zu keys in the Token, want %zu",
	    label, i, TOKEN_NKEYS);

	json_object_object_get_ex(o, "access_token", &v);
	ck_assert_msg(json_object_is_type(v, json_type_string) &&
		json_object_get_string_len(v) > 0 &&
		(size_t)json_object_get_string_len(v) < sizeof(out->access),
	    "%s: access_token is not a string of a JWT", label);
	snprintf(out->access, sizeof(out->access), "%s",
	    json_object_get_string(v));

	json_object_object_get_ex(o, "token_type", &v);
	ck_assert_msg(json_object_is_type(v, json_type_string) &&
		strcmp(json_object_get_string(v), "bearer") == 0,
	    "%s: token_type is not \"bearer\"", label);

	json_object_object_get_ex(o, "expires_in", &v);
	n = json_object_get_int64(v);
	ck_assert_msg(json_object_is_type(v, json_type_int) &&
		n == api_settings()->expire_minutes * 60,
	    "%s: expires_in %lld, want %ld (ACCESS_TOKEN_EXPIRE_MINUTES "
	    "* 60)",
	    label, (long long)n, api_settings()->expire_minutes * 60);

	json_object_object_get_ex(o, "refresh_token", &v);
	ck_assert_msg(json_object_is_type(v, json_type_string),
	    "%s: refresh_token is not a string", label);
	rt = json_object_get_string(v);
	ck_assert_msg(strlen(rt) == RT_LEN,
	    "%s: refresh_token has %zu characters, want %d (256 bits in "
	    "base64url, no padding)",
	    label, strlen(rt), RT_LEN);
	for (p = rt; *p != '\0'; p++)
		ck_assert_msg(b64url_char(*p),
		    "%s: refresh_token has a character outside the base64url "
		    "alphabet at %zu",
		    label, (size_t)(p - rt));
	p = strchr(B64URL, rt[RT_LEN - 1]);
	ck_assert_msg(p != NULL && ((p - B64URL) & 3) == 0,
	    "%s: the refresh token's last character does not end 32 bytes "
	    "(its two low bits must be 0)",
	    label);
	snprintf(out->refresh, sizeof(out->refresh), "%s", rt);

	json_object_object_get_ex(o, "refresh_expires_in", &v);
	n = json_object_get_int64(v);
	full = expire_days() * 86400;
	ck_assert_msg(json_object_is_type(v, json_type_int) &&
		(login ? n == full :
			 n <= full && n > full - REFRESH_LEFT_SLACK),
	    "%s: refresh_expires_in %lld, want %s%ld "
	    "(REFRESH_TOKEN_EXPIRE_DAYS * 86400)",
	    label, (long long)n, login ? "" : "a little less than ", full);
	json_object_put(o);

	keep_rt(out->refresh);
	token_sid(out->access, out->sid, sizeof(out->sid), label);
	ck_assert_msg(out->sid[0] != '\0',
	    "%s: the access token has no sid claim", label);
}

/* "x" is a 200 with a Token (see parse_token()). */
static void
want_token(const struct xchg *x, bool login, struct tok *out)
{
	want_status_r(x, 200);
	want_api_json_headers(x);
	parse_token(x->resp.body, x->label, login, out);
	no_rt_in_cgi_log(x, out->refresh);
}

/*
 * An access token as another HS256 implementation would make it for
 * the user of "from": sub, iat, exp and the ver of "from", no sid.
 */
static void
nosid_token(char *out, size_t len, const struct tok *from)
{
	const struct api_settings *s = api_settings();
	struct json_object	  *pl, *sub, *ver;
	char			   payload[512], hdr[128];
	long			   now = (long)time(NULL);

	pl = jwt_payload(from->access);
	ck_assert_msg(json_object_object_get_ex(pl, "sub", &sub) &&
		json_object_is_type(sub, json_type_string),
	    "the access token has no sub string");
	if (json_object_object_get_ex(pl, "ver", &ver))
		snprintf(payload, sizeof(payload),
		    "{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld,\"ver\":%lld}",
		    json_object_get_string(sub), now, now + 600,
		    (long long)json_object_get_int64(ver));
	else
		snprintf(payload, sizeof(payload),
		    "{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld}",
		    json_object_get_string(sub), now, now + 600);
	json_object_put(pl);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
	    s->jwt_algorithm);
	jwt_make(out, len, hdr, payload, s->jwt_algorithm, s->jwt_secret);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */
/* ------------------------------------------------------------------ */

/* POST /api/auth/login with JSON for "u", with extra "headers" (or NULL). */
static void
login_h(struct xchg *x, enum target t, const struct api_user *u,
    const char *const *headers)
{
	struct api_req r;
	char	       body[1024], qe[400], qp[200];

	snprintf(body, sizeof(body), "{\"email\":%s,\"password\":%s}",
	    json_quote(qe, sizeof(qe), u->email),
	    json_quote(qp, sizeof(qp), u->password));
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/auth/login";
	r.body = body;
	r.headers = headers;
	api_send(x, t, &r);
}

/* A login of "u" that starts a session: 200 and a Token into "out". */
static void
login_tok(enum target t, const struct api_user *u, const char *const *headers,
    struct tok *out)
{
	struct xchg x;

	login_h(&x, t, u, headers);
	want_token(&x, true, out);
	xchg_free(&x);
}

/* Register "u" (admin if asked) and log it in once. */
static void
user_new(enum target t, struct api_user *u, const char *tag, bool admin,
    struct tok *out)
{
	api_register(t, u, tag);
	if (admin)
		db_make_admin(u->id);
	login_tok(t, u, NULL, out);
	_Static_assert(sizeof(u->token) == sizeof(out->access),
	    "struct api_user holds an access token");
	memcpy(u->token, out->access, sizeof(u->token));
}

/* POST /api/auth/refresh with the JSON body {"refresh_token": rt}. */
static void
refresh_json(struct xchg *x, enum target t, const char *rt)
{
	char body[512], q[300];

	snprintf(body, sizeof(body), "{\"refresh_token\":%s}",
	    json_quote(q, sizeof(q), rt));
	api_call(x, t, "POST", "/api/auth/refresh", NULL, body);
	no_rt_in_cgi_log(x, rt);
}

/* POST /api/auth/refresh with the form grant_type=...&refresh_token=... */
static void
refresh_form(struct xchg *x, enum target t, const char *grant, const char *rt)
{
	struct api_req r;
	char	       body[512];

	snprintf(body, sizeof(body), "grant_type=%s&refresh_token=%s", grant,
	    rt);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/auth/refresh";
	r.ctype = FORM_CT;
	r.body = body;
	api_send(x, t, &r);
	no_rt_in_cgi_log(x, rt);
}

/* Refresh with "rt" (JSON): 200 and a Token into "out". */
static void
refresh_ok(enum target t, const char *rt, struct tok *out)
{
	struct xchg x;

	refresh_json(&x, t, rt);
	want_token(&x, false, out);
	xchg_free(&x);
}

/* "x" is the 401 of a refused refresh token. */
static void
want_refresh_401(const struct xchg *x)
{
	want_status_r(x, 401);
	want_body_r(x, "{\"detail\":\"" D_BAD_REFRESH "\"}");
	want_header(x, "WWW-Authenticate", "Bearer");
	want_api_json_headers(x);
}

/* Refresh with "rt" (JSON): 401 Invalid refresh token. */
static void
refresh_refused(enum target t, const char *rt, const char *what)
{
	struct xchg x;

	refresh_json(&x, t, rt);
	ck_assert_msg(x.resp.status == 401,
	    "%s: %s: status %ld, want 401 (the refresh token should be "
	    "refused)",
	    x.label, what, x.resp.status);
	want_refresh_401(&x);
	xchg_free(&x);
}

/* GET /api/auth/me with "access": 200. */
static void
me_ok(enum target t, const char *access, const char *what)
{
	struct xchg x;

	api_call(&x, t, "GET", "/api/auth/me", access, NULL);
	ck_assert_msg(x.resp.status == 200,
	    "%s: %s: status %ld, want 200 (the access token should work): "
	    "%.300s",
	    x.label, what, x.resp.status, x.resp.body);
	xchg_free(&x);
}

/* GET /api/auth/me with "access": 401 Could not validate credentials. */
static void
me_refused(enum target t, const char *access, const char *what)
{
	struct xchg x;

	api_call(&x, t, "GET", "/api/auth/me", access, NULL);
	ck_assert_msg(x.resp.status == 401,
	    "%s: %s: status %ld, want 401 (the access token should be "
	    "refused): %.300s",
	    x.label, what, x.resp.status, x.resp.body);
	want_401(&x, D_BAD_TOKEN);
	xchg_free(&x);
}

/* The session of "t" is over: its access and refresh tokens refused. */
static void
want_ended(enum target tg, const struct tok *t, const char *what)
{
	me_refused(tg, t->access, what);
	refresh_refused(tg, t->refresh, what);
}

/*
 * POST "path" as "access" with an empty body (Content-Length: 0, as
 * fetch() sends it; lighttpd refuses a POST without a length with 411,
 * and so does a worker run as CGI without CONTENT_LENGTH).
 */
static void
post_empty(struct xchg *x, enum target t, const char *path, const char *access)
{
	struct api_req r;

	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = path;
	r.token = access;
	r.body = "";
	api_send(x, t, &r);
}

/* POST /api/auth/logout (with "?scope=<scope>" unless NULL). */
static void
logout(struct xchg *x, enum target t, const char *access, const char *scope)
{
	char path[128];

	if (scope != NULL)
		snprintf(path, sizeof(path), "/api/auth/logout?scope=%s",
		    scope);
	else
		snprintf(path, sizeof(path), "/api/auth/logout");
	post_empty(x, t, path, access);
}

/* A 204 with no body and the headers of every /api/ answer. */
static void
want_204(const struct xchg *x)
{
	want_status(x, 204);
	want_empty_body(x);
	want_api_headers(x);
}

static void
logout_204(enum target t, const char *access, const char *scope)
{
	struct xchg x;

	logout(&x, t, access, scope);
	want_204(&x);
	xchg_free(&x);
}

/* DELETE "path" as "access". */
static void
delete_path(struct xchg *x, enum target t, const char *path, const char *access)
{
	api_call(x, t, "DELETE", path, access, NULL);
}

/* DELETE /api/auth/sessions/<id> as "access". */
static void
delete_session(struct xchg *x, enum target t, const char *access,
    const char *id)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/auth/sessions/%s", id);
	delete_path(x, t, path, access);
}

/* DELETE /api/users/<id>/sessions as "access". */
static void
delete_user_sessions(struct xchg *x, enum target t, const char *access,
    const char *id)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/users/%s/sessions", id);
	delete_path(x, t, path, access);
}

static char *
id_str(char *buf, size_t len, int64_t id)
{
	snprintf(buf, len, "%lld", (long long)id);
	return buf;
}

/* ------------------------------------------------------------------ */
/* GET /api/auth/sessions                                              */
/* ------------------------------------------------------------------ */

struct sess {
	char   id[SID_LEN + 1];
	char   created_s[40], last_used_s[40], expires_s[40];
	double created, last_used, expires;
	bool   ua_null;
	char   ua[1024];
	char   ip[64];
	bool   current;
};

struct slist {
	struct sess s[SESSIONS_MAX + 8];
	size_t	    n;
};

/* Member "key" of session "e" as an RFC 3339 time. */
static double
sess_time(struct json_object *e, const char *key, char *s, size_t len,
    const char *label)
{
	const char *v = json_str(e, key, label);
	double	    t = rfc3339_epoch(v);

	ck_assert_msg(t > 0,
	    "%s: %s \"%s\" is not RFC 3339 UTC as Pydantic prints it", label,
	    key, v);
	snprintf(s, len, "%s", v);
	return t;
}

/*
 * GET /api/auth/sessions as "access": 200, a JSON array of sessions,
 * each with exactly the keys of sess_keys in that order and their types,
 * into "l".
 */
static void
list_sessions(enum target t, const char *access, struct slist *l)
{
	struct xchg	    x;
	struct json_object *a, *e, *v;
	struct sess	   *s;
	size_t		    i, k;

	memset(l, 0, sizeof(*l));
	api_call(&x, t, "GET", "/api/auth/sessions", access, NULL);
	want_status(&x, 200);
	want_api_json_headers(&x);
	a = want_json(&x);
	ck_assert_msg(json_object_is_type(a, json_type_array),
	    "%s: not a JSON array: %.400s", x.label, x.resp.body);
	l->n = json_object_array_length(a);
	ck_assert_msg(l->n <= sizeof(l->s) / sizeof(l->s[0]),
	    "%s: %zu sessions, more than a user may have", x.label, l->n);
	for (i = 0; i < l->n; i++) {
		e = json_object_array_get_idx(a, i);
		s = &l->s[i];
		ck_assert_msg(json_object_is_type(e, json_type_object),
		    "%s: item %zu is not an object: %.400s", x.label, i,
		    x.resp.body);
		k = 0;
		{
			json_object_object_foreach(e, key, val)
			{
				(void)val;
				ck_assert_msg(k < SESS_NKEYS &&
					strcmp(key, sess_keys[k]) == 0,
				    "%s: session %zu: key %zu is \"%s\", want "
				    "id, created_at, last_used_at, "
				    "expires_at, user_agent, ip, current in "
				    "that order: %.600s",
				    x.label, i, k, key, x.resp.body);
				k++;
			}
		}
		ck_assert_msg(k == SESS_NKEYS,
		    "%s: session %zu has %zu keys, want %zu: %.600s", x.label,
		    i, k, SESS_NKEYS, x.resp.body);
		ck_assert_msg(is_uuid(json_str(e, "id", x.label)),
		    "%s: session %zu: id is not a UUID: %.600s", x.label, i,
		    x.resp.body);
		snprintf(s->id, sizeof(s->id), "%s",
		    json_str(e, "id", x.label));
		s->created = sess_time(e, "created_at", s->created_s,
		    sizeof(s->created_s), x.label);
		s->last_used = sess_time(e, "last_used_at", s->last_used_s,
		    sizeof(s->last_used_s), x.label);
		s->expires = sess_time(e, "expires_at", s->expires_s,
		    sizeof(s->expires_s), x.label);
		json_object_object_get_ex(e, "user_agent", &v);
		ck_assert_msg(v == NULL ||
			json_object_is_type(v, json_type_string),
		    "%s: session %zu: user_agent is neither null nor a "
		    "string",
		    x.label, i);
		s->ua_null = v == NULL;
		if (v != NULL)
			snprintf(s->ua, sizeof(s->ua), "%s",
			    json_object_get_string(v));
		snprintf(s->ip, sizeof(s->ip), "%s",
		    json_str(e, "ip", x.label));
		json_object_object_get_ex(e, "current", &v);
		ck_assert_msg(json_object_is_type(v, json_type_boolean),
		    "%s: session %zu: current is not a boolean", x.label, i);
		s->current = json_object_get_boolean(v);
	}
	json_object_put(a);
	xchg_free(&x);
}

/* The session "sid" in "l", or NULL. */
static const struct sess *
find_sess(const struct slist *l, const char *sid)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->s[i].id, sid) == 0)
			return &l->s[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The database                                                        */
/* ------------------------------------------------------------------ */

/* A libpq connection to the test database (DATABASE_URL). */
static PGconn *
db_connect(void)
{
	const char *env = getenv("DATABASE_URL");
	char	    url[1024], msg[512], *plus, *sep;
	PGconn	   *c;

	snprintf(url, sizeof(url), "%s",
	    env != NULL && *env != '\0' ? env : api_settings()->database_url);
	/* libpq takes no "postgresql+driver://": drop the driver. */
	plus = strchr(url, '+');
	sep = strstr(url, "://");
	if (plus != NULL && sep != NULL && plus < sep)
		memmove(plus, sep, strlen(sep) + 1);
	c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		PQfinish(c);
		ck_abort_msg("connecting to DATABASE_URL: %s", msg);
	}
	return c;
}

/*
 * Run "sql" with the "n" text parameters "params"; fails the case unless
 * it succeeds.  Returns the result (PQclear() it).
 */
static PGresult *
db_query(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r;
	char	  msg[512];

	r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
		ck_abort_msg("%s: %s", sql, msg);
	}
	return r;
}

/* The lower-case hex of the SHA-256 of the ASCII of "s" into "hex". */
static void
sha256_hex(const char *s, char hex[HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  n = 0, i;

	ck_assert(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) == 1);
	ck_assert_uint_eq(n, 32);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The base64url (no padding) of the SHA-256 of "s" into "out". */
static void
sha256_b64url(const char *s, char out[RT_LEN + 1])
{
	static const char b64[] = B64URL;
	unsigned char	  md[EVP_MAX_MD_SIZE];
	unsigned int	  n = 0, i, v;
	size_t		  o = 0;

	ck_assert(EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) == 1);
	for (i = 0; i < n; i += 3) {
		v = (unsigned)md[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)md[i + 1] << 8;
		if (i + 2 < n)
			v |= md[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = b64[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
}

/*
 * Does session "sid" hold the hash of "rt" as its current refresh token
 * (refresh_hash = SHA-256 of the token's ASCII)?
 */
static bool
db_is_current(const char *sid, const char *rt)
{
	PGconn	   *c = db_connect();
	PGresult   *r;
	char	    hex[HEX_LEN + 1];
	const char *params[2] = { sid, hex };
	bool	    yes;

	sha256_hex(rt, hex);
	r = db_query(c,
	    "SELECT count(*) FROM sessions WHERE id = $1::uuid"
	    " AND refresh_hash = decode($2, 'hex')",
	    2, params);
	yes = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "1") == 0;
	PQclear(r);
	PQfinish(c);
	return yes;
}

/*
 * Move session "sid" back in time by REFRESH_TOKEN_EXPIRE_DAYS + 1 days,
 * as if its login had been that long ago: it has expired.
 */
static void
db_age_session(const char *sid)
{
	PGconn	   *c = db_connect();
	PGresult   *r;
	char	    days[32];
	const char *params[2] = { sid, days };

	snprintf(days, sizeof(days), "%ld days", expire_days() + 1);
	r = db_query(c,
	    "UPDATE sessions SET created_at = created_at - $2::interval,"
	    " last_used_at = last_used_at - $2::interval,"
	    " expires_at = expires_at - $2::interval"
	    " WHERE id = $1::uuid",
	    2, params);
	ck_assert_msg(strcmp(PQcmdTuples(r), "1") == 0,
	    "aging session %s: %s rows changed, want 1", sid, PQcmdTuples(r));
	PQclear(r);
	PQfinish(c);
}

/* ------------------------------------------------------------------ */
/* Login: the Token of version 2                                       */
/* ------------------------------------------------------------------ */

/*
 * A JSON login gives the five keys in order (parse_token()), and the
 * access token's sid is the session marked current.
 */
START_TEST(login_token_has_session)
{
	struct api_user	   a;
	struct tok	   t;
	struct slist	   l;
	const struct sess *s;

	user_new(TGT, &a, "slogin", false, &t);
	list_sessions(TGT, t.access, &l);
	ck_assert_uint_eq(l.n, 1);
	s = find_sess(&l, t.sid);
	ck_assert_msg(s != NULL,
	    "the sid of the access token is not the id of a listed session");
	ck_assert_msg(s->current, "the login's session is not current");
}
END_TEST

/* The OAuth2 form login gives the same Token, with a session of its own. */
START_TEST(login_form_token_has_session)
{
	struct api_user a;
	struct tok	t, f;
	struct xchg	x;
	struct api_req	r;
	char		body[1024];
	struct slist	l;

	user_new(TGT, &a, "sloginf", false, &t);
	/* Of the address and password api_register() makes, only the "@"
	 * needs a %-escape in a form. */
	snprintf(body, sizeof(body), "username=");
	{
		const char *p;
		size_t	    o = strlen(body);

		for (p = a.email; *p != '\0' && o + 4 < sizeof(body); p++) {
			if (*p == '@') {
				memcpy(body + o, "%40", 3);
				o += 3;
			} else
				body[o++] = *p;
		}
		body[o] = '\0';
	}
	snprintf(body + strlen(body), sizeof(body) - strlen(body),
	    "&password=%s", a.password);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/auth/login";
	r.ctype = FORM_CT;
	r.body = body;
	api_send(&x, TGT, &r);
	want_token(&x, true, &f);
	xchg_free(&x);
	ck_assert_msg(strcmp(f.sid, t.sid) != 0,
	    "two logins share a session id");
	ck_assert_msg(strcmp(f.refresh, t.refresh) != 0,
	    "two logins got the same refresh token");
	list_sessions(TGT, f.access, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_msg(find_sess(&l, f.sid) != NULL &&
		find_sess(&l, f.sid)->current,
	    "the form login's session is not listed as current");
}
END_TEST

/* ------------------------------------------------------------------ */
/* POST /api/auth/refresh                                              */
/* ------------------------------------------------------------------ */

/*
 * A refresh gave "n" after "o": a new refresh token, the same session.
 * (That the access token is new too is refresh_gives_new_access_token.)
 */
static void
want_rotated(const struct tok *o, const struct tok *n)
{
	ck_assert_msg(strcmp(o->refresh, n->refresh) != 0,
	    "the refresh gave the same refresh token again");
	ck_assert_msg(strcmp(o->sid, n->sid) == 0,
	    "the refreshed access token's sid %s is not the session's %s",
	    n->sid, o->sid);
}

START_TEST(refresh_json_200)
{
	struct api_user a;
	struct tok	t0, t1;

	user_new(TGT, &a, "srefj", false, &t0);
	refresh_ok(TGT, t0.refresh, &t1);
	want_rotated(&t0, &t1);
	me_ok(TGT, t1.access, "the refreshed access token");
}
END_TEST

START_TEST(refresh_form_200)
{
	struct api_user a;
	struct tok	t0, t1;
	struct xchg	x;

	user_new(TGT, &a, "sreff", false, &t0);
	refresh_form(&x, TGT, "refresh_token", t0.refresh);
	want_token(&x, false, &t1);
	xchg_free(&x);
	want_rotated(&t0, &t1);
	me_ok(TGT, t1.access, "the refreshed access token");
}
END_TEST

/*
 * A refresh gives a new access token as well, even within the second of
 * the login (the same claims would sign to the same token).
 */
START_TEST(refresh_gives_new_access_token)
{
	struct api_user a;
	struct tok	t0, t1;

	user_new(TGT, &a, "srefnew", false, &t0);
	refresh_ok(TGT, t0.refresh, &t1);
	ck_assert_msg(strcmp(t0.access, t1.access) != 0,
	    "the refresh gave the login's access token again");
}
END_TEST

/* A well-formed token that was never issued, and the empty string. */
START_TEST(refresh_unknown_401)
{
	struct xchg x;

	refresh_json(&x, TGT, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	want_refresh_401(&x);
	xchg_free(&x);
	refresh_json(&x, TGT, "");
	want_refresh_401(&x);
	xchg_free(&x);
	refresh_form(&x, TGT, "refresh_token", "not-a-token");
	want_refresh_401(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(refresh_missing_422)
{
	struct xchg x;
	char	    e[512];

	api_call(&x, TGT, "POST", "/api/auth/refresh", NULL, "{}");
	want_api_json_headers(&x);
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "missing", "[\"body\",\"refresh_token\"]",
		MSG_MISSING, "{}", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

START_TEST(refresh_not_string_422)
{
	struct xchg x;
	char	    e[512];

	api_call(&x, TGT, "POST", "/api/auth/refresh", NULL,
	    "{\"refresh_token\":123}");
	want_api_json_headers(&x);
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "string_type",
		"[\"body\",\"refresh_token\"]", MSG_STR_TYPE, "123", NULL),
	    NULL);
	xchg_free(&x);
}
END_TEST

/*
 * The form with another grant_type: 422 at ["body","grant_type"], and
 * the answer does not echo the refresh token it carried.
 */
START_TEST(refresh_form_other_grant_422)
{
	struct api_user	    a;
	struct tok	    t;
	struct xchg	    x;
	struct json_object *root, *e, *loc;

	user_new(TGT, &a, "sgrant", false, &t);
	refresh_form(&x, TGT, "password", t.refresh);
	want_status_r(&x, 422);
	want_api_json_headers(&x);
	ck_assert_msg(strstr(x.resp.body, t.refresh) == NULL,
	    "%s: the 422 echoes the refresh token", x.label);
	ck_assert_msg(want_422_count(&x) == 1, "%s: want one entry: %.600s",
	    x.label, x.resp.body);
	e = want_422_entry(&x, 0, &root);
	ck_assert_msg(json_object_object_get_ex(e, "loc", &loc), "no loc");
	ck_assert_str_eq(json_object_to_json_string_ext(loc,
			     JSON_C_TO_STRING_PLAIN),
	    "[\"body\",\"grant_type\"]");
	json_object_put(root);
	xchg_free(&x);
}
END_TEST

START_TEST(refresh_text_plain_415)
{
	struct xchg    x;
	struct api_req r;

	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/auth/refresh";
	r.ctype = "text/plain";
	r.body =
	    "{\"refresh_token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}";
	api_send(&x, TGT, &r);
	want_detail(&x, 415, "Unsupported Media Type");
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

/*
 * A session past REFRESH_TOKEN_EXPIRE_DAYS (its times moved back in the
 * table): its refresh token is refused and it is no longer listed.
 */
START_TEST(refresh_expired_401)
{
	struct api_user a;
	struct tok	t, u;
	struct slist	l;

	user_new(TGT, &a, "sexp", false, &t);
	login_tok(TGT, &a, NULL, &u);
	db_age_session(t.sid);
	refresh_refused(TGT, t.refresh,
	    "the refresh token of an expired "
	    "session");
	list_sessions(TGT, u.access, &l);
	ck_assert_msg(l.n == 1 && find_sess(&l, u.sid) != NULL,
	    "%zu sessions listed, want only the live one", l.n);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Rotation and reuse                                                  */
/* ------------------------------------------------------------------ */

/*
 * R0 -> R1; R0 again within the window: a new pair R2 for the same
 * session (the grace, once); R0 a third time is reuse: the session ends,
 * every access token of it and R1, R2 refused.
 */
START_TEST(reuse_grace_once_then_session_ends)
{
	struct api_user a;
	struct tok	t0, t1, t2, other;
	struct slist	l;

	user_new(TGT, &a, "sreuse", false, &t0);
	login_tok(TGT, &a, NULL, &other);
	refresh_ok(TGT, t0.refresh, &t1);
	want_rotated(&t0, &t1);
	refresh_ok(TGT, t0.refresh, &t2);
	want_rotated(&t0, &t2);
	ck_assert_msg(strcmp(t2.refresh, t1.refresh) != 0,
	    "the grace answer repeats the first refresh's refresh token");
	me_ok(TGT, t2.access, "the grace answer's access token");

	refresh_refused(TGT, t0.refresh, "R0 presented a third time");
	me_refused(TGT, t0.access, "the login's access token after reuse");
	me_refused(TGT, t1.access,
	    "the first refresh's access token after "
	    "reuse");
	me_refused(TGT, t2.access,
	    "the grace answer's access token after "
	    "reuse");
	refresh_refused(TGT, t2.refresh,
	    "the session's current refresh "
	    "token after reuse");
	refresh_refused(TGT, t1.refresh, "R1 after reuse");

	/* The user's other session is untouched. */
	me_ok(TGT, other.access, "another session of the user");
	list_sessions(TGT, other.access, &l);
	ck_assert_msg(l.n == 1 && find_sess(&l, other.sid) != NULL,
	    "%zu sessions listed after reuse, want only the other one", l.n);
}
END_TEST

/*
 * R0 -> R1, then R0 again (grace) -> R2: R1, the pair the grace
 * replaced, is spent; presenting it ends the session.
 */
START_TEST(reuse_replaced_pair_ends_session)
{
	struct api_user a;
	struct tok	t0, t1, t2;

	user_new(TGT, &a, "sreplaced", false, &t0);
	refresh_ok(TGT, t0.refresh, &t1);
	refresh_ok(TGT, t0.refresh, &t2);
	refresh_refused(TGT, t1.refresh, "R1 after the grace replaced it");
	want_ended(TGT, &t2, "the grace answer after R1's reuse");
	me_refused(TGT, t1.access, "R1's access token after reuse");
}
END_TEST

/* The current refresh token, used normally, never ends anything. */
START_TEST(refresh_chain_of_five)
{
	struct api_user a;
	struct tok	t[6];
	int		i;

	user_new(TGT, &a, "schain", false, &t[0]);
	for (i = 1; i < 6; i++) {
		refresh_ok(TGT, t[i - 1].refresh, &t[i]);
		want_rotated(&t[i - 1], &t[i]);
	}
	me_ok(TGT, t[5].access, "the fifth refresh's access token");
	me_ok(TGT, t[0].access, "the login's access token (not expired)");
}
END_TEST

/*
 * A spent token presented after REFRESH_TOKEN_REUSE_SECONDS: reuse, the
 * session ends.  One session per target, then one sleep for all.  A
 * second session per target, refreshed once before the sleep, shows that
 * its current token still works after the window.
 */
START_TEST(reuse_after_window_ends_session)
{
	struct api_user a[API_TARGETS];
	struct tok	t0[API_TARGETS], t1[API_TARGETS], q0[API_TARGETS],
	    q1[API_TARGETS], g0[API_TARGETS], g1[API_TARGETS], g2[API_TARGETS],
	    q2;
	enum target tg;
	long	    wait_s = reuse_seconds() + 1;

	for (tg = 0; tg < API_TARGETS; tg++) {
		if (!target_in_run(tg))
			continue;
		user_new(tg, &a[tg], "slate", false, &t0[tg]);
		refresh_ok(tg, t0[tg].refresh, &t1[tg]);
		login_tok(tg, &a[tg], NULL, &q0[tg]);
		refresh_ok(tg, q0[tg].refresh, &q1[tg]);
		login_tok(tg, &a[tg], NULL, &g0[tg]);
		refresh_ok(tg, g0[tg].refresh, &g1[tg]);
		refresh_ok(tg, g1[tg].refresh, &g2[tg]);
	}
	sleep((unsigned)wait_s);
	for (tg = 0; tg < API_TARGETS; tg++) {
		if (!target_in_run(tg))
			continue;
		refresh_refused(tg, t0[tg].refresh,
		    "a spent refresh token after the reuse window");
		want_ended(tg, &t1[tg],
		    "the session after its spent token came back late");
		me_refused(tg, t0[tg].access,
		    "the login's access token after reuse");
		refresh_ok(tg, q1[tg].refresh, &q2);
		want_rotated(&q1[tg], &q2);
	}
	/* Spent two rotations ago is spent all the same. */
	for (tg = 0; tg < API_TARGETS; tg++) {
		if (!target_in_run(tg))
			continue;
		refresh_refused(tg, g0[tg].refresh,
		    "a refresh token spent two rotations ago");
		want_ended(tg, &g2[tg],
		    "the session after a token spent two rotations ago came "
		    "back");
	}
}
END_TEST

/*
 * R0 -> R1, R0 again -> R2 (the grace; R1 replaced), R2 -> R3: R1 is
 * still a spent token of the session, and presenting it is reuse, even
 * after the session has rotated on.
 */
START_TEST(reuse_replaced_pair_after_rotation_ends_session)
{
	struct api_user a;
	struct tok	t0, t1, t2, t3;

	user_new(TGT, &a, "sreplrot", false, &t0);
	refresh_ok(TGT, t0.refresh, &t1);
	refresh_ok(TGT, t0.refresh, &t2);
	refresh_ok(TGT, t2.refresh, &t3);
	refresh_refused(TGT, t1.refresh,
	    "R1, replaced by the grace, after a further rotation");
	want_ended(TGT, &t3,
	    "the session after its replaced pair came back (R3)");
}
END_TEST

/* ------------------------------------------------------------------ */
/* POST /api/auth/logout                                               */
/* ------------------------------------------------------------------ */

/* Without scope: this session ends, the user's others go on. */
START_TEST(logout_this_204)
{
	struct api_user a;
	struct tok	t1, t2, t3;

	user_new(TGT, &a, "slogout", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	logout_204(TGT, t1.access, NULL);
	want_ended(TGT, &t1, "the logged-out session");
	me_ok(TGT, t2.access, "another session of the user");
	refresh_ok(TGT, t2.refresh, &t3);
}
END_TEST

/* scope=this is the default, said out loud. */
START_TEST(logout_scope_this_204)
{
	struct api_user a;
	struct tok	t1, t2;

	user_new(TGT, &a, "slogthis", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	logout_204(TGT, t1.access, "this");
	want_ended(TGT, &t1, "the logged-out session");
	me_ok(TGT, t2.access, "another session of the user");
}
END_TEST

START_TEST(logout_others_204)
{
	struct api_user a;
	struct tok	t1, t2, t3, t4;
	struct slist	l;

	user_new(TGT, &a, "slogoth", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	login_tok(TGT, &a, NULL, &t3);
	logout_204(TGT, t1.access, "others");
	want_ended(TGT, &t2, "a session ended by scope=others");
	want_ended(TGT, &t3, "a session ended by scope=others");
	me_ok(TGT, t1.access, "the session that asked for scope=others");
	list_sessions(TGT, t1.access, &l);
	ck_assert_msg(l.n == 1 && find_sess(&l, t1.sid) != NULL,
	    "%zu sessions after scope=others, want only the caller's", l.n);
	refresh_ok(TGT, t1.refresh, &t4);
}
END_TEST

/* scope=all: every session, and every access token, even one without sid. */
START_TEST(logout_all_204)
{
	struct api_user a;
	struct tok	t1, t2, t3;
	char		nosid[2048];

	user_new(TGT, &a, "slogall", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	nosid_token(nosid, sizeof(nosid), &t1);
	me_ok(TGT, nosid, "an access token without sid");
	logout_204(TGT, t1.access, "all");
	want_ended(TGT, &t1, "the caller's session after scope=all");
	want_ended(TGT, &t2, "another session after scope=all");
	me_refused(TGT, nosid, "a token without sid issued before scope=all");
	/* A fresh login works again. */
	login_tok(TGT, &a, NULL, &t3);
	me_ok(TGT, t3.access, "a login after scope=all");
}
END_TEST

START_TEST(logout_bogus_scope_422)
{
	struct api_user	    a;
	struct tok	    t;
	struct xchg	    x;
	struct json_object *root, *e, *loc;

	user_new(TGT, &a, "slogbog", false, &t);
	logout(&x, TGT, t.access, "bogus");
	want_status(&x, 422);
	want_api_json_headers(&x);
	ck_assert_msg(want_422_count(&x) == 1, "%s: want one entry: %.600s",
	    x.label, x.resp.body);
	e = want_422_entry(&x, 0, &root);
	ck_assert_msg(json_object_object_get_ex(e, "loc", &loc), "no loc");
	ck_assert_str_eq(json_object_to_json_string_ext(loc,
			     JSON_C_TO_STRING_PLAIN),
	    "[\"query\",\"scope\"]");
	json_object_put(root);
	xchg_free(&x);
	/* Nothing ended. */
	me_ok(TGT, t.access, "the session after a refused logout");
}
END_TEST

START_TEST(logout_no_token_401)
{
	struct xchg x;

	logout(&x, TGT, NULL, NULL);
	want_401(&x, D_NOT_AUTH);
	xchg_free(&x);
	logout(&x, TGT, "not.a.token", NULL);
	want_401(&x, D_BAD_TOKEN);
	xchg_free(&x);
}
END_TEST

/* A token without sid logs out as scope=all, with no scope given. */
START_TEST(logout_nosid_acts_as_all)
{
	struct api_user a;
	struct tok	t1, t2;
	char		nosid[2048];

	user_new(TGT, &a, "slognosid", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	nosid_token(nosid, sizeof(nosid), &t1);
	logout_204(TGT, nosid, NULL);
	want_ended(TGT, &t1, "a session after a logout without sid");
	want_ended(TGT, &t2, "a session after a logout without sid");
	me_refused(TGT, nosid, "the token without sid that logged out");
}
END_TEST

/* ... and with scope=this or scope=others as well. */
START_TEST(logout_nosid_scope_ignored)
{
	static const char *const scopes[] = { "this", "others" };
	struct api_user		 a;
	struct tok		 t1, t2;
	char			 nosid[2048];
	size_t			 i;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		user_new(TGT, &a, "slognsc", false, &t1);
		login_tok(TGT, &a, NULL, &t2);
		nosid_token(nosid, sizeof(nosid), &t1);
		logout_204(TGT, nosid, scopes[i]);
		want_ended(TGT, &t1, scopes[i]);
		want_ended(TGT, &t2, scopes[i]);
		me_refused(TGT, nosid, scopes[i]);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* GET /api/auth/sessions                                              */
/* ------------------------------------------------------------------ */

/*
 * Three logins: with a User-Agent, without one, and with a 300-character
 * one through a trusted proxy (X-Forwarded-For).  Newest first, the
 * times, the User-Agent as sent (cut to 256, null when absent), the
 * client address, current only for the caller.
 */
START_TEST(sessions_list_200)
{
	static const char *const h1[] = { "User-Agent: sessions-test/1.0",
		NULL };
	struct api_user		 a;
	struct tok		 t[3];
	struct slist		 l;
	char			 longua[320], uah[340];
	const char	  *h3[] = { uah, "X-Forwarded-For: " XFF_ADDR, NULL };
	const struct sess *s;
	size_t		   i;

	for (i = 0; i < 300; i++)
		longua[i] = (char)('a' + i % 26);
	longua[300] = '\0';
	snprintf(uah, sizeof(uah), "User-Agent: %s", longua);

	api_register(TGT, &a, "slist");
	login_tok(TGT, &a, h1, &t[0]);
	login_tok(TGT, &a, NULL, &t[1]);
	login_tok(TGT, &a, h3, &t[2]);
	list_sessions(TGT, t[2].access, &l);
	ck_assert_uint_eq(l.n, 3);
	/* Newest first. */
	for (i = 0; i < 3; i++)
		ck_assert_msg(strcmp(l.s[i].id, t[2 - i].sid) == 0,
		    "session %zu is %s, want %s (newest first)", i, l.s[i].id,
		    t[2 - i].sid);
	for (i = 0; i < 3; i++) {
		s = &l.s[i];
		ck_assert_msg(i == 0 || s->created <= l.s[i - 1].created,
		    "session %zu was created after session %zu", i, i - 1);
		ck_assert_msg(strcmp(s->last_used_s, s->created_s) == 0,
		    "session %zu: last_used_at %s is not created_at %s "
		    "before any refresh",
		    i, s->last_used_s, s->created_s);
		ck_assert_msg(fabs(s->expires - s->created -
				  (double)expire_days() * 86400) < 1.0,
		    "session %zu: expires_at %s is not created_at %s + %ld "
		    "days",
		    i, s->expires_s, s->created_s, expire_days());
		ck_assert_msg(s->created > wall_now() - 300 &&
			s->created < wall_now() + 300,
		    "session %zu: created_at %s is not about now", i,
		    s->created_s);
		ck_assert_msg(s->current == (i == 0),
		    "session %zu: current is %s", i,
		    s->current ? "true" : "false");
	}
	/* l.s[2] is the first login, l.s[0] the third. */
	ck_assert_msg(!l.s[2].ua_null &&
		strcmp(l.s[2].ua, "sessions-test/1.0") == 0,
	    "user_agent \"%s\", want the login's", l.s[2].ua);
	ck_assert_msg(l.s[1].ua_null,
	    "user_agent \"%s\" for a login without one, want null", l.s[1].ua);
	ck_assert_msg(!l.s[0].ua_null && strlen(l.s[0].ua) == UA_KEPT &&
		strncmp(l.s[0].ua, longua, UA_KEPT) == 0,
	    "user_agent of %zu characters, want the first %d of 300",
	    strlen(l.s[0].ua), UA_KEPT);
	ck_assert_str_eq(l.s[2].ip, LOCAL_ADDR);
	ck_assert_str_eq(l.s[1].ip, LOCAL_ADDR);
	ck_assert_str_eq(l.s[0].ip, XFF_ADDR);
}
END_TEST

/* Another session's token sees the same list with its own one current. */
START_TEST(sessions_current_is_the_caller)
{
	struct api_user	   a, b;
	struct tok	   t1, t2, tb;
	struct slist	   l;
	const struct sess *s;

	user_new(TGT, &a, "scur", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	user_new(TGT, &b, "scurb", false, &tb);
	list_sessions(TGT, t1.access, &l);
	ck_assert_uint_eq(l.n, 2);
	s = find_sess(&l, t1.sid);
	ck_assert_msg(s != NULL && s->current, "the caller's is not current");
	s = find_sess(&l, t2.sid);
	ck_assert_msg(s != NULL && !s->current, "another is current");
	ck_assert_msg(find_sess(&l, tb.sid) == NULL,
	    "another user's session is listed");
}
END_TEST

/* Ended sessions are not listed. */
START_TEST(sessions_ended_not_listed)
{
	struct api_user a;
	struct tok	t1, t2, t3;
	struct slist	l;

	user_new(TGT, &a, "sended", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	login_tok(TGT, &a, NULL, &t3);
	logout_204(TGT, t1.access, NULL);
	list_sessions(TGT, t3.access, &l);
	ck_assert_msg(l.n == 2 && find_sess(&l, t1.sid) == NULL &&
		find_sess(&l, t2.sid) != NULL && find_sess(&l, t3.sid) != NULL,
	    "%zu sessions listed after a logout, want the two others", l.n);
}
END_TEST

/* last_used_at: the login, then the latest refresh; created_at stays. */
START_TEST(sessions_last_used_after_refresh)
{
	struct api_user	   a;
	struct tok	   t0, t1;
	struct slist	   l;
	const struct sess *s;
	char		   created[40], used[40];
	double		   used0;

	user_new(TGT, &a, "sused", false, &t0);
	list_sessions(TGT, t0.access, &l);
	s = find_sess(&l, t0.sid);
	ck_assert(s != NULL);
	ck_assert_str_eq(s->last_used_s, s->created_s);
	snprintf(created, sizeof(created), "%s", s->created_s);
	snprintf(used, sizeof(used), "%s", s->last_used_s);
	used0 = s->last_used;
	refresh_ok(TGT, t0.refresh, &t1);
	list_sessions(TGT, t1.access, &l);
	ck_assert_uint_eq(l.n, 1);
	s = find_sess(&l, t0.sid);
	ck_assert_msg(s != NULL && s->current,
	    "the refreshed session is not listed as current");
	ck_assert_str_eq(s->created_s, created);
	ck_assert_msg(s->last_used >= used0 && s->last_used >= s->created,
	    "last_used_at %s after a refresh is before the login's %s",
	    s->last_used_s, used);
}
END_TEST

/* With a token without sid every session is listed, none current. */
START_TEST(sessions_nosid_none_current)
{
	struct api_user a;
	struct tok	t1, t2;
	struct slist	l;
	char		nosid[2048];
	size_t		i;

	user_new(TGT, &a, "snscur", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	nosid_token(nosid, sizeof(nosid), &t1);
	list_sessions(TGT, nosid, &l);
	ck_assert_uint_eq(l.n, 2);
	for (i = 0; i < l.n; i++)
		ck_assert_msg(!l.s[i].current,
		    "session %zu is current for a token without sid", i);
}
END_TEST

START_TEST(sessions_no_token_401)
{
	struct xchg x;

	api_call(&x, TGT, "GET", "/api/auth/sessions", NULL, NULL);
	want_401(&x, D_NOT_AUTH);
	xchg_free(&x);
	api_call(&x, TGT, "DELETE", "/api/auth/sessions/" NO_SESSION_ID, NULL,
	    NULL);
	want_401(&x, D_NOT_AUTH);
	xchg_free(&x);
	api_call(&x, TGT, "DELETE", "/api/users/1/sessions", NULL, NULL);
	want_401(&x, D_NOT_AUTH);
	xchg_free(&x);
}
END_TEST

/* ------------------------------------------------------------------ */
/* DELETE /api/auth/sessions/{session_id}                              */
/* ------------------------------------------------------------------ */

/* Another of the caller's sessions: it ends, the caller's goes on. */
START_TEST(delete_own_other_session_204)
{
	struct api_user a;
	struct tok	t1, t2, t3;
	struct xchg	x;
	struct slist	l;

	user_new(TGT, &a, "sdel", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	delete_session(&x, TGT, t1.access, t2.sid);
	want_204(&x);
	xchg_free(&x);
	want_ended(TGT, &t2, "the session deleted by id");
	me_ok(TGT, t1.access, "the caller's session");
	list_sessions(TGT, t1.access, &l);
	ck_assert_msg(l.n == 1 && find_sess(&l, t1.sid) != NULL,
	    "%zu sessions listed, want only the caller's", l.n);
	refresh_ok(TGT, t1.refresh, &t3);
	/* Ended already: 404. */
	delete_session(&x, TGT, t3.access, t2.sid);
	want_detail(&x, 404, D_NO_SESSION);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

/* The caller's own current session by id: it ends too. */
START_TEST(delete_own_current_session_204)
{
	struct api_user a;
	struct tok	t1, t2;
	struct xchg	x;

	user_new(TGT, &a, "sdelcur", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	delete_session(&x, TGT, t1.access, t1.sid);
	want_204(&x);
	xchg_free(&x);
	want_ended(TGT, &t1, "the caller's session deleted by id");
	me_ok(TGT, t2.access, "the user's other session");
}
END_TEST

/* Someone else's, unknown, malformed: 404, and nothing ends. */
START_TEST(delete_session_404)
{
	static const char *const bad[] = { NO_SESSION_ID, "not-a-uuid", "1",
		"7c0d8a7e3f4b4e519a2c6b1d0e9f8a31zz" };
	struct api_user		 a, b;
	struct tok		 ta, tb, tb2;
	struct xchg		 x;
	size_t			 i;

	user_new(TGT, &a, "sdel404", false, &ta);
	user_new(TGT, &b, "sdel404b", false, &tb);
	delete_session(&x, TGT, ta.access, tb.sid);
	want_detail(&x, 404, D_NO_SESSION);
	want_api_json_headers(&x);
	xchg_free(&x);
	me_ok(TGT, tb.access, "the other user's session");
	refresh_ok(TGT, tb.refresh, &tb2);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		delete_session(&x, TGT, ta.access, bad[i]);
		want_detail(&x, 404, D_NO_SESSION);
		xchg_free(&x);
	}
	me_ok(TGT, ta.access, "the caller's session");
}
END_TEST

/* ------------------------------------------------------------------ */
/* DELETE /api/users/{user_id}/sessions                                */
/* ------------------------------------------------------------------ */

START_TEST(user_sessions_self_204)
{
	struct api_user a;
	struct tok	t1, t2, t3;
	struct xchg	x;
	char		id[32];

	user_new(TGT, &a, "susess", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	delete_user_sessions(&x, TGT, t1.access, id_str(id, sizeof(id), a.id));
	want_204(&x);
	xchg_free(&x);
	want_ended(TGT, &t1, "the caller's own session");
	want_ended(TGT, &t2, "the user's other session");
	login_tok(TGT, &a, NULL, &t3);
	me_ok(TGT, t3.access, "a login afterwards");
}
END_TEST

START_TEST(user_sessions_admin_204)
{
	struct api_user adm, b;
	struct tok	ta, tb1, tb2;
	struct xchg	x;
	char		id[32];

	user_new(TGT, &adm, "susadm", true, &ta);
	user_new(TGT, &b, "susadmb", false, &tb1);
	login_tok(TGT, &b, NULL, &tb2);
	delete_user_sessions(&x, TGT, ta.access, id_str(id, sizeof(id), b.id));
	want_204(&x);
	xchg_free(&x);
	want_ended(TGT, &tb1, "a session ended by an admin");
	want_ended(TGT, &tb2, "a session ended by an admin");
	me_ok(TGT, ta.access, "the admin's own session");
}
END_TEST

START_TEST(user_sessions_other_403)
{
	struct api_user a, b;
	struct tok	ta, tb, tb2;
	struct xchg	x;
	char		id[32];

	user_new(TGT, &a, "sus403", false, &ta);
	user_new(TGT, &b, "sus403b", false, &tb);
	delete_user_sessions(&x, TGT, ta.access, id_str(id, sizeof(id), b.id));
	want_detail(&x, 403, D_FORBIDDEN);
	want_api_json_headers(&x);
	xchg_free(&x);
	me_ok(TGT, tb.access, "the other user's session");
	refresh_ok(TGT, tb.refresh, &tb2);
}
END_TEST

START_TEST(user_sessions_unknown_404)
{
	struct api_user adm;
	struct tok	ta;
	struct xchg	x;

	user_new(TGT, &adm, "sus404", true, &ta);
	delete_user_sessions(&x, TGT, ta.access, NO_USER_ID);
	want_detail(&x, 404, D_NO_USER);
	want_api_json_headers(&x);
	xchg_free(&x);
}
END_TEST

START_TEST(user_sessions_abc_422)
{
	struct api_user a;
	struct tok	t;
	struct xchg	x;
	char		e[512];

	user_new(TGT, &a, "sus422", false, &t);
	delete_user_sessions(&x, TGT, t.access, "abc");
	want_api_json_headers(&x);
	want_422_exact(&x,
	    entry_json(e, sizeof(e), "int_parsing", "[\"path\",\"user_id\"]",
		MSG_INT_PARSE, "\"abc\"", NULL),
	    NULL);
	xchg_free(&x);
	me_ok(TGT, t.access, "the session after a refused request");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Access tokens without sid; password change and deletion             */
/* ------------------------------------------------------------------ */

/*
 * A token without sid works as in version 1: after the end of one
 * session of the user (logout, delete by id), still; after a password
 * change, no more.
 */
START_TEST(nosid_accepted_until_password_change)
{
	struct api_user a;
	struct tok	t1, t2, t3;
	struct xchg	x;
	char		nosid[2048], body[512], qc[200];

	user_new(TGT, &a, "snosid", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	login_tok(TGT, &a, NULL, &t3);
	nosid_token(nosid, sizeof(nosid), &t1);
	me_ok(TGT, nosid, "a token without sid");
	logout_204(TGT, t1.access, NULL);
	me_ok(TGT, nosid, "a token without sid after a logout of scope this");
	logout_204(TGT, t2.access, "others");
	me_ok(TGT, nosid, "a token without sid after a logout of scope others");
	snprintf(body, sizeof(body),
	    "{\"current_password\":%s,\"new_password\":\"brand-new-pw-42\"}",
	    json_quote(qc, sizeof(qc), a.password));
	api_call(&x, TGT, "POST", "/api/auth/password", nosid, body);
	want_status(&x, 204);
	xchg_free(&x);
	me_refused(TGT, nosid, "a token without sid after a password change");
}
END_TEST

/* A password change ends every session of the user. */
START_TEST(password_change_ends_sessions)
{
	struct api_user a;
	struct tok	t1, t2, t3;
	struct xchg	x;
	struct slist	l;
	char		body[512], qc[200];

	user_new(TGT, &a, "spw", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	snprintf(body, sizeof(body),
	    "{\"current_password\":%s,\"new_password\":\"brand-new-pw-42\"}",
	    json_quote(qc, sizeof(qc), a.password));
	api_call(&x, TGT, "POST", "/api/auth/password", t1.access, body);
	want_status(&x, 204);
	xchg_free(&x);
	want_ended(TGT, &t1, "the session that changed the password");
	want_ended(TGT, &t2, "another session after a password change");
	snprintf(a.password, sizeof(a.password), "brand-new-pw-42");
	login_tok(TGT, &a, NULL, &t3);
	list_sessions(TGT, t3.access, &l);
	ck_assert_msg(l.n == 1 && find_sess(&l, t3.sid) != NULL,
	    "%zu sessions after a password change and a login, want 1", l.n);
}
END_TEST

/* A deleted user's refresh tokens are refused. */
START_TEST(deletion_ends_sessions)
{
	struct api_user a;
	struct tok	t1, t2;
	struct xchg	x;

	user_new(TGT, &a, "sdelu", false, &t1);
	login_tok(TGT, &a, NULL, &t2);
	delete_user(&x, TGT, t1.access, a.id);
	want_status(&x, 204);
	xchg_free(&x);
	refresh_refused(TGT, t1.refresh, "a deleted user's refresh token");
	refresh_refused(TGT, t2.refresh, "a deleted user's refresh token");
	me_refused(TGT, t2.access, "a deleted user's access token");
}
END_TEST

/* ------------------------------------------------------------------ */
/* The cap                                                             */
/* ------------------------------------------------------------------ */

/*
 * 51 logins of one user: 50 sessions are listed, the first login's is
 * not and its refresh token is refused; the second's still works.
 */
START_TEST(cap_50_sessions)
{
	struct api_user a;
	struct tok	first, second, t, t2;
	struct slist	l;
	int		i;

	user_new(TGT, &a, "scap", false, &first);
	login_tok(TGT, &a, NULL, &second);
	for (i = 2; i < SESSIONS_MAX + 1; i++)
		login_tok(TGT, &a, NULL, &t);
	list_sessions(TGT, t.access, &l);
	ck_assert_msg(l.n == SESSIONS_MAX,
	    "%zu sessions listed after %d logins, want %d", l.n,
	    SESSIONS_MAX + 1, SESSIONS_MAX);
	ck_assert_msg(find_sess(&l, first.sid) == NULL,
	    "the oldest session is still listed");
	ck_assert_msg(find_sess(&l, second.sid) != NULL,
	    "the second-oldest session is not listed");
	refresh_refused(TGT, first.refresh,
	    "the oldest session's refresh token beyond the cap");
	refresh_ok(TGT, second.refresh, &t2);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The race                                                            */
/* ------------------------------------------------------------------ */

/* Rounds of the race: $UA_TEST_SESSION_RACE_ROUNDS (api_race_rounds()). */
static double race_budget_s;

static long
race_rounds(void)
{
	return api_race_rounds("UA_TEST_SESSION_RACE_ROUNDS", &race_budget_s);
}

/*
 * Two refreshes with the same refresh token R at the same moment.
 *
 * Whichever the server serves first rotates R (R spent, its answer's
 * token X current); the other finds R spent within the reuse window and
 * gets the grace pair Y, which replaces X (X spent too).  So both
 * answers are 200, with two different refresh tokens, both for R's
 * session, and exactly one chain lives on: Y's.  From outside the two
 * answers look alike, and presenting a token to find out is not
 * order-independent (presenting the spent X ends the session, after
 * which Y is refused too).  So the database says which is current: the
 * session's refresh_hash is the SHA-256 of exactly one of the two (a
 * second live chain, or none, fails here).  Then, through HTTP, in one
 * of two orders taking turns: Y refreshes (200, the same session) and X
 * is refused; or X is refused first, which is reuse and ends the
 * session, and then Y and its access token are refused too.  (What X
 * does after Y has rotated on is reuse_replaced_pair_after_rotation_
 * ends_session's business, not the race's.)  A round starts with a
 * fresh login.
 */
START_TEST(race_refresh_same_token)
{
	struct api_user a;
	struct api_req	r[2];
	struct tok	t0, tk[2], z;
	char		body[512], q[300], *bodies[2], b[800], label[64];
	long		st[2], rounds, n, cur_first = 0, cur_second = 0;
	double		t_start;
	bool		c0, c1;
	int		i, cur;

	rounds = race_rounds();
	api_register(TGT, &a, "srace");
	memset(r, 0, sizeof(r));
	r[0].method = r[1].method = "POST";
	r[0].path = r[1].path = "/api/auth/refresh";
	r[0].body = r[1].body = body;
	t_start = wall_now();
	for (n = 0; n < rounds; n++) {
		if (race_budget_s > 0 && wall_now() - t_start > race_budget_s)
			break;
		login_tok(TGT, &a, NULL, &t0);
		snprintf(body, sizeof(body), "{\"refresh_token\":%s}",
		    json_quote(q, sizeof(q), t0.refresh));
		api_parallel(TGT, r, 2, st, bodies);
		for (i = 0; i < 2; i++) {
			ck_assert_msg(st[i] == 200,
			    "%s round %ld: refresh %d of 2: status %ld, want "
			    "200 (one rotation, one grace): %s",
			    target_name(TGT), n, i + 1, st[i],
			    redact(b, sizeof(b), bodies[i]));
			snprintf(label, sizeof(label), "%s round %ld answer %d",
			    target_name(TGT), n, i + 1);
			parse_token(bodies[i], label, false, &tk[i]);
			free(bodies[i]);
			ck_assert_msg(strcmp(tk[i].sid, t0.sid) == 0,
			    "%s: the answer is for session %s, not %s", label,
			    tk[i].sid, t0.sid);
		}
		ck_assert_msg(strcmp(tk[0].refresh, tk[1].refresh) != 0,
		    "%s round %ld: both answers hold the same refresh token",
		    target_name(TGT), n);
		c0 = db_is_current(t0.sid, tk[0].refresh);
		c1 = db_is_current(t0.sid, tk[1].refresh);
		ck_assert_msg(c0 != c1,
		    "%s round %ld: the session's current refresh token is %s "
		    "of the two answers' tokens, want exactly one",
		    target_name(TGT), n, c0 ? "both" : "neither");
		cur = c0 ? 0 : 1;
		if (cur == 0)
			cur_first++;
		else
			cur_second++;
		if (n % 2 == 0) {
			/* The live chain first, then the dead one. */
			refresh_ok(TGT, tk[cur].refresh, &z);
			want_rotated(&tk[cur], &z);
			refresh_refused(TGT, tk[1 - cur].refresh,
			    "the racing answer the grace replaced");
		} else {
			/* The dead one first: reuse, the session ends. */
			refresh_refused(TGT, tk[1 - cur].refresh,
			    "the racing answer the grace replaced");
			want_ended(TGT, &tk[cur],
			    "the session after the replaced racing answer "
			    "came back");
		}
	}
	fprintf(stderr,
	    "%s: two refreshes at once, %ld rounds in %.1f s: the live chain "
	    "was the first request's %ld times, the second's %ld\n",
	    target_name(TGT), n, wall_now() - t_start, cur_first, cur_second);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The secret scan                                                     */
/* ------------------------------------------------------------------ */

/* Sorted sets of fixed-length strings to look for. */
struct needles {
	char (*clear)[RT_LEN + 1]; /* refresh tokens */
	size_t nclear;
	char (*b64h)[RT_LEN + 1]; /* base64url of their SHA-256 */
	size_t nb64h;
	char (*hexh)[HEX_LEN + 1]; /* hex of their SHA-256 */
	size_t nhexh;
};

struct hits {
	size_t clear, b64h, hexh;
	char   first_clear[512]; /* where the first clear one was */
};

static int
cmp43(const void *a, const void *b)
{
	return memcmp(a, b, RT_LEN);
}

static int
cmp64(const void *a, const void *b)
{
	return memcmp(a, b, HEX_LEN);
}

static void
needles_free(struct needles *nd)
{
	free(nd->clear);
	free(nd->b64h);
	free(nd->hexh);
	memset(nd, 0, sizeof(*nd));
}

/* "n" tokens "rt" (RT_LEN each) as needles: clear, and both hashes. */
static void
needles_make(struct needles *nd, char (*rt)[RT_LEN + 1], size_t n)
{
	size_t i;

	memset(nd, 0, sizeof(*nd));
	nd->clear = calloc(n + 1, sizeof(*nd->clear));
	nd->b64h = calloc(n + 1, sizeof(*nd->b64h));
	nd->hexh = calloc(n + 1, sizeof(*nd->hexh));
	ck_assert(nd->clear != NULL && nd->b64h != NULL && nd->hexh != NULL);
	for (i = 0; i < n; i++) {
		memcpy(nd->clear[i], rt[i], RT_LEN + 1);
		sha256_b64url(rt[i], nd->b64h[i]);
		sha256_hex(rt[i], nd->hexh[i]);
	}
	nd->nclear = nd->nb64h = nd->nhexh = n;
	qsort(nd->clear, n, sizeof(*nd->clear), cmp43);
	qsort(nd->b64h, n, sizeof(*nd->b64h), cmp43);
	qsort(nd->hexh, n, sizeof(*nd->hexh), cmp64);
}

/*
 * Count the needles in "p" (of "len" bytes): every window of RT_LEN (and
 * HEX_LEN) characters inside a run of base64url characters, so that a
 * token glued to other letters ("%3D<token>") is found too.
 */
static void
scan_buf(const struct needles *nd, const char *p, size_t len, const char *where,
    struct hits *h)
{
	size_t i = 0, s, o;

	while (i < len) {
		if (!b64url_char(p[i])) {
			i++;
			continue;
		}
		for (s = i; i < len && b64url_char(p[i]); i++)
			continue;
		for (o = s; i - o >= RT_LEN; o++) {
			if (nd->nclear > 0 &&
			    bsearch(p + o, nd->clear, nd->nclear,
				sizeof(*nd->clear), cmp43) != NULL) {
				if (h->clear++ == 0)
					snprintf(h->first_clear,
					    sizeof(h->first_clear), "%s",
					    where);
			}
			if (nd->nb64h > 0 &&
			    bsearch(p + o, nd->b64h, nd->nb64h,
				sizeof(*nd->b64h), cmp43) != NULL)
				h->b64h++;
			if (i - o >= HEX_LEN && nd->nhexh > 0 &&
			    bsearch(p + o, nd->hexh, nd->nhexh,
				sizeof(*nd->hexh), cmp64) != NULL)
				h->hexh++;
		}
	}
}

/* Scan every regular file under "dir", recursively. */
static void
scan_dir(const struct needles *nd, const char *dir, struct hits *h,
    size_t *files)
{
	DIR	      *d;
	struct dirent *de;
	struct stat    sb;
	char	       path[1024];
	void	      *m;
	int	       fd;

	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			scan_dir(nd, path, h, files);
			continue;
		}
		if (!S_ISREG(sb.st_mode) || sb.st_size == 0)
			continue;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
		    0);
		close(fd);
		ck_assert_msg(m != MAP_FAILED, "mmap %s: %s", path,
		    strerror(errno));
		scan_buf(nd, m, (size_t)sb.st_size, path, h);
		munmap(m, (size_t)sb.st_size);
		(*files)++;
	}
	closedir(d);
}

/* Scan every row of the sessions table, every column as text. */
static void
scan_table(const struct needles *nd, struct hits *h, size_t *rows)
{
	PGconn	 *c = db_connect();
	PGresult *r;
	int	  i, n;
	char	  where[64];

	r = db_query(c, "SELECT s::text FROM sessions s", 0, NULL);
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		snprintf(where, sizeof(where), "sessions row %d", i);
		scan_buf(nd, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0),
		    where, h);
	}
	*rows = (size_t)n;
	PQclear(r);
	PQfinish(c);
}

/* The refresh tokens of the run's file, deduplicated, into "*out". */
static size_t
read_kept(char (**out)[RT_LEN + 1])
{
	FILE  *f;
	char   line[128];
	size_t n = 0, cap = 256, i, j;
	char(*v)[RT_LEN + 1];

	v = calloc(cap, sizeof(*v));
	ck_assert(v != NULL);
	if (rt_path[0] != '\0' && (f = fopen(rt_path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (strlen(line) != RT_LEN)
				continue;
			if (n == cap) {
				cap *= 2;
				v = realloc(v, cap * sizeof(*v));
				ck_assert(v != NULL);
			}
			memcpy(v[n++], line, RT_LEN + 1);
		}
		fclose(f);
	}
	qsort(v, n, sizeof(*v), cmp43);
	for (i = j = 0; i < n; i++)
		if (j == 0 || memcmp(v[j - 1], v[i], RT_LEN) != 0)
			memmove(v[j++], v[i], RT_LEN + 1);
	*out = v;
	return j;
}

/* RT_LEN random base64url characters (a stand-in for a token). */
static void
random_b64url(char out[RT_LEN + 1])
{
	static const char b64[] = B64URL;
	unsigned char	  rnd[RT_LEN];
	FILE		 *f;
	size_t		  i;

	f = fopen("/dev/urandom", "r");
	ck_assert(f != NULL);
	ck_assert(fread(rnd, 1, sizeof(rnd), f) == sizeof(rnd));
	fclose(f);
	for (i = 0; i < RT_LEN; i++)
		out[i] = b64[rnd[i] & 63];
	out[RT_LEN] = '\0';
}

/*
 * Every refresh token this program received, in all its cases: none in
 * clear in any file under $UA_TEST_LOG_DIR (the servers' and workers'
 * logs) or in any row of the sessions table.  Two positive controls show
 * the scan can find things: a token-shaped X-Request-ID sent to each
 * server is found in the logs, and the table holds the SHA-256 of a
 * current token as its refresh_hash, which the scan of the table finds.
 * How often the hashes appear is only reported.
 */
START_TEST(secret_scan)
{
	struct api_user a;
	struct tok	t, t2, ctl;
	struct needles	nd;
	struct hits	h;
	struct xchg	x;
	struct api_req	r;
	char(*kept)[RT_LEN + 1];
	char	    rid[RT_LEN + 1], ridh[RT_LEN + 32], hex[HEX_LEN + 1];
	const char *hdr[2] = { ridh, NULL };
	const char *logdir = stack_env("UA_TEST_LOG_DIR"), *params[1];
	size_t	    n, files = 0, rows = 0, nt = 0, ns = 0;
	enum target tg;
	PGconn	   *c;
	PGresult   *res;

	/* Tokens through every target, so that the scan has some even when
	 * this case runs alone. */
	for (tg = 0; tg < API_TARGETS; tg++) {
		if (!target_in_run(tg))
			continue;
		nt++;
		user_new(tg, &a, "sscan", false, &t);
		refresh_ok(tg, t.refresh, &t2);
		refresh_form(&x, tg, "refresh_token", t2.refresh);
		want_token(&x, false, &t2);
		xchg_free(&x);
		refresh_refused(tg,
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		    "an unknown token");
	}
	ctl = t2;

	/* Control 1: the table holds SHA-256(token) of a current token,
	 * and the scan of the table finds it. */
	sha256_hex(ctl.refresh, hex);
	c = db_connect();
	params[0] = hex;
	res = db_query(c,
	    "SELECT count(*) FROM sessions WHERE refresh_hash = "
	    "decode($1, 'hex')",
	    1, params);
	ck_assert_msg(strcmp(PQgetvalue(res, 0, 0), "1") == 0,
	    "%s rows hold refresh_hash = SHA-256 of a current refresh token, "
	    "want 1",
	    PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
	{
		char one[1][RT_LEN + 1];

		memcpy(one[0], ctl.refresh, RT_LEN + 1);
		needles_make(&nd, one, 1);
		memset(&h, 0, sizeof(h));
		scan_table(&nd, &h, &rows);
		needles_free(&nd);
		ck_assert_msg(h.hexh >= 1,
		    "the scan of %zu rows of sessions does not find the hash "
		    "that is there",
		    rows);
		ck_assert_msg(h.clear == 0,
		    "the sessions table holds a refresh token in clear");
	}

	/* Control 2: a token-shaped X-Request-ID is logged by each server,
	 * and the scan of the log directory finds it. */
	random_b64url(rid);
	snprintf(ridh, sizeof(ridh), "X-Request-ID: %s", rid);
	for (tg = 0; tg < TARGET_SERVERS_MAX; tg++) {
		if (!target_in_run(tg))
			continue;
		ns++;
		memset(&r, 0, sizeof(r));
		r.method = "GET";
		r.path = "/api/auth/sessions";
		r.token = t2.access;
		r.headers = hdr;
		api_send(&x, tg, &r);
		want_status(&x, 200);
		want_header(&x, "X-Request-ID", rid);
		xchg_free(&x);
	}
	{
		char one[1][RT_LEN + 1];

		memcpy(one[0], rid, RT_LEN + 1);
		needles_make(&nd, one, 1);
		memset(&h, 0, sizeof(h));
		scan_dir(&nd, logdir, &h, &files);
		needles_free(&nd);
		ck_assert_msg(h.clear >= ns,
		    "a token-shaped X-Request-ID sent to each server is "
		    "found %zu times in %zu files under %s, want at least %zu: "
		    "the scan cannot be trusted",
		    h.clear, files, logdir, ns);
	}

	/* The scan itself. */
	n = read_kept(&kept);
	ck_assert_msg(n >= 3 * nt,
	    "only %zu refresh tokens were kept for the scan", n);
	needles_make(&nd, kept, n);
	free(kept);
	memset(&h, 0, sizeof(h));
	files = 0;
	scan_dir(&nd, logdir, &h, &files);
	ck_assert_msg(h.clear == 0,
	    "%zu refresh tokens in clear in the logs (of %zu received, "
	    "%zu files scanned); the first in %s",
	    h.clear, n, files, h.first_clear);
	fprintf(stderr,
	    "secret scan: %zu refresh tokens, %zu files under %s: none in "
	    "clear; their SHA-256 as base64url %zu times, as hex %zu times\n",
	    n, files, logdir, h.b64h, h.hexh);
	memset(&h, 0, sizeof(h));
	scan_table(&nd, &h, &rows);
	needles_free(&nd);
	ck_assert_msg(h.clear == 0,
	    "%zu refresh tokens in clear in the sessions table (%zu rows); "
	    "the first in %s",
	    h.clear, rows, h.first_clear);
	fprintf(stderr,
	    "secret scan: %zu rows of sessions: no token in clear; their "
	    "SHA-256 as hex %zu times, as base64url %zu times\n",
	    rows, h.hexh, h.b64h);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *
sessions_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("sessions");

	tc = tcase_create("login");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, login_token_has_session, 0, API_TARGETS);
	tcase_add_loop_test(tc, login_form_token_has_session, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("refresh");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, refresh_json_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, refresh_form_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, refresh_gives_new_access_token, 0, API_TARGETS);
	tcase_add_loop_test(tc, refresh_unknown_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, refresh_missing_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, refresh_not_string_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, refresh_form_other_grant_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, refresh_text_plain_415, 0, API_TARGETS);
	tcase_add_loop_test(tc, refresh_expired_401, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("reuse");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, reuse_grace_once_then_session_ends, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, reuse_replaced_pair_ends_session, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, refresh_chain_of_five, 0, API_TARGETS);
	tcase_add_loop_test(tc, reuse_replaced_pair_after_rotation_ends_session,
	    0, API_TARGETS);
	tcase_add_test(tc, reuse_after_window_ends_session);
	suite_add_tcase(s, tc);

	tc = tcase_create("logout");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, logout_this_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, logout_scope_this_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, logout_others_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, logout_all_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, logout_bogus_scope_422, 0, API_TARGETS);
	tcase_add_loop_test(tc, logout_no_token_401, 0, API_TARGETS);
	tcase_add_loop_test(tc, logout_nosid_acts_as_all, 0, API_TARGETS);
	tcase_add_loop_test(tc, logout_nosid_scope_ignored, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, sessions_list_200, 0, API_TARGETS);
	tcase_add_loop_test(tc, sessions_current_is_the_caller, 0, API_TARGETS);
	tcase_add_loop_test(tc, sessions_ended_not_listed, 0, API_TARGETS);
	tcase_add_loop_test(tc, sessions_last_used_after_refresh, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, sessions_nosid_none_current, 0, API_TARGETS);
	tcase_add_loop_test(tc, sessions_no_token_401, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("end_one");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, delete_own_other_session_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_own_current_session_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, delete_session_404, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("end_all");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, user_sessions_self_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, user_sessions_admin_204, 0, API_TARGETS);
	tcase_add_loop_test(tc, user_sessions_other_403, 0, API_TARGETS);
	tcase_add_loop_test(tc, user_sessions_unknown_404, 0, API_TARGETS);
	tcase_add_loop_test(tc, user_sessions_abc_422, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("account");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, nosid_accepted_until_password_change, 0,
	    API_TARGETS);
	tcase_add_loop_test(tc, password_change_ends_sessions, 0, API_TARGETS);
	tcase_add_loop_test(tc, deletion_ends_sessions, 0, API_TARGETS);
	suite_add_tcase(s, tc);

	tc = tcase_create("cap");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, cap_50_sessions, target_first_server(),
	    target_first_server() + 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("races");
	tcase_set_timeout(tc, 900);
	tcase_add_loop_test(tc, race_refresh_same_token, 0, TARGET_SERVERS_MAX);
	suite_add_tcase(s, tc);

	/* Last: it scans for what every case before it received. */
	tc = tcase_create("secrets");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, secret_scan);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	int rc;

	snprintf(rt_dir, sizeof(rt_dir), "/tmp/ua-test-sessions.XXXXXX");
	if (mkdtemp(rt_dir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	snprintf(rt_path, sizeof(rt_path), "%s/refresh-tokens", rt_dir);
	rc = api_run_suite(sessions_suite);
	unlink(rt_path);
	rmdir(rt_dir);
	return rc;
}
